// The driver: steps a Problem (solver/problem.hpp) to every output time (landing on it exactly),
// computes diagnostics and notifies the output sinks (MFEM style: integrator->init(op);
// integrator->step(op, t, dt, u)). Construction lives in make_problem.
#pragma once
#include <array>
#include <span>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"
#include "solver/problem.hpp"

namespace fplab {

// Where a resumed run starts (io/resume_file.hpp reads it back from result.h5): the last
// snapshot's density and state, and the outputs before it.
struct ResumePoint {
  RunState state;
  std::vector<double> density;
  PastOutputs past;
};

struct SimulationOptions {
  std::string command_line;  // stored in result files
  bool progress = true;      // a progress line on a terminal for runs longer than ~2 s
  const ResumePoint* resume = nullptr;  // continue from there instead of t = 0
};

struct SimulationResult {
  RunStatus status = RunStatus::complete;  // interrupted: stop_signal() ended it early
  int stop_signal = 0;
  double t = 0.0;  // where it ended
  std::size_t steps = 0;
  double dt_last = 0.0;
  double wall_seconds = 0.0;
  double cell_updates_per_second = 0.0;
  double peak_memory_bytes = 0.0;        // peak resident memory of the process
  double peak_memory_grid_arrays = 0.0;  // the same in arrays of 8 nx ny bytes
  DiagnosticRow final_row;
  std::vector<double> final_density;
};

// Output times t_k = k·output_every, the last one exactly t_end.
std::vector<double> output_times(double t_end, double output_every);

// One run of a case: the problem, its state and its diagnostics' references (p_eq, exact,
// target), stepped by run().
class Simulation {
 public:
  // Builds the problem (make_problem), initialises the integrator (implicit ones assemble and
  // factorise here) and the initial state. InputError for unsupported combinations.
  Simulation(const CaseSpec& spec, ProblemInputs inputs = {});
  // Steps to t_end, notifying the sinks at every output time. NumericalError when the density
  // stops being finite or grows (sinks keep every snapshot written before that and end with
  // status failed). A stop signal (solver/run_control.hpp) ends it after the current step with a
  // snapshot there and status interrupted. Once: the final state moves into the result.
  SimulationResult run(std::span<OutputSink* const> sinks, const SimulationOptions& opts = {});
  const Problem& problem() const { return pb_; }

 private:
  double step_dt(double t) const;
  void restore(const ResumePoint& from);
  void end_sinks(std::span<OutputSink* const> sinks, RunStatus status, double t,
                 const SimulationResult& result) const;
  RunInfo run_info(const SimulationOptions& opts) const;
  // The optional fields by their stored names (docs/reference.md §6); an empty one is not stored.
  std::array<std::pair<const char*, std::span<const double>>, 6> fields() const;
  const DiagnosticRow& notify(std::span<OutputSink* const> sinks, int index, double t,
                              std::size_t steps, double dt);

  const CaseSpec& spec_;
  ProblemInputs inputs_;
  Problem pb_;
  std::vector<double> u_, p_eq_, exact_, target_, score_x_, score_y_, score_error_;
  std::vector<double> current_x_, current_y_;  // output.store_current
  bool coefficients_vary_ = false;
  DiagnosticRow row_;
  RunState state_;  // of the last snapshot, handed to the sinks with it
};

// Runs the case: Simulation(spec, inputs).run(sinks, opts).
SimulationResult simulate(const CaseSpec& spec, std::span<OutputSink* const> sinks,
                          const SimulationOptions& opts = {}, ProblemInputs inputs = {});

}  // namespace fplab
