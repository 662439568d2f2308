// What continuing a run from a snapshot needs besides its density (docs/reference.md §6,
// /resume in result.h5), and how a run ended. Plain data: solver/ and io/ share it.
#pragma once
#include <cstddef>
#include <vector>

namespace fplab {

// The state a multistep integrator carries from one step to the next (bdf2: the previous
// state, step size and end time); empty for one-step integrators.
struct IntegratorHistory {
  std::vector<double> scalars;
  std::vector<std::vector<double>> arrays;  // each of the grid's size
};

// Where a run stands after a step: with the density, what makes a resumed run take the very
// steps the uninterrupted one takes.
struct RunState {
  double t = 0.0;
  std::size_t step = 0;
  double dt = 0.0;       // the regular step (the last one may have been shortened)
  double abs0 = 0.0;     // ∫|p| dx at t = 0 and
  double neg0 = 0.0;     // −∫min(p, 0) dx at t = 0: the references of the instability check
  double outflow = 0.0;  // absorbing walls: the mass that has left so far
  IntegratorHistory history;
};

enum class RunStatus { complete, interrupted, failed };

// "complete" | "interrupted" | "failed": the word stored in result.h5 and summary.json.
inline const char* status_name(RunStatus s) {
  switch (s) {
    case RunStatus::interrupted:
      return "interrupted";
    case RunStatus::failed:
      return "failed";
    default:
      return "complete";
  }
}

}  // namespace fplab
