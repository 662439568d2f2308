// The verify blocks of the shipped verified cases, run as `fplab verify` runs them: each case's
// own refine, levels, expected order and tolerance, through the shared run_convergence.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "io/case_file.hpp"
#include "solver/convergence.hpp"

namespace {

fplab::ConvergenceStudy verify_case(const std::string& file) {
  const auto spec = fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file);
  REQUIRE(spec.verify.present);
  const auto s = fplab::run_convergence(spec, spec.verify.refine, spec.verify.levels);
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const auto& lv = s.levels[k];
    MESSAGE(file << ": nx=" << lv.nx << " ny=" << lv.ny << " dt=" << lv.dt << " L1=" << lv.l1
                 << (k ? " order_L1=" + std::to_string(s.order_l1[k - 1]) : std::string()));
  }
  CHECK(fplab::verify_passed(s, spec.verify.expected_order, spec.verify.tolerance));
  return s;
}

}  // namespace

TEST_CASE("cases/potential_double_well.yaml passes its verify block (Richardson)") {
  const auto s = verify_case("cases/potential_double_well.yaml");
  CHECK_FALSE(s.against_exact);  // no exact transient: errors against the finest level
}

TEST_CASE("cases/vp_schedule.yaml passes its verify block (exact moment flow)") {
  const auto s = verify_case("cases/vp_schedule.yaml");
  CHECK(s.against_exact);
}

TEST_CASE("cases/kinetic_fp.yaml passes its verify block (degenerate diffusion)") {
  const auto s = verify_case("cases/kinetic_fp.yaml");
  CHECK(s.against_exact);
}

TEST_CASE("cases/implicit_large_dt.yaml passes its verify block (backward Euler at 20× dt)") {
  const auto s = verify_case("cases/implicit_large_dt.yaml");
  CHECK(s.against_exact);
}

TEST_CASE("the VP schedule under crank_nicolson: A(t) re-assembled each step, order 2") {
  // Space and time refined together (dt ∝ h) with central fluxes: second order in both, and the
  // assembled operator follows β(t) from 0.1 to 20 — re-factorised each step (lu) or iterated
  // on (bicgstab, what auto takes for a time-dependent A).
  for (const std::string linear_solver : {"lu", "bicgstab"}) {
    CAPTURE(linear_solver);
    auto spec = fplab::load_case_file(
        std::string(FPLAB_SOURCE_DIR) + "/cases/vp_schedule.yaml",
        {"solver.scheme=central", "solver.integrator=crank_nicolson", "solver.cfl=4",
         "solver.linear_solver=" + linear_solver});
    const auto s = fplab::run_convergence(spec, "both", {24, 48, 96});
    for (const auto& lv : s.levels)
      MESSAGE(linear_solver << ": nx=" << lv.nx << " dt=" << lv.dt << " L1=" << lv.l1);
    MESSAGE("orders " << s.order_l1[0] << " " << s.order_l1[1]);
    REQUIRE(s.against_exact);
    CHECK(std::abs(s.order_l1.back() - 2.0) < 0.2);
  }
}

TEST_CASE("cases/mixture_reverse_exact.yaml passes its verify block (reverse, exact score)") {
  const auto s = verify_case("cases/mixture_reverse_exact.yaml");
  CHECK(s.against_exact);  // q(τ) = p(T − τ): the forward solution is the reverse one's
}
