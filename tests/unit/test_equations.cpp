// Tests of the closed-form side of the equations (docs/reference.md §1, §5): Gaussian-mixture cell averages
// and scores, schedules, the Gaussian moment flow against the closed forms of OU, heat and
// Song et al. (2021), the Lyapunov equation, and the Equation objects (drifts, equilibria, exact
// solutions that satisfy their PDE).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/equations/equation.hpp"
#include "solver/equations/fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/gaussian_flow.hpp"
#include "solver/schedule.hpp"
#include "solver/score/mixture_score.hpp"

using namespace fplab;

namespace {

Mat2 mat(double a, double b, double c, double d) {
  Mat2 M;
  M << a, b, c, d;
  return M;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t k = 0; k < a.size(); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

ScheduleSpec schedule_spec(const std::string& type) {
  ScheduleSpec s;
  s.type = type;
  return s;
}

// ∇p and the Hessian of a mixture density at (x, y), from the Gaussian formulas
// ∇N = −N P u, ∇²N = N (P u uᵀ P − P), u = x − m, P = Σ⁻¹.
void mixture_derivatives(const GaussianMixture& p, const Vec2& x, Vec2& grad, Mat2& hess) {
  grad.setZero();
  hess.setZero();
  for (std::size_t k = 0; k < p.weights.size(); ++k) {
    const Mat2 P = p.covs[k].inverse();
    const Vec2 u = x - p.means[k];
    const double n = p.weights[k] * std::exp(-0.5 * u.dot(P * u)) /
                     (2 * std::numbers::pi * std::sqrt(p.covs[k].determinant()));
    grad -= n * P * u;
    hess += n * (P * u * u.transpose() * P - P);
  }
}

CaseSpec ou_case() {
  CaseSpec c;
  c.x0 = c.y0 = -7;
  c.x1 = c.y1 = 7;
  c.nx = c.ny = 56;
  c.initial.type = "gaussian";
  c.initial.means = {Vec2(1.0, -0.5)};
  c.initial.covs = {mat(0.3, 0.05, 0.05, 0.4)};
  return c;
}

Grid2D grid_of(const CaseSpec& c) { return {c.nx, c.ny, c.x0, c.x1, c.y0, c.y1}; }

}  // namespace

TEST_CASE("cell averages of a diagonal Gaussian equal the exact erf products") {
  const Grid2D g{37, 29, -3.0, 4.0, -5.0, 2.0};
  const Vec2 m(0.3, -1.1);
  const double sx = std::sqrt(0.5), sy = std::sqrt(1.3);
  const GaussianMixture p{{1.0}, {m}, {mat(0.5, 0, 0, 1.3)}};
  std::vector<double> avg(g.size()), ref(g.size());
  p.cell_averages(g, avg);
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      ref[g.index(i, j)] =
          (normal_cdf((g.x_edge(i + 1) - m(0)) / sx) - normal_cdf((g.x_edge(i) - m(0)) / sx)) *
          (normal_cdf((g.y_edge(j + 1) - m(1)) / sy) - normal_cdf((g.y_edge(j) - m(1)) / sy)) /
          g.cell_area();
  CHECK(max_abs_diff(avg, ref) < 1e-14);
  // A 2-point rule is visibly worse: the comparison can tell quadratures apart.
  std::vector<double> avg2(g.size());
  p.cell_averages(g, avg2, 2);
  CHECK(max_abs_diff(avg2, ref) > 1e-7);
}

TEST_CASE("cell averages of a correlated Gaussian hold its mass and converge at order 2") {
  const GaussianMixture p{{1.0}, {Vec2(0.4, -0.2)}, {mat(0.6, 0.35, 0.35, 0.9)}};
  std::vector<double> err;
  for (int n : {48, 96, 192}) {
    const Grid2D g{n, n, -12, 12, -12, 12};
    std::vector<double> avg(g.size());
    p.cell_averages(g, avg);
    double mass = 0;
    for (double v : avg) mass += v;
    CHECK(std::abs(mass * g.cell_area() - 1.0) < 1e-12);
    // Cell average − centre value = (dx²/24)∂xx p + (dy²/24)∂yy p + O(h⁴).
    double e = 0;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        e = std::max(e, std::abs(avg[g.index(i, j)] - p.pdf(g.xc(i), g.yc(j))));
    err.push_back(e);
  }
  for (std::size_t k = 1; k < err.size(); ++k) {
    const double order = std::log2(err[k - 1] / err[k]);
    CHECK(order == doctest::Approx(2.0).epsilon(0.03));
  }
}

TEST_CASE("cell averages of components narrower than a cell: exact values and mass") {
  // σ = 0.02, 0.03 on cells of width 0.25: only the sub-cell composite rule resolves it.
  const Grid2D g{64, 64, -8, 8, -8, 8};
  const Vec2 m(0.11, -0.37);
  const double sx = 0.02, sy = 0.03;
  std::vector<double> avg(g.size()), ref(g.size());
  GaussianMixture{{1.0}, {m}, {mat(sx * sx, 0, 0, sy * sy)}}.cell_averages(g, avg);
  double peak = 0;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const double v =
          (normal_cdf((g.x_edge(i + 1) - m(0)) / sx) - normal_cdf((g.x_edge(i) - m(0)) / sx)) *
          (normal_cdf((g.y_edge(j + 1) - m(1)) / sy) - normal_cdf((g.y_edge(j) - m(1)) / sy)) /
          g.cell_area();
      ref[g.index(i, j)] = v;
      peak = std::max(peak, v);
    }
  CHECK(max_abs_diff(avg, ref) < 1e-13 * peak);
  // A correlated narrow component next to a wide one, 9σ inside the domain: total mass 1.
  const GaussianMixture p{
      {0.3, 0.7}, {Vec2(0.11, -0.37), Vec2(-1, 1)}, {mat(4e-4, 1e-4, 1e-4, 5e-4), mat(1, 0, 0, 1)}};
  const Grid2D big{80, 80, -10, 10, -10, 10};
  std::vector<double> pm(big.size());
  p.cell_averages(big, pm);
  double mass = 0;
  for (double v : pm) mass += v;
  CHECK(std::abs(mass * big.cell_area() - 1.0) < 1e-12);
}

TEST_CASE("score of a Gaussian is −Σ⁻¹(x − m), of a mixture the gradient of log p") {
  const Mat2 S = mat(0.7, -0.2, -0.2, 0.5);
  const Vec2 m(0.5, 1.0);
  const GaussianMixture g1{{1.0}, {m}, {S}};
  for (const Vec2& x : {Vec2(0, 0), Vec2(-2, 3), Vec2(40, -35)}) {
    const Vec2 expect = -S.inverse() * (x - m);
    CHECK((fplab::MixtureScore(g1).at(x(0), x(1)) - expect).norm() < 1e-12 * (1 + expect.norm()));
  }
  const GaussianMixture mix{{0.4, 0.6}, {Vec2(-1, 0), Vec2(1.5, 0.5)}, {S, mat(0.3, 0, 0, 1.2)}};
  const double h = 1e-5;
  for (const Vec2& x : {Vec2(0.1, 0.2), Vec2(-1.3, 0.8), Vec2(2.0, -1.0)}) {
    const Vec2 s = fplab::MixtureScore(mix).at(x(0), x(1));
    const double fx =
        (std::log(mix.pdf(x(0) + h, x(1))) - std::log(mix.pdf(x(0) - h, x(1)))) / (2 * h);
    const double fy =
        (std::log(mix.pdf(x(0), x(1) + h)) - std::log(mix.pdf(x(0), x(1) - h))) / (2 * h);
    CHECK(s(0) == doctest::Approx(fx).epsilon(1e-8));
    CHECK(s(1) == doctest::Approx(fy).epsilon(1e-8));
  }
  // Far in the tails every component underflows; the score stays finite (log-sum-exp).
  const Vec2 far = fplab::MixtureScore(mix).at(60, -50);
  CHECK(far.allFinite());
}

TEST_CASE("mixture_from_spec normalises weights and rejects a covariance that is not SPD") {
  DensitySpec d;
  d.type = "mixture";
  d.weights = {1.0, 3.0};
  d.means = {Vec2(0, 0), Vec2(1, 1)};
  d.covs = {Mat2::Identity(), Mat2::Identity()};
  const GaussianMixture g = mixture_from_spec(d);
  CHECK(g.weights[0] == doctest::Approx(0.25));
  CHECK(g.weights[1] == doctest::Approx(0.75));
  d.covs[1] = mat(1, 2, 2, 1);  // eigenvalues 3, −1
  CHECK_THROWS_AS(mixture_from_spec(d), InputError);
  CaseSpec c = ou_case();
  c.initial.type = "from_run";
  std::vector<double> out(grid_of(c).size());
  CHECK_THROWS_WITH_AS(initial_density(c, grid_of(c), out, Sampling::cell_average),
                       doctest::Contains("initial.type"), InputError);
}

TEST_CASE("schedules: a, d and their integrals at a few times against hand computation") {
  const Schedule constant;
  CHECK(constant.a(0.3) == 1.0);
  CHECK(constant.d(0.3) == 1.0);
  CHECK(constant.a_integral(0.3) == doctest::Approx(0.3));

  // vp, β_min = 0.1, β_max = 20: β(0.5) = 10.05, ∫₀^0.5 β = 0.05 + 0.125·19.9 = 2.5375.
  const Schedule vp(schedule_spec("vp"));
  CHECK(vp.beta(0.5) == doctest::Approx(10.05).epsilon(1e-14));
  CHECK(vp.beta_integral(0.5) == doctest::Approx(2.5375).epsilon(1e-14));
  CHECK(vp.a(0.5) == doctest::Approx(5.025).epsilon(1e-14));
  CHECK(vp.d(0.5) == doctest::Approx(5.025).epsilon(1e-14));
  CHECK(vp.a(0.0) == doctest::Approx(0.05).epsilon(1e-14));
  CHECK(vp.d(1.0) == doctest::Approx(10.0).epsilon(1e-14));

  // subvp: d(0.5) = 5.025 (1 − e^{−5.075}), d(0) = 0.
  const Schedule sub(schedule_spec("subvp"));
  CHECK(sub.a(0.5) == doctest::Approx(5.025).epsilon(1e-14));
  CHECK(sub.d(0.5) == doctest::Approx(5.025 * (1 - std::exp(-5.075))).epsilon(1e-14));
  CHECK(sub.d(0.0) == 0.0);

  // ve, σ_min = 0.01, σ_max = 50: σ(0.5) = 0.01·√5000, d = σ² log 5000, a = 0.
  const Schedule ve(schedule_spec("ve"));
  CHECK(ve.sigma(0.5) == doctest::Approx(0.01 * std::sqrt(5000.0)).epsilon(1e-14));
  CHECK(ve.d(0.5) == doctest::Approx(0.5 * std::log(5000.0)).epsilon(1e-13));
  CHECK(ve.d(1.0) == doctest::Approx(2500.0 * std::log(5000.0)).epsilon(1e-13));
  CHECK(ve.a(0.7) == 0.0);

  ScheduleSpec bad = schedule_spec("ve");
  bad.sigma_max = 0.001;
  CHECK_THROWS_WITH_AS(Schedule{bad}, doctest::Contains("sigma_max"), InputError);
  CHECK_THROWS_AS(Schedule{schedule_spec("cosine")}, InputError);
}

TEST_CASE("schedules: the integrals of a and d equal Simpson quadrature of a and d") {
  for (const std::string type : {"constant", "vp", "subvp", "ve"}) {
    const Schedule s(schedule_spec(type));
    const double t = 0.8;
    const int n = 20000;
    const double h = t / n;
    double ia = 0, id = 0;
    for (int k = 0; k <= n; ++k) {
      const double w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
      ia += w * s.a(k * h);
      id += w * s.d(k * h);
    }
    ia *= h / 3;
    id *= h / 3;
    CAPTURE(type);
    CHECK(s.a_integral(t) == doctest::Approx(ia).epsilon(1e-11));
    CHECK(s.d_integral(t) == doctest::Approx(id).epsilon(1e-11));
  }
}

TEST_CASE("moment flow: Ornstein–Uhlenbeck and heat closed forms") {
  const Mat2 S0 = mat(0.3, 0.1, 0.1, 2.0);
  const Vec2 m0(1.5, -1.0);
  const GaussianFlow ou(Schedule{}, Mat2::Identity(), Mat2::Identity());
  for (double t : {0.0, 0.3, 1.0, 4.0}) {
    const GaussianMoments g = ou.evolve({m0, S0}, t);
    CHECK((g.mean - m0 * std::exp(-t)).norm() < 1e-13);
    const Mat2 S = S0 * std::exp(-2 * t) + (1 - std::exp(-2 * t)) * Mat2::Identity();
    CHECK((g.cov - S).norm() < 1e-13);
  }
  // Heat: C = 0, Σ = Σ₀ + 2Dt.
  const Mat2 D = mat(0.6, 0.2, 0.2, 0.3);
  const GaussianFlow heat(Schedule{}, Mat2::Zero(), D);
  const GaussianMoments g = heat.evolve({m0, S0}, 0.7);
  CHECK((g.mean - m0).norm() < 1e-15);
  CHECK((g.cov - (S0 + 1.4 * D)).norm() < 1e-13);
}

TEST_CASE("moment flow: VP, sub-VP and VE against the closed forms of Song et al. (2021)") {
  const Mat2 S0 = mat(0.2, -0.05, -0.05, 0.4);
  const Vec2 m0(2.0, -1.0);
  const Mat2 I = Mat2::Identity();
  const Schedule vp(schedule_spec("vp")), sub(schedule_spec("subvp")), ve(schedule_spec("ve"));
  for (double t : {0.05, 0.5, 1.0}) {
    CAPTURE(t);
    const double B = vp.beta_integral(t);
    // VP: mean m₀e^{−B/2}, Σ = Σ₀e^{−B} + (1 − e^{−B}) I.
    const GaussianMoments g = GaussianFlow(vp, I, I).evolve({m0, S0}, t);
    CHECK((g.mean - m0 * std::exp(-0.5 * B)).norm() < 1e-12);
    CHECK((g.cov - (S0 * std::exp(-B) + (1 - std::exp(-B)) * I)).norm() < 1e-12);
    // sub-VP: Σ = Σ₀e^{−B} + (1 − e^{−B})² I.
    const GaussianMoments gs = GaussianFlow(sub, I, I).evolve({m0, S0}, t);
    CHECK((gs.mean - m0 * std::exp(-0.5 * B)).norm() < 1e-12);
    CHECK((gs.cov - (S0 * std::exp(-B) + std::pow(1 - std::exp(-B), 2) * I)).norm() < 1e-12);
    // VE: mean fixed, Σ = Σ₀ + (σ(t)² − σ_min²) I.
    const GaussianMoments gv = GaussianFlow(ve, I, I).evolve({m0, S0}, t);
    CHECK((gv.mean - m0).norm() < 1e-15);
    const double s2 = ve.sigma(t) * ve.sigma(t) - 1e-4;
    CHECK((gv.cov - (S0 + s2 * I)).norm() < 1e-12 * (1 + s2));
  }
}

TEST_CASE("moment flow: the closed form agrees with RK4 for non-normal C and degenerate D") {
  const Mat2 C = mat(0.0, -1.0, 1.0, 1.0);  // kinetic Fokker–Planck
  const Mat2 C2 = mat(1.0, 2.0, -0.5, 1.5);
  const Mat2 D = mat(0.0, 0.0, 0.0, 1.0);
  const GaussianMoments g0{Vec2(1.0, -2.0), mat(0.3, 0.1, 0.1, 0.2)};
  for (const std::string type : {"constant", "vp", "subvp", "ve"})
    for (const Mat2& c : {C, C2}) {
      const Schedule s(schedule_spec(type));
      const double t = type == "ve" ? 0.6 : 1.0;
      const GaussianMoments a = GaussianFlow(s, c, D).evolve(g0, t);
      const GaussianMoments b = gaussian_flow_rk4(s, c, D, g0, t, 4000);
      CAPTURE(type);
      const double scale = 1 + a.cov.norm();
      CHECK((a.mean - b.mean).norm() < 1e-10);
      CHECK((a.cov - b.cov).norm() < 1e-10 * scale);
    }
}

TEST_CASE("stationary covariance from the Lyapunov equation CΣ + ΣCᵀ = 2D") {
  // Kinetic Fokker–Planck: C = [[0,−1],[1,1]], D = diag(0,1) ⇒ Σ∞ = I.
  const Mat2 Ck = mat(0, -1, 1, 1), Dk = mat(0, 0, 0, 1);
  const auto Sk = stationary_covariance(Ck, Dk);
  REQUIRE(Sk.has_value());
  CHECK((*Sk - Mat2::Identity()).norm() < 1e-14);
  // The flow tends to it from any start (hypocoercivity: the rate is Re λ(C) = ½).
  const GaussianMoments far =
      GaussianFlow(Schedule{}, Ck, Dk).evolve({Vec2(3, -1), mat(0.1, 0, 0, 2)}, 80.0);
  CHECK((far.cov - Mat2::Identity()).norm() < 1e-12);
  CHECK(far.mean.norm() < 1e-12);

  const Mat2 C = mat(1.0, 2.0, -0.5, 1.5), D = mat(1.0, 0.3, 0.3, 0.5);
  const auto S = stationary_covariance(C, D);
  REQUIRE(S.has_value());
  CHECK((C * *S + *S * C.transpose() - 2 * D).norm() < 1e-12);
  CHECK(std::abs((*S)(0, 1) - (*S)(1, 0)) == 0.0);

  CHECK_FALSE(stationary_covariance(mat(0, -1, 1, 0), Mat2::Identity()));  // rotation: Re λ = 0
  CHECK_FALSE(stationary_covariance(mat(-1, 0, 0, 1), Mat2::Identity()));  // unstable
  CHECK_FALSE(stationary_covariance(Mat2::Identity(), Dk));  // x never receives noise: singular
}

TEST_CASE("Fokker–Planck exact solution satisfies the PDE for every schedule") {
  // ∂t p = −∇·(f p) + ∇·(K∇p) checked pointwise: ∂t p by 4th-order differences in t of the
  // evolved mixture, the right side from the equation's own drift f and diffusion K.
  EquationSpec eq;
  eq.drift.C = mat(1.0, 0.5, -0.3, 0.8);
  eq.D = mat(0.6, 0.2, 0.2, 0.4);
  DensitySpec init;
  init.type = "mixture";
  init.weights = {0.3, 0.7};
  init.means = {Vec2(1, -1), Vec2(-0.5, 0.8)};
  init.covs = {mat(0.2, 0.05, 0.05, 0.3), mat(0.5, -0.1, -0.1, 0.25)};
  for (const std::string type : {"constant", "vp", "subvp", "ve"}) {
    eq.schedule = schedule_spec(type);
    const FokkerPlanck fp(eq, init, true);
    REQUIRE(fp.has_exact());
    const auto& flow = *fp.linear_flow();
    const GaussianMixture p0 = mixture_from_spec(init);
    const double t = 0.3, h = 1e-3;
    for (const Vec2& x : {Vec2(0.2, 0.1), Vec2(-1.0, 1.5), Vec2(1.4, -0.7)}) {
      auto p_at = [&](double s) { return flow.evolve(p0, s).pdf(x(0), x(1)); };
      const double dpdt =
          (8 * (p_at(t + h) - p_at(t - h)) - (p_at(t + 2 * h) - p_at(t - 2 * h))) / (12 * h);
      const GaussianMixture pt = flow.evolve(p0, t);
      Vec2 grad;
      Mat2 hess;
      mixture_derivatives(pt, x, grad, hess);
      const double p = pt.pdf(x(0), x(1));
      const Vec2 f = fp.drift(x(0), x(1), t);
      const double e = 1e-5;
      const double div_f = (fp.drift(x(0) + e, x(1), t)(0) - fp.drift(x(0) - e, x(1), t)(0) +
                            fp.drift(x(0), x(1) + e, t)(1) - fp.drift(x(0), x(1) - e, t)(1)) /
                           (2 * e);
      const double rhs = -(div_f * p + f.dot(grad)) + (fp.diffusion(t).cwiseProduct(hess)).sum();
      CAPTURE(type);
      CHECK(dpdt == doctest::Approx(rhs).epsilon(1e-8).scale(std::abs(dpdt) + p));
    }
  }
}

TEST_CASE("make_equation: types, exact: none, a reverse equation without score data") {
  CaseSpec c = ou_case();
  auto fp = make_equation(c);
  CHECK(fp->name() == "fokker_planck");
  CHECK(fp->has_drift());
  CHECK(fp->has_diffusion());
  CHECK_FALSE(fp->drift_depends_on_time());
  CHECK(fp->has_exact());
  CHECK(fp->has_equilibrium());
  c.exact = "none";
  CHECK_FALSE(make_equation(c)->has_exact());
  c.exact = "auto";
  c.equation.schedule = schedule_spec("vp");
  auto vp = make_equation(c);
  CHECK(vp->drift_depends_on_time());
  CHECK(vp->diffusion_depends_on_time());
  CHECK_FALSE(vp->has_equilibrium());
  CHECK(vp->has_exact());
  c.equation.type = "heat";
  CHECK(make_equation(c)->name() == "heat");
  c.equation.type = "bgk";
  CHECK(make_equation(c)->has_relaxation());
  c.equation.type = "reverse_fokker_planck";  // an exact score needs its data block
  CHECK_THROWS_WITH_AS(make_equation(c), doctest::Contains("equation.score.data"), InputError);
  c.equation.type = "fokker_plank";
  CHECK_THROWS_AS(make_equation(c), InputError);
  c.equation.type = "fokker_planck";
  c.equation.D = mat(1, 0, 0, -0.1);
  CHECK_THROWS_WITH_AS(make_equation(c), doctest::Contains("equation.diffusion.D"), InputError);
}

TEST_CASE("OU and kinetic Fokker–Planck equilibria are the cell averages of N(0, I)") {
  CaseSpec c = ou_case();
  const Grid2D g = grid_of(c);
  std::vector<double> eq(g.size()), ref(g.size());
  GaussianMixture{{1.0}, {Vec2::Zero()}, {Mat2::Identity()}}.cell_averages(g, ref);
  make_equation(c)->equilibrium(g, eq, Sampling::cell_average);
  CHECK(max_abs_diff(eq, ref) < 1e-14);
  c.equation.drift.C = mat(0, -1, 1, 1);
  c.equation.D = mat(0, 0, 0, 1);
  auto kfp = make_equation(c);
  REQUIRE(kfp->has_equilibrium());
  kfp->equilibrium(g, eq, Sampling::cell_average);
  CHECK(max_abs_diff(eq, ref) < 1e-14);
  // A linear drift with an unstable C has none.
  c.equation.drift.C = mat(0, -1, 1, 0);
  CHECK_FALSE(make_equation(c)->has_equilibrium());
}

TEST_CASE("potential drift: f = −∇U by differences of the expression, equilibrium ∝ e^{−U/kT}") {
  CaseSpec c = ou_case();
  c.equation.drift.type = "potential";
  c.equation.drift.U = "0.5*(x^2 + y^2) + 0.25*x^4";
  auto eq = make_equation(c);
  CHECK_FALSE(eq->has_exact());
  for (const Vec2& x : {Vec2(0.3, -1.2), Vec2(-2.5, 0.7), Vec2(30, 0)}) {
    const Vec2 f = eq->drift(x(0), x(1), 0.0);
    const Vec2 expect(-(x(0) + std::pow(x(0), 3)), -x(1));
    CHECK((f - expect).norm() < 1e-9 * (1 + expect.norm()));
  }
  // Quadratic U with D = 2I: equilibrium N(0, 2I) normalised to mass 1 on the grid.
  c.equation.drift.U = "0.5*(x^2 + y^2)";
  c.equation.D = 2 * Mat2::Identity();
  eq = make_equation(c);
  REQUIRE(eq->has_equilibrium());
  const Grid2D g = grid_of(c);
  std::vector<double> p(g.size()), ref(g.size());
  eq->equilibrium(g, p, Sampling::cell_average);
  GaussianMixture{{1.0}, {Vec2::Zero()}, {2 * Mat2::Identity()}}.cell_averages(g, ref);
  double mass = 0, ref_mass = 0;
  for (std::size_t k = 0; k < p.size(); ++k) mass += p[k], ref_mass += ref[k];
  CHECK(mass * g.cell_area() == doctest::Approx(1.0).epsilon(1e-13));
  for (double& v : ref) v /= ref_mass * g.cell_area();
  CHECK(max_abs_diff(p, ref) < 1e-9);
  // Anisotropic D: no closed-form equilibrium claimed.
  c.equation.D = mat(1, 0, 0, 2);
  CHECK_FALSE(make_equation(c)->has_equilibrium());
  c.equation.drift.U = "0.5*(x^2 + ";
  CHECK_THROWS_WITH_AS(make_equation(c), doctest::Contains("equation.drift.U"), InputError);
  c.equation.drift.U = "x*t";  // U is a function of x, y only
  CHECK_THROWS_AS(make_equation(c), InputError);
}

TEST_CASE("expression drift: values, time dependence and evaluation from OpenMP threads") {
  CaseSpec c = ou_case();
  c.equation.drift.type = "expression";
  c.equation.drift.fx = "sin(x)*y + t";
  c.equation.drift.fy = "x*y^2 - cos(t*y)";
  auto eq = make_equation(c);
  CHECK(eq->drift_depends_on_time());
  const int n = 20000;
  std::vector<double> err(n);
#pragma omp parallel for schedule(dynamic, 64)
  for (int k = 0; k < n; ++k) {
    const double x = -3 + 6.0 * k / n, y = std::sin(0.37 * k), t = 0.001 * (k % 100);
    const Vec2 f = eq->drift(x, y, t);
    err[k] =
        std::abs(f(0) - (std::sin(x) * y + t)) + std::abs(f(1) - (x * y * y - std::cos(t * y)));
  }
  CHECK(*std::max_element(err.begin(), err.end()) < 1e-13);
  c.equation.drift.fy = "x*y";
  c.equation.drift.fx = "-x";
  CHECK_FALSE(make_equation(c)->drift_depends_on_time());
  c.equation.drift.fx = "-x*z";
  CHECK_THROWS_WITH_AS(make_equation(c), doctest::Contains("equation.drift.fx"), InputError);
}

TEST_CASE("heat exact solution: the initial data at t = 0, the C = 0 moment flow later") {
  CaseSpec c = ou_case();
  c.equation.type = "heat";
  c.equation.D = mat(0.5, 0.1, 0.1, 0.2);
  const Grid2D g = grid_of(c);
  auto heat = make_equation(c);
  REQUIRE(heat->has_exact());
  CHECK_FALSE(heat->has_drift());
  CHECK_FALSE(heat->has_equilibrium());
  std::vector<double> ex(g.size()), ref(g.size());
  heat->exact(g, 0.0, ex, Sampling::cell_average);
  initial_density(c, g, ref, Sampling::cell_average);
  CHECK(max_abs_diff(ex, ref) == 0.0);
  // The same problem as a Fokker–Planck equation with C = 0 (matrix-exponential path).
  c.equation.type = "fokker_planck";
  c.equation.drift.C = Mat2::Zero();
  auto fp = make_equation(c);
  CHECK_FALSE(fp->has_drift());
  heat->exact(g, 0.8, ex, Sampling::cell_average);
  fp->exact(g, 0.8, ref, Sampling::cell_average);
  CHECK(max_abs_diff(ex, ref) < 1e-14);
  CHECK(max_abs_diff(ex, std::vector<double>(g.size(), 0.0)) > 0.1);
}

TEST_CASE("BGK exact solution: p₀ at t = 0, relaxes to p_eq, solves dp/dt = (p_eq − p)/τ") {
  CaseSpec c = ou_case();
  c.equation.type = "bgk";
  c.equation.tau = 0.5;
  c.equation.equilibrium.means = {Vec2(-1, 0.5)};
  const Grid2D g = grid_of(c);
  auto bgk = make_equation(c);
  REQUIRE(bgk->has_exact());
  CHECK(bgk->relaxation_time() == 0.5);
  std::vector<double> p(g.size()), p0(g.size()), peq(g.size());
  initial_density(c, g, p0, Sampling::cell_average);
  bgk->equilibrium(g, peq, Sampling::cell_average);
  bgk->exact(g, 0.0, p, Sampling::cell_average);
  CHECK(max_abs_diff(p, p0) < 1e-15);
  CHECK(max_abs_diff(p0, peq) > 0.05);
  bgk->exact(g, 40 * 0.5, p, Sampling::cell_average);
  CHECK(max_abs_diff(p, peq) < 1e-12);
  const double t = 0.4, h = 1e-4;
  std::vector<double> pp(g.size()), pm(g.size());
  bgk->exact(g, t, p, Sampling::cell_average);
  bgk->exact(g, t + h, pp, Sampling::cell_average);
  bgk->exact(g, t - h, pm, Sampling::cell_average);
  double res = 0;
  for (std::size_t k = 0; k < p.size(); ++k)
    res = std::max(res, std::abs((pp[k] - pm[k]) / (2 * h) - (peq[k] - p[k]) / 0.5));
  CHECK(res < 1e-7);
  c.equation.tau = 0.0;
  CHECK_THROWS_WITH_AS(make_equation(c), doctest::Contains("equation.tau"), InputError);
}
