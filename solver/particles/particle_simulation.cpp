// The particle driver (see particle_simulation.hpp): start, step to every output time, histogram,
// diagnostics and sinks. Knows no scheme's formula and no file format.
#include "solver/particles/particle_simulation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>

#include "solver/diagnostics.hpp"
#include "solver/equations/reverse_fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/particles/particle_dynamics.hpp"
#include "solver/particles/particle_histogram.hpp"
#include "solver/particles/particle_init.hpp"
#include "solver/particles/particle_stepper.hpp"
#include "solver/run_checks.hpp"
#include "solver/run_control.hpp"
#include "solver/simulation.hpp"  // output_times
#include "solver/wall_clock.hpp"

namespace fplab {
namespace {

constexpr double kDefaultStepsPerRun = 1000;  // particles.dt: auto is t_end / this

// The steps between two output times: the largest step ≤ dt that lands on the later one.
std::size_t substeps(double interval, double dt) {
  return static_cast<std::size_t>(std::max(1.0, std::ceil(interval / dt * (1.0 - 1e-9))));
}

class ParticleRun {
 public:
  ParticleRun(const CaseSpec& spec, const ProblemInputs& inputs, const ParticleRunOptions& opts);
  ParticleRunResult run(std::span<OutputSink* const> sinks,
                        std::span<ParticleSink* const> particle_sinks);

 private:
  void start();
  void check_limits() const;
  RunInfo run_info() const;
  ParticleRunInfo particle_info() const;
  // at_output: t is the index-th output time (not where a stop signal ended the run).
  void notify(std::span<OutputSink* const> sinks, std::span<ParticleSink* const> particle_sinks,
              int index, double t, std::size_t steps, bool at_output);
  void check_finite(double t) const;
  void end(std::span<OutputSink* const> sinks, std::span<ParticleSink* const> particle_sinks,
           const ParticleRunResult& r) const;

  const CaseSpec& spec_;
  const ProblemInputs& inputs_;
  ParticleRunOptions opts_;
  Grid2D g_;
  std::unique_ptr<Equation> eq_;
  ParticleModel model_;
  Particles p_;
  std::optional<ParticleStepper> stepper_;
  ParticleHistogram histogram_;
  double mass_ = 0.0;  // each particle's share of the start's mass
  double dt_ = 0.0;
  std::string start_how_;
  std::vector<double> density_, p_eq_, exact_, target_, grid_;
  DiagnosticRow row_;
};

ParticleRun::ParticleRun(const CaseSpec& spec, const ProblemInputs& inputs,
                         const ParticleRunOptions& opts)
    : spec_(spec),
      inputs_(inputs),
      opts_(opts),
      g_{spec.nx, spec.ny, spec.x0, spec.x1, spec.y0, spec.y1},
      p_(spec.particles.n),
      histogram_(g_, spec.particles.bandwidth) {
  check_domain(spec);
  try {
    eq_ = make_equation(spec, inputs.score);
  } catch (const InputError& e) {
    throw InputError(locate_in_case(spec, e.what()));
  }
  model_ = make_particle_model(spec, *eq_);
  dt_ = spec.particles.dt.value_or(spec.time.t_end / kDefaultStepsPerRun);
  check_limits();
  start();
  stepper_.emplace(*model_.dynamics, model_.scheme, wall_of(spec.boundary), g_,
                   spec.particles.seed, p_.size());
}

void ParticleRun::check_limits() const {
  const std::vector<double> times = output_times(spec_.time.t_end, spec_.time.output_every);
  if (static_cast<double>(times.size()) > spec_.output.max_snapshots)
    throw InputError(locate_in_case(
        spec_, fmt::format("time.output_every: {} output times, above output.max_snapshots = {}",
                           times.size(), spec_.output.max_snapshots)));
  double steps = 0.0;
  for (std::size_t k = 1; k < times.size(); ++k)
    steps += static_cast<double>(substeps(times[k] - times[k - 1], dt_));
  if (steps > spec_.solver.max_steps)
    throw InputError(locate_in_case(
        spec_, fmt::format("particles.dt: {} gives {:.3g} steps, above solver.max_steps = {:.3g}",
                           dt_, steps, spec_.solver.max_steps)));
}

// The grid's initial density (its mass, the fallback draw) and the particles drawn from it.
void ParticleRun::start() {
  const Sampling s = Sampling::cell_average;
  density_.resize(g_.size());
  std::optional<GaussianMixture> mixture;
  if (spec_.initial.type == "from_run") {
    density_ = inputs_.initial;
  } else if (spec_.initial.type == "forward_solution") {
    const auto& rev = dynamic_cast<const ReverseFokkerPlanck&>(*eq_);
    rev.forward_solution(g_, density_, s);
    mixture = rev.forward_solution_mixture();
  } else {
    initial_density(spec_, g_, density_, s);
  }
  check_initial_state(spec_, g_, density_);
  double mass = 0.0;
  for (const double v : density_) mass += v;
  mass_ = mass * g_.cell_area() / static_cast<double>(p_.size());
  start_how_ = draw_initial_particles(spec_.initial, mixture, g_, density_, spec_.particles.seed, p_);
  if (eq_->has_equilibrium()) {
    p_eq_.resize(g_.size());
    eq_->equilibrium(g_, p_eq_, s);
  }
  if (eq_->has_exact()) exact_.resize(g_.size());
  if (!inputs_.target.empty()) {
    target_ = inputs_.target;
  } else if (eq_->has_target()) {
    target_.resize(g_.size());
    eq_->target(g_, target_, s);
  }
  if (opts_.compare) grid_.resize(g_.size());
}

RunInfo ParticleRun::run_info() const {
  RunInfo info;
  info.spec = &spec_;
  info.grid = g_;
  info.command_line = opts_.command_line;
  info.output_dir = spec_.output.dir;
  info.density_name = kParticleDensityName;
  info.diagnostic_names = diagnostic_names(!p_eq_.empty(), !exact_.empty());
  const auto extra = target_diagnostic_names(target_);
  info.diagnostic_names.insert(info.diagnostic_names.end(), extra.begin(), extra.end());
  if (spec_.boundary == "dirichlet") info.diagnostic_names.emplace_back("outflow");
  if (!grid_.empty()) info.diagnostic_names.emplace_back("l1_to_grid");
  if (!exact_.empty()) info.field_names.emplace_back("exact");
  if (!grid_.empty()) info.field_names.emplace_back("density");
  info.sampling = Sampling::cell_average;
  return info;
}

ParticleRunInfo ParticleRun::particle_info() const {
  ParticleRunInfo info;
  info.spec = &spec_;
  info.command_line = opts_.command_line;
  info.output_dir = spec_.output.dir;
  info.n = p_.size();
  info.stored = std::min<std::size_t>(spec_.particles.store, p_.size());
  info.seed = spec_.particles.seed;
  info.scheme = model_.scheme;
  info.dynamics = model_.dynamics->is_ode() ? "ode" : "sde";
  return info;
}

void ParticleRun::check_finite(double t) const {
  for (std::size_t k = 0; k < p_.size(); ++k)
    if (p_.alive[k] && !(std::isfinite(p_.x[k]) && std::isfinite(p_.y[k])))
      throw NumericalError(fmt::format(
          "particle {} left the real numbers by t = {:.6g} (its drift or score overflowed); "
          "lower particles.dt",
          k, t));
}

void ParticleRun::notify(std::span<OutputSink* const> sinks,
                         std::span<ParticleSink* const> particle_sinks, int index, double t,
                         std::size_t steps, bool at_output) {
  check_finite(t);
  histogram_.deposit(p_, mass_, density_);
  if (!exact_.empty()) eq_->exact(g_, t, exact_, Sampling::cell_average);
  row_ = compute_diagnostics(g_, density_, p_eq_, exact_);
  append_target_diagnostics(g_, density_, target_, row_);
  const std::size_t alive = p_.count_alive();
  if (spec_.boundary == "dirichlet")
    row_.emplace_back("outflow", mass_ * static_cast<double>(p_.size() - alive));
  if (!grid_.empty() && at_output) {
    opts_.compare->density_at(index, t, grid_);
    double l1 = 0.0;
    for (std::size_t c = 0; c < grid_.size(); ++c) l1 += std::abs(density_[c] - grid_[c]);
    row_.emplace_back("l1_to_grid", l1 * g_.cell_area());
  } else if (!grid_.empty()) {  // stopped between output times: the grid run has no snapshot here
    std::fill(grid_.begin(), grid_.end(), std::numeric_limits<double>::quiet_NaN());
    row_.emplace_back("l1_to_grid", std::numeric_limits<double>::quiet_NaN());
  }
  Snapshot snap;
  snap.index = index;
  snap.t = t;
  snap.step = steps;
  snap.density = density_;
  if (!exact_.empty()) snap.fields.emplace_back("exact", exact_);
  if (!grid_.empty()) snap.fields.emplace_back("density", grid_);
  snap.diagnostics = &row_;
  for (auto* s : sinks) s->write(snap);
  const std::size_t stored = std::min<std::size_t>(spec_.particles.store, p_.size());
  ParticleSnapshot ps;
  ps.index = index;
  ps.t = t;
  ps.step = steps;
  ps.x = std::span<const double>(p_.x).first(stored);
  ps.y = std::span<const double>(p_.y).first(stored);
  ps.alive = std::span<const std::uint8_t>(p_.alive).first(stored);
  ps.n_alive = alive;
  for (auto* s : particle_sinks) s->write(ps);
}

// Every sink ends, also after a failure (then a sink's own error must not hide the first one).
void ParticleRun::end(std::span<OutputSink* const> sinks,
                      std::span<ParticleSink* const> particle_sinks,
                      const ParticleRunResult& r) const {
  RunSummary summary;
  summary.status = r.status;
  summary.steps = r.steps;
  summary.t_end = r.t;
  summary.wall_seconds = r.wall_seconds;
  summary.peak_memory_bytes = peak_resident_bytes();
  summary.final_row = row_;
  summary.particle_scheme = r.scheme;
  summary.particles_alive = r.n_alive;
  summary.particle_steps_per_second = r.particle_steps_per_second;
  auto quietly = [&](auto&& f) {
    if (r.status != RunStatus::failed) return f();
    try {
      f();
    } catch (const std::exception&) {
      // the failure being reported is the one that stopped the run
    }
  };
  for (auto* s : sinks) quietly([&] { s->end(summary); });
  for (auto* s : particle_sinks) quietly([&] { s->end(r.status); });
}

ParticleRunResult ParticleRun::run(std::span<OutputSink* const> sinks,
                                   std::span<ParticleSink* const> particle_sinks) {
  for (auto* s : sinks) s->begin(run_info());
  for (auto* s : particle_sinks) s->begin(particle_info());
  ParticleRunResult r;
  r.n = p_.size();
  r.dt = dt_;
  r.scheme = model_.scheme;
  r.dynamics = model_.dynamics->is_ode() ? "ode" : "sde";
  r.start = start_how_;
  const auto t0 = Clock::now();
  const std::vector<double> times = output_times(spec_.time.t_end, spec_.time.output_every);
  const TestInterruptHook test_hook;
  double t = 0.0, stepping = 0.0;
  int index = 0;
  try {
    notify(sinks, particle_sinks, index++, t, 0, true);
    for (std::size_t k = 1; k < times.size() && r.stop_signal == 0; ++k) {
      const std::size_t m = substeps(times[k] - times[k - 1], dt_);
      const double h = (times[k] - times[k - 1]) / static_cast<double>(m);
      for (std::size_t s = 0; s < m && r.stop_signal == 0; ++s) {
        const auto ts = Clock::now();
        stepper_->step(p_, t, h, r.steps);
        stepping += seconds_since(ts);
        t = s + 1 == m ? times[k] : times[k - 1] + static_cast<double>(s + 1) * h;
        ++r.steps;
        test_hook.after_step(r.steps);
        r.stop_signal = stop_signal();
      }
      if (r.stop_signal != 0) stop_signals_default();
      notify(sinks, particle_sinks, index++, t, r.steps, t == times[k]);
    }
  } catch (const std::exception&) {
    r.status = RunStatus::failed;
    r.wall_seconds = seconds_since(t0);
    end(sinks, particle_sinks, r);
    throw;
  }
  r.status = r.stop_signal != 0 && t < times.back() ? RunStatus::interrupted : RunStatus::complete;
  r.t = t;
  r.wall_seconds = seconds_since(t0);
  r.particle_steps_per_second =
      stepping > 0 ? static_cast<double>(r.steps) * static_cast<double>(p_.size()) / stepping : 0;
  r.n_alive = p_.count_alive();
  r.final_row = row_;
  end(sinks, particle_sinks, r);
  return r;
}

}  // namespace

ParticleRunResult sample_particles(const CaseSpec& spec, const ProblemInputs& inputs,
                                   std::span<OutputSink* const> sinks,
                                   std::span<ParticleSink* const> particle_sinks,
                                   const ParticleRunOptions& opts) {
  ParticleRun run(spec, inputs, opts);
  return run.run(sinks, particle_sinks);
}

}  // namespace fplab
