// The driver: builds grid, equation, operator and integrator from a case, steps to every output
// time (landing on it exactly), computes diagnostics and notifies the output sinks.
#pragma once
#include <span>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

struct SimulationOptions {
  std::string command_line;  // stored in result files
  bool progress = true;      // a progress line on a terminal for runs longer than ~2 s
};

struct SimulationResult {
  std::size_t steps = 0;
  double dt_last = 0.0;
  double wall_seconds = 0.0;
  double cell_updates_per_second = 0.0;
  DiagnosticRow final_row;
  std::vector<double> final_density;
};

// Output times t_k = k·output_every, the last one exactly t_end.
std::vector<double> output_times(double t_end, double output_every);

// Runs the case. InputError for unsupported combinations, NumericalError when the density
// stops being finite (sinks keep every snapshot written before that).
SimulationResult simulate(const CaseSpec& spec, std::span<OutputSink* const> sinks,
                          const SimulationOptions& opts = {});

}  // namespace fplab
