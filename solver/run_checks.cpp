// Limits of a run (see run_checks.hpp and docs/reference.md §3).
#include "solver/run_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "solver/equations/equation.hpp"

namespace fplab {
namespace {

// "file:line: key: message" as the case loader says it.
[[noreturn]] void fail(const CaseSpec& spec, const std::string& key, const std::string& message) {
  throw InputError(locate_in_case(spec, key + ": " + message));
}

// The first of `keys` the case file or --set gave, else the first.
std::string given_key(const CaseSpec& spec, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (spec.key_where.count(k)) return k;
  return *keys.begin();
}

// ∫|p| and −∫min(p, 0) as cell sums; +∞ for the first when a value is not finite.
struct AbsSums {
  double abs, neg;
};
AbsSums abs_sums(std::span<const double> u) {
  double s = 0.0, neg = 0.0;
  bool finite = true;
  // Below 128² one thread: a thread team costs more than the pass (see diagnostics.cpp).
#pragma omp parallel for reduction(+ : s, neg) reduction(&& : finite) if (u.size() >= 16384)
  for (std::size_t k = 0; k < u.size(); ++k) {
    finite = finite && std::isfinite(u[k]);
    s += std::abs(u[k]);
    neg += u[k] < 0.0 ? -u[k] : 0.0;
  }
  return {finite ? s : std::numeric_limits<double>::infinity(), neg};
}

std::string step_key(const CaseSpec& spec) { return spec.solver.dt ? "solver.dt" : "solver.cfl"; }

void check_stability(const CaseSpec& spec, const TimeIntegrator& integ, const BoundSamples& b) {
  const auto limit = stable_cfl_limit(integ);
  if (!limit || spec.solver.allow_unstable || !std::isfinite(b.smallest())) return;
  const std::string& name = spec.solver.integrator;
  const std::string way =
      "; lower it, choose an implicit integrator, or set "
      "solver.allow_unstable: true to run anyway";
  if (spec.solver.dt && *spec.solver.dt > *limit * b.smallest())
    fail(spec, "solver.dt",
         fmt::format("{:g} exceeds the stability bound {:.4g} of {} on this grid (at t = {:.4g}: "
                     "{:g} × the explicit step {:.4g}){}",
                     *spec.solver.dt, *limit * b.smallest(), name, b.t_of_smallest(), *limit,
                     b.smallest(), way));
  if (!spec.solver.dt && spec.solver.cfl > *limit)
    fail(spec, "solver.cfl",
         fmt::format("{:g} exceeds the stability limit {:g} of {} (dt = cfl × the explicit step "
                     "{:.4g}){}",
                     spec.solver.cfl, *limit, name, b.smallest(), way));
}

// Diffusion and drift rates finite: D/h² or |f|/h that overflow make every step meaningless.
void check_rates(const CaseSpec& spec, const Problem& pb, const BoundSamples& b) {
  const Equation& eq = *pb.equation;
  const double h2 = std::min(pb.grid.dx(), pb.grid.dy());
  if (eq.has_diffusion() && !eq.has_variable_diffusion())  // a D(x) is checked face by face
    for (double t : b.t) {
      const Mat2 K = eq.diffusion(t);
      const double k = K.cwiseAbs().maxCoeff();
      if (!std::isfinite(k) || !std::isfinite(4.0 * k / (h2 * h2)))
        fail(spec, given_key(spec, {"equation.diffusion.D", "equation.forward.diffusion.D"}),
             fmt::format("the diffusion {:.4g} (at t = {:.4g}) over the squared cell size "
                         "overflows; scale the problem so that D/h² stays below 1e300",
                         k, t));
    }
  for (std::size_t k = 0; k < b.t.size(); ++k)
    if (!(b.dt[k] > 0.0))
      fail(spec, drift_key(spec, 0),
           fmt::format("the drift's rate |f|/h overflows at t = {:.4g} (the stable step is {:g})",
                       b.t[k], b.dt[k]));
}

// The key of the coefficient that sets the stable step at t: the diffusion's when the drift
// alone would allow twice the step (or there is no drift), else the drift's.
std::string bounding_key(const CaseSpec& spec, const Problem& pb, double t) {
  const std::string diffusion =
      given_key(spec, {"equation.diffusion.D", "equation.forward.diffusion.D", "equation"});
  if (!pb.equation->has_drift()) return diffusion;
  if (!pb.equation->has_diffusion()) return drift_key(spec, 0);
  return pb.op->max_stable_dt_nonstiff(t) > 2.0 * pb.op->max_stable_dt(t) ? diffusion
                                                                          : drift_key(spec, 0);
}

void check_work(const CaseSpec& spec, const Problem& pb, const BoundSamples& b) {
  const double snaps = estimate_snapshots(spec);
  if (snaps > spec.output.max_snapshots)
    fail(spec, given_key(spec, {"time.output_every", "output.max_snapshots"}),
         fmt::format("t_end / output_every asks for {:.4g} snapshots, more than "
                     "output.max_snapshots = {:g}; raise output_every, or output.max_snapshots",
                     snaps, spec.output.max_snapshots));
  const double steps = estimate_steps(spec, b);
  if (steps <= spec.solver.max_steps) return;
  const std::string limit = fmt::format("more than solver.max_steps = {:g}", spec.solver.max_steps);
  if (spec.solver.dt)
    fail(spec, given_key(spec, {"solver.dt", "solver.max_steps"}),
         fmt::format("t_end / dt asks for about {:.4g} steps, {}; raise solver.dt, or "
                     "solver.max_steps if that is meant",
                     steps, limit));
  const double t = b.t_of_smallest();
  fail(spec,
       spec.key_where.count("solver.max_steps") ? "solver.max_steps" : bounding_key(spec, pb, t),
       fmt::format("the coefficients allow a stable step of only {:.4g} (at t = {:.4g}), so the "
                   "run needs about {:.4g} steps at cfl {:g}, {}; check their scale, or raise "
                   "solver.max_steps if that is meant",
                   b.smallest(), t, steps, spec.solver.cfl, limit));
}

}  // namespace

NonFiniteDrift::NonFiniteDrift(int comp, double px, double py, double pt)
    : NumericalError(fmt::format("the drift's {} component is not finite at (x, y) = ({:.6g}, "
                                 "{:.6g}), t = {:.6g}",
                                 comp == 0 ? "x" : "y", px, py, pt)),
      component(comp),
      x(px),
      y(py),
      t(pt) {}

std::string drift_key(const CaseSpec& spec, int component) {
  const DriftSpec& d = spec.equation.drift;
  const char* leaf = d.type == "potential" ? "U"
                     : d.type == "linear"  ? "C"
                     : component == 0      ? "fx"
                                           : "fy";
  const std::string own = std::string("equation.drift.") + leaf;
  const std::string fwd = std::string("equation.forward.drift.") + leaf;
  if (spec.equation.type == "reverse_fokker_planck" && !spec.key_where.count(own))
    return spec.key_where.count(fwd) ? fwd : "equation.score";
  return own;
}

std::optional<double> stable_cfl_limit(const TimeIntegrator& integrator) {
  using Needs = TimeIntegrator::Needs;
  if (integrator.needs() == Needs::diagonal_split || integrator.needs() == Needs::assembly)
    return std::nullopt;
  if (integrator.needs() == Needs::stiff_assembly || integrator.drift_bounds_step()) return 1.0;
  // Real stability intervals of the Taylor polynomials of degree 1, 3 and 4, halved.
  const std::string n = integrator.name();
  if (n == "ssprk3") return 2.5127453266183 / 2;
  if (n == "rk4") return 2.7852935634275 / 2;
  return 1.0;
}

double BoundSamples::smallest() const { return *std::min_element(dt.begin(), dt.end()); }

double BoundSamples::t_of_smallest() const {
  return t[static_cast<std::size_t>(std::min_element(dt.begin(), dt.end()) - dt.begin())];
}

BoundSamples sample_stable_step(const TimeIntegrator& integrator, const SpatialOperator& op,
                                double t_end, int samples) {
  BoundSamples b;
  for (int k = 0; k <= samples; ++k) {
    const double t = samples > 0 ? t_end * k / samples : 0.0;
    b.t.push_back(t);
    b.dt.push_back(stable_step(integrator, op, t));
  }
  return b;
}

double estimate_snapshots(const CaseSpec& spec) {
  return std::ceil(spec.time.t_end / spec.time.output_every - 1e-9) + 1.0;  // as output_times
}

double estimate_steps(const CaseSpec& spec, const BoundSamples& b) {
  const double outputs = estimate_snapshots(spec) - 1.0;
  if (spec.solver.dt) return std::ceil(spec.time.t_end / *spec.solver.dt) + outputs;
  const double every = spec.time.output_every;
  auto step = [&](double bound) {
    return std::isfinite(bound) ? std::min(spec.solver.cfl * bound, every) : every;
  };
  if (b.t.size() < 2) return std::ceil(spec.time.t_end / step(b.dt.front())) + outputs;
  double steps = 0.0;
  for (std::size_t k = 0; k + 1 < b.t.size(); ++k)
    steps += (b.t[k + 1] - b.t[k]) / step(std::min(b.dt[k], b.dt[k + 1]));
  return std::ceil(steps) + outputs;
}

void check_domain(const CaseSpec& spec) {
  const double ex = spec.x1 - spec.x0, ey = spec.y1 - spec.y0;
  if (!std::isfinite(ex) || !std::isfinite(ex / spec.nx) || !(ex / spec.nx > 0.0))
    fail(spec, "domain.x",
         fmt::format("the extent x1 − x0 = {:g} over {} cells is not a finite positive width", ex,
                     spec.nx));
  if (!std::isfinite(ey) || !std::isfinite(ey / spec.ny) || !(ey / spec.ny > 0.0))
    fail(spec, "domain.y",
         fmt::format("the extent y1 − y0 = {:g} over {} cells is not a finite positive width", ey,
                     spec.ny));
}

void check_run_limits(const CaseSpec& spec, const Problem& pb, bool coefficients_vary) {
  const BoundSamples b =
      sample_stable_step(*pb.integrator, *pb.op, spec.time.t_end, coefficients_vary ? 100 : 0);
  check_rates(spec, pb, b);
  check_work(spec, pb, b);
  check_stability(spec, *pb.integrator, b);
}

void check_initial_state(const CaseSpec& spec, const Grid2D& g, std::span<const double> u) {
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      if (!std::isfinite(u[g.index(i, j)]))
        fail(spec, "initial",
             fmt::format("the initial density is not finite at (x, y) = ({:.6g}, {:.6g}); check "
                         "its parameters (a covariance too small for the grid?)",
                         g.xc(i), g.yc(j)));
  double mass = 0.0;
  for (double v : u) mass += v;
  mass *= g.cell_area();
  if (!(mass >= kMinInitialMass))
    fail(spec, "initial",
         fmt::format("the initial density has mass {:.3g} on the domain (less than {:g}): it "
                     "lies outside [{:g}, {:g}] × [{:g}, {:g}]; move it inside or widen the domain",
                     mass, kMinInitialMass, spec.x0, spec.x1, spec.y0, spec.y1));
}

void check_step_advances(double t, double dt) {
  if (t + dt > t) return;
  throw NumericalError(fmt::format(
      "the stable step {:.3g} at t = {:.6g} no longer advances t in floating point: the drift or "
      "diffusion has grown so large there that the run cannot go on",
      dt, t));
}

InstabilityMonitor::InstabilityMonitor(const CaseSpec& spec, const Grid2D& g, double abs0,
                                       double neg0)
    : spec_(spec),
      area_(g.cell_area()),
      abs0_(abs0),
      neg0_(neg0) {
  const bool spectral = spec.solver.method == "spectral";
  abs_limit_ = spectral ? kAbsGrowthLimitSpectral : kAbsGrowthLimit;
  neg_limit_ = spectral ? std::numeric_limits<double>::infinity() : kNegativeMassLimit;
}

InstabilityMonitor::InstabilityMonitor(const CaseSpec& spec, const Grid2D& g,
                                       std::span<const double> u0)
    : InstabilityMonitor(spec, g, abs_sums(u0).abs * g.cell_area(),
                         abs_sums(u0).neg * g.cell_area()) {}

std::string InstabilityMonitor::advice() const {
  if (spec_.solver.allow_unstable)
    return fmt::format(
        "{} is above the integrator's stability limit (solver.allow_unstable: "
        "true); lower it",
        step_key(spec_));
  return fmt::format("lower {} or refine the grid", step_key(spec_));
}

void InstabilityMonitor::check(std::span<const double> u, double t, std::size_t steps,
                               double h) const {
  const AbsSums s = abs_sums(u);
  const double abs = s.abs * area_, neg = s.neg * area_;
  std::string what;
  if (!std::isfinite(abs))
    what = "the density holds non-finite values";
  else if (abs > abs_limit_ * abs0_)
    what = fmt::format(
        "∫|p| dx grew from {:.4g} to {:.4g} (the limit is {:g} × its initial "
        "value)",
        abs0_, abs, abs_limit_);
  else if (neg - neg0_ > neg_limit_ * abs0_)
    what = fmt::format(
        "the negative mass −∫min(p, 0) dx grew from {:.3g} to {:.3g} (the limit is "
        "{:g} of ∫|p| dx = {:.4g})",
        neg0_, neg, neg_limit_, abs0_);
  else
    return;
  throw NumericalError(
      fmt::format("the solution became unstable at t = {:.6g} (step {}, dt = "
                  "{:.3g}): {}; {}",
                  t, steps, h, what, advice()));
}

}  // namespace fplab
