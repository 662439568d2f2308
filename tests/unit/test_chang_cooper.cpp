// The chang_cooper flux (Chang & Cooper 1970; Scharfetter–Gummel exponential fitting): the
// Bernoulli function, the exact discrete equilibrium e^{−U/K} of potential drifts (OU and a double
// well, through the real FokkerPlanck equation), positivity at any cell Péclet number, second
// order in space (OU against the exact Gaussian, full operator with cross diffusion) and the loss
// of positivity that the operator's centred cross-diffusion flux brings.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "solver/equations/fokker_planck.hpp"
#include "solver/fv/flux_scheme.hpp"
#include "tests/unit/pointwise_equation.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/time/integrator.hpp"

namespace {

using fplab::Grid2D;
using fplab::Mat2;
using fplab::Vec2;

Mat2 mat(double a, double b, double c, double d) {
  Mat2 m;
  m << a, b, c, d;
  return m;
}

double l1_norm(const Grid2D& g, const std::vector<double>& a) {
  double s = 0.0;
  for (double v : a) s += std::abs(v);
  return s * g.cell_area();
}

double l1_distance(const Grid2D& g, const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += std::abs(a[k] - b[k]);
  return s * g.cell_area();
}

// (1/(b − a)) ∫_a^b of the N(m, s²) density.
double normal_interval_average(double a, double b, double m, double s) {
  const double r = 1.0 / (s * std::numbers::sqrt2);
  return 0.5 * (std::erf((b - m) * r) - std::erf((a - m) * r)) / (b - a);
}

// Exact cell averages of N(m, s² I).
std::vector<double> gaussian_averages(const Grid2D& g, Vec2 m, double s) {
  std::vector<double> out(g.size());
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      out[g.index(i, j)] = normal_interval_average(g.x_edge(i), g.x_edge(i + 1), m.x(), s) *
                           normal_interval_average(g.y_edge(j), g.y_edge(j + 1), m.y(), s);
  return out;
}

// f = −c x (linear, no potential exposed), K given: the face drift is f·n at the face centre.
class EqLinearK final : public fplab_test::PointwiseEquation {
 public:
  EqLinearK(double c, Mat2 K) : c_(c), K_(K) {}
  std::string name() const override { return "test_linear_k"; }
  bool has_drift() const override { return c_ != 0.0; }
  Vec2 drift_point(double x, double y, double) const override { return -c_ * Vec2(x, y); }
  bool has_diffusion() const override { return true; }
  Mat2 diffusion(double) const override { return K_; }

 private:
  double c_;
  Mat2 K_;
};

// ∂t p = −f·∇p + ∇·(K∇p) with f constant.
class EqTransport final : public fplab_test::PointwiseEquation {
 public:
  EqTransport(Vec2 f, Mat2 K) : f_(f), K_(K) {}
  std::string name() const override { return "test_transport"; }
  bool has_drift() const override { return true; }
  Vec2 drift_point(double, double, double) const override { return f_; }
  bool has_diffusion() const override { return true; }
  Mat2 diffusion(double) const override { return K_; }

 private:
  Vec2 f_;
  Mat2 K_;
};

fplab::FokkerPlanck fokker_planck(const std::string& drift_type, const std::string& U) {
  fplab::EquationSpec spec;
  spec.drift.type = drift_type;
  spec.drift.U = U;
  return fplab::FokkerPlanck(spec, fplab::DensitySpec{}, false);
}

// Advance `steps` steps of cfl × max_stable_dt.
void run(fplab::SpatialOperator& op, const std::string& integrator_name, double cfl, int steps,
         std::vector<double>& u) {
  const auto integrator = fplab::make_integrator(integrator_name);
  integrator->init(op);
  double t = 0.0;
  for (int n = 0; n < steps; ++n) {
    const double dt = cfl * op.max_stable_dt(t);
    integrator->step(op, t, dt, u);
    t += dt;
    op.accept_step(u, t, dt);
  }
}

}  // namespace

TEST_CASE("bernoulli: B(0) = 1, B(−z) = B(z) + z = e^z B(z), finite limits at |z| → ∞") {
  CHECK(fplab::bernoulli(0.0) == 1.0);
  for (const double z : {1e-12, 3e-5, 9.9e-5, 1.01e-4, 1e-3, 0.1, 1.0, 7.5, 40.0, 300.0}) {
    CAPTURE(z);
    const double bp = fplab::bernoulli(z), bm = fplab::bernoulli(-z);
    CHECK(bp > 0.0);
    CHECK(bm == doctest::Approx(bp + z).epsilon(1e-14));
    if (z < 700.0) CHECK(bm == doctest::Approx(std::exp(z) * bp).epsilon(1e-13));
  }
  // Either side of the series switch at |z| = 1e-4 matches the series to 4 terms (continuity).
  for (const double z : {-1.01e-4, -0.99e-4, 0.99e-4, 1.01e-4, 3e-3}) {
    CAPTURE(z);
    const double series = 1 - z / 2 + z * z / 12 - z * z * z * z / 720;
    CHECK(std::abs(fplab::bernoulli(z) - series) < 4e-16);
  }
  CHECK(fplab::bernoulli(800.0) == 0.0);
  CHECK(fplab::bernoulli(-800.0) == doctest::Approx(800.0).epsilon(1e-15));
}

TEST_CASE("FokkerPlanck exposes U for potential and symmetric linear drifts, not for rotations") {
  const auto ou = fokker_planck("linear", "");
  REQUIRE(ou.has_potential());
  CHECK(ou.potential(0.6, -1.2, 0.0) == doctest::Approx(0.5 * (0.36 + 1.44)).epsilon(1e-15));
  const auto well = fokker_planck("potential", "(x^2 - 1)^2 + y^2/2");
  REQUIRE(well.has_potential());
  CHECK(well.potential(0.5, 2.0, 0.0) == doctest::Approx(0.5625 + 2.0).epsilon(1e-15));
  // −∇U agrees with the drift the equation reports.
  const double h = 1e-5, x = 0.7, y = -0.4;
  const double gx = (well.potential(x + h, y, 0) - well.potential(x - h, y, 0)) / (2 * h);
  CHECK(-gx == doctest::Approx(well.drift(x, y, 0).x()).epsilon(1e-8));
  fplab::EquationSpec rot;
  rot.drift.C = mat(1.0, -0.8, 0.5, 1.2);
  CHECK_FALSE(fplab::FokkerPlanck(rot, fplab::DensitySpec{}, false).has_potential());
}

TEST_CASE("chang_cooper: e^{-U} at the cell centres is an exact fixed point (OU, double well)") {
  // 1000 ssprk3 steps at 0.9 × the stable dt from p_ij ∝ e^{−U(x_i, y_j)} (K = I) under zero-flux
  // walls: every face flux is zero up to round-off. muscl, whose face drift is f·n at the face
  // centre and whose diffusion is separate, drifts off the same start (so this test can fail).
  struct Case {
    std::string type, U;
    Grid2D g;
  };
  for (const auto& c :
       {Case{"linear", "", Grid2D{40, 36, -5.0, 5.0, -4.5, 4.5}},
        Case{"potential", "(x^2 - 1)^2 + y^2/2", Grid2D{44, 40, -2.2, 2.2, -4.5, 4.5}}}) {
    CAPTURE(c.type);
    const auto eq = fokker_planck(c.type, c.U);
    std::vector<double> p0(c.g.size());
    for (int j = 0; j < c.g.ny; ++j)
      for (int i = 0; i < c.g.nx; ++i)
        p0[c.g.index(i, j)] = std::exp(-eq.potential(c.g.xc(i), c.g.yc(j), 0.0));
    const double norm = l1_norm(c.g, p0);
    for (double& v : p0) v /= norm;

    const auto op = fplab::make_fv_operator(eq, c.g, "zero_flux", "chang_cooper");
    auto u = p0;
    run(*op, "ssprk3", 0.9, 1000, u);
    const double rel = l1_distance(c.g, u, p0);  // p0 has L1 norm 1
    MESSAGE(c.type << ": relative L1 change after 1000 steps " << rel);
    CHECK(rel < 1e-12);

    const auto other = fplab::make_fv_operator(eq, c.g, "zero_flux", "muscl");
    auto w = p0;
    run(*other, "ssprk3", 0.9, 200, w);
    CHECK(l1_distance(c.g, w, p0) > 1e-5);
  }
}

TEST_CASE("chang_cooper keeps p >= 0 at cell Péclet numbers 0.1, 10, 100 with euler") {
  // f = −x on [−4, 4]², h = 0.25, max|f| = 4: K = 10, 0.1, 0.01 give cell Péclet numbers
  // max|f| h/K = 0.1, 10, 100. A discontinuous square start, 200 euler steps at the full
  // stable dt. Centred drift + diffusion (central) goes negative at Pe 10 (so this can fail).
  const Grid2D g{32, 32, -4.0, 4.0, -4.0, 4.0};
  std::vector<double> square(g.size(), 0.0);
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      if (std::abs(g.xc(i) - 1.5) < 1.0 && std::abs(g.yc(j) + 1.0) < 0.7)
        square[g.index(i, j)] = 1.0;
  for (const double pe : {0.1, 10.0, 100.0}) {
    CAPTURE(pe);
    const double K = 4.0 * g.dx() / pe;
    EqLinearK eq(1.0, K * Mat2::Identity());
    for (const std::string boundary : {"zero_flux", "dirichlet"}) {
      CAPTURE(boundary);
      const auto op = fplab::make_fv_operator(eq, g, boundary, "chang_cooper");
      auto u = square;
      run(*op, "euler", 1.0, 200, u);
      CHECK(*std::min_element(u.begin(), u.end()) >= 0.0);
      CHECK(l1_distance(g, u, square) > 0.1);
    }
  }
  EqLinearK eq(1.0, (4.0 * g.dx() / 10.0) * Mat2::Identity());
  const auto op = fplab::make_fv_operator(eq, g, "zero_flux", "central");
  auto u = square;
  run(*op, "ssprk3", 0.5, 200, u);
  CHECK(*std::min_element(u.begin(), u.end()) < -1e-4);
}

TEST_CASE("chang_cooper is second order on the OU problem (f·n face drifts, exact Gaussian)") {
  // f = −x, K = I from N((1.5, −1), ¼I) to t = ½: N(m₀e^{−t}, (e^{−2t}/4 + 1 − e^{−2t}) I).
  // The equation exposes no potential, so the face drift is f·n at the face centre; rk4 with
  // a fixed dt = 1/800 (time error far below the spatial one). nx = 32, 64, 128.
  const double t_end = 0.5, s0 = 0.5;
  const double s_end = std::sqrt(std::exp(-2 * t_end) * s0 * s0 + 1 - std::exp(-2 * t_end));
  const int steps = 400;
  std::vector<double> err;
  for (const int n : {32, 64, 128}) {
    const Grid2D g{n, n, -6.0, 6.0, -6.0, 6.0};
    EqLinearK eq(1.0, Mat2::Identity());
    const auto op = fplab::make_fv_operator(eq, g, "zero_flux", "chang_cooper");
    auto u = gaussian_averages(g, Vec2(1.5, -1.0), s0);
    const auto integrator = fplab::make_integrator("rk4");
    integrator->init(*op);
    const double dt = t_end / steps;
    REQUIRE(dt < op->max_stable_dt(0.0));
    for (int k = 0; k < steps; ++k) integrator->step(*op, k * dt, dt, u);
    const double decay = std::exp(-t_end);
    err.push_back(l1_distance(g, u, gaussian_averages(g, Vec2(1.5 * decay, -decay), s_end)));
  }
  const double o1 = std::log2(err[0] / err[1]), o2 = std::log2(err[1] / err[2]);
  MESSAGE("chang_cooper on OU: L1 errors " << err[0] << " " << err[1] << " " << err[2]
                                           << ", orders " << o1 << " " << o2);
  CHECK(std::abs(o2 - 2.0) < 0.15);
}

TEST_CASE("chang_cooper + centred cross diffusion: second-order consistent, not positive") {
  // Full right-hand side on p = sin(a x) sin(b y), periodic [0,1] × [0,½], f = (1, ½) constant:
  // exact cell averages of −f·∇p + ∇·(K∇p). Max error ratios 16 → 32 → 64 ≈ 4 with K_xy = 0
  // and K_xy ≠ 0. (The fitted flux adds the diffusion v²h²/(12K) − O(h⁴): second order at
  // fixed K, degrading to upwind's first order as K → 0 at fixed h.)
  const double a = 2 * std::numbers::pi, b = 4 * std::numbers::pi;
  const Vec2 f(1.0, 0.5);
  auto sin_avg = [](double k, double x0, double x1) {
    return (std::cos(k * x0) - std::cos(k * x1)) / (k * (x1 - x0));
  };
  auto cos_avg = [](double k, double x0, double x1) {
    return (std::sin(k * x1) - std::sin(k * x0)) / (k * (x1 - x0));
  };
  auto error = [&](const Mat2& K, int n) {
    const Grid2D g{n, n, 0.0, 1.0, 0.0, 0.5};
    EqTransport eq(f, K);
    const auto op = fplab::make_fv_operator(eq, g, "periodic", "chang_cooper");
    std::vector<double> p(g.size()), exact(g.size()), rhs(g.size());
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const double sx = sin_avg(a, g.x_edge(i), g.x_edge(i + 1));
        const double sy = sin_avg(b, g.y_edge(j), g.y_edge(j + 1));
        const double cx = cos_avg(a, g.x_edge(i), g.x_edge(i + 1));
        const double cy = cos_avg(b, g.y_edge(j), g.y_edge(j + 1));
        p[g.index(i, j)] = sx * sy;
        exact[g.index(i, j)] = -(K(0, 0) * a * a + K(1, 1) * b * b) * sx * sy +
                               2 * K(0, 1) * a * b * cx * cy - f.x() * a * cx * sy -
                               f.y() * b * sx * cy;
      }
    op->explicit_rhs(p, 0.0, rhs);
    double e = 0.0;
    for (std::size_t k = 0; k < p.size(); ++k) e = std::max(e, std::abs(rhs[k] - exact[k]));
    return e;
  };
  for (const Mat2& K : {mat(0.6, 0.0, 0.0, 0.4), mat(0.6, 0.25, 0.25, 0.4)}) {
    CAPTURE(K);
    const double e16 = error(K, 16), e32 = error(K, 32), e64 = error(K, 64);
    MESSAGE("K_xy = " << K(0, 1) << ": max errors " << e16 << " " << e32 << " " << e64);
    CHECK(std::abs(std::log2(e32 / e64) - 2.0) < 0.15);
  }

  // A point mass under K with K_xy ≠ 0: one euler step at the stable dt puts negative values on
  // the anti-diagonal neighbours (the centred ∂x∂y stencil has negative weights); with K_xy = 0
  // the same step stays ≥ 0.
  const Grid2D g{16, 16, -1.0, 1.0, -1.0, 1.0};
  for (const double kxy : {0.0, 0.8}) {
    CAPTURE(kxy);
    EqTransport eq(Vec2(0.3, 0.0), mat(1.0, kxy, kxy, 1.0));
    const auto op = fplab::make_fv_operator(eq, g, "zero_flux", "chang_cooper");
    std::vector<double> u(g.size(), 0.0);
    u[g.index(8, 8)] = 1.0;
    run(*op, "euler", 1.0, 1, u);
    const double lo = *std::min_element(u.begin(), u.end());
    if (kxy == 0.0)
      CHECK(lo >= 0.0);
    else
      CHECK(lo < -1e-3);
  }
}
