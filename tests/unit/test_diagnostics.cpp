// Tests of the diagnostics (docs/reference.md §6) on Gaussians whose moments, entropy, relative entropy,
// relative Fisher information and L1 distance are known in closed form.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "solver/density.hpp"
#include "solver/diagnostics.hpp"
#include "solver/gaussian_flow.hpp"

using namespace fplab;

namespace {

double value(const DiagnosticRow& row, const std::string& name) {
  for (const auto& [n, v] : row)
    if (n == name) return v;
  FAIL("no diagnostic named " << name);
  return 0;
}

Mat2 mat(double a, double b, double c, double d) {
  Mat2 M;
  M << a, b, c, d;
  return M;
}

std::vector<double> gaussian_points(const Grid2D& g, const Vec2& m, const Mat2& S) {
  std::vector<double> p(g.size());
  GaussianMixture{{1.0}, {m}, {S}}.point_values(g, p);
  return p;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

const Grid2D fine{400, 400, -10, 10, -10, 10};
// Finer, for the face differences of fisher_rel (O(dx²)) and the kink of |p − p_eq| in l1_to_eq.
const Grid2D finer{640, 640, -8, 8, -8, 8};

}  // namespace

TEST_CASE("diagnostic names follow docs/reference.md §6 in order") {
  const std::vector<std::string> base{"mass",   "mean_x", "mean_y",        "cov_xx", "cov_xy",
                                      "cov_yy", "min",    "negative_mass", "entropy"};
  CHECK(diagnostic_names(false, false) == base);
  auto all = base;
  all.insert(all.end(),
             {"rel_entropy", "fisher_rel", "l1_to_eq", "l1_error", "l2_error", "linf_error"});
  CHECK(diagnostic_names(true, true) == all);
  auto ex = base;
  ex.insert(ex.end(), {"l1_error", "l2_error", "linf_error"});
  CHECK(diagnostic_names(false, true) == ex);
  // compute_diagnostics returns exactly these columns.
  const Grid2D g{8, 8, -1, 1, -1, 1};
  const std::vector<double> p(g.size(), 0.25);
  const DiagnosticRow row = compute_diagnostics(g, p, p, p);
  REQUIRE(row.size() == all.size());
  for (std::size_t k = 0; k < all.size(); ++k) CHECK(row[k].first == all[k]);
}

TEST_CASE("diagnostics of N(m, Σ): mass, mean, covariance and entropy") {
  const Vec2 m(0.7, -0.4);
  const Mat2 S = mat(0.8, 0.3, 0.3, 0.5);
  const auto p = gaussian_points(fine, m, S);
  const DiagnosticRow row = compute_diagnostics(fine, p, {}, {});
  CHECK(row.size() == 9);
  CHECK(std::abs(value(row, "mass") - 1) < 1e-12);
  CHECK(std::abs(value(row, "mean_x") - m(0)) < 1e-10);
  CHECK(std::abs(value(row, "mean_y") - m(1)) < 1e-10);
  CHECK(std::abs(value(row, "cov_xx") - S(0, 0)) < 1e-6);
  CHECK(std::abs(value(row, "cov_xy") - S(0, 1)) < 1e-6);
  CHECK(std::abs(value(row, "cov_yy") - S(1, 1)) < 1e-6);
  CHECK(value(row, "min") >= 0.0);
  CHECK(value(row, "negative_mass") == 0.0);
  const double entropy = 1 + std::log(2 * std::numbers::pi) + 0.5 * std::log(S.determinant());
  CHECK(std::abs(value(row, "entropy") - entropy) < 1e-5);
}

TEST_CASE("covariance of cell averages carries Sheppard's grouping bias dx²/12") {
  // Cell averages grouped at centres overstate the variance by h²/12 (Sheppard 1898): a check
  // that the moments are midpoint sums of what they are given, nothing more.
  const Grid2D g{96, 64, -8, 8, -8, 8};
  const Mat2 S = mat(0.9, 0.2, 0.2, 0.6);
  std::vector<double> p(g.size());
  GaussianMixture{{1.0}, {Vec2(0.3, 0.1)}, {S}}.cell_averages(g, p);
  const DiagnosticRow row = compute_diagnostics(g, p, {}, {});
  CHECK(std::abs(value(row, "mass") - 1) < 1e-12);
  CHECK(std::abs(value(row, "cov_xx") - (S(0, 0) + g.dx() * g.dx() / 12)) < 1e-3 * g.dx() * g.dx());
  CHECK(std::abs(value(row, "cov_yy") - (S(1, 1) + g.dy() * g.dy() / 12)) < 1e-3 * g.dy() * g.dy());
  CHECK(std::abs(value(row, "cov_xy") - S(0, 1)) < 1e-3 * g.dx() * g.dy());
}

TEST_CASE("relative entropy, Fisher information and L1 distance of N(m₀, I) to N(0, I)") {
  const Vec2 m0(0.6, -0.8);
  const auto p = gaussian_points(finer, m0, Mat2::Identity());
  const auto peq = gaussian_points(finer, Vec2::Zero(), Mat2::Identity());
  const DiagnosticRow row = compute_diagnostics(finer, p, peq, {});
  CHECK(row.size() == 12);
  CHECK(std::abs(value(row, "rel_entropy") - 0.5 * m0.squaredNorm()) < 1e-5);
  CHECK(std::abs(value(row, "fisher_rel") - m0.squaredNorm()) < 1e-4);
  // ‖N(m₀, I) − N(0, I)‖₁ = 2(2Φ(|m₀|/2) − 1).
  CHECK(std::abs(value(row, "l1_to_eq") - 2 * (2 * normal_cdf(0.5 * m0.norm()) - 1)) < 1e-6);
  // At equilibrium all three vanish.
  const DiagnosticRow at_eq = compute_diagnostics(finer, peq, peq, {});
  CHECK(std::abs(value(at_eq, "rel_entropy")) < 1e-14);
  CHECK(value(at_eq, "fisher_rel") == 0.0);
  CHECK(value(at_eq, "l1_to_eq") == 0.0);
}

TEST_CASE("OU relative entropy of a mean-shifted start is ½|m₀|² e^{−2t} (docs/reference.md §5)") {
  const Vec2 m0(1.0, 0.5);
  const GaussianFlow ou(Schedule{}, Mat2::Identity(), Mat2::Identity());
  const auto peq = gaussian_points(finer, Vec2::Zero(), Mat2::Identity());
  for (double t : {0.25, 1.0}) {
    const GaussianMoments g = ou.evolve({m0, Mat2::Identity()}, t);
    const auto p = gaussian_points(finer, g.mean, g.cov);
    const DiagnosticRow row = compute_diagnostics(finer, p, peq, {});
    CHECK(value(row, "rel_entropy") ==
          doctest::Approx(0.5 * m0.squaredNorm() * std::exp(-2 * t)).epsilon(1e-5));
    CHECK(value(row, "fisher_rel") ==
          doctest::Approx(m0.squaredNorm() * std::exp(-2 * t)).epsilon(1e-4));
  }
}

TEST_CASE("errors against an exact solution: zero on itself, measured norms of a difference") {
  const Grid2D g{50, 40, -5, 5, -4, 4};
  const auto ex = gaussian_points(g, Vec2(0.2, 0.1), mat(0.5, 0.1, 0.1, 0.7));
  DiagnosticRow row = compute_diagnostics(g, ex, {}, ex);
  CHECK(row.size() == 12);
  CHECK(value(row, "l1_error") == 0.0);
  CHECK(value(row, "l2_error") == 0.0);
  CHECK(value(row, "linf_error") == 0.0);
  // A field shifted by a constant c: L1 = c|Ω|, L2 = c|Ω|^½, L∞ = c.
  const double c = 1e-3, area = 10.0 * 8.0;
  std::vector<double> p = ex;
  for (double& v : p) v += c;
  row = compute_diagnostics(g, p, {}, ex);
  CHECK(value(row, "l1_error") == doctest::Approx(c * area).epsilon(1e-12));
  CHECK(value(row, "l2_error") == doctest::Approx(c * std::sqrt(area)).epsilon(1e-12));
  CHECK(value(row, "linf_error") == doctest::Approx(c).epsilon(1e-12));
  // A spatial shift of the Gaussian gives a positive error.
  const auto shifted = gaussian_points(g, Vec2(0.3, 0.1), mat(0.5, 0.1, 0.1, 0.7));
  row = compute_diagnostics(g, shifted, {}, ex);
  CHECK(value(row, "l1_error") > 0.05);
  CHECK(value(row, "linf_error") > 0.01);
}

TEST_CASE("negative values: min, negative_mass magnitude, entropy over positive cells only") {
  const Grid2D g{4, 2, 0, 4, 0, 2};  // cells of area 1
  const std::vector<double> p{0.5, -0.1, 0.25, 0.0, -0.05, 0.2, 0.1, 0.1};
  const DiagnosticRow row = compute_diagnostics(g, p, {}, {});
  CHECK(value(row, "mass") == doctest::Approx(1.0));
  CHECK(value(row, "min") == -0.1);
  CHECK(value(row, "negative_mass") == doctest::Approx(0.15));
  double ent = 0;
  for (double v : {0.5, 0.25, 0.2, 0.1, 0.1}) ent -= v * std::log(v);
  CHECK(value(row, "entropy") == doctest::Approx(ent).epsilon(1e-14));
}
