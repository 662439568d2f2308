// Convergence studies on the shipped cases (through case files and --set overrides, as a user
// runs them): observed spatial order of every flux scheme, temporal order of every integrator,
// the Bakry–Émery relative-entropy decay of the OU equation and the anisotropic linear case.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/convergence.hpp"
#include "solver/fv/flux_scheme.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/problem.hpp"
#include "solver/simulation.hpp"
#include "solver/time/integrator.hpp"

namespace {

fplab::CaseSpec load(const std::string& file, const std::vector<std::string>& sets = {}) {
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

void report(const fplab::ConvergenceStudy& s) {
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const auto& lv = s.levels[k];
    MESSAGE("nx=" << lv.nx << " dt=" << lv.dt << " L1=" << lv.l1 << " L2=" << lv.l2
                  << " Linf=" << lv.linf
                  << (k ? " order_L1=" + std::to_string(s.order_l1[k - 1]) : std::string()));
  }
}

// The registered scheme states its own design order, so a new scheme is tested on arrival.
double design_space_order(const std::string& scheme) {
  return fplab::make_flux_scheme(scheme)->order();
}

}  // namespace

TEST_CASE("spatial order of every flux scheme on the OU case (nx = 32, 64, 128)") {
  for (const auto& scheme : fplab::flux_scheme_names()) {
    CAPTURE(scheme);
    const auto base =
        load("cases/ou_gaussian.yaml", {"solver.scheme=" + scheme, "solver.integrator=rk4"});
    const auto study = fplab::run_convergence(base, "space", {32, 64, 128});
    report(study);
    REQUIRE(study.against_exact);
    CHECK(std::abs(study.order_l1.back() - design_space_order(scheme)) < 0.15);
    CHECK(study.levels.back().l1 < study.levels.front().l1);
  }
}

TEST_CASE("spatial order of the anisotropic heat case (cross diffusion, nx = 32, 64, 128)") {
  // No drift: the flux scheme does not enter; the diffusion flux with D_xy ≠ 0 is second order.
  const auto base = load("cases/heat_gaussian.yaml", {"solver.integrator=rk4"});
  const auto study = fplab::run_convergence(base, "space", {32, 64, 128});
  report(study);
  REQUIRE(study.against_exact);
  CHECK(std::abs(study.order_l1.back() - 2.0) < 0.15);
}

TEST_CASE("temporal order of every integrator where the space error vanishes (BGK)") {
  for (const auto& name : fplab::integrator_names()) {
    CAPTURE(name);
    const auto probe = fplab::make_integrator(name);
    if (probe->needs() == fplab::TimeIntegrator::Needs::diagonal_split) {
      // Exact on BGK (linear with a constant source): their order is measured on the OU
      // equation in tests/convergence/test_spectral*.cpp.
      MESSAGE(name << ": spectral exponential integrator, order tested in test_spectral");
      continue;
    }
    const auto base =
        load("cases/bgk_relaxation.yaml", {"solver.integrator=" + name, "grid.nx=32", "grid.ny=32",
                                           "time.t_end=1.0", "time.output_every=1.0"});
    const auto study = fplab::run_convergence(base, "time", {10, 20, 40});
    report(study);
    REQUIRE(study.against_exact);
    if (probe->order() == fplab::kExactInTime) {  // expm: no time error at any dt
      for (const auto& level : study.levels) CHECK(level.l1 < 1e-9);
      continue;
    }
    CHECK(std::abs(study.order_l1.back() - probe->order()) < 0.1);
  }
}

TEST_CASE("OU relative entropy decays as ½|m₀|² e^{−2t} (Bakry–Émery, exact for Σ₀ = I)") {
  // A mean-shifted standard normal stays N(m₀e^{−t}, I): H(t) = ½|m₀|²e^{−2t} exactly (docs/reference.md §5).
  const auto c =
      load("cases/ou_gaussian.yaml", {"initial.mean=[1.5,-1.0]", "initial.cov=[[1,0],[0,1]]",
                                      "time.t_end=1.0", "time.output_every=0.5"});
  struct Row : fplab::OutputSink {
    std::vector<std::pair<double, double>> h;  // (t, rel_entropy)
    void begin(const fplab::RunInfo&) override {}
    void write(const fplab::Snapshot& s) override {
      for (const auto& [name, v] : *s.diagnostics)
        if (name == "rel_entropy") h.emplace_back(s.t, v);
    }
    void end(const fplab::RunSummary&) override {}
  } rows;
  fplab::OutputSink* sinks[] = {&rows};
  fplab::SimulationOptions opts;
  opts.progress = false;
  fplab::simulate(c, sinks, opts);
  REQUIRE(rows.h.size() == 3);
  const double m2 = 1.5 * 1.5 + 1.0;
  for (const auto& [t, h] : rows.h) {
    const double exact = 0.5 * m2 * std::exp(-2 * t);
    MESSAGE("t=" << t << " rel_entropy=" << h << " exact=" << exact);
    if (t > 0) CHECK(std::abs(h / exact - 1) < 0.01);
  }
}

TEST_CASE("anisotropic linear drift: non-symmetric C, cross-diffusion, L1 < 1e-2 at nx = 128") {
  // f = −Cx with C non-symmetric (a rotation part), D with D_xy ≠ 0 (docs/reference.md §5 moment ODEs).
  const auto c =
      load("cases/ou_gaussian.yaml",
           {"domain={x: [-7, 7], y: [-7, 7]}", "equation.drift.C=[[1.0,-0.8],[0.5,1.2]]",
            "equation.diffusion.D=[[0.8,0.3],[0.3,0.5]]", "initial.mean=[2.0,-1.0]",
            "initial.cov=[[0.4,0.15],[0.15,0.3]]", "time.t_end=1.0", "time.output_every=1.0"});
  fplab::SimulationOptions opts;
  opts.progress = false;
  const auto r = fplab::simulate(c, {}, opts);
  double l1 = -1, mass = -1;
  for (const auto& [name, v] : r.final_row) {
    if (name == "l1_error") l1 = v;
    if (name == "mass") mass = v;
  }
  MESSAGE("anisotropic L1 error at t=1, nx=128: " << l1);
  CHECK(l1 > 0);
  CHECK(l1 < 1e-2);
  CHECK(std::abs(mass - 1) < 1e-12);
}

TEST_CASE("temporal order of every implicit and IMEX integrator on the OU operator (upwind 32²)") {
  // The space error is the same at every dt on one grid, so the error against a reference on
  // that grid (rk4 at a 25× smaller dt than the finest level) is the time error alone. Drift,
  // diffusion and the zero-flux walls all enter the assembled matrix. Each with both linear
  // solvers: BiCGSTAB's tolerance (1e-10) stays below the time error at every level.
  const auto base = load("cases/ou_gaussian.yaml",
                         {"solver.scheme=upwind", "grid={nx: 32, ny: 32}", "time.t_end=0.5",
                          "time.output_every=0.5"});
  fplab::SimulationOptions opts;
  opts.progress = false;
  auto final_at = [&](const std::string& integrator, int steps,
                      const std::string& linear_solver = "auto") {
    auto c = base;
    c.solver.integrator = integrator;
    c.solver.linear_solver = linear_solver;
    c.solver.dt = c.time.t_end / steps;
    return fplab::simulate(c, {}, opts).final_density;
  };
  const auto ref = final_at("rk4", 4000);
  const double area = (base.x1 - base.x0) * (base.y1 - base.y0) / (base.nx * base.ny);
  int tested = 0;
  for (const auto& name : fplab::integrator_names()) {
    const auto probe = fplab::make_integrator(name);
    if (probe->needs() != fplab::TimeIntegrator::Needs::assembly &&
        probe->needs() != fplab::TimeIntegrator::Needs::stiff_assembly)
      continue;
    CAPTURE(name);
    ++tested;
    const bool exact = probe->order() == fplab::kExactInTime;  // expm: no linear solve
    for (const std::string linear_solver : {"lu", "bicgstab"}) {
      if (exact && linear_solver != "lu") continue;
      CAPTURE(linear_solver);
      std::vector<double> err;
      for (const int steps : {40, 80, 160}) {
        const auto u = final_at(name, steps, linear_solver);
        double l1 = 0.0;
        for (std::size_t k = 0; k < u.size(); ++k) l1 += std::abs(u[k] - ref[k]) * area;
        err.push_back(l1);
      }
      const double order = std::log2(err[1] / err[2]);
      MESSAGE(name << " (" << linear_solver << "): L1 time errors " << err[0] << " " << err[1]
                   << " " << err[2] << ", observed orders " << std::log2(err[0] / err[1]) << " "
                   << order);
      if (exact) {  // the reference's own error at any dt
        for (const double e : err) CHECK(e < 1e-9);
        continue;
      }
      CHECK(std::abs(order - probe->order()) < 0.1);
    }
  }
  CHECK(tested >= 4);
}

TEST_CASE("rkl2 on the anisotropic heat case at 10× the explicit step: stable, as accurate") {
  // Super-time-stepping: 6 stages per step reach 10 explicit steps; the L1 error against the
  // exact Gaussian stays that of the space discretisation (ssprk3 at its own bound).
  auto base = load("cases/heat_gaussian.yaml", {"grid={nx: 128, ny: 128}", "time.t_end=0.5",
                                                  "time.output_every=0.5"});
  const double dt_explicit = fplab::make_problem(base).op->max_stable_dt(0.0);
  fplab::SimulationOptions opts;
  opts.progress = false;
  auto l1_of = [&](const std::string& integrator, double dt) {
    auto c = base;
    c.solver.integrator = integrator;
    c.solver.dt = dt;
    for (const auto& [name, v] : fplab::simulate(c, {}, opts).final_row)
      if (name == "l1_error") return v;
    return -1.0;
  };
  const double l1_rkl2 = l1_of("rkl2", 10 * dt_explicit), l1_ssp = l1_of("ssprk3", 0.4 * dt_explicit);
  MESSAGE("L1 at t = 0.5: rkl2 at 10× the explicit step " << l1_rkl2 << ", ssprk3 at 0.4× " << l1_ssp);
  CHECK(l1_rkl2 > 0);
  CHECK(l1_rkl2 < 1.1 * l1_ssp);
}

TEST_CASE("expm: one step to t = 1 conserves mass, stays positive to its tolerance, matches rk4") {
  // The OU operator with Chang–Cooper fluxes (a generator: exp(tA) is positive and conserves
  // mass exactly); one expm step over the whole interval against rk4 at its stable step.
  auto base = load("cases/ou_gaussian.yaml", {"grid={nx: 64, ny: 64}", "solver.scheme=chang_cooper",
                                              "time.t_end=1.0", "time.output_every=1.0"});
  fplab::SimulationOptions opts;
  opts.progress = false;
  auto run = [&](const std::string& integrator, std::optional<double> dt) {
    auto c = base;
    c.solver.integrator = integrator;
    c.solver.dt = dt;
    return fplab::simulate(c, {}, opts);
  };
  const auto e = run("expm", 1.0), r = run("rk4", std::nullopt);
  double mass = 0.0, min = 0.0, max = 0.0, diff = 0.0;
  const double area = 144.0 / (64 * 64);
  for (std::size_t k = 0; k < e.final_density.size(); ++k) {
    mass += e.final_density[k] * area;
    min = std::min(min, e.final_density[k]);
    max = std::max(max, e.final_density[k]);
    diff += std::abs(e.final_density[k] - r.final_density[k]) * area;
  }
  MESSAGE("expm in one step: mass − 1 = " << mass - 1 << ", min " << min << ", L1 to rk4 " << diff
                                          << " (" << e.steps << " step)");
  CHECK(e.steps == 1);
  CHECK(std::abs(mass - 1) < 1e-13);
  CHECK(min >= -1e-10 * max);
  CHECK(diff < 1e-8);
}
