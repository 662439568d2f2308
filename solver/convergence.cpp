// Refinement studies shared by `fplab verify` and the convergence tests (see convergence.hpp).
#include "solver/convergence.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/errors.hpp"
#include "solver/simulation.hpp"

namespace fplab {
namespace {

double stable_dt(const CaseSpec& c) {
  const Grid2D g{c.nx, c.ny, c.x0, c.x1, c.y0, c.y1};
  const auto eq = make_equation(c);
  const auto op = make_operator(c, *eq, g);
  return c.solver.cfl * op->max_stable_dt(0.0);
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

// Cell averages of a fine field on a coarse grid whose cells are r×r fine cells.
std::vector<double> restrict_to(const std::vector<double>& fine, int nxf, int nyf, int nxc,
                                int nyc) {
  if (nxf % nxc || nyf % nyc)
    throw InputError("verify: without an exact solution the levels must divide the finest one");
  const int rx = nxf / nxc, ry = nyf / nyc;
  std::vector<double> out(static_cast<std::size_t>(nxc) * nyc, 0.0);
  for (int j = 0; j < nyf; ++j)
    for (int i = 0; i < nxf; ++i)
      out[static_cast<std::size_t>(j / ry) * nxc + i / rx] +=
          fine[static_cast<std::size_t>(j) * nxf + i] / (rx * ry);
  return out;
}

std::vector<double> orders(const std::vector<ConvergenceLevel>& lv, const std::string& refine,
                           double ConvergenceLevel::*err) {
  std::vector<double> p;
  for (std::size_t k = 0; k + 1 < lv.size(); ++k) {
    const double h_ratio =
        refine == "time" ? lv[k].dt / lv[k + 1].dt : double(lv[k + 1].nx) / double(lv[k].nx);
    p.push_back(std::log(lv[k].*err / lv[k + 1].*err) / std::log(h_ratio));
  }
  return p;
}

}  // namespace

ConvergenceStudy run_convergence(const CaseSpec& base, const std::string& refine,
                                 const std::vector<int>& levels) {
  if (refine != "space" && refine != "time" && refine != "both")
    throw InputError("verify.refine: expected one of space, time, both, got '" + refine + "'");
  if (levels.size() < 2) throw InputError("verify.levels: at least two levels are needed");

  auto level_case = [&](int level) {
    CaseSpec c = base;
    if (refine != "time") {
      c.nx = level;
      c.ny = std::max(4, static_cast<int>(std::lround(double(base.ny) * level / base.nx)));
    }
    return c;
  };
  // One dt for all space levels; dt ∝ 1/level for time and both.
  double dt_space = 0.0, dt_coarse = 0.0;
  if (refine == "space")
    dt_space = base.solver.dt ? *base.solver.dt : stable_dt(level_case(levels.back()));
  if (refine == "both")
    dt_coarse = base.solver.dt ? *base.solver.dt : stable_dt(level_case(levels.front()));

  // Point values are compared by injection: refuse even ratios before spending the runs.
  if (sampling_of(base) == Sampling::point && !make_equation(base)->has_exact()) {
    const CaseSpec f = level_case(levels.back());
    for (int level : levels) {
      const CaseSpec c = level_case(level);
      check_injectable(f.nx, f.ny, c.nx, c.ny);
    }
  }

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
    const auto r = simulate(c, {}, opts);
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

  study.against_exact = !std::isnan(study.levels.front().l1);
  if (!study.against_exact) {
    // Richardson: the finest level stands in for the exact solution and is dropped.
    const auto& fine = study.levels.back();
    for (std::size_t k = 0; k + 1 < study.levels.size(); ++k) {
      auto& lv = study.levels[k];
      // Compare like with like: cell averages are restricted, point values injected.
      const auto ref = sampling_of(base) == Sampling::point
                           ? inject_to(finals.back(), fine.nx, fine.ny, lv.nx, lv.ny)
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
  study.order_l1 = orders(study.levels, refine, &ConvergenceLevel::l1);
  study.order_l2 = orders(study.levels, refine, &ConvergenceLevel::l2);
  study.order_linf = orders(study.levels, refine, &ConvergenceLevel::linf);
  return study;
}

}  // namespace fplab
