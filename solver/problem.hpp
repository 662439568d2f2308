// A problem built from a case: grid, equation, spatial operator and time integrator, and its
// initial state — construction apart from the time loop (solver/simulation.hpp), so that io/ can
// load what comes from files (a tabulated score, a previous run's last snapshot) and hand it in
// while the solver stays free of HDF5. run_convergence and the benchmarks build through here too.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/equations/equation.hpp"
#include "solver/grid.hpp"
#include "solver/operator.hpp"
#include "solver/score/score_field.hpp"
#include "solver/time/integrator.hpp"

namespace fplab {

// What io/ loads from files (io/problem_inputs.hpp) for the solver.
struct ProblemInputs {
  std::shared_ptr<const ScoreField> score;  // reverse: a tabulated or hdf5 score
  std::vector<double> initial;  // initial: from_run — the state at t = 0 on the case's grid
  std::vector<double> target;   // the data density on the case's grid, when a file gives it
};

struct Problem {
  Grid2D grid;
  Sampling sampling = Sampling::cell_average;  // what the grid values are (docs/reference.md §2)
  std::unique_ptr<Equation> equation;
  std::unique_ptr<SpatialOperator> op;
  std::unique_ptr<TimeIntegrator> integrator;  // not yet init()ed
};

// InputError for unsupported combinations (unknown names, a scheme an equation refuses).
Problem make_problem(const CaseSpec& spec, const ProblemInputs& inputs = {});

// The initial state (docs/reference.md §2 `initial`) on the problem's grid, sampled as its method needs.
void initial_state(const CaseSpec& spec, const Problem& pb, const ProblemInputs& inputs,
                   std::span<double> out);

// The data density a reverse run should arrive at: the file's (inputs.target) or the equation's
// closed form; empty when neither is known.
std::vector<double> target_density(const Problem& pb, const ProblemInputs& inputs);

}  // namespace fplab
