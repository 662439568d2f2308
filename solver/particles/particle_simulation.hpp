// The particle driver of `fplab sample` (docs/reference.md §7): n particles drawn from the case's
// initial density, moved by its SDE or probability-flow ODE (particle_dynamics.hpp) with a
// particle scheme (particle_stepper.hpp) to every output time, where they are histogrammed on the
// case's grid (/fields/density_particles, with the usual diagnostics) for the grid sinks and
// handed, positions and all, to the particle sinks. Knows no file format.
#pragma once
#include <functional>
#include <span>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"
#include "solver/particles/particle_sink.hpp"
#include "solver/problem.hpp"

namespace fplab {

// The grid solution of the same case (fplab sample --compare RUN/result.h5), read by io/: its
// density at output k (time t) on the case's grid. The snapshots then carry it as the field
// "density" and the diagnostic l1_to_grid = ∫|p_particles − p_grid|.
struct GridComparison {
  std::function<void(int k, double t, std::span<double> out)> density_at;
};

struct ParticleRunOptions {
  std::string command_line;             // stored in result files
  const GridComparison* compare = nullptr;
};

struct ParticleRunResult {
  RunStatus status = RunStatus::complete;
  int stop_signal = 0;
  double t = 0.0;  // where it ended
  std::size_t steps = 0, n = 0, n_alive = 0;
  double dt = 0.0;
  std::string scheme, dynamics, start;  // the resolved scheme, "sde" | "ode", how the start was drawn
  double wall_seconds = 0.0;
  double particle_steps_per_second = 0.0;  // over the stepping only
  DiagnosticRow final_row;
};

// Runs the particles of the case. InputError (file, line and key) for a case with no particle
// view or a scheme that does not fit; NumericalError when a position stops being finite (the
// sinks keep every snapshot written before and end with status failed). A stop signal
// (solver/run_control.hpp) ends it after the current step with a snapshot there.
ParticleRunResult sample_particles(const CaseSpec& spec, const ProblemInputs& inputs,
                                   std::span<OutputSink* const> sinks,
                                   std::span<ParticleSink* const> particle_sinks,
                                   const ParticleRunOptions& opts = {});

}  // namespace fplab
