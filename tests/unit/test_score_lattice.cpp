// The lattice fast paths of the scores against the direct per-point evaluation: the mixture
// score's recurrence along rows (mixture_score.cpp) to round-off in the bulk, in the far tails
// and for a narrow component (t = 0), where runs fall back to the direct path; a table's
// row-by-row blending (grid_score.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "solver/density.hpp"
#include "solver/gaussian_flow.hpp"
#include "solver/schedule.hpp"
#include "solver/score/exact_score.hpp"
#include "solver/score/grid_score.hpp"
#include "solver/score/mixture_score.hpp"

using namespace fplab;

namespace {

Mat2 mat(double a, double b, double c, double d) {
  Mat2 m;
  m << a, b, c, d;
  return m;
}

GaussianMixture three_gaussians() {
  return {{0.3, 0.3, 0.4},
          {Vec2(-2.0, 1.0), Vec2(2.0, 1.5), Vec2(0.0, -2.0)},
          {mat(0.3, 0.1, 0.1, 0.2), mat(0.25, 0, 0, 0.25), mat(0.4, -0.1, -0.1, 0.2)}};
}

// Largest |s − s_ref| / max(|s_ref|, 1) over the lattice, s from MixtureScore on the lattice.
double worst_relative_error(const GaussianMixture& p, const Lattice& l) {
  const PointSet pts = lattice_points(l);
  const MixtureScore ms(p);
  std::vector<double> sx(pts.size()), sy(pts.size());
  ms.eval(pts, fplab::Combine{}, sx, sy);
  double worst = 0.0;
  for (std::size_t k = 0; k < pts.size(); ++k) {
    const Vec2 ref = ms.at(pts.x[k], pts.y[k]);
    worst = std::max(worst, (Vec2(sx[k], sy[k]) - ref).norm() / std::max(ref.norm(), 1.0));
  }
  return worst;
}

}  // namespace

TEST_CASE("exp_bounded is exp to a few ulp on [−708, 708]") {
  double worst = 0.0;
  for (double x = -708.0; x <= 708.0; x += 0.0137)
    worst = std::max(worst, std::abs(exp_bounded(x) / std::exp(x) - 1.0));
  CHECK(worst < 1e-15);
}

TEST_CASE("mixture score on a lattice: the row recurrence matches the direct score") {
  const GaussianMixture p = three_gaussians();
  SUBCASE("FV faces of [−6, 6]² at 128² (x-faces: 129 points a row, not a multiple of 8)") {
    CHECK(worst_relative_error(p, {129, 128, -6.0, -6.0 + 6.0 / 128, 12.0 / 128, 12.0 / 128}) <
          1e-12);
  }
  SUBCASE("far tails, coarse and fine rows, short rows") {
    CHECK(worst_relative_error(p, {301, 41, -60.0, -55.0, 0.4, 2.7}) < 1e-12);
    CHECK(worst_relative_error(p, {1000, 3, -30.0, -30.0, 0.06, 30.0}) < 1e-12);
    CHECK(worst_relative_error(p, {5, 7, 3.0, -1.0, 0.1, 0.3}) < 1e-12);
    CHECK(worst_relative_error(p, {1, 4, 3.0, -1.0, 0.1, 0.3}) < 1e-12);
  }
  SUBCASE("1 to 7 components: the register kernels (up to 4 kept) and the general one") {
    // Components on a ring, each with its own covariance; the lattice covers all of them.
    for (int nc = 1; nc <= 7; ++nc) {
      GaussianMixture ring;
      for (int k = 0; k < nc; ++k) {
        const double a = 2.0 * 3.141592653589793 * k / nc;
        ring.weights.push_back(1.0 + 0.1 * k);
        ring.means.push_back(Vec2(2.0 * std::cos(a), 2.0 * std::sin(a)));
        ring.covs.push_back(mat(0.8 + 0.1 * k, 0.05 * k, 0.05 * k, 1.0 - 0.05 * k));
      }
      CAPTURE(nc);
      CHECK(worst_relative_error(ring, {129, 64, -6.0, -6.0, 12.0 / 128, 12.0 / 64}) < 1e-12);
      CHECK(worst_relative_error(ring, {37, 9, -3.0, -2.0, 0.15, 0.5}) < 1e-12);
    }
  }
  SUBCASE("a narrow component (the data at t = 0) falls back to the direct path") {
    const GaussianMixture narrow{{0.5, 0.5},
                                 {Vec2(0.013, -0.2), Vec2(1.0, 1.0)},
                                 {mat(1e-6, 2e-7, 2e-7, 3e-6), mat(1.0, 0.3, 0.3, 0.8)}};
    CHECK(worst_relative_error(narrow, {513, 64, -6.0, -3.0, 12.0 / 512, 0.1}) < 1e-12);
  }
}

TEST_CASE("ExactScore at lattice points equals its batched eval at every time") {
  const GaussianFlow flow(Schedule(), Mat2::Identity(), Mat2::Identity());
  const ExactScore score(flow, three_gaussians());
  const PointSet pts = lattice_points({97, 50, -6.0, -6.0, 0.125, 0.24});
  auto at = score.at_points(pts);
  std::vector<double> fx(pts.size()), fy(pts.size()), rx(pts.size()), ry(pts.size());
  for (double t : {0.0, 0.01, 0.5, 2.0}) {
    at->eval(t, fx, fy);
    score.eval(pts.x, pts.y, t, rx, ry);
    double worst = 0.0;
    for (std::size_t k = 0; k < pts.size(); ++k)
      worst = std::max(worst, std::hypot(fx[k] - rx[k], fy[k] - ry[k]) /
                                  std::max(std::hypot(rx[k], ry[k]), 1.0));
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("GridScore at lattice points equals its pointwise eval (row-by-row blending)") {
  // A smooth table on [−2, 2] × [−1, 3], 33 × 21 nodes at 6 times.
  ScoreTable tb{33, 21, -2.0, -1.0, 0.125, 0.2, {0.0, 0.3, 0.5, 1.0, 1.2, 2.0}, {}, {}};
  for (double t : tb.times)
    for (int j = 0; j < tb.ny; ++j)
      for (int i = 0; i < tb.nx; ++i) {
        const double x = tb.x_first + i * tb.hx, y = tb.y_first + j * tb.hy;
        tb.sx.push_back(std::sin(x + t) * y);
        tb.sy.push_back(std::cos(2 * y - t) + x * x * t);
      }
  const GridScore score(tb, "test");
  // The table's own cell faces, a finer lattice, and one reaching past the table (clamped).
  for (const Lattice& l : {Lattice{33, 20, -2.0, -0.9, 0.125, 0.2},
                           Lattice{50, 37, -1.9, -0.95, 0.07, 0.1},
                           Lattice{30, 25, -3.0, -2.0, 0.2, 0.25}}) {
    const PointSet pts = lattice_points(l);
    auto at = score.at_points(pts);
    std::vector<double> fx(pts.size()), fy(pts.size()), rx(pts.size()), ry(pts.size());
    for (double t : {-1.0, 0.0, 0.1, 0.45, 1.1, 2.0, 3.0}) {
      at->eval(t, fx, fy);
      score.eval(pts.x, pts.y, t, rx, ry);
      double worst = 0.0;
      for (std::size_t k = 0; k < pts.size(); ++k)
        worst = std::max(worst, std::hypot(fx[k] - rx[k], fy[k] - ry[k]));
      CHECK(worst < 1e-13);
    }
  }
}
