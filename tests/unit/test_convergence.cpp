// The shared refinement routine (solver/convergence.hpp): the Richardson order formula on
// synthetic errors e_k = C (h_k^p − h_f^p), the acceptance test of `fplab verify`, the shared dt
// under a time-dependent schedule, and the input errors raised before any level runs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/convergence.hpp"
#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/errors.hpp"

namespace {

fplab::CaseSpec load(const std::string& file, const std::vector<std::string>& sets = {}) {
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

fplab::ConvergenceStudy study_with_l1_orders(std::vector<double> orders) {
  fplab::ConvergenceStudy s;
  s.order_l1 = std::move(orders);
  return s;
}

}  // namespace

TEST_CASE("richardson_order recovers p from errors against the finest level") {
  using fplab::richardson_order;
  const double C = 0.37;
  auto e = [&](double h, double hf, double p) { return C * (std::pow(h, p) - std::pow(hf, p)); };
  for (double p : {0.8, 1.0, 1.5, 2.0, 3.0, 4.0}) {
    CAPTURE(p);
    // Ratio 2, finest next in line: the closed form p = log2(e_k/e_{k+1} − 1).
    const double h0 = 1.0 / 32, h1 = 1.0 / 64, hf = 1.0 / 128;
    const double r = e(h0, hf, p) / e(h1, hf, p);
    CHECK(richardson_order(e(h0, hf, p), e(h1, hf, p), h0, h1, hf) ==
          doctest::Approx(p).epsilon(1e-9));
    CHECK(std::log2(r - 1.0) == doctest::Approx(p).epsilon(1e-9));
    // The naive log(e_k/e_{k+1})/log 2 is biased upwards by the finest level's own error.
    CHECK(std::log2(r) > p + 0.05);
    // Non-uniform ratios, finest two levels away.
    const double g0 = 1.0 / 20, g1 = 1.0 / 45, gf = 1.0 / 240;
    CHECK(richardson_order(e(g0, gf, p), e(g1, gf, p), g0, g1, gf) ==
          doctest::Approx(p).epsilon(1e-9));
  }
}

TEST_CASE("richardson_order clamps to [0.05, 40] and rejects meaningless input") {
  using fplab::richardson_order;
  // e_k/e_{k+1} = 1.5 < 2 = q(0⁺): no positive order fits; report the lower end.
  CHECK(richardson_order(1.5, 1.0, 0.5, 0.25, 0.125) == doctest::Approx(0.05));
  CHECK(richardson_order(1e30, 1.0, 0.5, 0.25, 0.125) == doctest::Approx(40.0));
  CHECK(std::isnan(richardson_order(0.0, 1.0, 0.5, 0.25, 0.125)));
  CHECK(std::isnan(richardson_order(1.0, 1.0, 0.25, 0.5, 0.125)));  // h not decreasing
  CHECK(std::isnan(richardson_order(1.0, 1.0, 0.5, 0.25, 0.25)));
}

TEST_CASE("verify_passed: the finest L1 order against expected − tolerance") {
  using fplab::verify_passed;
  CHECK(verify_passed(study_with_l1_orders({1.2, 1.95}), 2.0, 0.1));
  CHECK(verify_passed(study_with_l1_orders({1.9}), 2.0, 0.1));
  CHECK_FALSE(verify_passed(study_with_l1_orders({2.5, 1.85}), 2.0, 0.1));
  CHECK_FALSE(verify_passed(study_with_l1_orders({}), 2.0, 0.1));
  CHECK_FALSE(verify_passed(study_with_l1_orders({std::nan("")}), 2.0, 0.1));
}

TEST_CASE("without an exact solution two levels are an InputError naming verify.levels") {
  // exact: none turns the OU case into a Richardson study; the check comes before any level runs.
  const auto base = load("cases/ou_gaussian.yaml", {"exact=none"});
  CHECK_THROWS_WITH_AS(fplab::run_convergence(base, "space", {16, 32}),
                       doctest::Contains("verify.levels"), fplab::InputError);
  const auto potential = load("cases/potential_double_well.yaml");
  CHECK_THROWS_WITH_AS(fplab::run_convergence(potential, "space", {16, 32}),
                       doctest::Contains("at least three levels"), fplab::InputError);
  CHECK_THROWS_AS(fplab::run_convergence(base, "space", {16}), fplab::InputError);
  CHECK_THROWS_AS(fplab::run_convergence(base, "sideways", {16, 32, 64}), fplab::InputError);
}

TEST_CASE("levels that are not increasing, or that do not nest under Richardson, fail first") {
  // Both checks come before any level runs: a 1e9-cell level would otherwise be attempted.
  const auto base = load("cases/ou_gaussian.yaml", {"exact=none"});
  CHECK_THROWS_WITH_AS(fplab::run_convergence(base, "space", {32, 16, 1000000}),
                       doctest::Contains("increasing"), fplab::InputError);
  CHECK_THROWS_WITH_AS(fplab::run_convergence(base, "space", {24, 40, 1000000}),
                       doctest::Contains("must divide the finest"), fplab::InputError);
}

TEST_CASE("Richardson on three levels gives one order per compared pair") {
  const auto base =
      load("cases/ou_gaussian.yaml", {"exact=none", "time.t_end=0.1", "solver.integrator=rk4"});
  const auto s = fplab::run_convergence(base, "space", {16, 32, 64});
  CHECK_FALSE(s.against_exact);
  REQUIRE(s.levels.size() == 2);  // the finest is the reference and is dropped
  REQUIRE(s.order_l1.size() == 1);
  CHECK(std::isfinite(s.order_l1[0]));
  CHECK(s.levels[0].l1 > s.levels[1].l1);
}

TEST_CASE("dt: auto under a VP schedule is stable over the whole of [0, t_end]") {
  // β grows from 0.1 to 20: the bound at t_end is ~100× tighter than at t = 0.
  const auto base =
      load("cases/ou_gaussian.yaml", {"equation.schedule={type: vp}", "grid.nx=16", "grid.ny=16",
                                      "time.t_end=1.0", "solver.integrator=ssprk3"});
  const auto s = fplab::run_convergence(base, "space", {8, 16});
  fplab::CaseSpec fine = base;  // the finest level's grid, as run_convergence builds it
  const fplab::Grid2D g{fine.nx, fine.ny, fine.x0, fine.x1, fine.y0, fine.y1};
  const auto eq = fplab::make_equation(fine);
  const auto op = fplab::make_operator(fine, *eq, g);
  const double at_end = fine.solver.cfl * op->max_stable_dt(fine.time.t_end);
  CHECK(at_end < 0.1 * fine.solver.cfl * op->max_stable_dt(0.0));
  for (const auto& lv : s.levels) CHECK(lv.dt <= at_end * (1 + 1e-12));
  CHECK(std::isfinite(s.levels.back().l1));
}
