// `fplab steady` through solve_steady_case (no sinks): the stationary density of OU and of the
// rotating OU against N(0, I), the rotating current against (2y, −2x) p with its order under
// refinement, Chang–Cooper's exact discrete equilibrium of a double well, a periodic
// non-equilibrium steady state known exactly, and the refusals of cases without a unique one.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/errors.hpp"
#include "solver/steady_run.hpp"

namespace {

using fplab::CaseSpec;

// One sentence: one line.
bool one_sentence(const std::string& m) {
  return m.find('\n') == std::string::npos && !m.empty();
}

// A fokker_planck case on [−6, 6]² with the given drift block, grid and scheme.
CaseSpec steady_case(const std::string& drift, int n, const std::string& scheme,
                     const std::string& extra = "") {
  const std::string text = "name: steady_test\n"
                           "domain: {x: [-6, 6], y: [-6, 6]}\n"
                           "grid: {nx: " + std::to_string(n) + ", ny: " + std::to_string(n) +
                           "}\n"
                           "boundary: zero_flux\n"
                           "equation:\n  type: fokker_planck\n  drift: " + drift +
                           "\n  diffusion: {D: [[1, 0], [0, 1]]}\n"
                           "initial: {type: gaussian, mean: [1, 0], cov: [[0.5, 0], [0, 0.5]]}\n"
                           "solver: {method: finite_volume, scheme: " + scheme + "}\n"
                           "time: {t_end: 1, output_every: 1}\n" + extra;
  return fplab::parse_case(text, "steady_test.yaml");
}

double value(const fplab::DiagnosticRow& row, const std::string& name) {
  for (const auto& [n, v] : row)
    if (n == name) return v;
  FAIL("no diagnostic " << name);
  return 0.0;
}

fplab::SteadyRunResult solve(const CaseSpec& c) { return fplab::solve_steady_case(c, {}, ""); }

// ∫|J_h − J| over the grid, J = (2y, −2x) N(0, I) at the cell centres.
double rotating_current_error(const CaseSpec& c, const fplab::SteadyRunResult& r) {
  const double dx = (c.x1 - c.x0) / c.nx, dy = (c.y1 - c.y0) / c.ny;
  double e = 0.0;
  for (int j = 0; j < c.ny; ++j)
    for (int i = 0; i < c.nx; ++i) {
      const double x = c.x0 + (i + 0.5) * dx, y = c.y0 + (j + 0.5) * dy;
      const double p = std::exp(-0.5 * (x * x + y * y)) / (2.0 * std::numbers::pi);
      const std::size_t k = static_cast<std::size_t>(j) * c.nx + i;
      e += std::abs(r.current_x[k] - 2.0 * y * p) + std::abs(r.current_y[k] + 2.0 * x * p);
    }
  return e * dx * dy;
}

}  // namespace

TEST_CASE("steady OU: N(0, I) within the discretisation error, mass 1, positive, residual 0") {
  const CaseSpec c = steady_case("{type: linear, C: [[1, 0], [0, 1]]}", 64, "chang_cooper");
  const auto r = solve(c);
  CHECK(value(r.final_row, "mass") == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(value(r.final_row, "l1_error") < 5e-3);
  CHECK(value(r.final_row, "min") >= 0.0);
  CHECK(r.solve.residual < 1e-10);
  // Detailed balance: the equilibrium current vanishes up to the discretisation error.
  double jmax = 0.0;
  for (std::size_t k = 0; k < r.current_x.size(); ++k)
    jmax = std::max({jmax, std::abs(r.current_x[k]), std::abs(r.current_y[k])});
  CHECK(jmax < 1e-12);
}

TEST_CASE("steady rotating OU: density and current (2y, -2x) p converge at second order") {
  const std::string drift = "{type: linear, C: [[1, -2], [2, 1]]}";
  for (const std::string scheme : {"chang_cooper", "central"}) {
    std::vector<double> density_err, current_err;
    for (int n : {32, 64, 128}) {
      const CaseSpec c = steady_case(drift, n, scheme);
      const auto r = solve(c);
      density_err.push_back(value(r.final_row, "l1_error"));
      current_err.push_back(rotating_current_error(c, r));
      CHECK(r.solve.residual_relative < 1e-12);
    }
    INFO(scheme << ": density L1 " << density_err[0] << ", " << density_err[1] << ", "
                << density_err[2] << "; current L1 " << current_err[0] << ", " << current_err[1]
                << ", " << current_err[2]);
    const double order_p = std::log2(density_err[1] / density_err[2]);
    const double order_j = std::log2(current_err[1] / current_err[2]);
    CHECK(order_p > 1.8);
    CHECK(order_j > 1.8);
    CHECK(current_err[2] < 0.02);  // of ∫|J| ≈ 2.5
  }
}

TEST_CASE("steady double well with chang_cooper: e^{-U}/Z at the cell centres to 1e-10") {
  const CaseSpec c = steady_case("{type: potential, U: \"(x^2 - 1)^2 + 0.5*y^2\"}", 64,
                                 "chang_cooper");
  const auto r = solve(c);
  std::vector<double> q(r.solve.density.size());
  double mass = 0.0;
  const double dx = 12.0 / 64, dy = 12.0 / 64;
  for (int j = 0; j < 64; ++j)
    for (int i = 0; i < 64; ++i) {
      const double x = -6 + (i + 0.5) * dx, y = -6 + (j + 0.5) * dy;
      q[static_cast<std::size_t>(j) * 64 + i] = std::exp(-(std::pow(x * x - 1, 2) + 0.5 * y * y));
      mass += q[static_cast<std::size_t>(j) * 64 + i] * dx * dy;
    }
  double worst = 0.0, peak = 0.0;
  for (std::size_t k = 0; k < q.size(); ++k) {
    worst = std::max(worst, std::abs(r.solve.density[k] - q[k] / mass));
    peak = std::max(peak, q[k] / mass);
  }
  CHECK(worst < 1e-10 * peak);
}

TEST_CASE("steady periodic shear: a non-equilibrium state, uniform, with J = f p exactly") {
  // f = (1 + sin y, 0.3) is divergence-free: the uniform density is stationary, and its current
  // f p never vanishes (no detailed balance on the torus).
  const std::string text =
      "name: shear\ndomain: {x: [0, 6.283185307179586], y: [0, 6.283185307179586]}\n"
      "grid: {nx: 32, ny: 32}\nboundary: periodic\n"
      "equation:\n  type: fokker_planck\n"
      "  drift: {type: expression, fx: \"1 + sin(y)\", fy: \"0.3\"}\n"
      "  diffusion: {D: [[0.5, 0], [0, 0.5]]}\n"
      "initial: {type: gaussian, mean: [3, 3], cov: [[0.5, 0], [0, 0.5]]}\n"
      "solver: {method: finite_volume, scheme: upwind}\n"
      "time: {t_end: 1, output_every: 1}\n";
  const CaseSpec c = fplab::parse_case(text, "shear.yaml");
  const auto r = solve(c);
  const double p0 = 1.0 / (4.0 * std::numbers::pi * std::numbers::pi);
  const double dy = 2.0 * std::numbers::pi / 32;
  for (int j = 0; j < 32; ++j)
    for (int i = 0; i < 32; ++i) {
      const std::size_t k = static_cast<std::size_t>(j) * 32 + i;
      CHECK(r.solve.density[k] == doctest::Approx(p0).epsilon(1e-10));
      CHECK(r.current_x[k] == doctest::Approx((1.0 + std::sin((j + 0.5) * dy)) * p0).epsilon(1e-9));
      CHECK(r.current_y[k] == doctest::Approx(0.3 * p0).epsilon(1e-9));
    }
}

TEST_CASE("steady refuses cases without a unique steady state, in one sentence naming the key") {
  const std::string ou = "{type: linear, C: [[1, 0], [0, 1]]}";
  const auto refused = [&](const CaseSpec& c, const std::string& key) {
    try {
      solve(c);
      FAIL("accepted");
    } catch (const fplab::InputError& e) {
      const std::string m = e.what();
      INFO(m);
      CHECK(m.find(key) != std::string::npos);
      CHECK(one_sentence(m));
    }
  };
  CaseSpec c = steady_case(ou, 16, "chang_cooper");
  c.boundary = "dirichlet";
  refused(c, "boundary: dirichlet walls absorb");
  c = steady_case(ou, 16, "chang_cooper");
  c.solver.method = "spectral";
  refused(c, "solver.method");
  c = steady_case(ou, 16, "chang_cooper");
  c.equation.schedule.type = "vp";
  refused(c, "equation.schedule");
  c = steady_case(ou, 16, "chang_cooper");
  c.equation.D = fplab::Mat2::Zero();
  refused(c, "equation.diffusion.D");
  c = steady_case(ou, 16, "chang_cooper");
  c.equation.type = "bgk";
  refused(c, "equation.type");
}

TEST_CASE("steady: a diffusion that misses a direction the drift does not mix is not unique") {
  // D = diag(1, 0), f = (−x, 0): every row y = const keeps its own mass; exit 3, one sentence.
  CaseSpec c = steady_case("{type: linear, C: [[1, 0], [0, 0]]}", 16, "chang_cooper");
  c.equation.D << 1, 0, 0, 0;
  try {
    solve(c);
    FAIL("accepted");
  } catch (const fplab::NumericalError& e) {
    const std::string m = e.what();
    INFO(m);
    CHECK(m.find("not unique") != std::string::npos);
    CHECK(one_sentence(m));
  }
}

TEST_CASE("steady with muscl (nonlinear) solves with chang_cooper instead") {
  const auto r = solve(steady_case("{type: linear, C: [[1, 0], [0, 1]]}", 32, "muscl"));
  CHECK(value(r.final_row, "l1_error") < 2e-2);
  CHECK(value(r.final_row, "min") >= 0.0);
}
