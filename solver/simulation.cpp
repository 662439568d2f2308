// The time loop (MFEM style: integrator->init(op); integrator->step(op, t, dt, u)), output cadence,
// diagnostics and progress reporting. Knows no scheme, equation or file format.
#include "solver/simulation.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "solver/density.hpp"
#include "solver/diagnostics.hpp"
#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/errors.hpp"
#include "solver/run_checks.hpp"
#include "solver/run_control.hpp"
#include "solver/score/grid_score.hpp"
#include "solver/time/integrator.hpp"
#include "solver/wall_clock.hpp"

namespace fplab {
namespace {

// One progress line on a terminal, rewritten in place at most every half second.
class Progress {
 public:
  Progress(bool enabled, double t_end)
      : enabled_(enabled && isatty(STDERR_FILENO)), t_end_(t_end), t0_(Clock::now()) {}
  void update(double t, std::size_t step, double dt) {
    if (!enabled_) return;
    const double wall = seconds_since(t0_);
    if (wall < 2.0 || wall - last_ < 0.5) return;
    last_ = wall;
    const double eta = t > 0 ? wall * (t_end_ - t) / t : 0.0;
    std::fprintf(stderr,
                 "\r  t = %-10.4g / %-8.4g step %-8zu dt = %-10.3g wall %6.1f s  ETA %6.1f s ", t,
                 t_end_, step, dt, wall, eta);
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fputc('\n', stderr);
  }

 private:
  bool enabled_;
  double t_end_;
  Clock::time_point t0_;
  double last_ = 0.0;
  bool shown_ = false;
};

}  // namespace

std::vector<double> output_times(double t_end, double output_every) {
  std::vector<double> times{0.0};
  const double tol = 1e-9 * output_every;
  for (int k = 1;; ++k) {
    const double t = k * output_every;
    if (t >= t_end - tol) break;
    times.push_back(t);
  }
  times.push_back(t_end);
  return times;
}

Simulation::Simulation(const CaseSpec& spec, ProblemInputs inputs)
    : spec_(spec), inputs_(std::move(inputs)) {
  check_domain(spec);
  try {
    pb_ = make_problem(spec, inputs_);  // its input errors name their line already
  } catch (const NonFiniteDrift& e) {   // at t = 0 the data are wrong, not the method
    throw InputError(locate_in_case(spec, drift_key(spec, e.component) + ": " + e.what()));
  }
  try {
    pb_.integrator->init(*pb_.op);  // implicit ones assemble and factorise here
  } catch (const InputError& e) {
    throw InputError(locate_in_case(spec, e.what()));  // the file, line and key, as the loader
  }
  coefficients_vary_ = pb_.equation->drift_depends_on_time() ||
                       pb_.equation->diffusion_depends_on_time();
  check_run_limits(spec, pb_, coefficients_vary_);
  const Grid2D& g = pb_.grid;
  // Initial data, p_eq, the exact solution and the target mean what the method's values mean.
  u_.resize(g.size());
  initial_state(spec, pb_, inputs_, u_);
  check_initial_state(spec, g, u_);
  pb_.op->begin(u_, 0.0);
  const Equation& eq = *pb_.equation;
  if (eq.has_equilibrium()) {
    p_eq_.resize(g.size());
    eq.equilibrium(g, p_eq_, pb_.sampling);
  }
  if (eq.has_exact()) exact_.resize(g.size());
  target_ = target_density(pb_, inputs_);
  if (spec.output.store_score) {
    score_x_.resize(g.size());
    score_y_.resize(g.size());
  }
  if (eq.has_score_error()) score_error_.resize(g.size());
  if (spec.output.store_current) {
    current_x_.resize(g.size());
    current_y_.resize(g.size());
    if (!pb_.op->current(u_, 0.0, current_x_, current_y_))
      throw InputError(locate_in_case(
          spec, "output.store_current: the probability current is the finite-volume face flux; "
                "the " + method_label(spec) + " method has none (use solver.method: "
                "finite_volume)"));
  }
}

// dt: fixed from the case, or cfl × the operator's stability bound (re-evaluated each step when
// the coefficients depend on time).
double Simulation::step_dt(double t) const {
  if (spec_.solver.dt) return *spec_.solver.dt;
  const double bound = stable_step(*pb_.integrator, *pb_.op, t);
  if (!std::isfinite(bound)) return spec_.time.output_every;  // nothing constrains dt
  check_step_advances(t, spec_.solver.cfl * bound);
  return spec_.solver.cfl * bound;
}

RunInfo Simulation::run_info(const SimulationOptions& opts) const {
  RunInfo info;
  info.spec = &spec_;
  info.grid = pb_.grid;
  info.command_line = opts.command_line;
  info.output_dir = spec_.output.dir;
  info.diagnostic_names = diagnostic_names(!p_eq_.empty(), !exact_.empty());
  const auto extra = target_diagnostic_names(target_);
  info.diagnostic_names.insert(info.diagnostic_names.end(), extra.begin(), extra.end());
  // Absorbing walls: the mass that has left, so that mass + outflow is the initial mass.
  if (pb_.op->has_outflow()) info.diagnostic_names.emplace_back("outflow");
  if (!score_error_.empty()) info.diagnostic_names.emplace_back("score_error");
  for (const auto& [name, values] : fields())
    if (!values.empty()) info.field_names.push_back(name);
  info.sampling = pb_.sampling;
  return info;
}

std::array<std::pair<const char*, std::span<const double>>, 6> Simulation::fields() const {
  return {{{"exact", exact_},
           {"score_x", score_x_},
           {"score_y", score_y_},
           {"score_error", score_error_},
           {"current_x", current_x_},
           {"current_y", current_y_}}};
}

const DiagnosticRow& Simulation::notify(std::span<OutputSink* const> sinks, int index, double t,
                                        std::size_t steps, double dt) {
  if (!exact_.empty()) pb_.equation->exact(pb_.grid, t, exact_, pb_.sampling);
  row_ = compute_diagnostics(pb_.grid, u_, p_eq_, exact_);
  append_target_diagnostics(pb_.grid, u_, target_, row_);
  if (pb_.op->has_outflow()) row_.emplace_back("outflow", pb_.op->outflow());
  if (!score_x_.empty()) score_from_density(pb_.grid, u_, score_x_, score_y_);
  if (!current_x_.empty()) pb_.op->current(u_, t, current_x_, current_y_);
  if (!score_error_.empty())
    row_.emplace_back("score_error", pb_.equation->score_error(pb_.grid, t, score_error_));
  Snapshot snap;
  snap.index = index;
  snap.t = t;
  snap.step = steps;
  snap.density = u_;
  for (const auto& [name, values] : fields())
    if (!values.empty()) snap.fields.emplace_back(name, values);
  snap.diagnostics = &row_;
  state_.t = t;
  state_.step = steps;
  state_.dt = dt;
  state_.outflow = pb_.op->outflow();
  state_.history = pb_.integrator->history();
  snap.state = &state_;
  for (auto* s : sinks) s->write(snap);
  return row_;
}

void Simulation::restore(const ResumePoint& from) {
  if (from.density.size() != u_.size())
    throw std::logic_error("Simulation: the resumed density does not fit the grid");
  std::copy(from.density.begin(), from.density.end(), u_.begin());
  pb_.op->begin(u_, from.state.t);
  pb_.op->restore_outflow(from.state.outflow);
  pb_.integrator->restore_history(from.state.history);
  state_ = from.state;
}

// Every sink ends, also after a failure (then a sink's own error must not hide the first one).
void Simulation::end_sinks(std::span<OutputSink* const> sinks, RunStatus status, double t,
                           const SimulationResult& result) const {
  RunSummary summary;
  summary.status = status;
  summary.steps = result.steps;
  summary.t_end = t;
  summary.wall_seconds = result.wall_seconds;
  summary.cell_updates_per_second = result.cell_updates_per_second;
  summary.peak_memory_bytes = result.peak_memory_bytes;
  summary.peak_memory_grid_arrays = result.peak_memory_grid_arrays;
  summary.final_row = row_;
  for (auto* s : sinks) {
    if (status != RunStatus::failed) {
      s->end(summary);
      continue;
    }
    try {
      s->end(summary);
    } catch (const std::exception&) {
      // the failure being reported is the one that stopped the run
    }
  }
}

SimulationResult Simulation::run(std::span<OutputSink* const> sinks,
                                 const SimulationOptions& opts) {
  RunInfo info = run_info(opts);
  if (opts.resume) {
    restore(*opts.resume);
    info.past = &opts.resume->past;
  }
  for (auto* s : sinks) s->begin(info);

  SimulationResult result;
  const auto t0 = Clock::now();
  const std::vector<double> times = output_times(spec_.time.t_end, spec_.time.output_every);
  Progress progress(opts.progress, spec_.time.t_end);
  // Instability: non-finite values, ∫|p| or the negative mass grown (see run_checks.hpp); a
  // resumed run keeps the references of its start at t = 0.
  const InstabilityMonitor monitor =
      opts.resume ? InstabilityMonitor(spec_, pb_.grid, opts.resume->state.abs0,
                                       opts.resume->state.neg0)
                  : InstabilityMonitor(spec_, pb_.grid, u_);
  state_.abs0 = monitor.initial_abs_integral();
  state_.neg0 = monitor.initial_negative_mass();
  auto check_stable = [&](double t_now, double h) { monitor.check(u_, t_now, result.steps, h); };
  double t = 0.0;
  double dt = step_dt(0.0);
  int index = 0;  // of the next snapshot
  if (opts.resume) {
    t = state_.t;
    dt = state_.dt;
    result.steps = state_.step;
    index = static_cast<int>(opts.resume->past.times.size());
  } else {
    notify(sinks, index++, t, 0, dt);
  }
  double stepping_seconds = 0.0;  // time inside integrator steps only, for cell updates/s
  const TestInterruptHook test_hook;
  try {
    for (std::size_t k = 1; k < times.size() && result.stop_signal == 0; ++k) {
      const double t_out = times[k];
      // A resumed run is past it; a finished run resumed with a later t_end stood at the old
      // t_end, which may sit a rounding below k·output_every: no sliver step to that.
      if (t_out <= t + 1e-9 * spec_.time.output_every) continue;
      while (t < t_out && result.stop_signal == 0) {
        if (coefficients_vary_) dt = step_dt(t);
        // Land exactly on the output time; avoid a sliver step by stretching the last one ≤ 1e-6.
        const bool last = t + dt * (1.0 + 1e-6) >= t_out;
        const double h = last ? t_out - t : dt;
        const auto ts = Clock::now();
        pb_.integrator->step(*pb_.op, t, h, u_);
        stepping_seconds += seconds_since(ts);
        t = last ? t_out : t + h;
        pb_.op->accept_step(u_, t, h);
        ++result.steps;
        result.dt_last = h;
        if (result.steps % 16 == 0) check_stable(t, h);
        progress.update(t, result.steps, h);
        test_hook.after_step(result.steps);
        result.stop_signal = stop_signal();
      }
      // A stop: the step is done; a second signal during this last write ends the process.
      if (result.stop_signal != 0) stop_signals_default();
      check_stable(t, result.dt_last);
      notify(sinks, index++, t, result.steps, dt);  // the output time, or where the stop came
    }
  } catch (const std::exception&) {
    result.wall_seconds = seconds_since(t0);
    end_sinks(sinks, RunStatus::failed, t, result);
    throw;
  }
  result.status = result.stop_signal != 0 && t < times.back() ? RunStatus::interrupted
                                                               : RunStatus::complete;
  result.t = t;
  result.wall_seconds = seconds_since(t0);
  result.cell_updates_per_second =
      stepping_seconds > 0 ? double(result.steps) * pb_.grid.size() / stepping_seconds : 0.0;
  result.final_row = row_;
  result.peak_memory_bytes = peak_resident_bytes();
  result.peak_memory_grid_arrays =
      result.peak_memory_bytes / (sizeof(double) * static_cast<double>(pb_.grid.size()));
  end_sinks(sinks, result.status, t, result);
  // Handed over, not copied: a copy would be one more grid array at the run's memory peak.
  result.final_density = std::move(u_);
  return result;
}

SimulationResult simulate(const CaseSpec& spec, std::span<OutputSink* const> sinks,
                          const SimulationOptions& opts, ProblemInputs inputs) {
  Simulation sim(spec, std::move(inputs));
  return sim.run(sinks, opts);
}

}  // namespace fplab
