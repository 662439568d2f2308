// Limits of a run (solver/run_checks.hpp, docs/reference.md §3): the stability limits are the
// stability regions' extents, the step estimate matches the steps a run takes, the monitor stops
// at its documented thresholds, and an undefined diagnostic is written as absent.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "io/hdf5_writer.hpp"
#include "io/history_writer.hpp"
#include "io/summary_writer.hpp"
#include "solver/run_checks.hpp"
#include "solver/simulation.hpp"

namespace fs = std::filesystem;

namespace {

fplab::CaseSpec load(const std::vector<std::string>& sets) {
  std::vector<std::string> all{"grid={nx: 32, ny: 32}", "output.formats=[hdf5]"};
  all.insert(all.end(), sets.begin(), sets.end());
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/cases/ou_gaussian.yaml", all);
}

// |R(z)| of the Taylor polynomial of degree s: the stability function of euler (1), ssprk3 (3)
// and rk4 (4) on a linear problem.
double taylor_amplification(int s, double z) {
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= s; ++k) {
    term *= z / k;
    sum += term;
  }
  return std::abs(sum);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the explicit stability limits are half the real stability intervals") {
  const struct {
    const char* name;
    int degree;
  } methods[] = {{"euler", 1}, {"ssprk3", 3}, {"rk4", 4}};
  for (const auto& m : methods) {
    CAPTURE(m.name);
    const auto limit = fplab::stable_cfl_limit(*fplab::make_integrator(m.name));
    REQUIRE(limit);
    // The operators' bound counts half the spectral radius of diffusion: z = −2·cfl at the edge.
    CHECK(taylor_amplification(m.degree, -2.0 * *limit * 0.999) <= 1.0);
    CHECK(taylor_amplification(m.degree, -2.0 * *limit * 1.001) > 1.0);
  }
  CHECK(*fplab::stable_cfl_limit(*fplab::make_integrator("imex_ars222")) == 1.0);
  CHECK(*fplab::stable_cfl_limit(*fplab::make_integrator("rkl2")) == 1.0);
  for (const char* free :
       {"backward_euler", "crank_nicolson", "bdf2", "expm", "etdrk4", "if_rk4", "exact"}) {
    CAPTURE(free);
    CHECK(!fplab::stable_cfl_limit(*fplab::make_integrator(free)));
  }
}

TEST_CASE("snapshot and step estimates") {
  fplab::CaseSpec c = load({"time={t_end: 1, output_every: 0.1}", "solver.dt=0.01"});
  CHECK(fplab::estimate_snapshots(c) == 11);
  fplab::BoundSamples one{{0.0}, {0.025}};
  CHECK(fplab::estimate_steps(c, one) == 100 + 10);
  c.solver.dt.reset();
  c.solver.cfl = 0.4;
  CHECK(fplab::estimate_steps(c, one) == 100 + 10);  // cfl × bound = 0.01
  c.time.output_every = 1e-9;
  CHECK(fplab::estimate_snapshots(c) == 1e9 + 1);
}

TEST_CASE("the step estimate matches the steps of a run, under a VP schedule too") {
  for (const bool schedule : {false, true}) {
    CAPTURE(schedule);
    std::vector<std::string> sets{"time={t_end: 0.5, output_every: 0.25}"};
    if (schedule) sets.push_back("equation.schedule={type: vp, beta_min: 0.1, beta_max: 20}");
    const fplab::CaseSpec c = load(sets);
    const fplab::Simulation probe(c);
    const auto& pb = probe.problem();
    const auto b = fplab::sample_stable_step(*pb.integrator, *pb.op, c.time.t_end, 100);
    const double estimate = fplab::estimate_steps(c, b);
    const auto r = fplab::simulate(c, {});
    MESSAGE("steps " << r.steps << ", estimated " << estimate);
    CHECK(estimate >= double(r.steps));
    CHECK(estimate <= 1.1 * double(r.steps) + 2);
  }
}

TEST_CASE("refusals name the key and the number asked for") {
  const std::string steps = error_of([] {
    fplab::Simulation s(load({"solver.max_steps=10", "time={t_end: 0.05, output_every: 0.05}"}));
  });
  CHECK(steps.find("solver.max_steps: ") != std::string::npos);
  CHECK(steps.find("more than solver.max_steps = 10") != std::string::npos);
  const std::string euler = error_of([] {
    fplab::Simulation s(load({"solver.integrator=euler", "solver.cfl=1.5"}));
  });
  CHECK(euler.find("solver.cfl: 1.5 exceeds the stability limit 1 of euler") != std::string::npos);
  // At its limit it runs, and so does anything with allow_unstable.
  CHECK(error_of([] {
          fplab::Simulation s(load({"solver.integrator=euler", "solver.cfl=1"}));
        }).empty());
  CHECK(error_of([] {
          fplab::Simulation s(
              load({"solver.integrator=euler", "solver.cfl=3", "solver.allow_unstable=true"}));
        }).empty());
}

TEST_CASE("the instability monitor stops at ∫|p| dx > 1.25 × initial and negative mass > 0.2") {
  const fplab::CaseSpec c = load({});
  fplab::Grid2D g{4, 4, 0.0, 2.0, 0.0, 2.0};  // cell area 0.25
  std::vector<double> u(g.size(), 0.25);      // ∫p = 1
  const fplab::InstabilityMonitor m(c, g, u);
  CHECK(m.initial_abs_integral() == doctest::Approx(1.0));
  for (double& v : u) v = 0.25 * 1.24;
  CHECK_NOTHROW(m.check(u, 0.1, 16, 0.01));
  for (double& v : u) v = 0.25 * 1.26;
  const std::string grew = error_of([&] { m.check(u, 0.1, 16, 0.01); });
  CHECK(grew.find("∫|p| dx grew from 1 to 1.26") != std::string::npos);
  CHECK(grew.find("lower solver.cfl") != std::string::npos);
  // Mass that has left (an absorbing wall): ∫|p| dx shrinks while the negative mass grows.
  std::fill(u.begin(), u.end(), 0.1);
  u[0] = -0.76;  // 0.19 of negative mass (∫|p| dx = 0.565): within the limit
  CHECK_NOTHROW(m.check(u, 0.1, 16, 0.01));
  u[0] = -0.84;  // 0.21: beyond 0.2 while ∫|p| dx = 0.585 is far below 1.25
  const std::string neg = error_of([&] { m.check(u, 0.1, 16, 0.01); });
  CHECK(neg.find("negative mass") != std::string::npos);
  u[1] = std::numeric_limits<double>::quiet_NaN();
  CHECK(error_of([&] { m.check(u, 0.1, 16, 0.01); }).find("non-finite") != std::string::npos);
}

TEST_CASE("a step that does not advance t is a numerical failure") {
  CHECK_NOTHROW(fplab::check_step_advances(0.05, 1e-12));
  CHECK_THROWS_AS(fplab::check_step_advances(0.05, 1.5e-31), fplab::NumericalError);
  CHECK_THROWS_AS(fplab::check_step_advances(0.05, 0.0), fplab::NumericalError);
}

TEST_CASE("an undefined diagnostic is an empty CSV cell and NaN with an explaining attribute") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("fplab_run_checks_{}", ::getpid());
  fs::remove_all(dir);
  fplab::CaseSpec c = load({});
  fplab::RunInfo info;
  info.spec = &c;
  info.grid = fplab::Grid2D{4, 4, 0.0, 1.0, 0.0, 1.0};
  info.output_dir = dir.string();
  info.diagnostic_names = {"mass", "mean_x"};
  const std::vector<double> p(16, 0.0);
  const fplab::DiagnosticRow row{{"mass", 0.0},
                                 {"mean_x", std::numeric_limits<double>::quiet_NaN()}};
  fplab::Snapshot snap;
  snap.density = p;
  snap.diagnostics = &row;
  fplab::HistoryWriter csv;
  fplab::Hdf5Writer h5(false);
  fplab::SummaryWriter json;
  fplab::RunSummary summary;
  summary.final_row = row;
  for (fplab::OutputSink* s :
       {static_cast<fplab::OutputSink*>(&csv), static_cast<fplab::OutputSink*>(&h5),
        static_cast<fplab::OutputSink*>(&json)}) {
    s->begin(info);
    s->write(snap);
    s->end(summary);
  }
  std::ifstream js(dir / "summary.json");
  const auto final_row = nlohmann::json::parse(js).at("final");
  CHECK(final_row.at("mass") == 0.0);
  CHECK(final_row.at("mean_x").is_null());
  std::ifstream in(dir / "diagnostics.csv");
  std::string header, line;
  std::getline(in, header);
  std::getline(in, line);
  CHECK(line == "0,0,0,");
  const hid_t f = H5Fopen((dir / "result.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t d = H5Dopen2(f, "/diagnostics/mean_x", H5P_DEFAULT);
  CHECK(H5Aexists(d, "nan") > 0);
  H5Dclose(d);
  H5Fclose(f);
  fs::remove_all(dir);
}
