// `fplab steady`: the stationary density of a case with time-independent coefficients, solved
// directly (solver/steady_state.hpp), with its diagnostics, its probability current and one
// snapshot to the output sinks (marked stationary).
#pragma once
#include <span>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"
#include "solver/problem.hpp"
#include "solver/steady_state.hpp"

namespace fplab {

struct SteadyRunResult {
  std::string scheme;  // the flux scheme solved with (chang_cooper in place of a limited one)
  SteadyState solve;   // the density, its residual and the cost of the solve
  std::vector<double> current_x, current_y;
  DiagnosticRow final_row;
  double wall_seconds = 0.0, peak_memory_bytes = 0.0;
};

// InputError (file, line and key) for a case without a unique normalisable steady state the
// finite-volume generator can give: another equation than fokker_planck or heat, a spectral
// method, a nonlinear (limited) scheme, absorbing walls, coefficients that change with t, no
// diffusion. NumericalError when the solve finds the steady state not unique.
SteadyRunResult solve_steady_case(const CaseSpec& spec, std::span<OutputSink* const> sinks,
                                  const std::string& command_line, ProblemInputs inputs = {});

}  // namespace fplab
