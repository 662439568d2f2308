// The time loop (MFEM style: integrator->init(op); integrator->step(op, t, dt, u)), output cadence,
// diagnostics and progress reporting. Knows no scheme, equation or file format.
#include "solver/simulation.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "solver/density.hpp"
#include "solver/diagnostics.hpp"
#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/errors.hpp"
#include "solver/time/integrator.hpp"

namespace fplab {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Σ|u_k|, +∞ when any value is not finite. A Fokker–Planck evolution is an L1 contraction
// (∫|p| never grows), so growth of this norm is the signature of a numerical instability.
double abs_sum(std::span<const double> u) {
  double s = 0.0;
  bool finite = true;
#pragma omp parallel for reduction(+ : s) reduction(&& : finite)
  for (std::size_t k = 0; k < u.size(); ++k) {
    finite = finite && std::isfinite(u[k]);
    s += std::abs(u[k]);
  }
  return finite ? s : std::numeric_limits<double>::infinity();
}

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

SimulationResult simulate(const CaseSpec& spec, std::span<OutputSink* const> sinks,
                          const SimulationOptions& opts) {
  const Grid2D grid{spec.nx, spec.ny, spec.x0, spec.x1, spec.y0, spec.y1};
  const auto equation = make_equation(spec);
  const auto op = make_operator(spec, *equation, grid);
  const auto integrator = make_integrator(spec.solver.integrator);
  try {
    integrator->init(*op);  // implicit ones assemble and factorise here
  } catch (const InputError& e) {
    if (spec.source_path.empty()) throw;
    throw InputError(spec.source_path + ": " + e.what());  // name the case file, as the loader does
  }

  // Initial data, p_eq and the exact solution mean what the method's values mean (SPEC §2).
  const Sampling sampling = sampling_of(spec);
  std::vector<double> u(grid.size());
  initial_density(spec, grid, u, sampling);
  op->begin(u, 0.0);

  std::vector<double> p_eq, exact;
  if (equation->has_equilibrium()) {
    p_eq.resize(grid.size());
    equation->equilibrium(grid, p_eq, sampling);
  }
  const bool has_exact = equation->has_exact();
  if (has_exact) exact.resize(grid.size());

  RunInfo info;
  info.spec = &spec;
  info.grid = grid;
  info.command_line = opts.command_line;
  info.output_dir = spec.output.dir;
  info.diagnostic_names = diagnostic_names(!p_eq.empty(), has_exact);
  // Absorbing walls: the mass that has left, so that mass + outflow is the initial mass.
  if (op->has_outflow()) info.diagnostic_names.emplace_back("outflow");
  info.has_exact = has_exact;
  info.sampling = sampling;
  for (auto* s : sinks) s->begin(info);

  // dt: fixed from the case, or cfl × the operator's stability bound (re-evaluated each step
  // when the coefficients depend on time).
  const bool coefficients_vary =
      equation->drift_depends_on_time() || equation->diffusion_depends_on_time();
  auto step_dt = [&](double t) {
    if (spec.solver.dt) return *spec.solver.dt;
    const double bound = stable_step(*integrator, *op, t);
    if (!std::isfinite(bound)) return spec.time.output_every;  // nothing constrains dt
    return spec.solver.cfl * bound;
  };
  const bool explicit_part = integrator->is_explicit() ||
                             integrator->needs() == TimeIntegrator::Needs::stiff_assembly;
  if (spec.solver.dt && explicit_part) {
    const auto bound =
        smallest_stable_step(*integrator, *op, spec.time.t_end, coefficients_vary ? 100 : 0);
    if (*spec.solver.dt > bound.dt)
      spdlog::warn(
          "solver.dt = {} exceeds the explicit stability bound {:.4g} of {} (at t = {:.4g}): "
          "expect instability",
          *spec.solver.dt, bound.dt, spec.solver.integrator, bound.t);
  }

  SimulationResult result;
  DiagnosticRow row;
  auto notify = [&](int index, double t) {
    if (has_exact) equation->exact(grid, t, exact, sampling);
    row = compute_diagnostics(grid, u, p_eq, exact);
    if (op->has_outflow()) row.emplace_back("outflow", op->outflow());
    Snapshot snap;
    snap.index = index;
    snap.t = t;
    snap.step = result.steps;
    snap.density = u;
    snap.exact = exact;
    snap.diagnostics = &row;
    for (auto* s : sinks) s->write(snap);
  };

  const auto t0 = Clock::now();
  const std::vector<double> times = output_times(spec.time.t_end, spec.time.output_every);
  Progress progress(opts.progress, spec.time.t_end);
  // Instability: non-finite values, or ∫|p| grown a thousandfold (see abs_sum).
  const double norm0 = abs_sum(u);
  auto check_stable = [&](double t_now, double h) {
    const double norm = abs_sum(u);
    if (std::isfinite(norm) && norm <= 1e3 * norm0) return;
    throw NumericalError(fmt::format(
        "the solution became unstable at t = {:.6g} (step {}, dt = {:.3g}): {}; lower "
        "solver.dt or solver.cfl",
        t_now, result.steps, h,
        std::isfinite(norm) ? fmt::format("∫|p| grew from {:.3g} to {:.3g}", norm0, norm)
                            : std::string("the density holds non-finite values")));
  };
  double t = 0.0;
  double dt = step_dt(0.0);
  double stepping_seconds = 0.0;  // time inside integrator steps only, for cell updates/s
  notify(0, t);
  for (std::size_t k = 1; k < times.size(); ++k) {
    const double t_out = times[k];
    while (t < t_out) {
      if (coefficients_vary) dt = step_dt(t);
      // Land exactly on the output time; avoid a sliver step by stretching the last one ≤ 1e-6.
      const bool last = t + dt * (1.0 + 1e-6) >= t_out;
      const double h = last ? t_out - t : dt;
      const auto ts = Clock::now();
      integrator->step(*op, t, h, u);
      stepping_seconds += seconds_since(ts);
      t = last ? t_out : t + h;
      op->accept_step(u, t, h);
      ++result.steps;
      result.dt_last = h;
      if (result.steps % 16 == 0) check_stable(t, h);
      progress.update(t, result.steps, h);
    }
    check_stable(t, result.dt_last);
    notify(static_cast<int>(k), t);
  }

  result.wall_seconds = seconds_since(t0);
  result.cell_updates_per_second =
      stepping_seconds > 0 ? double(result.steps) * grid.size() / stepping_seconds : 0.0;
  result.final_row = row;
  result.final_density = u;

  RunSummary summary;
  summary.steps = result.steps;
  summary.t_end = t;
  summary.wall_seconds = result.wall_seconds;
  summary.cell_updates_per_second = result.cell_updates_per_second;
  summary.final_row = row;
  for (auto* s : sinks) s->end(summary);
  return result;
}

}  // namespace fplab
