// Refinement studies shared by `fplab verify` and the convergence tests (see convergence.hpp).
#include "solver/convergence.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/problem.hpp"
#include "solver/errors.hpp"
#include "solver/simulation.hpp"
#include "solver/time/integrator.hpp"

namespace fplab {
namespace {

// cfl × the smallest stability bound over [0, t_end]: with a VP/sub-VP/VE schedule the
// coefficients grow (β: 0.1 → 20), so the bound at t = 0 alone would be unstable later on.
double stable_dt(const CaseSpec& c, const ProblemInputs& inputs) {
  const Problem pb = make_problem(c, inputs);
  // 201 times in [0, t_end]; the bound at one time is one pass over the faces.
  const double bound = smallest_stable_step(*pb.integrator, *pb.op, c.time.t_end, 200).dt;
  // Nothing constrains dt (exact or exponential integration of a linear operator): one step.
  if (!std::isfinite(bound)) return c.time.t_end;
  return c.solver.cfl * bound;
}

double value_of(const DiagnosticRow& row, const std::string& name) {
  for (const auto& [k, v] : row)
    if (k == name) return v;
  return std::nan("");
}

// Point values of a fine field at the coarse cell centres: with an odd ratio r the centre of
// coarse cell i is that of fine cell r·i + (r−1)/2 (x₀ + (i+½)rh = x₀ + (ri + (r−1)/2 + ½)h).
void check_injectable(int nxf, int nyf, int nxc, int nyc) {
  if (nxf % nxc || nyf % nyc || (nxf / nxc) % 2 == 0 || (nyf / nyc) % 2 == 0)
    throw InputError(
        "verify.levels: spectral runs without an exact solution need levels in odd ratios (e.g. "
        "16, 48, 144) so that coarse cell centres are fine cell centres");
}

std::vector<double> inject_to(const std::vector<double>& fine, int nxf, int nyf, int nxc, int nyc) {
  check_injectable(nxf, nyf, nxc, nyc);
  const int rx = nxf / nxc, ry = nyf / nyc;
  std::vector<double> out(static_cast<std::size_t>(nxc) * nyc);
  for (int j = 0; j < nyc; ++j)
    for (int i = 0; i < nxc; ++i)
      out[static_cast<std::size_t>(j) * nxc + i] =
          fine[static_cast<std::size_t>(ry * j + ry / 2) * nxf + rx * i + rx / 2];
  return out;
}

// Cell averages nest when each coarse cell is a union of r×r fine cells.
void check_restrictable(int nxf, int nyf, int nxc, int nyc) {
  if (nxf % nxc || nyf % nyc)
    throw InputError(fmt::format(
        "verify.levels: without an exact solution every level's grid must divide the finest "
        "one ({}×{}), so that its cells are unions of fine cells; {}×{} does not",
        nxf, nyf, nxc, nyc));
}

// Cell averages of a fine field on a coarse grid whose cells are r×r fine cells.
std::vector<double> restrict_to(const std::vector<double>& fine, int nxf, int nyf, int nxc,
                                int nyc) {
  check_restrictable(nxf, nyf, nxc, nyc);
  const int rx = nxf / nxc, ry = nyf / nyc;
  std::vector<double> out(static_cast<std::size_t>(nxc) * nyc, 0.0);
  for (int j = 0; j < nyf; ++j)
    for (int i = 0; i < nxf; ++i)
      out[static_cast<std::size_t>(j / ry) * nxc + i / rx] +=
          fine[static_cast<std::size_t>(j) * nxf + i] / (rx * ry);
  return out;
}

// The refined quantity h of a level: dt under time refinement, else the cell size ∝ 1/nx.
double step_size(const ConvergenceLevel& lv, const std::string& refine) {
  return refine == "time" ? lv.dt : 1.0 / double(lv.nx);
}

// Observed orders between successive levels. Against the exact solution:
// log(e_k / e_{k+1}) / log(h_k / h_{k+1}); against the finest level (h_f): richardson_order.
std::vector<double> orders(const std::vector<ConvergenceLevel>& lv, const std::string& refine,
                           double ConvergenceLevel::*err, std::optional<double> h_finest) {
  std::vector<double> p;
  for (std::size_t k = 0; k + 1 < lv.size(); ++k) {
    const double hk = step_size(lv[k], refine), hk1 = step_size(lv[k + 1], refine);
    p.push_back(h_finest ? richardson_order(lv[k].*err, lv[k + 1].*err, hk, hk1, *h_finest)
                         : std::log(lv[k].*err / lv[k + 1].*err) / std::log(hk / hk1));
  }
  return p;
}

}  // namespace

double richardson_order(double e_k, double e_k1, double h_k, double h_k1, double h_f) {
  if (!(e_k > 0.0 && e_k1 > 0.0 && h_k > h_k1 && h_k1 > h_f && h_f > 0.0)) return std::nan("");
  // q(p) = (h_k^p − h_f^p) / (h_{k+1}^p − h_f^p) increases with p: bisect q(p) = e_k / e_{k+1}.
  const double target = e_k / e_k1;
  auto q = [&](double p) {
    return (std::pow(h_k, p) - std::pow(h_f, p)) / (std::pow(h_k1, p) - std::pow(h_f, p));
  };
  double lo = 0.05, hi = 40.0;
  if (target <= q(lo)) return lo;
  if (target >= q(hi)) return hi;
  for (int it = 0; it < 100 && hi - lo > 1e-12; ++it) {
    const double mid = 0.5 * (lo + hi);
    (q(mid) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool verify_passed(const ConvergenceStudy& s, double expected, double tolerance) {
  // The L1 order between the two finest compared levels decides; NaN fails.
  return !s.order_l1.empty() && s.order_l1.back() >= expected - tolerance;
}

ConvergenceStudy run_convergence(const CaseSpec& base, const std::string& refine,
                                 const std::vector<int>& levels, const InputsLoader& load) {
  auto inputs_of = [&](const CaseSpec& c) { return load ? load(c) : ProblemInputs{}; };
  if (refine != "space" && refine != "time" && refine != "both")
    throw InputError("verify.refine: expected one of space, time, both, got '" + refine + "'");
  if (levels.size() < 2) throw InputError("verify.levels: at least two levels are needed");
  for (std::size_t k = 0; k + 1 < levels.size(); ++k)
    if (levels[k + 1] <= levels[k])
      throw InputError(fmt::format("verify.levels: expected increasing levels, got {}",
                                   fmt::join(levels, ", ")));

  auto level_case = [&](int level) {
    CaseSpec c = base;
    if (refine != "time") {
      c.nx = level;
      c.ny = std::max(4, static_cast<int>(std::lround(double(base.ny) * level / base.nx)));
    }
    return c;
  };
  // Without an exact solution the finest level is the reference and drops out: two levels
  // would leave one level and no order at all.
  const CaseSpec coarsest = level_case(levels.front());
  const bool has_exact = make_problem(coarsest, inputs_of(coarsest)).equation->has_exact();
  if (!has_exact && levels.size() < 3)
    throw InputError(
        "verify.levels: without an exact solution the errors are measured against the finest "
        "level, so at least three levels are needed, got " +
        std::to_string(levels.size()));
  // Richardson compares every level with the finest: check that the grids nest before spending
  // the runs (point values by injection need odd ratios, cell averages need divisibility).
  const bool point_values = sampling_of(base) == Sampling::point;
  if (!has_exact) {
    const CaseSpec f = level_case(levels.back());
    for (int level : levels) {
      const CaseSpec c = level_case(level);
      (point_values ? check_injectable : check_restrictable)(f.nx, f.ny, c.nx, c.ny);
    }
  }

  // One dt for all space levels; dt ∝ 1/level for time and both.
  double dt_space = 0.0, dt_coarse = 0.0;
  if (refine == "space")
    dt_space = base.solver.dt ? *base.solver.dt
                              : stable_dt(level_case(levels.back()), inputs_of(level_case(levels.back())));
  if (refine == "both")
    dt_coarse = base.solver.dt ? *base.solver.dt : stable_dt(coarsest, inputs_of(coarsest));

  ConvergenceStudy study;
  study.refine = refine;
  std::vector<std::vector<double>> finals;
  for (int level : levels) {
    CaseSpec c = level_case(level);
    if (refine == "space") c.solver.dt = dt_space;
    if (refine == "time") c.solver.dt = base.time.t_end / level;
    if (refine == "both") c.solver.dt = dt_coarse * levels.front() / level;
    c.time.output_every = c.time.t_end;  // only the final state matters
    SimulationOptions opts;
    opts.progress = false;
    const auto r = simulate(c, {}, opts, inputs_of(c));
    ConvergenceLevel lv;
    lv.nx = c.nx;
    lv.ny = c.ny;
    lv.dt = *c.solver.dt;
    lv.steps = r.steps;
    lv.l1 = value_of(r.final_row, "l1_error");
    lv.l2 = value_of(r.final_row, "l2_error");
    lv.linf = value_of(r.final_row, "linf_error");
    lv.wall_seconds = r.wall_seconds;
    study.levels.push_back(lv);
    finals.push_back(r.final_density);
  }

  study.against_exact = has_exact;
  std::optional<double> h_finest;  // set under Richardson: the reference's own step size
  if (!study.against_exact) {
    h_finest = step_size(study.levels.back(), refine);
    // Richardson: the finest level stands in for the exact solution and is dropped.
    const auto& fine = study.levels.back();
    for (std::size_t k = 0; k + 1 < study.levels.size(); ++k) {
      auto& lv = study.levels[k];
      // Compare like with like: cell averages are restricted, point values injected.
      const auto ref = point_values ? inject_to(finals.back(), fine.nx, fine.ny, lv.nx, lv.ny)
                           : restrict_to(finals.back(), fine.nx, fine.ny, lv.nx, lv.ny);
      const double area = (base.x1 - base.x0) * (base.y1 - base.y0) / (double(lv.nx) * lv.ny);
      double l1 = 0, l2 = 0, linf = 0;
      for (std::size_t q = 0; q < ref.size(); ++q) {
        const double e = std::abs(finals[k][q] - ref[q]);
        l1 += e * area;
        l2 += e * e * area;
        linf = std::max(linf, e);
      }
      lv.l1 = l1;
      lv.l2 = std::sqrt(l2);
      lv.linf = linf;
    }
    study.levels.pop_back();
  }
  study.order_l1 = orders(study.levels, refine, &ConvergenceLevel::l1, h_finest);
  study.order_l2 = orders(study.levels, refine, &ConvergenceLevel::l2, h_finest);
  study.order_linf = orders(study.levels, refine, &ConvergenceLevel::linf, h_finest);
  return study;
}

}  // namespace fplab
