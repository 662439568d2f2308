// Space-dependent diffusion D(x) (Itô form, docs/reference.md §1): the case file reads it, a
// D written as constant expressions runs exactly as the numeric D, the explicit bound takes the
// largest face value, a D that stops being positive semi-definite names the face, and the
// methods that cannot take it (spectral, particles, heat, reverse) refuse in one sentence.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/errors.hpp"
#include "solver/particles/particle_dynamics.hpp"
#include "solver/problem.hpp"
#include "solver/simulation.hpp"

namespace {

using fplab::CaseSpec;

// A fokker_planck case on [−3, 3]² (n² cells) with the given drift and diffusion blocks.
std::string vd_case(const std::string& drift, const std::string& D, int n,
                    const std::string& solver) {
  return "name: vd_test\n"
         "domain: {x: [-3, 3], y: [-3, 3]}\n"
         "grid: {nx: " + std::to_string(n) + ", ny: " + std::to_string(n) + "}\n"
         "boundary: zero_flux\n"
         "equation:\n  type: fokker_planck\n  drift: " + drift + "\n"
         "  diffusion: {D: " + D + "}\n"
         "initial: {type: gaussian, mean: [0.5, -0.3], cov: [[0.3, 0.05], [0.05, 0.4]]}\n"
         "solver: " + solver + "\n"
         "time: {t_end: 0.5, output_every: 0.5}\n";
}

std::string message_of(const std::string& text) {
  try {
    const CaseSpec c = fplab::parse_case(text, "vd.yaml");
    fplab::Simulation sim(c);
    return {};
  } catch (const fplab::InputError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("variable diffusion: the case file reads expressions, numbers among them as text") {
  const CaseSpec c = fplab::parse_case(
      vd_case("{type: linear}", "[[\"1 + 0.5*x^2\", 0.2], [0.2, \"exp(-y^2) + t\"]]", 16,
              "{method: finite_volume}"),
      "vd.yaml");
  REQUIRE(c.equation.D_varies());
  CHECK(c.equation.D_expr[0] == "1 + 0.5*x^2");
  CHECK(c.equation.D_expr[1] == "0.2");
  CHECK(c.equation.D_expr[2] == "exp(-y^2) + t");
  // The echo parses back to the same expressions.
  const CaseSpec back = fplab::parse_case(c.resolved_yaml, "echo.yaml");
  CHECK(back.equation.D_expr == c.equation.D_expr);
  CHECK(back.resolved_yaml == c.resolved_yaml);
  // A numeric matrix stays a constant D.
  const CaseSpec k = fplab::parse_case(
      vd_case("{type: linear}", "[[1, 0], [0, 2]]", 16, "{method: finite_volume}"), "k.yaml");
  CHECK_FALSE(k.equation.D_varies());
}

TEST_CASE("variable diffusion: bad entries are one sentence naming the file, line and key") {
  const auto asym = message_of(vd_case("{type: linear}", "[[\"1\", \"x\"], [\"y\", \"1\"]]", 16,
                                       "{method: finite_volume}"));
  CHECK(asym.find("vd.yaml:") != std::string::npos);
  CHECK(asym.find("equation.diffusion.D") != std::string::npos);
  CHECK(asym.find("symmetric") != std::string::npos);
  const auto syntax = message_of(vd_case("{type: linear}", "[[\"1 +* x\", 0], [0, 1]]", 16,
                                         "{method: finite_volume}"));
  CHECK(syntax.find("equation.diffusion.D[0][0]") != std::string::npos);
  const auto unknown = message_of(vd_case("{type: linear}", "[[\"1 + z\", 0], [0, 1]]", 16,
                                          "{method: finite_volume}"));
  CHECK(unknown.find("equation.diffusion.D[0][0]") != std::string::npos);
}

TEST_CASE("variable diffusion: a D that is not positive semi-definite names the face centre") {
  // D_xy = x exceeds √(D_xx D_yy) = 1 for |x| > 1: the first such face is reported.
  const auto m = message_of(
      vd_case("{type: linear}", "[[\"1\", \"x\"], [\"x\", \"1\"]]", 16, "{method: finite_volume}"));
  INFO(m);
  CHECK(m.find("vd.yaml:") != std::string::npos);
  CHECK(m.find("equation.diffusion.D") != std::string::npos);
  CHECK(m.find("positive semi-definite") != std::string::npos);
  CHECK(m.find("face centre (x, y) = (-3,") != std::string::npos);  // the first x-face
  CHECK(m.find('\n') == std::string::npos);
  // A negative diagonal entry somewhere inside.
  const auto neg = message_of(vd_case("{type: linear}", "[[\"x - 1\", 0], [0, 1]]", 16,
                                      "{method: finite_volume}"));
  CHECK(neg.find("face centre") != std::string::npos);
}

TEST_CASE("variable diffusion: D written as constant expressions runs as the numeric D") {
  // The per-face path (face K arrays, the Itô drift −∇·D = 0) against the constant path, for
  // every scheme and an implicit integrator: the same density to round-off.
  const std::string drift = "{type: linear, C: [[1, -0.5], [0.5, 1]]}";
  for (const std::string solver :
       {"{method: finite_volume, scheme: chang_cooper, integrator: ssprk3}",
        "{method: finite_volume, scheme: central, integrator: rk4}",
        "{method: finite_volume, scheme: muscl, integrator: ssprk3}",
        "{method: finite_volume, scheme: chang_cooper, integrator: crank_nicolson, cfl: 4}"}) {
    CAPTURE(solver);
    const CaseSpec k =
        fplab::parse_case(vd_case(drift, "[[0.8, 0.3], [0.3, 1.2]]", 32, solver), "k.yaml");
    const CaseSpec v = fplab::parse_case(
        vd_case(drift, "[[\"0.8\", \"0.3\"], [\"0.3\", \"1.2 + 0*x\"]]", 32, solver), "v.yaml");
    REQUIRE(v.equation.D_varies());
    fplab::Simulation sk(k), sv(v);
    const auto rk = sk.run({}), rv = sv.run({});
    CHECK(rk.steps == rv.steps);
    double worst = 0.0, peak = 0.0;
    for (std::size_t i = 0; i < rk.final_density.size(); ++i) {
      worst = std::max(worst, std::abs(rk.final_density[i] - rv.final_density[i]));
      peak = std::max(peak, rk.final_density[i]);
    }
    CHECK(worst < 1e-12 * peak);
  }
}

TEST_CASE("variable diffusion: the explicit bound takes the largest D over the faces") {
  // D = (0.05 + 2 x²) I: 18.05 at the walls x = ±3, 0.05 at the centre. Forward Euler with
  // upwind fluxes keeps p ≥ 0 under the bound only when the bound sees the largest D.
  const CaseSpec c = fplab::parse_case(
      vd_case("{type: linear, C: [[0, 0], [0, 0]]}",
              "[[\"0.05 + 2*x^2\", 0], [0, \"0.05 + 2*x^2\"]]", 32,
              "{method: finite_volume, scheme: upwind, integrator: euler, cfl: 1.0}"),
      "bound.yaml");
  fplab::Simulation sim(c);
  // The largest D_xx sits on the x-faces at x = ±3, the largest D_yy on the y-faces at the
  // outermost cell centres x = ±(3 − h/2).
  const double h = 6.0 / 32, kx = 0.05 + 2 * 9.0, ky = 0.05 + 2 * std::pow(3 - h / 2, 2);
  const double bound = h * h / (2.0 * (kx + ky));
  const double dt = sim.problem().op->max_stable_dt(0.0);
  CHECK(dt <= bound * (1.0 + 1e-12));  // the diffusion part 2 K_xx/h² + 2 K_yy/h² at least
  CHECK(dt > 0.5 * bound);             // and the drift −∇·D does not dominate it
  const auto r = sim.run({});
  CHECK(r.steps > 100);
  double lo = 0.0;
  for (double p : r.final_density) lo = std::min(lo, p);
  CHECK(lo >= 0.0);
}

TEST_CASE("variable diffusion: spectral, heat and reverse refuse it in one sentence") {
  const std::string D = "[[\"1 + 0.1*x^2\", 0], [0, 1]]";
  const auto spectral = message_of(vd_case("{type: linear}", D, 16,
                                           "{method: spectral, integrator: etdrk4, dt: 0.01}"));
  CHECK(spectral.find("equation.diffusion.D") != std::string::npos);
  CHECK(spectral.find("finite_volume") != std::string::npos);
  std::string heat = vd_case("{type: linear}", D, 16, "{method: finite_volume}");
  heat.replace(heat.find("type: fokker_planck"), 19, "type: heat");
  heat.replace(heat.find("  drift: {type: linear}\n"), 24, "");
  const auto hm = message_of(heat);
  CHECK(hm.find("constant D") != std::string::npos);
  CHECK(hm.find("vd.yaml:") != std::string::npos);
}

TEST_CASE("variable diffusion: fplab sample refuses it (no multiplicative noise)") {
  const CaseSpec c = fplab::parse_case(
      vd_case("{type: linear}", "[[\"1 + 0.1*x^2\", 0], [0, 1]]", 16, "{method: finite_volume}"),
      "vd.yaml");
  const auto eq = fplab::make_equation(c);
  std::string m;
  try {
    fplab::make_particle_model(c, *eq);
  } catch (const fplab::InputError& e) {
    m = e.what();
  }
  CHECK(m.find("equation.diffusion.D") != std::string::npos);
  CHECK(m.find("fplab run") != std::string::npos);
}
