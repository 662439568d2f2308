// The particle view against theory (docs/reference.md §7): weak orders of the particle schemes
// against the exact moment ODEs, the histogram's N^(−1/2) law, the probability-flow ODE landing
// on the data, and absorption against the grid solver's outflow.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "solver/gaussian_flow.hpp"
#include "solver/simulation.hpp"
#include "tests/particle_support.hpp"

using namespace fplab;
using namespace fplab::test;

namespace {

struct Moments {
  Vec2 mean = Vec2::Zero();
  Mat2 cov = Mat2::Zero();
};

Moments moments(const std::vector<double>& x, const std::vector<double>& y) {
  Moments m;
  const double n = static_cast<double>(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) m.mean += Vec2(x[k], y[k]);
  m.mean /= n;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const Vec2 d = Vec2(x[k], y[k]) - m.mean;
    m.cov += d * d.transpose();
  }
  m.cov /= n;
  return m;
}

// OU (f = −x, D = I) from N((1.5, −1), 0.25 I) to t = 1, all particles kept.
CaseSpec ou_particles(const std::string& scheme, const std::string& flow, double dt, long n) {
  return particle_case(
      "cases/ou_gaussian.yaml",
      {"time={t_end: 1, output_every: 1}", "output.formats=[hdf5]",
       "particles={n: " + std::to_string(n) + ", seed: 3, scheme: " + scheme + ", flow: " + flow +
           ", dt: " + std::to_string(dt) + ", store: " + std::to_string(n) + "}"});
}

double moment_error(const Moments& got, const Moments& want) {
  return (got.mean - want.mean).norm() + (got.cov - want.cov).norm();
}

// The exact moments at t = 1: the moment ODEs' flow map applied to the start's moments.
GaussianMoments exact_at_1(const CaseSpec& c) {
  const GaussianFlow flow(Schedule(c.equation.schedule), c.equation.drift.C, c.equation.D);
  return flow.evolve(GaussianMoments{c.initial.means[0], c.initial.covs[0]}, 1.0);
}

// Weak errors of an SDE scheme at the given steps: |E X − m(1)| + ‖Cov X − Σ(1)‖.
std::vector<double> sde_errors(const std::string& scheme, const std::vector<double>& dts, long n) {
  std::vector<double> err;
  for (const double dt : dts) {
    const CaseSpec c = ou_particles(scheme, "sde", dt, n);
    const Sampled s = sample(c);
    const GaussianMoments ex = exact_at_1(c);
    err.push_back(moment_error(moments(s.particles.x, s.particles.y), {ex.mean, ex.cov}));
    std::printf("  %s dt = %-7.4g weak error %.3e\n", scheme.c_str(), dt, err.back());
  }
  return err;
}

}  // namespace

TEST_CASE("particles: weak order 1 of Euler–Maruyama and 2 of weak2 on OU against the moment ODEs") {
  // 4e6 particles: the statistical error of the moments (~1e-3) stays below the bias measured.
  const long n = 4'000'000;
  const std::vector<double> em_dt{0.2, 0.1, 0.05, 0.025};
  const auto em = sde_errors("euler_maruyama", em_dt, n);
  const double em_order = log_slope(em_dt, em);
  std::printf("  euler_maruyama weak order %.2f\n", em_order);
  CHECK(em_order == doctest::Approx(1.0).epsilon(0.2));
  const std::vector<double> w2_dt{0.5, 0.25, 0.125};
  const auto w2 = sde_errors("weak2", w2_dt, n);
  const double w2_order = log_slope(w2_dt, w2);
  std::printf("  weak2 weak order %.2f\n", w2_order);
  CHECK(w2_order == doctest::Approx(2.0).epsilon(0.15));
}

TEST_CASE("particles: Heun and RK4 on the probability-flow ODE converge at orders 2 and 4") {
  // The flow of an OU Gaussian is affine, X(t) = m(t) + A(t)(X₀ − m₀) with A = Σ(t)^½ Σ₀^−½
  // (here Σ ∝ I): the particles' exact moments at t = 1 are those of their own start, mapped.
  const long n = 200'000;
  for (const auto& [scheme, order, dts] :
       std::vector<std::tuple<std::string, double, std::vector<double>>>{
           {"heun", 2.0, {0.2, 0.1, 0.05, 0.025}}, {"rk4", 4.0, {0.2, 0.1, 0.05, 0.025}}}) {
    std::vector<double> err;
    for (const double dt : dts) {
      CaseSpec start = ou_particles(scheme, "ode", 1.0, n);
      start.time.t_end = start.time.output_every = 1e-300;  // the start itself
      const Sampled s0 = sample(start);
      const Moments m0 = moments(s0.particles.x, s0.particles.y);
      const CaseSpec c = ou_particles(scheme, "ode", dt, n);
      const Sampled s = sample(c);
      const GaussianMoments ex = exact_at_1(c);
      const double a = std::sqrt(ex.cov(0, 0) / c.initial.covs[0](0, 0));
      const Moments want{ex.mean + a * (m0.mean - c.initial.means[0]), a * a * m0.cov};
      err.push_back(moment_error(moments(s.particles.x, s.particles.y), want));
      std::printf("  %s dt = %-7.4g error %.3e\n", scheme.c_str(), dt, err.back());
    }
    // The finest pair: the coarse steps are not yet asymptotic (h·|∂v/∂x| = 0.6 at dt = 0.2).
    const double observed = std::log2(err[err.size() - 2] / err.back());
    std::printf("  %s order %.2f\n", scheme.c_str(), observed);
    CHECK(observed == doctest::Approx(order).epsilon(0.1));
  }
}

TEST_CASE("particles: the histogram's L1 error falls like N^(-1/2)") {
  // OU at t = 1 on 64² against the exact cell averages; weak2 at dt = 0.01 keeps the scheme's
  // bias (~1e-5) far below the sampling error, so the slope is the histogram's own.
  std::vector<double> ns{1e4, 1e5, 1e6}, l1;
  for (const double n : ns) {
    const CaseSpec c = particle_case(
        "cases/ou_gaussian.yaml",
        {"grid={nx: 64, ny: 64}", "time={t_end: 1, output_every: 1}", "output.formats=[hdf5]",
         "particles={n: " + std::to_string(static_cast<long>(n)) + ", scheme: weak2, dt: 0.01}"});
    const Sampled s = sample(c);
    l1.push_back(s.grid.diagnostic("l1_error"));
    std::printf("  N = %-8.0f histogram L1 %.4e\n", n, l1.back());
  }
  const double slope = log_slope(ns, l1);
  std::printf("  slope %.3f\n", slope);
  CHECK(slope == doctest::Approx(-0.5).epsilon(0.1));
}

TEST_CASE("particles: the probability-flow ODE carries the prior N(0, I) at T = 2 to the three-Gaussian data") {
  // Heun, exact score, 1e6 particles, histogram at 128²: l1_to_data at τ = T.
  const CaseSpec c = particle_case(
      "cases/mixture_reverse_exact.yaml",
      {"equation.lambda=0", "initial={type: gaussian, mean: [0, 0], cov: [[1, 0], [0, 1]]}",
       "time={t_end: 2, output_every: 2}", "output.formats=[hdf5]",
       "particles={n: 1000000, scheme: heun, dt: 0.01}"});
  const Sampled s = sample(c);
  const double l1 = s.grid.diagnostic("l1_to_data");
  std::printf("  l1_to_data at tau = T: %.4e\n", l1);
  CHECK(l1 < 5e-2);
}

TEST_CASE("particles: absorbing walls lose the grid solver's outflow within the statistical error") {
  // OU from N((0.5, 0), 0.25 I) in [−2, 2]² with absorbing walls to t = 1: the grid solver's
  // outflow (FV muscl, 64²: within 1e-3 of 128²'s) against the particles' with the Brownian-bridge test.
  const std::vector<std::string> sets{
      "domain={x: [-2, 2], y: [-2, 2]}", "grid={nx: 64, ny: 64}", "boundary=dirichlet",
      "initial={type: gaussian, mean: [0.5, 0], cov: [[0.25, 0], [0, 0.25]]}",
      "time={t_end: 1, output_every: 0.5}", "output.formats=[hdf5]",
      "particles={n: 200000, scheme: weak2, dt: 0.002}"};
  const CaseSpec c = particle_case("cases/ou_gaussian.yaml", sets);
  const SimulationResult grid = simulate(c, {});
  double grid_outflow = NAN;
  for (const auto& [name, v] : grid.final_row)
    if (name == "outflow") grid_outflow = v;
  const Sampled s = sample(c);
  const double particle_outflow = s.grid.diagnostic("outflow");
  const double p = particle_outflow, sigma = std::sqrt(p * (1 - p) / 200000.0);
  std::printf("  outflow: grid %.5f, particles %.5f (sigma %.5f)\n", grid_outflow, p, sigma);
  CHECK(grid_outflow > 0.1);  // the walls matter
  CHECK(std::abs(particle_outflow - grid_outflow) < 4 * sigma + 1e-3);
}

TEST_CASE("particles: a degenerate D (kinetic Fokker–Planck) and the VP schedule keep the exact moments") {
  // weak2 at dt 0.01 (bias ~1e-4) with 1e6 particles: mean and covariance within 5 standard errors
  // of the moment ODEs' (the noise reaches x only through the drift when D = diag(0, 1)). In the
  // kinetic case the x-velocity is never diffused: a full-rank square root would spread x at once.
  for (const auto& [file, t_end] : std::vector<std::pair<std::string, double>>{
           {"cases/kinetic_fp.yaml", 1.0}, {"cases/vp_schedule.yaml", 0.5}}) {
    const CaseSpec c = particle_case(
        file, {"initial={type: gaussian, mean: [2, 0], cov: [[0.25, 0], [0, 0.25]]}",
               "time={t_end: " + std::to_string(t_end) + ", output_every: " +
                   std::to_string(t_end) + "}",
               "output.formats=[hdf5]",
               "particles={n: 1000000, scheme: weak2, dt: 0.01, store: 1000000}"});
    const Sampled s = sample(c);
    const Moments got = moments(s.particles.x, s.particles.y);
    const GaussianFlow flow(Schedule(c.equation.schedule), c.equation.drift.C, c.equation.D);
    const GaussianMoments want =
        flow.evolve(GaussianMoments{c.initial.means[0], c.initial.covs[0]}, t_end);
    const double n = 1e6;
    for (int i = 0; i < 2; ++i) {
      CHECK(std::abs(got.mean[i] - want.mean[i]) < 5 * std::sqrt(want.cov(i, i) / n));
      for (int j = 0; j < 2; ++j) {
        const double se =
            std::sqrt((want.cov(i, i) * want.cov(j, j) + want.cov(i, j) * want.cov(i, j)) / n);
        CHECK(std::abs(got.cov(i, j) - want.cov(i, j)) < 5 * se + 1e-4);
      }
    }
    std::printf("  %s: mean (%.4f, %.4f) vs (%.4f, %.4f), cov_xx %.4f vs %.4f\n", file.c_str(),
                got.mean[0], got.mean[1], want.mean[0], want.mean[1], got.cov(0, 0),
                want.cov(0, 0));
  }
}
