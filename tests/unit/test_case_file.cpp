// Case files (docs/reference.md §2): good cases parse to the expected values and survive the echo round trip;
// a table of bad cases and overrides each fails with one sentence naming file, line and key.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "io/case_file.hpp"
#include "io/case_yaml.hpp"
#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/time/integrator.hpp"

namespace {

using fplab::CaseSpec;
using fplab::Mat2;
using fplab::Vec2;

// An Ornstein–Uhlenbeck case; line numbers matter: bad cases below replace lines by number.
const char* const kOu =
    "name: ou\n"                                      // 1
    "domain: {x: [-6, 6], y: [-5, 5]}\n"              // 2
    "grid: {nx: 64, ny: 48}\n"                        // 3
    "boundary: zero_flux\n"                           // 4
    "equation:\n"                                     // 5
    "  type: fokker_planck\n"                         // 6
    "  drift: {type: linear, C: [[1, 0], [0, 1]]}\n"  // 7
    "  diffusion: {D: [[1, 0], [0, 1]]}\n"            // 8
    "  schedule: {type: constant}\n"                  // 9
    "initial:\n"                                      // 10
    "  type: gaussian\n"                              // 11
    "  mean: [1.5, -1.0]\n"                           // 12
    "  cov: [[0.25, 0], [0, 0.25]]\n"                 // 13
    "solver:\n"                                       // 14
    "  method: finite_volume\n"                       // 15
    "  scheme: muscl\n"                               // 16
    "  integrator: ssprk3\n"                          // 17
    "  dt: auto\n"                                    // 18
    "  cfl: 0.4\n"                                    // 19
    "time: {t_end: 1.0, output_every: 0.1}\n"         // 20
    "output:\n"                                       // 21
    "  dir: out/ou\n"                                 // 22
    "  formats: [hdf5, vtk]\n"                        // 23
    "exact: auto\n";                                  // 24

// Anisotropic heat equation with a cross term; no name, output or solver.scheme: defaults.
const char* const kHeat =
    "domain: {x: [-4, 4], y: [-3, 3]}\n"
    "grid: {nx: 40, ny: 30}\n"
    "equation:\n"
    "  type: heat\n"
    "  diffusion:\n"
    "    D: [[0.5, 0.2], [0.2, 0.3]]\n"
    "initial: {type: gaussian, mean: [0.5, 0], cov: [[0.3, 0.1], [0.1, 0.2]]}\n"
    "solver: {integrator: rk4, dt: 2.5e-4}\n"
    "time: {t_end: 0.5}\n"
    "verify: {refine: time, levels: [16, 32, 64], expected_order: 4, tolerance: 0.2}\n";

// BGK relaxation towards a two-component mixture equilibrium.
const char* const kBgk =
    "name: bgk_mix\n"
    "domain: {x: [-6, 6], y: [-6, 6]}\n"
    "grid: {nx: 32, ny: 32}\n"
    "boundary: periodic\n"
    "equation:\n"
    "  type: bgk\n"
    "  tau: 0.25\n"
    "  equilibrium:\n"
    "    type: mixture\n"
    "    weights: [0.3, 0.7]\n"
    "    means: [[-1.5, 0.5], [2, -1]]\n"
    "    covs: [[[0.4, 0.1], [0.1, 0.3]], [[0.3, 0], [0, 0.5]]]\n"
    "initial: {type: gaussian}\n"
    "time: {t_end: 2, output_every: 0.25}\n"
    "output: {dir: results/bgk, formats: [png, hdf5, png]}\n"
    "exact: none\n";

// `text` with 1-based lines replaced (a replacement may hold several lines only at the end).
std::string replace_lines(const std::string& text,
                          const std::vector<std::pair<int, std::string>>& r) {
  std::istringstream in(text);
  std::string line, out;
  for (int n = 1; std::getline(in, line); ++n) {
    for (const auto& [k, s] : r)
      if (k == n) line = s;
    out += line + "\n";
  }
  return out;
}

std::string error_of(const std::string& text, const std::vector<std::string>& sets = {},
                     const std::string& source = "bad.yaml") {
  try {
    fplab::parse_case(text, source, sets);
  } catch (const fplab::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// Every field of the two cases is identical (the doubles bit for bit).
void check_same(const CaseSpec& a, const CaseSpec& b) {
  CHECK(a.name == b.name);
  CHECK(a.x0 == b.x0);
  CHECK(a.x1 == b.x1);
  CHECK(a.y0 == b.y0);
  CHECK(a.y1 == b.y1);
  CHECK(a.nx == b.nx);
  CHECK(a.ny == b.ny);
  CHECK(a.boundary == b.boundary);
  const auto same_density = [](const fplab::DensitySpec& p, const fplab::DensitySpec& q) {
    CHECK(p.type == q.type);
    CHECK(p.weights == q.weights);
    CHECK(p.means == q.means);
    CHECK(p.covs == q.covs);
    CHECK(p.path == q.path);
    CHECK(p.seed == q.seed);
    CHECK(p.samples == q.samples);
    CHECK(p.bandwidth == q.bandwidth);
    CHECK(p.noise == q.noise);
    CHECK(p.scale == q.scale);
    CHECK(p.center == q.center);
    CHECK(p.invert == q.invert);
    CHECK(p.extent.has_value() == q.extent.has_value());
    if (p.extent && q.extent) {
      CHECK(p.extent->x0 == q.extent->x0);
      CHECK(p.extent->x1 == q.extent->x1);
      CHECK(p.extent->y0 == q.extent->y0);
      CHECK(p.extent->y1 == q.extent->y1);
    }
  };
  const auto &e = a.equation, &f = b.equation;
  CHECK(e.type == f.type);
  CHECK(e.drift.type == f.drift.type);
  CHECK(e.drift.C == f.drift.C);
  CHECK(e.drift.U == f.drift.U);
  CHECK(e.drift.fx == f.drift.fx);
  CHECK(e.drift.fy == f.drift.fy);
  CHECK(e.D == f.D);
  CHECK(e.D_expr == f.D_expr);
  CHECK(e.schedule.type == f.schedule.type);
  CHECK(e.schedule.beta_min == f.schedule.beta_min);
  CHECK(e.schedule.beta_max == f.schedule.beta_max);
  CHECK(e.schedule.sigma_min == f.schedule.sigma_min);
  CHECK(e.schedule.sigma_max == f.schedule.sigma_max);
  CHECK(e.tau == f.tau);
  same_density(e.equilibrium, f.equilibrium);
  same_density(a.initial, b.initial);
  CHECK(a.solver.method == b.solver.method);
  CHECK(a.solver.scheme == b.solver.scheme);
  CHECK(a.solver.integrator == b.solver.integrator);
  CHECK(a.solver.dt == b.solver.dt);
  CHECK(a.solver.cfl == b.solver.cfl);
  CHECK(a.solver.fftw_planning == b.solver.fftw_planning);
  CHECK(a.solver.dealias == b.solver.dealias);
  CHECK(a.solver.tolerance == b.solver.tolerance);
  CHECK(a.solver.linear_solver == b.solver.linear_solver);
  CHECK(a.time.t_end == b.time.t_end);
  CHECK(a.time.output_every == b.time.output_every);
  CHECK(a.output.dir == b.output.dir);
  CHECK(a.output.formats == b.output.formats);
  CHECK(a.exact == b.exact);
  CHECK(a.verify.present == b.verify.present);
  CHECK(a.verify.refine == b.verify.refine);
  CHECK(a.verify.levels == b.verify.levels);
  CHECK(a.verify.expected_order == b.verify.expected_order);
  CHECK(a.verify.tolerance == b.verify.tolerance);
}

// The echo parses back to the same case and is a fixed point of parse ∘ echo.
void check_round_trip(const CaseSpec& c) {
  REQUIRE(!c.resolved_yaml.empty());
  CHECK(c.resolved_yaml == fplab::case_to_yaml(c));
  const CaseSpec back = fplab::parse_case(c.resolved_yaml, "echo.yaml");
  check_same(c, back);
  CHECK(back.resolved_yaml == c.resolved_yaml);
}

Mat2 mat(double a, double b, double c, double d) {
  Mat2 m;
  m << a, b, c, d;
  return m;
}

}  // namespace

TEST_CASE("case file: an Ornstein–Uhlenbeck case parses to its values and round-trips") {
  const CaseSpec c = fplab::parse_case(kOu, "cases/ou.yaml");
  CHECK(c.source_path == "cases/ou.yaml");
  CHECK(c.name == "ou");
  CHECK(c.x0 == -6);
  CHECK(c.x1 == 6);
  CHECK(c.y0 == -5);
  CHECK(c.y1 == 5);
  CHECK(c.nx == 64);
  CHECK(c.ny == 48);
  CHECK(c.boundary == "zero_flux");
  CHECK(c.equation.type == "fokker_planck");
  CHECK(c.equation.drift.type == "linear");
  CHECK(c.equation.drift.C == Mat2::Identity());
  CHECK(c.equation.D == Mat2::Identity());
  CHECK(c.equation.schedule.type == "constant");
  CHECK(c.initial.type == "gaussian");
  REQUIRE(c.initial.means.size() == 1);
  CHECK(c.initial.weights == std::vector<double>{1.0});
  CHECK(c.initial.means[0] == Vec2(1.5, -1.0));
  CHECK(c.initial.covs[0] == mat(0.25, 0, 0, 0.25));
  CHECK(c.solver.method == "finite_volume");
  CHECK(c.solver.scheme == "muscl");
  CHECK(c.solver.integrator == "ssprk3");
  CHECK(!c.solver.dt.has_value());
  CHECK(c.solver.cfl == 0.4);
  CHECK(c.solver.linear_solver == "auto");
  CHECK(c.time.t_end == 1.0);
  CHECK(c.time.output_every == 0.1);
  CHECK(c.output.dir == "out/ou");
  CHECK(c.output.formats == std::vector<std::string>{"hdf5", "vtk"});
  CHECK(c.exact == "auto");
  CHECK(!c.verify.present);
  CHECK(c.resolved_yaml.find("dt: auto") != std::string::npos);
  check_round_trip(c);
}

TEST_CASE("case file: anisotropic heat case with a cross term, defaults filled, round-trips") {
  const CaseSpec c = fplab::parse_case(kHeat, "cases/heat_aniso.yaml");
  CHECK(c.name == "heat_aniso");  // the file stem
  CHECK(c.equation.type == "heat");
  CHECK(c.equation.D == mat(0.5, 0.2, 0.2, 0.3));
  CHECK(c.initial.means[0] == Vec2(0.5, 0));
  CHECK(c.initial.covs[0] == mat(0.3, 0.1, 0.1, 0.2));
  CHECK(c.boundary == "zero_flux");
  CHECK(c.solver.method == "finite_volume");
  CHECK(c.solver.scheme == "muscl");
  CHECK(c.solver.integrator == "rk4");
  REQUIRE(c.solver.dt.has_value());
  CHECK(*c.solver.dt == 2.5e-4);
  CHECK(c.time.t_end == 0.5);
  CHECK(c.time.output_every == 0.05);  // t_end / 10
  CHECK(c.output.dir == "out/heat_aniso");
  CHECK(c.output.formats == std::vector<std::string>{"hdf5", "vtk", "png"});
  CHECK(c.verify.present);
  CHECK(c.verify.refine == "time");
  CHECK(c.verify.levels == std::vector<int>{16, 32, 64});
  CHECK(c.verify.expected_order == 4.0);
  CHECK(c.verify.tolerance == 0.2);
  // The echo of a heat equation holds no drift or schedule (keys a heat block does not take).
  CHECK(c.resolved_yaml.find("drift") == std::string::npos);
  CHECK(c.resolved_yaml.find("D: [[0.5, 0.2], [0.2, 0.3]]") != std::string::npos);
  check_round_trip(c);
}

TEST_CASE("case file: bgk case with a mixture equilibrium parses to its values and round-trips") {
  const CaseSpec c = fplab::parse_case(kBgk, "bgk.yaml");
  CHECK(c.name == "bgk_mix");
  CHECK(c.boundary == "periodic");
  CHECK(c.equation.type == "bgk");
  CHECK(c.equation.tau == 0.25);
  const auto& q = c.equation.equilibrium;
  CHECK(q.type == "mixture");
  CHECK(q.weights == std::vector<double>{0.3, 0.7});
  REQUIRE(q.means.size() == 2);
  CHECK(q.means[0] == Vec2(-1.5, 0.5));
  CHECK(q.means[1] == Vec2(2, -1));
  CHECK(q.covs[0] == mat(0.4, 0.1, 0.1, 0.3));
  CHECK(q.covs[1] == mat(0.3, 0, 0, 0.5));
  // {type: gaussian} alone is the standard normal.
  CHECK(c.initial.means[0] == Vec2::Zero());
  CHECK(c.initial.covs[0] == Mat2::Identity());
  CHECK(c.time.output_every == 0.25);
  CHECK(c.output.dir == "results/bgk");
  CHECK(c.output.formats == std::vector<std::string>{"png", "hdf5"});  // duplicates dropped
  CHECK(c.exact == "none");
  check_round_trip(c);
}

TEST_CASE("case file: kinetic, potential, expression drifts and noise schedules round-trip") {
  // Kinetic Fokker–Planck: degenerate D is positive semi-definite, so it is accepted.
  const std::string kinetic =
      replace_lines(kOu, {{7, "  drift: {type: linear, C: [[0, -1], [1, 1]]}"},
                          {8, "  diffusion: {D: [[0, 0], [0, 1]]}"},
                          {9, "  schedule: {type: vp, beta_min: 0.5, beta_max: 10}"}});
  const CaseSpec k = fplab::parse_case(kinetic, "kin.yaml");
  CHECK(k.equation.drift.C == mat(0, -1, 1, 1));
  CHECK(k.equation.D == mat(0, 0, 0, 1));
  CHECK(k.equation.schedule.type == "vp");
  CHECK(k.equation.schedule.beta_min == 0.5);
  CHECK(k.equation.schedule.beta_max == 10);
  check_round_trip(k);

  const std::string potential =
      replace_lines(kOu, {{7, "  drift: {type: potential, U: \"0.25*(x^2 - 1)^2 + 0.5*y^2\"}"},
                          {9, "  schedule: {type: ve}"}});
  const CaseSpec p = fplab::parse_case(potential, "pot.yaml");
  CHECK(p.equation.drift.type == "potential");
  CHECK(p.equation.drift.U == "0.25*(x^2 - 1)^2 + 0.5*y^2");
  CHECK(p.equation.schedule.sigma_min == 0.01);  // the documented defaults (docs/reference.md §1)
  CHECK(p.equation.schedule.sigma_max == 50);
  check_round_trip(p);

  const std::string expression = replace_lines(
      kOu, {{7, "  drift: {type: expression, fx: \"-x + sin(t)*y\", fy: \"-y: x\"}"}});
  CHECK(error_of(expression).find("equation.drift.fy") != std::string::npos);
  const CaseSpec x = fplab::parse_case(
      replace_lines(kOu, {{7, "  drift: {type: expression, fx: '-x + sin(t)*y', fy: -y*exp(-t)}"},
                          {9, "  schedule: {type: subvp}"}}),
      "expr.yaml");
  CHECK(x.equation.drift.fx == "-x + sin(t)*y");
  CHECK(x.equation.drift.fy == "-y*exp(-t)");
  CHECK(x.equation.schedule.type == "subvp");
  CHECK(x.equation.schedule.beta_max == 20);
  check_round_trip(x);
}

TEST_CASE("case file: overrides apply before validation, create blocks and are echoed") {
  const CaseSpec c = fplab::parse_case(
      kOu, "ou.yaml",
      {"grid.nx=256", "solver.dt=1e-3", "equation.diffusion.D=[[1,0],[0,2]]", "initial.mean=[0,0]",
       "verify.levels=[16, 32]", "solver.cfl=0.30000000000000004", "name=ou fine",
       "solver.linear_solver=bicgstab",
       "initial.cov=[[0.1, 0.03333333333333333], [0.03333333333333333, 0.2]]"});
  CHECK(c.nx == 256);
  CHECK(c.ny == 48);
  REQUIRE(c.solver.dt.has_value());
  CHECK(*c.solver.dt == 1e-3);
  CHECK(c.solver.cfl == 0.1 + 0.2);  // printed in shortest round-trip form, not rounded
  CHECK(c.solver.linear_solver == "bicgstab");
  CHECK(c.equation.D == mat(1, 0, 0, 2));
  CHECK(c.initial.means[0] == Vec2::Zero());
  CHECK(c.initial.covs[0](0, 1) == 0.1 / 3);
  CHECK(c.verify.present);
  CHECK(c.verify.levels == std::vector<int>{16, 32});
  CHECK(c.name == "ou fine");
  CHECK(c.output.dir == "out/ou");  // set in the file, so the new name does not move it
  CHECK(c.resolved_yaml.find("nx: 256") != std::string::npos);
  CHECK(c.resolved_yaml.find("dt: 0.001") != std::string::npos);
  check_round_trip(c);

  // The last override of a key wins; "auto" restores the automatic time step.
  const CaseSpec d = fplab::parse_case(kOu, "ou.yaml", {"solver.dt=0.5", "solver.dt=auto"});
  CHECK(!d.solver.dt.has_value());
  // An empty file plus overrides is a whole case.
  const CaseSpec e =
      fplab::parse_case("", "empty.yaml",
                        {"domain={x: [0, 1], y: [0, 2]}", "grid.nx=8", "grid.ny=4",
                         "equation.type=heat", "initial.type=gaussian", "time.t_end=0.1"});
  CHECK(e.name == "empty");
  CHECK(e.y1 == 2);
  CHECK(e.ny == 4);
  CHECK(e.time.output_every == 0.1 / 10);
  check_round_trip(e);
}

TEST_CASE("case file: every shipped case in cases/ loads and round-trips") {
  const std::filesystem::path dir = std::filesystem::path(FPLAB_SOURCE_DIR) / "cases";
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".yaml") continue;
    CAPTURE(f.path().string());
    const CaseSpec c = fplab::load_case_file(f.path().string());
    CHECK(c.source_path == f.path().string());
    check_round_trip(c);
    ++n;
  }
  CHECK(n >= 3);
}

namespace {

// One bad case file: lines replaced in kOu and overrides, and the fragments its one-line error
// must hold.
struct Bad {
  const char* what;
  std::vector<std::pair<int, std::string>> lines;  // replacements in kOu
  std::vector<std::string> sets;                   // overrides
  std::vector<std::string> says;                   // fragments the message must hold
};

// Unknown keys, with suggestions.
std::vector<Bad> bad_unknown_keys_with_suggestions() {
  return {
    {"top-level key misspelt",
     {{4, "boundry: zero_flux"}},
     {},
     {"bad.yaml:4: boundry: unknown key", "(did you mean 'boundary'?)"}},
    {"grid key misspelt",
     {{3, "grid: {nx: 64, nyy: 48}"}},
     {},
     {"bad.yaml:3: grid.nyy: unknown key", "nx, ny", "(did you mean 'ny'?)"}},
    {"key one level too high",
     {{8, "  D: [[1, 0], [0, 1]]"}},
     {},
     {"bad.yaml:8: equation.D: unknown key", "(did you mean 'equation.diffusion.D'?)"}},
    {"key of another density type",
     {{11, "  type: mixture"}},
     {},
     {"bad.yaml:12: initial.mean: unknown key in a mixture density", "(did you mean 'means'?)"}},
    {"key of another equation type",
     {{6, "  type: heat"}},
     {},
     {"bad.yaml:7: equation.drift: unknown key in a heat equation", "type, diffusion"}},
    {"duplicate key",
     {{19, "  integrator: rk4"}},
     {},
     {"bad.yaml:19: solver.integrator:", "twice (lines 17 and 19)"}},
  };
}

// Wrong types.
std::vector<Bad> bad_wrong_types() {
  return {
    {"grid size not a number",
     {{3, "grid: {nx: many, ny: 48}"}},
     {},
     {"bad.yaml:3: grid.nx: expected an integer from 4 to 1048576, got 'many'"}},
    {"grid size not an integer",
     {{3, "grid: {nx: 64, ny: 48.5}"}},
     {},
     {"bad.yaml:3: grid.ny: expected an integer from 4 to 1048576, got 48.5"}},
    {"block given as a value",
     {{2, "domain: big"}},
     {},
     {"bad.yaml:2: domain: expected a block {x: [a, b], y: [c, d]}, got 'big'"}},
    {"matrix of the wrong shape",
     {{7, "  drift: {type: linear, C: [[1, 0]]}"}},
     {},
     {"bad.yaml:7: equation.drift.C: expected a 2×2 matrix", "got [[1, 0]]"}},
    {"bool expected",
     {{19, "  dealias: maybe"}},
     {},
     {"bad.yaml:19: solver.dealias: expected true or false, got 'maybe'"}},
  };
}

// Out of range: grid, domain, times, steps and matrices.
std::vector<Bad> bad_out_of_range_grid_time_matrices() {
  return {
    {"grid too small",
     {{3, "grid: {nx: 64, ny: 3}"}},
     {},
     {"bad.yaml:3: grid.ny: expected an integer from 4 to 1048576, got 3"}},
    {"inverted domain",
     {{2, "domain: {x: [6, -6], y: [-5, 5]}"}},
     {},
     {"bad.yaml:2: domain.x: expected an interval [a, b] with a < b, got [6, -6]"}},
    {"t_end zero",
     {{20, "time: {t_end: 0, output_every: 0.1}"}},
     {},
     {"bad.yaml:20: time.t_end: expected a number > 0, got 0"}},
    {"output_every negative",
     {{20, "time: {t_end: 1, output_every: -0.1}"}},
     {},
     {"bad.yaml:20: time.output_every: expected a number > 0, got -0.1"}},
    {"dt negative",
     {{18, "  dt: -1e-3"}},
     {},
     {"bad.yaml:18: solver.dt: expected a number > 0 or auto, got -1e-3"}},
    {"cfl zero", {{19, "  cfl: 0"}}, {}, {"bad.yaml:19: solver.cfl: expected a number > 0"}},
    {"D not symmetric",
     {{8, "  diffusion: {D: [[1, 0.5], [0, 1]]}"}},
     {},
     {"bad.yaml:8: equation.diffusion.D: expected a symmetric positive semi-definite",
      "not symmetric"}},
    {"D not PSD",
     {{8, "  diffusion: {D: [[1, 2], [2, 1]]}"}},
     {},
     {"bad.yaml:8: equation.diffusion.D:", "eigenvalues are -1 and 3"}},
  };
}

// Out of range: densities, schedules, relaxation and verify levels.
std::vector<Bad> bad_out_of_range_densities_schedules() {
  return {
    {"cov not SPD",
     {{13, "  cov: [[1, 0], [0, 0]]"}},
     {},
     {"bad.yaml:13: initial.cov: expected a symmetric positive definite", "eigenvalues are 0"}},
    {"mixture weight negative",
     {{10,
       "initial: {type: mixture, weights: [1.2, -0.2], means: [[0, 0], [1, 1]], "
       "covs: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}"},
      {11, "#"},
      {12, "#"},
      {13, "#"}},
     {},
     {"bad.yaml:10: initial.weights[1]: expected a weight ≥ 0, got -0.2"}},
    {"mixture weights not summing to 1",
     {{10, "initial:"},
      {11, "  type: mixture"},
      {12, "  weights: [0.5, 0.4]"},
      {13, "  means: [[0, 0], [1, 1]]\n  covs: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]"}},
     {},
     {"bad.yaml:12: initial.weights: expected weights summing to 1", "summing to 0.9"}},
    {"mixture lists of different lengths",
     {{10, "initial:"},
      {11, "  type: mixture"},
      {12, "  means: [[0, 0], [1, 1]]"},
      {13, "  covs: [[[1, 0], [0, 1]]]"}},
     {},
     {"bad.yaml:13: initial.covs: expected 2 covariance matrices, one per mean, got 1"}},
    {"vp schedule with beta_max < beta_min",
     {{9, "  schedule: {type: vp, beta_min: 5, beta_max: 1}"}},
     {},
     {"bad.yaml:9: equation.schedule.beta_max: expected a number ≥ beta_min = 5, got 1"}},
    {"ve schedule with sigma_min > sigma_max",
     {{9, "  schedule: {type: ve, sigma_min: 2, sigma_max: 1}"}},
     {},
     {"bad.yaml:9: equation.schedule.sigma_max: expected a number > sigma_min = 2"}},
    {"bgk tau zero",
     {{6, "  type: bgk"}, {7, "  tau: 0"}, {8, "#"}, {9, "#"}},
     {},
     {"bad.yaml:7: equation.tau: expected a number > 0, got 0"}},
    {"verify levels decreasing",
     {{24, "verify: {levels: [64, 32]}"}},
     {},
     {"bad.yaml:24: verify.levels: expected at least 2 increasing grid sizes ≥ 4",
      "got [64, 32]"}},
    {"verify levels too few",
     {{24, "verify: {levels: [64]}"}},
     {},
     {"bad.yaml:24: verify.levels: expected at least 2"}},
  };
}

// Unknown names.
std::vector<Bad> bad_unknown_names() {
  return {
    {"unknown integrator",
     {{17, "  integrator: ssprk4"}},
     {},
     {"bad.yaml:17: solver.integrator: expected one of", "(did you mean 'ssprk3'?)"}},
    {"unknown boundary",
     {{4, "boundary: zero-flux"}},
     {},
     {"bad.yaml:4: boundary: expected one of", "got 'zero-flux' (did you mean 'zero_flux'?)"}},
    {"unknown method",
     {{15, "  method: finite_volumes"}},
     {},
     {"bad.yaml:15: solver.method: expected one of finite_volume, spectral",
      "(did you mean 'finite_volume'?)"}},
    {"unknown density type",
     {{11, "  type: gausian"}},
     {},
     {"bad.yaml:11: initial.type: expected one of gaussian, mixture",
      "(did you mean 'gaussian'?)"}},
    {"from_run takes a path, not a mean",
     {{11, "  type: from_run"}},
     {},
     {"bad.yaml:12: initial.mean: unknown key in a from_run block"}},
    {"reverse equation with the keys of a forward one",
     {{6, "  type: reverse_fokker_planck"}},
     {},
     {"bad.yaml:7: equation.drift: unknown key in a reverse_fokker_planck equation",
      "forward, T, lambda, score"}},
    {"output format unknown",
     {{23, "  formats: [hdf5, csv]"}},
     {},
     {"bad.yaml:23: output.formats[1]: expected one of hdf5, vtk, png, got 'csv'",
      "always written"}},
    {"unknown linear solver",
     {{19, "  linear_solver: bicgstb"}},
     {},
     {"bad.yaml:19: solver.linear_solver: expected one of auto, lu, bicgstab, got 'bicgstb' "
      "(did you mean 'bicgstab'?)"}},
    {"exact not auto or none",
     {{24, "exact: yes"}},
     {},
     {"bad.yaml:24: exact: expected one of auto, none, got 'yes'"}},
  };
}

// Missing required keys.
std::vector<Bad> bad_missing_required_keys() {
  return {
    {"domain missing",
     {{2, "# no domain"}},
     {},
     {"bad.yaml: domain: missing required key, expected a block {x: [a, b], y: [c, d]}"}},
    {"grid.ny missing",
     {{3, "grid: {nx: 64}"}},
     {},
     {"bad.yaml:3: grid.ny: missing required key, expected an integer from 4 to 1048576"}},
    {"equation.type missing",
     {{6, "  # no type"}},
     {},
     {"equation.type: missing required key, expected one of fokker_planck, heat, bgk"}},
    {"initial missing",
     {{10, "#"}, {11, "#"}, {12, "#"}, {13, "#"}},
     {},
     {"bad.yaml: initial: missing required key"}},
    {"time.t_end missing",
     {{20, "time: {output_every: 0.1}"}},
     {},
     {"bad.yaml:20: time.t_end: missing required key, expected a number > 0"}},
    {"potential U missing",
     {{7, "  drift: {type: potential}"}},
     {},
     {"bad.yaml:7: equation.drift.U: missing required key, expected an expression in x, y"}},
  };
}

// Expressions and syntax.
std::vector<Bad> bad_expressions_and_syntax() {
  return {
    {"expression syntax error",
     {{7, "  drift: {type: potential, U: \"x^^2 + y^2\"}"}},
     {},
     {"bad.yaml:7: equation.drift.U: expected an expression in x, y, got 'x^^2 + y^2'",
      "position 2"}},
    {"expression with a variable it may not use",
     {{7, "  drift: {type: potential, U: x*t}"}},
     {},
     {"bad.yaml:7: equation.drift.U:", "\"t\"", "position 2"}},
    {"unbalanced parenthesis",
     {{7, "  drift: {type: expression, fx: -x, fy: sin(y}"}},
     {},
     {"bad.yaml:7: equation.drift.fy:", "parenthesis", "position"}},
    {"YAML syntax error",
     {{7, "  drift: {type: linear, C: [[1, 0], [0, 1]]"}},
     {},
     {"bad.yaml:", "invalid YAML"}},
  };
}

// Overrides.
std::vector<Bad> bad_overrides() {
  return {
    {"override names an unknown key",
     {},
     {"solver.schem=muscl"},
     {"--set solver.schem=muscl: solver.schem: unknown key", "(did you mean 'scheme'?)"}},
    {"override with D one level too high",
     {},
     {"equation.D=[[1,0],[0,2]]"},
     {"--set equation.D=[[1,0],[0,2]]: equation.D: unknown key",
      "(did you mean 'equation.diffusion.D'?)"}},
    {"override out of range",
     {},
     {"solver.dt=0"},
     {"--set solver.dt=0: solver.dt: expected a number > 0 or auto, got 0"}},
    {"override of the linear solver",
     {},
     {"solver.linear_solver=gmres"},
     {"--set solver.linear_solver=gmres: solver.linear_solver: expected one of auto, lu, "
      "bicgstab, got 'gmres'"}},
    {"override of a cov that is not SPD",
     {},
     {"initial.cov=[[1,2],[2,1]]"},
     {"--set initial.cov=[[1,2],[2,1]]: initial.cov:", "eigenvalues are -1 and 3"}},
    {"override without '='", {}, {"grid.nx"}, {"--set 'grid.nx': expected key=value"}},
    {"override into a value",
     {},
     {"grid.nx.cells=3"},
     {"--set grid.nx.cells=3: grid.nx: expected a block of keys", "got 64"}},
    {"override value not YAML", {}, {"grid.nx=[1,"}, {"--set grid.nx=[1,:", "not valid YAML"}},
    {"override of a block with a bad member",
     {},
     {"grid={nx: 8, ny: 2}"},
     {"--set grid={nx: 8, ny: 2}: grid.ny: expected an integer from 4 to 1048576, got 2"}},
  };
}

}  // namespace

TEST_CASE("case file: errors name the file, the line and the key, and suggest the nearest name") {
  // The documented form of an error (file, line, key, a suggestion), exactly.
  const std::string scheme_error =
      error_of(replace_lines(kOu, {{16, "  scheme: mucsl"}}), {}, "cases/foo.yaml");
  CHECK(scheme_error == "cases/foo.yaml:16: solver.scheme: expected one of " +
                            fplab::join_names(fplab::flux_scheme_names()) +
                            ", got 'mucsl' (did you mean 'muscl'?)");
  // And for an override, in the same documented form.
  CHECK(error_of(kOu, {"grid.nx=2"}) == "--set grid.nx=2: grid.nx: expected an integer from 4 to 1048576, got 2");
  CHECK(error_of(kOu, {}, "x") == "(no error)");
}

TEST_CASE("case file: every bad input is one sentence holding the file, line, key and expectation") {
  std::vector<Bad> table;
  for (const auto& part : {bad_unknown_keys_with_suggestions(), bad_wrong_types(), bad_out_of_range_grid_time_matrices(), bad_out_of_range_densities_schedules(), bad_unknown_names(), bad_missing_required_keys(), bad_expressions_and_syntax(), bad_overrides()})
    table.insert(table.end(), part.begin(), part.end());
  CHECK(table.size() >= 24);
  for (const auto& b : table) {
    const std::string what = b.what;
    CAPTURE(what);
    const std::string msg = error_of(replace_lines(kOu, b.lines), b.sets);
    CAPTURE(msg);
    CHECK(msg != "(no error)");
    CHECK(msg.find('\n') == std::string::npos);  // one sentence, one line
    for (const auto& s : b.says) CHECK_MESSAGE(msg.find(s) != std::string::npos, "missing: " << s);
  }
}

TEST_CASE("case file: a missing file, an empty file and a file that is not a block of keys") {
  CHECK_THROWS_WITH_AS(fplab::load_case_file("no/such/case.yaml"),
                       "cannot open case file 'no/such/case.yaml'", fplab::InputError);
  CHECK(error_of("", {}, "empty.yaml").find("empty.yaml: expected a case") == 0);
  CHECK(error_of("- 1\n- 2\n", {}, "list.yaml").find("list.yaml:1: expected a case") == 0);
}

TEST_CASE("case file: nearest-name suggestions use the transposition-aware edit distance") {
  CHECK(fplab::edit_distance("mucsl", "muscl") == 1);
  CHECK(fplab::edit_distance("kitten", "sitting") == 3);
  CHECK(fplab::edit_distance("NX", "nx") == 0);
  CHECK(fplab::nearest_name("mucsl", {"upwind", "central", "muscl"}) == "muscl");
  CHECK(fplab::nearest_name("fv", {"finite_volume", "spectral"}).empty());  // too far to guess
}

TEST_CASE("case file: UTF-8 validation finds the first byte that is not well-formed") {
  using fplab::utf8_invalid_at;
  constexpr auto npos = std::string::npos;
  CHECK(utf8_invalid_at("plain ascii") == npos);
  CHECK(utf8_invalid_at("Fokker–Planck σ² ≥ 4 😀") == npos);  // 2-, 3- and 4-byte characters
  CHECK(utf8_invalid_at("ab\xff\xfe") == 2);                  // bytes never in UTF-8
  CHECK(utf8_invalid_at("a\x80") == 1);                       // a lone continuation byte
  CHECK(utf8_invalid_at("a\xc3") == 1);                       // cut short at the end
  CHECK(utf8_invalid_at("a\xc0\xaf") == 1);                   // overlong '/'
  CHECK(utf8_invalid_at("a\xed\xa0\x80") == 1);               // a UTF-16 surrogate
  CHECK(utf8_invalid_at("a\xf4\x90\x80\x80") == 1);           // above U+10FFFF
}

TEST_CASE("case file: a value quoted in a message is cut to one short line") {
  using fplab::shorten;
  CHECK(shorten("short") == "short");
  CHECK(shorten(std::string(100, 'x')) == std::string(80, 'x') + "…");
  CHECK(shorten("two\nlines") == "two lines");
  // 79 ASCII bytes, then σ (2 bytes) across the cut: the whole character goes.
  CHECK(shorten(std::string(79, 'a') + "σσ") == std::string(79, 'a') + "…");
  const std::string ten_mb(10'000'000, 'n');
  CHECK(error_of(replace_lines(kOu, {{1, "name: [" + ten_mb + "]"}})).size() < 300);
}

TEST_CASE("case file: where each key came from is kept for messages found after loading") {
  const CaseSpec c = fplab::parse_case(kOu, "bad.yaml", {"solver.integrator=rk4"});
  CHECK(c.key_where.at("boundary") == "bad.yaml:4");
  CHECK(c.key_where.at("equation.drift.C") == "bad.yaml:7");
  CHECK(c.key_where.at("solver.integrator") == "--set solver.integrator=rk4");
  CHECK(fplab::locate_in_case(c, "boundary: not here") == "bad.yaml:4: boundary: not here");
  CHECK(fplab::locate_in_case(c, "no key: here") == "bad.yaml: no key: here");
}

TEST_CASE("case file: a null value is located on its key's line, not the next key's") {
  CHECK(error_of(replace_lines(kOu, {{3, "grid:"}})) ==
        "bad.yaml:3: grid: expected a block {nx: cells in x, ny: cells in y}, got nothing");
  CHECK(error_of(replace_lines(kOu, {{12, "  mean:"}})).rfind("bad.yaml:12: initial.mean:", 0) ==
        0);
}
