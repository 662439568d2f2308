// Score fields (docs/reference.md §4) against closed forms: the batched mixture score and its exp, the exact
// score of a forward linear flow (any C, D, schedule) against finite differences of log p, the
// tabulated score's interpolation orders (space: bilinear, time: cubic Hermite, measured), and the
// reverse equation's coefficients g = −f + (1+λ) d D s, K = λ d D.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "solver/density.hpp"
#include "solver/equations/reverse_fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/gaussian_flow.hpp"
#include "solver/problem.hpp"
#include "solver/schedule.hpp"
#include "solver/score/exact_score.hpp"
#include "solver/score/grid_score.hpp"
#include "solver/score/mixture_score.hpp"

namespace {

using fplab::GaussianMixture;
using fplab::Mat2;
using fplab::Vec2;

Mat2 mat(double a, double b, double c, double d) {
  Mat2 m;
  m << a, b, c, d;
  return m;
}

GaussianMixture three_bumps() {
  return {{0.3, 0.3, 0.4},
          {Vec2(-2, 1), Vec2(2, 1.5), Vec2(0, -2)},
          {mat(0.3, 0.1, 0.1, 0.2), mat(0.25, 0, 0, 0.25), mat(0.4, -0.1, -0.1, 0.2)}};
}

// ∇ log pdf by centred differences (h = 1e-5): the reference for scores in closed form.
Vec2 fd_score(const GaussianMixture& p, double x, double y) {
  const double h = 1e-5;
  return {(std::log(p.pdf(x + h, y)) - std::log(p.pdf(x - h, y))) / (2 * h),
          (std::log(p.pdf(x, y + h)) - std::log(p.pdf(x, y - h))) / (2 * h)};
}

fplab::EquationSpec ou_forward() {
  fplab::EquationSpec eq;
  eq.type = "reverse_fokker_planck";
  eq.T = 2.0;
  eq.lambda = 0.5;
  eq.score.has_data = true;
  eq.score.data.type = "mixture";
  const auto m = three_bumps();
  eq.score.data.weights = m.weights;
  eq.score.data.means = m.means;
  eq.score.data.covs = m.covs;
  return eq;
}

}  // namespace

TEST_CASE("mixture score: batched = one point = ∇ log p by differences, finite in the far tails") {
  const GaussianMixture p = three_bumps();
  const fplab::MixtureScore s(p);
  std::vector<double> xs, ys;
  for (int k = 0; k < 2000; ++k) {  // more than one block, both parallel and serial paths
    xs.push_back(-5.5 + 11.0 * ((k * 37) % 2000) / 2000.0);
    ys.push_back(-5.5 + 11.0 * ((k * 53) % 2000) / 2000.0);
  }
  xs.push_back(60);  // every component underflows here
  ys.push_back(-50);
  std::vector<double> sx(xs.size()), sy(xs.size());
  s.eval(xs, ys, fplab::Combine{}, sx, sy);
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Vec2 one = s.at(xs[k], ys[k]);
    REQUIRE(std::isfinite(sx[k]));
    CHECK(std::abs(sx[k] - one.x()) <= 1e-12 * (1 + std::abs(one.x())));
    CHECK(std::abs(sy[k] - one.y()) <= 1e-12 * (1 + std::abs(one.y())));
    if (k % 97 == 0 && k + 1 < xs.size()) {
      const Vec2 fd = fd_score(p, xs[k], ys[k]);
      CHECK(one.x() == doctest::Approx(fd.x()).epsilon(1e-6));
      CHECK(one.y() == doctest::Approx(fd.y()).epsilon(1e-6));
    }
  }
  // Only the wanted component is written.
  std::vector<double> only_y(xs.size(), -7.0);
  s.eval(xs, ys, fplab::Combine{}, {}, only_y);
  CHECK(only_y[5] == doctest::Approx(sy[5]));
  // Combined with a base in the same pass: out = b·base + a·s, per component.
  std::vector<double> base_x(xs.size()), base_y(xs.size()), gx(xs.size()), gy(xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) {
    base_x[k] = std::sin(double(k));
    base_y[k] = std::cos(double(k));
  }
  s.eval(xs, ys, fplab::Combine{-0.7, base_x, base_y, 1.5, 2.5}, gx, gy);
  for (std::size_t k = 0; k < xs.size(); k += 13) {
    CHECK(gx[k] == doctest::Approx(-0.7 * base_x[k] + 1.5 * sx[k]).epsilon(1e-12));
    CHECK(gy[k] == doctest::Approx(-0.7 * base_y[k] + 2.5 * sy[k]).epsilon(1e-12));
  }
}

TEST_CASE("exact score of the forward flow: any C, D and schedule, against ∇ log p(t)") {
  struct Setup {
    const char* schedule;
    Mat2 C, D;
  };
  const Setup setups[] = {{"constant", Mat2::Identity(), Mat2::Identity()},
                          {"vp", mat(1.0, -0.5, 0.5, 1.5), mat(1.0, 0.2, 0.2, 0.5)},
                          {"subvp", mat(2.0, 0.0, 0.3, 1.0), mat(0.5, 0.0, 0.0, 1.0)},
                          {"ve", Mat2::Identity(), Mat2::Identity()}};
  for (const auto& st : setups) {
    CAPTURE(st.schedule);
    fplab::ScheduleSpec ss;
    ss.type = st.schedule;
    const fplab::GaussianFlow flow(fplab::Schedule(ss), st.C, st.D);
    const fplab::ExactScore score(flow, three_bumps());
    for (const double t : {0.0, 0.05, 0.4, 1.0}) {
      const GaussianMixture pt = flow.evolve(three_bumps(), t);
      std::vector<double> xs{-2.1, 0.3, 1.7, 3.0}, ys{1.2, -0.4, 1.1, -3.0}, sx(4), sy(4);
      score.eval(xs, ys, t, sx, sy);
      for (int k = 0; k < 4; ++k) {
        const Vec2 fd = fd_score(pt, xs[k], ys[k]);
        CHECK(sx[k] == doctest::Approx(fd.x()).epsilon(1e-6));
        CHECK(sy[k] == doctest::Approx(fd.y()).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("score error on a grid: a constant offset c gives |c|·(v_t/2)^{1/2}, ∫ map = error²") {
  // Data N(m, v I) under OU: p_t = N(m e^{−t}, v_t I), v_t = 1 − (1 − v) e^{−2t}, so
  // E_p‖s*‖² = 2/v_t and s = s* + c has relative error |c| (v_t/2)^{1/2}.
  const fplab::GaussianFlow flow(fplab::Schedule(fplab::ScheduleSpec{}), Mat2::Identity(),
                                 Mat2::Identity());
  const GaussianMixture data{{1.0}, {Vec2(1.0, -0.5)}, {mat(0.25, 0, 0, 0.25)}};
  const fplab::ExactScore exact(flow, data);
  struct Offset final : fplab::ScoreField {
    const fplab::ExactScore& base;
    double cx, cy;
    Offset(const fplab::ExactScore& b, double x, double y) : base(b), cx(x), cy(y) {}
    void eval(std::span<const double> xs, std::span<const double> ys, double t,
              std::span<double> ox, std::span<double> oy) const override {
      base.eval(xs, ys, t, ox, oy);
      for (std::size_t k = 0; k < xs.size(); ++k) {
        ox[k] += cx;
        oy[k] += cy;
      }
    }
    std::string describe() const override { return "offset"; }
  };
  const Offset shifted(exact, 0.3, -0.4);  // |c| = 0.5
  const fplab::Grid2D g{128, 128, -6, 6, -6, 6};
  std::vector<double> map(g.size());
  for (const double t : {0.0, 0.3, 1.5}) {
    CAPTURE(t);
    const double v_t = 1.0 - 0.75 * std::exp(-2.0 * t);
    const double err = fplab::score_error_on_grid(shifted, exact, g, t, map);
    CHECK(err == doctest::Approx(0.5 * std::sqrt(v_t / 2.0)).epsilon(1e-6));
    double integral = 0.0;
    for (const double e : map) integral += e * g.cell_area();
    CHECK(integral == doctest::Approx(err * err).epsilon(1e-12));
    CHECK(*std::min_element(map.begin(), map.end()) >= 0.0);
    CHECK(fplab::score_error_on_grid(exact, exact, g, t, {}) == 0.0);
  }
}

TEST_CASE("cubic Hermite time interpolation: exact for quadratics, third order measured") {
  // Non-uniform nodes: quadratics are reproduced (the nodal slopes are exact for them).
  const std::vector<double> t{0.0, 0.1, 0.35, 0.5, 0.9, 1.0};
  auto q = [](double s) { return 1.0 - 2.0 * s + 3.0 * s * s; };
  for (double s = 0.0; s <= 1.0; s += 0.0137) {
    const auto st = fplab::hermite_stencil(t, s);
    double v = 0.0, wsum = 0.0;
    for (int k = 0; k < st.count; ++k) {
      v += st.w[k] * q(t[st.first + k]);
      wsum += st.w[k];
    }
    CHECK(wsum == doctest::Approx(1.0).epsilon(1e-13));
    CHECK(v == doctest::Approx(q(s)).epsilon(1e-12));
  }
  // A smooth function on m and 2m uniform nodes: the max error falls by 2^p, p ≈ 3.
  auto f = [](double s) { return std::sin(3.0 * s) + std::exp(-s); };
  auto max_error = [&](int m) {
    std::vector<double> nodes(m + 1);
    for (int k = 0; k <= m; ++k) nodes[k] = 2.0 * k / m;
    double e = 0.0;
    for (double s = 0.0; s <= 2.0; s += 0.0011) {
      const auto st = fplab::hermite_stencil(nodes, s);
      double v = 0.0;
      for (int k = 0; k < st.count; ++k) v += st.w[k] * f(nodes[st.first + k]);
      e = std::max(e, std::abs(v - f(s)));
    }
    return e;
  };
  const double order = std::log2(max_error(20) / max_error(40));
  const double order_fine = std::log2(max_error(40) / max_error(80));
  MESSAGE("time interpolation orders " << order << ", " << order_fine);
  CHECK(order > 2.8);
  CHECK(order_fine > 2.8);
}

TEST_CASE("grid score: bilinear in space (exact for affine fields), at_points = eval") {
  fplab::ScoreTable tb;
  tb.nx = 9;
  tb.ny = 7;
  tb.x_first = -4.0;
  tb.y_first = -3.0;
  tb.hx = 1.0;
  tb.hy = 1.0;
  tb.times = {0.0, 0.5, 1.0, 1.5};
  // s = (a(t) + 2x − y, 3 + x + 0.5 y t): affine in space, quadratic in t.
  for (const double t : tb.times)
    for (int j = 0; j < tb.ny; ++j)
      for (int i = 0; i < tb.nx; ++i) {
        const double x = tb.x_first + i, y = tb.y_first + j;
        tb.sx.push_back(t * t + 2 * x - y);
        tb.sy.push_back(3 + x + 0.5 * y * t);
      }
  const fplab::GridScore s(tb, "test table");
  fplab::PointSet pts;
  for (double x = -3.9; x < 3.9; x += 0.37)
    for (double y = -2.9; y < 2.9; y += 0.41) {
      pts.x.push_back(x);
      pts.y.push_back(y);
    }
  std::vector<double> sx(pts.size()), sy(pts.size()), ax(pts.size()), ay(pts.size());
  auto bound = s.at_points(pts);
  for (const double t : {0.0, 0.3, 0.77, 1.5}) {
    s.eval(pts.x, pts.y, t, sx, sy);
    bound->eval(t, ax, ay);
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const double x = pts.x[k], y = pts.y[k];
      CHECK(sx[k] == doctest::Approx(t * t + 2 * x - y).epsilon(1e-12));
      CHECK(sy[k] == doctest::Approx(3 + x + 0.5 * y * t).epsilon(1e-12));
      CHECK(ax[k] == doctest::Approx(sx[k]).epsilon(1e-13));
      CHECK(ay[k] == doctest::Approx(sy[k]).epsilon(1e-13));
    }
  }
  CHECK(s.t_first() == 0.0);
  CHECK(s.t_last() == 1.5);
  tb.sy.pop_back();
  CHECK_THROWS_AS(fplab::GridScore(tb, "short"), std::invalid_argument);
}

TEST_CASE("score_from_density: ∇ log p of a Gaussian on the grid, second order") {
  const GaussianMixture g{{1.0}, {Vec2(0.3, -0.2)}, {mat(0.8, 0.2, 0.2, 0.6)}};
  const Mat2 P = g.covs[0].inverse();
  auto max_error = [&](int n) {
    const fplab::Grid2D grid{n, n, -3, 3, -3, 3};
    std::vector<double> p(grid.size()), sx(grid.size()), sy(grid.size());
    g.point_values(grid, p);
    fplab::score_from_density(grid, p, sx, sy);
    double e = 0.0;
    for (int j = 1; j + 1 < n; ++j)
      for (int i = 1; i + 1 < n; ++i) {
        const Vec2 exact = -P * (Vec2(grid.xc(i), grid.yc(j)) - g.means[0]);
        e = std::max(e, std::abs(sx[grid.index(i, j)] - exact.x()) +
                            std::abs(sy[grid.index(i, j)] - exact.y()));
      }
    return e;
  };
  // log p is quadratic: centred differences are exact up to round-off.
  CHECK(max_error(32) < 1e-9);
  // Where p is below the floor (1e-12 · max p) the score is that of the floor: zero.
  const fplab::Grid2D grid{64, 64, -30, 30, -30, 30};
  std::vector<double> p(grid.size()), sx(grid.size()), sy(grid.size());
  g.point_values(grid, p);
  fplab::score_from_density(grid, p, sx, sy);
  CHECK(sx[grid.index(1, 1)] == 0.0);
}

TEST_CASE("reverse equation: g = −f + (1+λ) d D s and K = λ d D at t = T − τ") {
  fplab::EquationSpec eq = ou_forward();
  eq.schedule.type = "vp";
  eq.D = mat(1.0, 0.3, 0.3, 0.5);
  eq.drift.C = mat(1.0, -0.4, 0.4, 1.0);
  const fplab::FokkerPlanck forward(eq, fplab::DensitySpec{}, false);
  const auto score = std::make_shared<fplab::ExactScore>(*forward.linear_flow(), three_bumps());
  const fplab::ReverseFokkerPlanck rev(eq, score, false, true);
  CHECK(rev.has_drift());
  CHECK(rev.drift_depends_on_time());
  CHECK(rev.has_cross_diffusion());
  CHECK_FALSE(rev.has_exact());  // no forward_solution start
  CHECK(rev.has_target());
  const double tau = 0.7, t = eq.T - tau;
  const double d = forward.schedule().d(t);
  CHECK(((rev.diffusion(tau) - 0.5 * d * eq.D).cwiseAbs().maxCoeff()) < 1e-15);
  fplab::PointSet pts;
  pts.x = {-1.0, 0.5, 2.0};
  pts.y = {0.2, -1.5, 1.0};
  std::vector<double> gx(3), gy(3), sx(3), sy(3);
  auto at = rev.drift_at(pts);
  at->eval(tau, gx, gy);
  score->eval(pts.x, pts.y, t, sx, sy);
  for (int k = 0; k < 3; ++k) {
    const Vec2 f = forward.drift(pts.x[k], pts.y[k], t);
    const Vec2 g = -f + 1.5 * d * (eq.D * Vec2(sx[k], sy[k]));
    CHECK(gx[k] == doctest::Approx(g.x()).epsilon(1e-13));
    CHECK(gy[k] == doctest::Approx(g.y()).epsilon(1e-13));
    CHECK(rev.drift(pts.x[k], pts.y[k], tau).x() == doctest::Approx(g.x()).epsilon(1e-13));
  }
  // Diagonal D: g is formed in the score's pass from f kept at the points (OU, a VP schedule's
  // a(t)·f, an expression in t re-evaluated), on a lattice (the row recurrence) and off one.
  for (const char* drift : {"ou", "vp", "expression"}) {
    fplab::EquationSpec e = ou_forward();
    e.D = mat(0.8, 0.0, 0.0, 1.3);
    if (std::string(drift) == "vp") e.schedule.type = "vp";
    if (std::string(drift) == "expression") {
      e.drift.type = "expression";
      e.drift.fx = "-x + sin(t)";
      e.drift.fy = "-y*(1+t)";
    }
    const fplab::FokkerPlanck fw(e, fplab::DensitySpec{}, false);
    const auto sc = std::make_shared<fplab::ExactScore>(
        fplab::GaussianFlow(fw.schedule(), Mat2::Identity(), e.D), three_bumps());
    const fplab::ReverseFokkerPlanck r(e, sc, false, false);
    CHECK_FALSE(r.has_cross_diffusion());
    for (fplab::PointSet ps : {pts, fplab::lattice_points({20, 7, -3.0, -2.0, 0.3, 0.5})}) {
      auto g_at = r.drift_at(ps);
      const std::size_t n = ps.size();
      std::vector<double> ox(n), oy(n), only_x(n), rsx(n), rsy(n);
      for (const double ta : {0.1, 0.7, 1.3}) {
        const double tf = e.T - ta, c = 1.5 * fw.schedule().d(tf);
        g_at->eval(ta, ox, oy);
        g_at->eval(ta, only_x, {});
        sc->eval(ps.x, ps.y, tf, rsx, rsy);
        for (std::size_t k = 0; k < n; ++k) {
          const Vec2 f = fw.drift(ps.x[k], ps.y[k], tf);
          const Vec2 g = -f + c * (e.D * Vec2(rsx[k], rsy[k]));
          CHECK(ox[k] == doctest::Approx(g.x()).epsilon(1e-12));
          CHECK(oy[k] == doctest::Approx(g.y()).epsilon(1e-12));
          CHECK(only_x[k] == doctest::Approx(g.x()).epsilon(1e-12));
        }
      }
    }
  }
  // λ = 0: no diffusion at all (pure transport).
  eq.lambda = 0.0;
  const fplab::ReverseFokkerPlanck flow(eq, score, false, true);
  CHECK_FALSE(flow.has_diffusion());
  // A score that does not cover [0, T] is refused, naming equation.score.
  eq.T = 5.0;
  fplab::ScoreTable tb{2, 2, -1, -1, 2, 2, {0.0, 1.0}, std::vector<double>(8), std::vector<double>(8)};
  const auto short_score = std::make_shared<fplab::GridScore>(tb, "short table");
  CHECK_THROWS_WITH_AS(fplab::ReverseFokkerPlanck(eq, short_score, false, true),
                       doctest::Contains("equation.score"), fplab::InputError);
}

TEST_CASE("make_problem: central fluxes refused for the pure-transport reverse equation") {
  fplab::CaseSpec c;
  c.nx = c.ny = 16;
  c.equation = ou_forward();
  c.equation.lambda = 0.0;
  c.time.t_end = 2.0;
  c.solver.scheme = "central";
  CHECK_THROWS_WITH_AS(fplab::make_problem(c), doctest::Contains("positivity"), fplab::InputError);
  for (const char* ok : {"muscl", "upwind", "chang_cooper"}) {
    c.solver.scheme = ok;
    CHECK_NOTHROW(fplab::make_problem(c));
  }
  c.solver.scheme = "central";
  c.equation.lambda = 1.0;  // diffusion: central is allowed again
  CHECK_NOTHROW(fplab::make_problem(c));
  // An exact score needs gaussian or mixture data and a linear forward drift.
  c.equation.score.data.type = "moons";
  CHECK_THROWS_WITH_AS(fplab::make_problem(c), doctest::Contains("equation.score.data.type"),
                       fplab::InputError);
}
