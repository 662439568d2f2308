// Diagnostics of a density on the grid (docs/reference.md §6). Integrals are midpoint sums × cell area, so for
// point values at centres they are spectrally accurate for smooth, decaying densities; for FV
// cell averages the second moments carry the grouping bias +dx²/12, +dy²/12 (Sheppard 1898).
#include "solver/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace fplab {

std::vector<std::string> diagnostic_names(bool has_equilibrium, bool has_exact) {
  std::vector<std::string> names{"mass",   "mean_x", "mean_y",        "cov_xx", "cov_xy",
                                 "cov_yy", "min",    "negative_mass", "entropy"};
  if (has_equilibrium) names.insert(names.end(), {"rel_entropy", "fisher_rel", "l1_to_eq"});
  if (has_exact) names.insert(names.end(), {"l1_error", "l2_error", "linf_error"});
  return names;
}

namespace {

// Grids below 128² take these passes on one thread: a thread team costs more than such a pass, and
// on a busy machine each team's barrier can wait a whole time slice for a descheduled thread (a 32²
// run with 11 outputs took 0.9 s instead of 0.07 s at load 6; README "Start-up").
constexpr std::size_t kParallelMinCells = 16384;

void check_span(std::span<const double> s, const Grid2D& g, const char* what, bool optional) {
  if ((optional && s.empty()) || s.size() == g.size()) return;
  throw std::invalid_argument(fmt::format(
      "compute_diagnostics: {} holds {} values, the grid {} cells", what, s.size(), g.size()));
}

}  // namespace

// mass = ∫p; mean = ∫x p / mass; cov = ∫(x−mean)(x−mean)ᵀ p / mass (NaN, undefined, when
// mass ≤ 0, and so is the entropy then);
// min = min p; negative_mass = ∫max(−p, 0) ≥ 0, the magnitude of the negative undershoot;
// entropy = −∫p log p over cells with p > 0 (0 log 0 = 0, negative values contribute 0).
// With p_eq: rel_entropy = ∫_{p>0} p log(p/p_eq), p_eq floored at the smallest normal double;
// fisher_rel = ∫p|∇log(p/p_eq)|² written as 4∫p_eq|∇√h|², h = max(p, 0)/p_eq, which stays finite
// where p vanishes: √h is differenced across interior faces and p_eq is the two cells' mean there;
// l1_to_eq = ∫|p − p_eq|. With exact: L1 = ∫|p − p_ex|, L2 = (∫(p − p_ex)²)^½, L∞ = max|p − p_ex|.
DiagnosticRow compute_diagnostics(const Grid2D& g, std::span<const double> p,
                                  std::span<const double> p_eq, std::span<const double> exact) {
  check_span(p, g, "p", false);
  check_span(p_eq, g, "p_eq", true);
  check_span(exact, g, "exact", true);
  const double area = g.cell_area();
  const int nx = g.nx, ny = g.ny;

  double mass = 0, sx = 0, sy = 0, neg = 0, ent = 0;
  double pmin = std::numeric_limits<double>::infinity();
#pragma omp parallel for reduction(+ : mass, sx, sy, neg, ent) reduction(min : pmin) \
    schedule(static) if (p.size() >= kParallelMinCells)
  for (int j = 0; j < ny; ++j) {
    const double y = g.yc(j);
    for (int i = 0; i < nx; ++i) {
      const double v = p[g.index(i, j)];
      mass += v;
      sx += g.xc(i) * v;
      sy += y * v;
      pmin = std::min(pmin, v);
      if (v > 0.0)
        ent -= v * std::log(v);
      else
        neg -= v;
    }
  }
  mass *= area;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool moments = mass > 0.0;
  const double mx = moments ? sx * area / mass : nan;
  const double my = moments ? sy * area / mass : nan;

  // Second pass about the mean: no cancellation between ∫x²p and mean².
  double cxx = 0, cxy = 0, cyy = 0;
#pragma omp parallel for reduction(+ : cxx, cxy, cyy) schedule(static) \
    if (p.size() >= kParallelMinCells)
  for (int j = 0; j < ny; ++j) {
    const double uy = g.yc(j) - my;
    for (int i = 0; i < nx; ++i) {
      const double v = p[g.index(i, j)], ux = g.xc(i) - mx;
      cxx += ux * ux * v;
      cxy += ux * uy * v;
      cyy += uy * uy * v;
    }
  }
  const double cov_scale = moments ? area / mass : nan;

  DiagnosticRow row{{"mass", mass},
                    {"mean_x", mx},
                    {"mean_y", my},
                    {"cov_xx", cxx * cov_scale},
                    {"cov_xy", cxy * cov_scale},
                    {"cov_yy", cyy * cov_scale},
                    {"min", pmin},
                    {"negative_mass", neg * area},
                    {"entropy", moments ? ent * area : nan}};

  if (!p_eq.empty()) {
    constexpr double floor = std::numeric_limits<double>::min();
    auto sqrt_h = [&](std::size_t k) {
      return std::sqrt(std::max(p[k], 0.0) / std::max(p_eq[k], floor));
    };
    const double idx2 = 1.0 / (g.dx() * g.dx()), idy2 = 1.0 / (g.dy() * g.dy());
    double rel = 0, fisher = 0, l1eq = 0;
#pragma omp parallel for reduction(+ : rel, fisher, l1eq) schedule(static) \
    if (p.size() >= kParallelMinCells)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t k = g.index(i, j);
        const double v = p[k], e = p_eq[k];
        if (v > 0.0) rel += v * std::log(v / std::max(e, floor));
        l1eq += std::abs(v - e);
        const double s = sqrt_h(k);
        if (i + 1 < nx) {
          const std::size_t kr = g.index(i + 1, j);
          const double ds = sqrt_h(kr) - s;
          fisher += 0.5 * (std::max(e, 0.0) + std::max(p_eq[kr], 0.0)) * ds * ds * idx2;
        }
        if (j + 1 < ny) {
          const std::size_t ku = g.index(i, j + 1);
          const double ds = sqrt_h(ku) - s;
          fisher += 0.5 * (std::max(e, 0.0) + std::max(p_eq[ku], 0.0)) * ds * ds * idy2;
        }
      }
    row.emplace_back("rel_entropy", rel * area);
    row.emplace_back("fisher_rel", 4.0 * fisher * area);
    row.emplace_back("l1_to_eq", l1eq * area);
  }

  if (!exact.empty()) {
    double l1 = 0, l2 = 0, linf = 0;
#pragma omp parallel for reduction(+ : l1, l2) reduction(max : linf) schedule(static) \
    if (p.size() >= kParallelMinCells)
    for (std::size_t k = 0; k < p.size(); ++k) {
      const double d = std::abs(p[k] - exact[k]);
      l1 += d;
      l2 += d * d;
      linf = std::max(linf, d);
    }
    row.emplace_back("l1_error", l1 * area);
    row.emplace_back("l2_error", std::sqrt(l2 * area));
    row.emplace_back("linf_error", linf);
  }
  return row;
}

std::vector<std::string> target_diagnostic_names(std::span<const double> data) {
  if (data.empty()) return {};
  const bool positive = *std::min_element(data.begin(), data.end()) > 0.0;
  if (positive) return {"l1_to_data", "rel_entropy_to_data"};
  return {"l1_to_data"};
}

void append_target_diagnostics(const Grid2D& g, std::span<const double> p,
                               std::span<const double> data, DiagnosticRow& row) {
  if (data.empty()) return;
  check_span(data, g, "data", false);
  const bool positive = *std::min_element(data.begin(), data.end()) > 0.0;
  double l1 = 0.0, rel = 0.0;
#pragma omp parallel for reduction(+ : l1, rel) schedule(static) \
    if (p.size() >= kParallelMinCells)
  for (std::size_t k = 0; k < p.size(); ++k) {
    l1 += std::abs(p[k] - data[k]);
    if (positive && p[k] > 0.0) rel += p[k] * std::log(p[k] / data[k]);
  }
  row.emplace_back("l1_to_data", l1 * g.cell_area());
  if (positive) row.emplace_back("rel_entropy_to_data", rel * g.cell_area());
}

}  // namespace fplab
