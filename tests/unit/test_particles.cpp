// Particles of `fplab sample` (docs/reference.md §7): reproducible draws, exact starts, walls that
// keep or count every particle, and the refusals of dynamics that do not fit.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "solver/errors.hpp"
#include "tests/particle_support.hpp"

using namespace fplab;
using namespace fplab::test;

namespace {

double mass_of(const CaseSpec& c, const std::vector<double>& p) {
  double m = 0;
  for (const double v : p) m += v;
  return m * (c.x1 - c.x0) / c.nx * (c.y1 - c.y0) / c.ny;
}

// Positions after a run on `threads` threads.
LastParticles positions(const CaseSpec& spec, int threads) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  Sampled s = sample(spec);
  omp_set_num_threads(before);
  return s.particles;
}

}  // namespace

TEST_CASE("particles: the same seed gives bit-identical positions with 1 and 2 threads") {
  // An SDE with a score (the reverse SDE, λ = 1) and an expression drift: every path that
  // evaluates a batch in parallel.
  for (const auto& sets : std::vector<std::vector<std::string>>{
           {"particles={n: 20000, seed: 7, scheme: weak2, dt: 0.05, store: 20000}",
            "time.t_end=0.5"},
           {"equation.drift={type: expression, fx: '-x + sin(y)', fy: '-y*t'}",
            "particles={n: 20000, seed: 7, scheme: euler_maruyama, dt: 0.05, store: 20000}",
            "time.t_end=0.5"}}) {
    const std::string file =
        sets.size() == 2 ? "cases/mixture_reverse_exact.yaml" : "cases/ou_gaussian.yaml";
    const CaseSpec spec = particle_case(file, sets);
    const LastParticles one = positions(spec, 1), two = positions(spec, 2);
    REQUIRE(one.x.size() == 20000);
    CHECK(one.x == two.x);
    CHECK(one.y == two.y);
    // And a different seed moves them differently.
    CaseSpec other = spec;
    other.particles.seed = 8;
    CHECK(positions(other, 2).x != two.x);
  }
}

TEST_CASE("particles: a Gaussian start is drawn exactly (mean and covariance within 5 sigma)") {
  const CaseSpec spec = particle_case(
      "cases/ou_gaussian.yaml", {"particles={n: 400000, store: 400000, dt: 1e-3}", "time.t_end=1e-3"});
  CaseSpec at0 = spec;
  Sampled s = sample(at0);
  const auto& p = s.particles;
  double mx = 0, my = 0;
  for (std::size_t k = 0; k < p.x.size(); ++k) mx += p.x[k], my += p.y[k];
  const double n = static_cast<double>(p.x.size());
  mx /= n, my /= n;
  // After t = 1e-3 of OU: mean (1.5, −1)·e^{−t}, variance 0.25 e^{−2t} + 1 − e^{−2t}.
  const double e = std::exp(-1e-3), var = 0.25 * e * e + 1 - e * e;
  const double sigma = std::sqrt(var / n);
  CHECK(std::abs(mx - 1.5 * e) < 5 * sigma);
  CHECK(std::abs(my + 1.0 * e) < 5 * sigma);
  double vxx = 0;
  for (const double x : p.x) vxx += (x - mx) * (x - mx);
  CHECK(std::abs(vxx / n - var) < 5 * var * std::sqrt(2.0 / n));
}

TEST_CASE("particles: reflecting walls keep every particle inside and the mass at 1") {
  // N(0, I) wants out of [−1.5, 1.5]²: the walls reflect a third of the particles every unit time.
  const CaseSpec spec = particle_case(
      "cases/ou_gaussian.yaml",
      {"domain={x: [-1.5, 1.5], y: [-1.5, 1.5]}", "grid={nx: 32, ny: 32}",
       "initial={type: gaussian, mean: [0, 0], cov: [[0.05, 0], [0, 0.05]]}",
       "particles={n: 50000, dt: 0.01, store: 50000}", "time={t_end: 1, output_every: 0.5}"});
  Sampled s = sample(spec);
  const auto& p = s.particles;
  CHECK(p.n_alive == 50000);
  for (std::size_t k = 0; k < p.x.size(); ++k) {
    REQUIRE(p.x[k] >= -1.5);
    REQUIRE(p.x[k] <= 1.5);
    REQUIRE(p.y[k] >= -1.5);
    REQUIRE(p.y[k] <= 1.5);
  }
  CHECK(mass_of(spec, s.grid.density) == doctest::Approx(1.0).epsilon(1e-9));
  // The walls did act: the equilibrium on the box is nearly uniform, so the far side filled up.
  const auto left = std::count_if(p.x.begin(), p.x.end(), [](double x) { return x < -1.0; });
  CHECK(left > 50000 / 20);
}

TEST_CASE("particles: periodic walls wrap every particle into the box and keep the mass") {
  const CaseSpec spec = particle_case(
      "cases/ou_gaussian.yaml",
      {"boundary=periodic", "equation.drift={type: expression, fx: '3', fy: '-2'}",
       "particles={n: 20000, dt: 0.01, store: 20000}", "time={t_end: 4, output_every: 2}"});
  Sampled s = sample(spec);
  const auto& p = s.particles;
  for (std::size_t k = 0; k < p.x.size(); ++k) {
    REQUIRE(p.x[k] >= -6.0);
    REQUIRE(p.x[k] < 6.0);
    REQUIRE(p.y[k] >= -6.0);
    REQUIRE(p.y[k] < 6.0);
  }
  CHECK(mass_of(spec, s.grid.density) == doctest::Approx(1.0).epsilon(1e-9));
}

TEST_CASE("particles: dynamics that do not fit the case are refused naming the key") {
  auto refused = [](const std::string& file, const std::vector<std::string>& sets,
                    const std::string& word) {
    const CaseSpec spec = particle_case(file, sets);
    try {
      sample(spec);
      FAIL("accepted: ", word);
    } catch (const InputError& e) {
      CHECK(std::string(e.what()).find(word) != std::string::npos);
    }
  };
  refused("cases/bgk_relaxation.yaml", {}, "no particle");
  refused("cases/ou_gaussian.yaml", {"particles.scheme=heun"}, "particles.scheme");
  refused("cases/potential_double_well.yaml", {"particles.flow=ode"}, "particles.flow");
  refused("cases/mixture_reverse_exact.yaml", {"particles.flow=sde"}, "particles.flow");
}

TEST_CASE("particles: the kernel density estimate carries the surviving mass") {
  const CaseSpec spec = particle_case(
      "cases/ou_gaussian.yaml", {"grid={nx: 64, ny: 64}", "time={t_end: 0.2, output_every: 0.1}",
                                 "particles={n: 20000, dt: 0.05, bandwidth: 0.15}"});
  const Sampled s = sample(spec);
  CHECK(mass_of(spec, s.grid.density) == doctest::Approx(1.0).epsilon(1e-9));
  // Smoother than the histogram of the same particles (20 per occupied cell at 64²): its L1
  // error is smaller, the kernel's bias (variance + 0.0225) below the histogram's noise.
  CaseSpec hist = spec;
  hist.particles.bandwidth = 0;
  CHECK(s.grid.diagnostic("l1_error") < sample(hist).grid.diagnostic("l1_error"));
}
