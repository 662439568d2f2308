// Unit tests of the spectral method (issue #4): FFTW transforms and derivatives against a slow
// naive DFT, the Fourier operator against analytic derivatives, the ETDRK4 φ-weights against
// their Taylor series, exactness of `exact` (heat, BGK), mass conservation, temporal order of
// etdrk4/if_rk4 on a smooth periodic Fokker–Planck problem, and the errors users get.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "solver/errors.hpp"
#include "tests/unit/pointwise_equation.hpp"
#include "solver/spectral/spectral_operator.hpp"
#include "solver/spectral/transforms.hpp"
#include "solver/time/exponential.hpp"

namespace {

using fplab::Grid2D;
using fplab::Mat2;
using fplab::Vec2;
using Cplx = std::complex<double>;
constexpr double pi = std::numbers::pi;

// An equation given by its coefficients, for tests: drift f(x, y, t), K(t) = d(t)·K, optional
// BGK relaxation towards a closed-form p_eq sampled at the cell centres.
struct CoefficientEquation : fplab_test::PointwiseEquation {
  std::function<Vec2(double, double, double)> f;  // empty: no drift
  bool f_varies = false;
  Mat2 K = Mat2::Zero();
  std::function<double(double)> d;  // empty: d = 1
  double tau = 0.0;                 // 0: no relaxation
  std::function<double(double, double)> p_eq;

  std::string name() const override { return "test"; }
  bool has_drift() const override { return bool(f); }
  Vec2 drift_point(double x, double y, double t) const override { return f(x, y, t); }
  bool drift_depends_on_time() const override { return f_varies; }
  bool has_diffusion() const override { return K != Mat2::Zero(); }
  Mat2 diffusion(double t) const override { return d ? d(t) * K : K; }
  bool diffusion_depends_on_time() const override { return bool(d); }
  bool has_relaxation() const override { return tau > 0; }
  double relaxation_time() const override { return tau; }
  bool has_equilibrium() const override { return bool(p_eq); }
  // Point values whatever is asked: the spectral operator asks for those.
  void equilibrium(const Grid2D& g, std::span<double> out, fplab::Sampling) const override {
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) out[g.index(i, j)] = p_eq(g.xc(i), g.yc(j));
  }
};

std::vector<double> sample(const Grid2D& g, const std::function<double(double, double)>& fn) {
  std::vector<double> u(g.size());
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) u[g.index(i, j)] = fn(g.xc(i), g.yc(j));
  return u;
}

std::vector<double> random_field(const Grid2D& g, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> u(g.size());
  for (double& x : u) x = dist(rng);
  return u;
}

double max_abs(std::span<const double> a) {
  double m = 0;
  for (double x : a) m = std::max(m, std::abs(x));
  return m;
}

double max_diff(std::span<const double> a, std::span<const double> b) {
  double m = 0;
  for (std::size_t k = 0; k < a.size(); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

// Gaussian N(m, S) density at (x, y).
double gaussian(double x, double y, const Vec2& m, const Mat2& S) {
  const Vec2 r(x - m.x(), y - m.y());
  return std::exp(-0.5 * r.dot(S.inverse() * r)) / (2 * pi * std::sqrt(S.determinant()));
}

// Slow reference: full DFT coefficients c(mx, my) = (1/(nx ny)) Σ u e^{−2πi(mx i/nx + my j/ny)}.
std::vector<Cplx> naive_dft(const Grid2D& g, std::span<const double> u) {
  std::vector<Cplx> c(g.size());
  for (int my = 0; my < g.ny; ++my)
    for (int mx = 0; mx < g.nx; ++mx) {
      Cplx s = 0;
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i)
          s += u[g.index(i, j)] *
               std::polar(1.0, -2 * pi * (double(mx) * i / g.nx + double(my) * j / g.ny));
      c[g.index(mx, my)] = s / double(g.size());
    }
  return c;
}

// Slow reference derivative: Σ i k c e^{+...}, with the Nyquist mode's odd derivative zero.
std::vector<double> naive_derivative(const Grid2D& g, std::span<const double> u, bool along_x) {
  const auto c = naive_dft(g, u);
  std::vector<double> d(g.size());
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      Cplx s = 0;
      for (int my = 0; my < g.ny; ++my)
        for (int mx = 0; mx < g.nx; ++mx) {
          const int n = along_x ? g.nx : g.ny, m = along_x ? mx : my;
          const int signed_m = (n % 2 == 0 && 2 * m == n) ? 0 : (2 * m < n ? m : m - n);
          const double k = 2 * pi * signed_m / (along_x ? g.x1 - g.x0 : g.y1 - g.y0);
          s += Cplx(0, k) * c[g.index(mx, my)] *
               std::polar(1.0, 2 * pi * (double(mx) * i / g.nx + double(my) * j / g.ny));
        }
      d[g.index(i, j)] = s.real();
    }
  return d;
}

// Runs n steps of an integrator on an operator from u (in place).
void run(fplab::TimeIntegrator& integ, fplab::SpatialOperator& op, double t_end, int n,
         std::span<double> u) {
  const double h = t_end / n;
  for (int k = 0; k < n; ++k) integ.step(op, k * h, h, u);
}

fplab::SpectralOptions estimate() {
  fplab::SpectralOptions o;
  o.planning = fplab::FftwPlanning::estimate;  // unit tests: no measuring
  return o;
}

}  // namespace

TEST_CASE("FFTW forward transform and derivatives match a naive DFT (relative 1e-12)") {
  for (const Grid2D g : {Grid2D{16, 12, -1.0, 3.0, 0.5, 2.0}, Grid2D{15, 9, 0.0, 1.0, -2.0, 2.0}}) {
    CAPTURE(g.nx);
    CAPTURE(g.ny);
    fplab::FourierTransform2D tr(g, fplab::FftwPlanning::estimate);
    const auto u = random_field(g, 7);
    const auto ref = naive_dft(g, u);
    std::vector<double> v(tr.coefficient_size());
    tr.forward(u, v);
    double err = 0, scale = 0;
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < tr.nkx(); ++i) {
        const std::size_t q = 2 * (static_cast<std::size_t>(j) * tr.nkx() + i);
        err = std::max(err, std::abs(Cplx(v[q], v[q + 1]) - ref[g.index(i, j)]));
        scale = std::max(scale, std::abs(ref[g.index(i, j)]));
      }
    CHECK(err <= 1e-12 * scale);

    std::vector<double> back(g.size());
    tr.backward(v, back);  // destroys v
    CHECK(max_diff(back, u) <= 1e-12 * max_abs(u));

    std::vector<double> d(g.size());
    tr.derivative_x(u, d);
    const auto dx_ref = naive_derivative(g, u, true);
    CHECK(max_diff(d, dx_ref) <= 1e-12 * max_abs(dx_ref));
    tr.derivative_y(u, d);
    const auto dy_ref = naive_derivative(g, u, false);
    CHECK(max_diff(d, dy_ref) <= 1e-12 * max_abs(dy_ref));
  }
}

TEST_CASE("spectral derivative of a smooth periodic function is exact to round-off") {
  const Grid2D g{40, 36, -1.0, -1.0 + 2 * pi, 0.0, 2 * pi};
  fplab::FourierTransform2D tr(g, fplab::FftwPlanning::estimate);
  const auto u =
      sample(g, [](double x, double y) { return std::exp(std::sin(x) + 0.5 * std::cos(2 * y)); });
  const auto ux = sample(g, [](double x, double y) {
    return std::cos(x) * std::exp(std::sin(x) + 0.5 * std::cos(2 * y));
  });
  std::vector<double> d(g.size());
  tr.derivative_x(u, d);
  CHECK(max_diff(d, ux) <= 1e-12 * max_abs(ux));
}

TEST_CASE("cosine transform (REDFT10/REDFT01) matches a naive cosine sum (relative 1e-12)") {
  for (const Grid2D g : {Grid2D{12, 10, -2.0, 1.0, 0.0, 4.0}, Grid2D{9, 7, 0.0, 1.0, 0.0, 1.0}}) {
    fplab::CosineTransform2D tr(g, fplab::FftwPlanning::estimate);
    const auto u = random_field(g, 11);
    std::vector<double> c(g.size()), ref(g.size(), 0.0);
    tr.forward(u, c);
    for (int n = 0; n < g.ny; ++n)
      for (int m = 0; m < g.nx; ++m) {
        double s = 0;
        for (int j = 0; j < g.ny; ++j)
          for (int i = 0; i < g.nx; ++i)
            s += u[g.index(i, j)] * 2 * std::cos(pi * m * (i + 0.5) / g.nx) * 2 *
                 std::cos(pi * n * (j + 0.5) / g.ny);
        ref[g.index(m, n)] = s / (4.0 * g.nx * g.ny);
      }
    CHECK(max_diff(c, ref) <= 1e-12 * max_abs(ref));
    // Backward: u_ij = Σ a_m a_n c_mn cos(k_m (x_i − x0)) cos(k_n (y_j − y0)), a_0 = 1, a_m = 2.
    std::vector<double> back(g.size()), naive_back(g.size(), 0.0);
    tr.backward(c, back);
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        double s = 0;
        for (int n = 0; n < g.ny; ++n)
          for (int m = 0; m < g.nx; ++m)
            s += (m ? 2.0 : 1.0) * (n ? 2.0 : 1.0) * ref[g.index(m, n)] *
                 std::cos(pi * m / (g.x1 - g.x0) * (g.xc(i) - g.x0)) *
                 std::cos(pi * n / (g.y1 - g.y0) * (g.yc(j) - g.y0));
        naive_back[g.index(i, j)] = s;
      }
    CHECK(max_diff(back, naive_back) <= 1e-12 * max_abs(u));
    CHECK(max_diff(back, u) <= 1e-12 * max_abs(u));
  }
}

TEST_CASE("ETDRK4 weights match the Taylor series of the φ-functions (relative 1e-13)") {
  // f1 = h(φ1 − 3φ2 + 4φ3), f2 = h(φ2 − 2φ3), f3 = h(−φ2 + 4φ3), q = (h/2)φ1(z/2), with
  // φ_n(z) = Σ_k z^k/(k+n)! (Cox & Matthews 2002; Hochbruck & Ostermann 2010), in long double.
  auto phi = [](int n, long double z) {
    long double term = 1, sum = 0;
    for (int k = 1; k <= n; ++k) term /= k;  // 1/n!
    for (int k = 0; k < 80; ++k) {
      sum += term;
      term *= z / (k + n + 1);
    }
    return sum;
  };
  // Where the series cancels (|z| > 2) the reference is the closed form in long double instead.
  auto phi_closed = [](int n, long double z) {
    const long double e = std::exp(z);
    if (n == 1) return (e - 1) / z;
    if (n == 2) return (e - 1 - z) / (z * z);
    return (e - 1 - z - z * z / 2) / (z * z * z);
  };
  auto phi_ref = [&](int n, long double z) {
    return std::abs(z) <= 2 ? phi(n, z) : phi_closed(n, z);
  };
  const double h = 0.3;
  for (double z :
       {0.0, -1e-8, -1e-3, -0.2, -0.7, -0.999, -1.0, -1.5, -3.0, -8.0, -20.0, -300.0, 0.5}) {
    CAPTURE(z);
    const auto w = fplab::etdrk4_weights(z / h, h);
    const long double p1 = phi_ref(1, z), p2 = phi_ref(2, z), p3 = phi_ref(3, z);
    const double f1 = double(h * (p1 - 3 * p2 + 4 * p3)), f2 = double(h * (p2 - 2 * p3)),
                 f3 = double(h * (-p2 + 4 * p3)), q = double(0.5L * h * phi_ref(1, z / 2));
    CHECK(std::abs(w.f1 - f1) <= 1e-13 * std::abs(f1));
    CHECK(std::abs(w.f2 - f2) <= 1e-13 * std::abs(f2));
    CHECK(std::abs(w.f3 - f3) <= 1e-13 * std::abs(f3));
    CHECK(std::abs(w.q - q) <= 1e-13 * std::abs(q));
    CHECK(std::abs(w.e - std::exp(z)) <= 1e-15 * std::exp(z));
    // The contour mean alone agrees where it is used (|z| < 1) and some way beyond.
    if (std::abs(z) <= 8) {
      const auto c = fplab::etdrk4_weights_contour(z / h, h);
      CHECK(std::abs(c.f1 - f1) <= 1e-12 * std::abs(f1));
      CHECK(std::abs(c.f3 - f3) <= 1e-12 * std::abs(f3));
    }
  }
  // Stiff limit z → −∞: e^z underflows and f1 → h(−4 − z)/z³, f3 → h(−4 − 3z − z²)/z³.
  const double z = -1e8;
  const auto w = fplab::etdrk4_weights(z, 1.0);
  CHECK(w.e == 0.0);
  CHECK(w.f1 == doctest::Approx((-4 - z) / (z * z * z)).epsilon(1e-14));
  CHECK(w.f3 == doctest::Approx((-4 - 3 * z - z * z) / (z * z * z)).epsilon(1e-14));
}

TEST_CASE("Fourier operator reproduces −∇·(f p) + ∇·(K∇p) + (p_eq − p)/τ to round-off") {
  const Grid2D g{48, 40, -1.0, -1.0 + 2 * pi, 0.0, 2 * pi};
  CoefficientEquation eq;
  eq.f = [](double x, double y, double) { return Vec2(std::sin(y), 0.5 * std::cos(x)); };
  eq.K << 0.3, 0.1, 0.1, 0.2;
  eq.tau = 0.5;
  eq.p_eq = [](double x, double y) { return std::exp(std::cos(x - y)); };
  auto p = [](double x, double y) { return std::exp(0.5 * std::sin(x) + 0.3 * std::cos(2 * y)); };
  // Analytic right-hand side (the drift is divergence-free, so −∇·(f p) = −f·∇p).
  auto rhs = [&](double x, double y) {
    const double P = p(x, y), px = P * 0.5 * std::cos(x), py = P * (-0.6 * std::sin(2 * y));
    const double pxx = P * (0.25 * std::cos(x) * std::cos(x) - 0.5 * std::sin(x));
    const double pyy = P * (0.36 * std::sin(2 * y) * std::sin(2 * y) - 1.2 * std::cos(2 * y));
    const double pxy = P * 0.5 * std::cos(x) * (-0.6 * std::sin(2 * y));
    const double div_k_grad = 0.3 * pxx + 2 * 0.1 * pxy + 0.2 * pyy;
    return -(std::sin(y) * px + 0.5 * std::cos(x) * py) + div_k_grad + (eq.p_eq(x, y) - P) / eq.tau;
  };
  fplab::FourierOperator op(eq, g, estimate());
  const auto u = sample(g, p);
  const auto ref = sample(g, rhs);
  std::vector<double> out(g.size());
  op.explicit_rhs(u, 0.0, out);
  CHECK(max_diff(out, ref) <= 1e-11 * max_abs(ref));
  // The split form says the same: F⁻¹(Λ F u + N).
  std::vector<double> v(op.coefficient_size()), n(op.coefficient_size()), split(g.size());
  op.to_coefficients(u, v);
  op.nonlinear_from_values(u, 0.0, n);
  const auto lam = op.linear_diagonal();
  for (std::size_t k = 0; k < v.size(); ++k) n[k] += lam[k / 2] * v[k];
  op.from_coefficients(n, split);
  CHECK(max_diff(split, ref) <= 1e-11 * max_abs(ref));
  // nonlinear_coefficients (from coefficients) agrees with nonlinear_from_values.
  std::vector<double> n1(op.coefficient_size()), n2(op.coefficient_size());
  op.to_coefficients(u, v);
  op.nonlinear_from_values(u, 0.0, n1);
  op.nonlinear_coefficients(v, 0.0, n2);
  CHECK(max_diff(n1, n2) <= 1e-13 * max_abs(n1));
}

TEST_CASE(
    "Fourier operator with an affine drift (OU) gives the analytic right-hand side of a Gaussian") {
  // ∂t p = ∇·(C x p) + ∇·(D∇p) for p = N(m, S): with r = S⁻¹(x − m), ∇p = −p r and
  // ∇·(D∇p) = p (rᵀDr − tr(DS⁻¹)), ∇·(Cxp) = p (tr C − (Cx)·r). The box is wide enough that p is
  // ~1e-16 at its edges, where the (non-periodic) drift jumps.
  const Grid2D g{96, 96, -10.0, 10.0, -10.0, 10.0};
  Mat2 C, D, S;
  C << 1.0, -0.5, 0.5, 1.0;
  D << 1.0, 0.2, 0.2, 0.6;
  S << 0.8, 0.2, 0.2, 0.6;
  const Vec2 m(0.7, -0.4);
  CoefficientEquation eq;
  eq.f = [C](double x, double y, double) -> Vec2 { return -C * Vec2(x, y); };
  eq.K = D;
  auto rhs = [&](double x, double y) {
    const Vec2 X(x, y), r = S.inverse() * (X - m);
    const double p = gaussian(x, y, m, S);
    return p * (C.trace() - (C * X).dot(r)) + p * (r.dot(D * r) - (D * S.inverse()).trace());
  };
  fplab::FourierOperator op(eq, g, estimate());
  const auto u = sample(g, [&](double x, double y) { return gaussian(x, y, m, S); });
  const auto ref = sample(g, rhs);
  std::vector<double> out(g.size());
  op.explicit_rhs(u, 0.0, out);
  CHECK(max_diff(out, ref) <= 1e-10 * max_abs(ref));
}

TEST_CASE("2/3-rule dealiasing removes exactly the modes with |m| > n/3 from the drift term") {
  const Grid2D g{24, 18, 0.0, 2 * pi, 0.0, 2 * pi};
  CoefficientEquation eq;
  eq.f = [](double x, double y, double) { return Vec2(std::sin(3 * y), std::cos(2 * x)); };
  eq.K = 0.1 * Mat2::Identity();
  const auto u = random_field(g, 3);
  for (bool dealias : {false, true}) {
    auto opt = estimate();
    opt.dealias = dealias;
    fplab::FourierOperator op(eq, g, opt);
    std::vector<double> n(op.coefficient_size());
    op.nonlinear_from_values(u, 0.0, n);
    double kept = 0, removed = 0;
    const int nk = g.nx / 2 + 1;
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < nk; ++i) {
        const int mj = j <= g.ny / 2 ? j : g.ny - j;
        const std::size_t q = 2 * (static_cast<std::size_t>(j) * nk + i);
        double& bin = (3 * i > g.nx || 3 * mj > g.ny) ? removed : kept;
        bin = std::max(bin, std::hypot(n[q], n[q + 1]));
      }
    CHECK(kept > 0.01);
    if (dealias)
      CHECK(removed == 0.0);
    else
      CHECK(removed > 0.01);
  }
}

TEST_CASE("exact integration of the heat equation matches the Gaussian to 1e-10 at any dt") {
  // ∂t u = ∇·(D∇u) from N(m, Σ0): u(t) = N(m, Σ0 + 2Dt). Periodic box wide enough that the
  // periodic images contribute < 1e-13; N = 64 resolves the initial Gaussian to ~1e-13.
  const Vec2 m(0.5, 0.0);
  Mat2 S0, D;
  S0 << 0.5, 0.1, 0.1, 0.4;
  D << 0.5, 0.2, 0.2, 0.3;
  const double t_end = 0.5;
  const Grid2D g{64, 64, -8.0, 8.0, -8.0, 8.0};
  CoefficientEquation eq;
  eq.K = D;
  const auto u0 = sample(g, [&](double x, double y) { return gaussian(x, y, m, S0); });
  const auto exact =
      sample(g, [&](double x, double y) { return gaussian(x, y, m, S0 + 2 * t_end * D); });
  fplab::FourierOperator op(eq, g, estimate());
  auto integ = fplab::make_exponential_integrator("exact");
  integ->init(op);
  for (int n : {1, 3, 10, 77}) {
    CAPTURE(n);
    auto u = u0;
    run(*integ, op, t_end, n, u);
    CHECK(max_diff(u, exact) < 1e-10);
  }
  // Cosine basis with zero-flux walls, diagonal D: the same to 1e-10.
  Mat2 Dd = Mat2::Zero();
  Dd(0, 0) = 0.5;
  Dd(1, 1) = 0.3;
  CoefficientEquation eqc;
  eqc.K = Dd;
  const auto exact_c =
      sample(g, [&](double x, double y) { return gaussian(x, y, m, S0 + 2 * t_end * Dd); });
  fplab::CosineOperator opc(eqc, g, estimate());
  auto integ_c = fplab::make_exponential_integrator("exact");
  integ_c->init(opc);
  for (int n : {1, 7}) {
    auto u = u0;
    run(*integ_c, opc, t_end, n, u);
    CHECK(max_diff(u, exact_c) < 1e-10);
  }
}

TEST_CASE(
    "BGK: exact and etdrk4 reproduce p_eq + (p0 − p_eq)e^{−t/τ} to round-off, if_rk4 to O(dt⁴)") {
  const Grid2D g{32, 24, -4.0, 4.0, -3.0, 3.0};
  for (const std::string boundary : {"periodic", "zero_flux"}) {
    CAPTURE(boundary);
    CoefficientEquation eq;
    eq.tau = 0.5;
    eq.p_eq = [](double x, double y) { return std::exp(-0.5 * (x * x + y * y)); };
    const auto p0 = random_field(g, 5);  // BGK has no spatial coupling: any data
    const auto peq = sample(g, eq.p_eq);
    const double t_end = 1.3;
    std::vector<double> exact(g.size());
    for (std::size_t k = 0; k < exact.size(); ++k)
      exact[k] = peq[k] + (p0[k] - peq[k]) * std::exp(-t_end / eq.tau);
    auto op = fplab::make_spectral_operator(eq, g, boundary, estimate());
    for (const std::string name : {"exact", "etdrk4"}) {
      CAPTURE(name);
      auto integ = fplab::make_exponential_integrator(name);
      integ->init(*op);
      auto u = p0;
      run(*integ, *op, t_end, 3, u);
      CHECK(max_diff(u, exact) < 1e-13);
    }
    auto integ = fplab::make_exponential_integrator("if_rk4");
    integ->init(*op);
    auto u = p0;
    run(*integ, *op, t_end, 10, u);
    const double e10 = max_diff(u, exact);
    u = p0;
    run(*integ, *op, t_end, 20, u);
    const double e20 = max_diff(u, exact);
    CHECK(std::abs(std::log2(e10 / e20) - 4.0) < 0.2);
  }
}

TEST_CASE("etdrk4 and if_rk4: temporal order 4 ± 0.2 and mass conserved to round-off") {
  // A smooth periodic Fokker–Planck problem with a time-dependent drift; errors against a
  // 16× finer step on the same grid, so only the time error is measured.
  const Grid2D g{32, 32, 0.0, 2 * pi, 0.0, 2 * pi};
  CoefficientEquation eq;
  eq.f = [](double x, double y, double t) -> Vec2 {
    const double a = 1.0 + 0.5 * std::sin(2 * t);
    return Vec2(a * std::sin(y), a * (0.5 * std::cos(x) + 0.3 * std::sin(x + y)));
  };
  eq.f_varies = true;
  eq.K << 0.05, 0.01, 0.01, 0.04;
  const auto p0 =
      sample(g, [](double x, double y) { return std::exp(std::sin(x) + 0.5 * std::cos(y)); });
  const double t_end = 1.0;
  fplab::FourierOperator op(eq, g, estimate());
  for (const std::string name : {"etdrk4", "if_rk4"}) {
    CAPTURE(name);
    auto integ = fplab::make_exponential_integrator(name);
    integ->init(op);
    auto ref = p0;
    run(*integ, op, t_end, 320, ref);
    std::vector<double> err;
    for (int n : {10, 20, 40}) {
      auto u = p0;
      run(*integ, op, t_end, n, u);
      err.push_back(max_diff(u, ref));
    }
    const double order = std::log2(err[1] / err[2]);
    MESSAGE(name << ": max errors " << err[0] << " " << err[1] << " " << err[2] << ", orders "
                 << std::log2(err[0] / err[1]) << " " << order);
    CHECK(std::abs(order - 4.0) < 0.2);
    double m0 = 0, m1 = 0;
    for (double x : p0) m0 += x;
    for (double x : ref) m1 += x;
    CHECK(std::abs(m1 - m0) <= 1e-13 * m0);
  }
}

TEST_CASE("arrays without FFTW's SIMD alignment give the same results (staged copies)") {
  // The driver's state is a std::vector; a view one double in is never 16-byte aligned.
  const Grid2D g{32, 24, 0.0, 2 * pi, 0.0, 2 * pi};
  CoefficientEquation eq;
  eq.f = [](double x, double y, double) { return Vec2(std::sin(y), std::cos(x)); };
  eq.K = 0.1 * Mat2::Identity();
  fplab::FourierOperator op(eq, g, estimate());
  const auto u = sample(g, [](double x, double y) { return std::exp(std::sin(x) * std::cos(y)); });
  std::vector<double> shifted(g.size() + 1), n_ref(op.coefficient_size()),
      n_shift(op.coefficient_size() + 1);
  std::copy(u.begin(), u.end(), shifted.begin() + 1);
  const std::span<double> u_odd(shifted.data() + 1, g.size());
  const std::span<double> n_odd(n_shift.data() + 1, op.coefficient_size());
  REQUIRE(!fplab::fftw_aligned(u_odd.data()));
  op.nonlinear_from_values(u, 0.3, n_ref);
  op.nonlinear_from_values(u_odd, 0.3, n_odd);
  CHECK(max_diff(n_ref, n_odd) == 0.0);
  auto integ = fplab::make_exponential_integrator("etdrk4");
  integ->init(op);
  auto u1 = u;
  run(*integ, op, 0.5, 5, u1);
  run(*integ, op, 0.5, 5, u_odd);
  CHECK(max_diff(u1, u_odd) <= 1e-15 * max_abs(u1));
}

TEST_CASE("spectral operators and exponential integrators refuse what they cannot do, saying why") {
  const Grid2D g{16, 16, -4.0, 4.0, -4.0, 4.0};
  CoefficientEquation fp;
  fp.f = [](double x, double y, double) { return Vec2(-x, -y); };
  fp.K = Mat2::Identity();
  CHECK_THROWS_AS(fplab::make_spectral_operator(fp, g, "zero_flux", estimate()), fplab::InputError);
  CHECK_THROWS_AS(fplab::make_spectral_operator(fp, g, "dirichlet", estimate()), fplab::InputError);
  CoefficientEquation heat;
  heat.K << 1.0, 0.3, 0.3, 1.0;
  CHECK_THROWS_AS(fplab::make_spectral_operator(heat, g, "zero_flux", estimate()),
                  fplab::InputError);

  auto op = fplab::make_spectral_operator(fp, g, "periodic", estimate());
  CHECK_THROWS_WITH_AS(fplab::make_exponential_integrator("exact")->init(*op),
                       doctest::Contains("etdrk4"), fplab::InputError);

  struct Decay : fplab::SpatialOperator {  // u' = −u, not spectral
    std::size_t size() const override { return 4; }
    void explicit_rhs(std::span<const double> u, double, std::span<double> out) override {
      for (std::size_t k = 0; k < 4; ++k) out[k] = -u[k];
    }
  } decay;
  CHECK_THROWS_WITH_AS(fplab::make_exponential_integrator("etdrk4")->init(decay),
                       "solver.integrator: etdrk4 needs solver.method: spectral", fplab::InputError);

  CoefficientEquation scheduled = fp;
  scheduled.d = [](double t) { return 0.05 + t; };
  auto op2 = fplab::make_spectral_operator(scheduled, g, "periodic", estimate());
  CHECK_THROWS_AS(fplab::make_exponential_integrator("if_rk4")->init(*op2), fplab::InputError);
  CHECK_THROWS_AS(fplab::make_exponential_integrator("rk5"), fplab::InputError);
  CHECK_THROWS_AS(fplab::fftw_planning_from_name("patient"), fplab::InputError);
}

TEST_CASE("max_stable_dt: drift bound alone once the linear part is exact") {
  const Grid2D g{32, 32, -8.0, 8.0, -8.0, 8.0};
  CoefficientEquation fp;
  fp.f = [](double x, double y, double) { return Vec2(-x, -2 * y); };
  fp.K = Mat2::Identity();
  fplab::FourierOperator op(fp, g, estimate());
  const double kmax = pi / g.dx();
  // max|f_x| and max|f_y| at the outermost cell centres.
  const double drift_rho = (8.0 - g.dx() / 2) * kmax + 2 * (8.0 - g.dy() / 2) * kmax;
  CHECK(op.max_stable_dt(0.0) == doctest::Approx(1.0 / (drift_rho + 2 * kmax * kmax)));
  auto integ = fplab::make_exponential_integrator("etdrk4");
  integ->init(op);
  CHECK(op.max_stable_dt(0.0) == doctest::Approx(1.0 / drift_rho));
}

TEST_CASE("FFTW wisdom is cached under $XDG_CACHE_HOME/fplab, else ~/.cache/fplab") {
  const char* old_xdg = std::getenv("XDG_CACHE_HOME");
  const std::string saved = old_xdg ? old_xdg : "";
  setenv("XDG_CACHE_HOME", "/tmp/fplab-xdg", 1);
  CHECK(fplab::fftw_wisdom_path() == "/tmp/fplab-xdg/fplab/fftw-wisdom");
  unsetenv("XDG_CACHE_HOME");
  if (const char* home = std::getenv("HOME"))
    CHECK(fplab::fftw_wisdom_path() == std::string(home) + "/.cache/fplab/fftw-wisdom");
  if (old_xdg) setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}
