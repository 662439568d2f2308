// End-to-end: the fplab program run on the shipped cases (regression on their errors), on bad
// input (exit 2, one sentence naming the key), on an unstable step (exit 3, finished snapshots
// kept), and `fplab info` on what it wrote.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "io/result_file.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;

namespace {

using fplab_e2e::CommandResult;
using fplab_e2e::run_fplab;
using fplab_e2e::scratch;
using fplab_e2e::slurp;

nlohmann::json summary(const fs::path& dir) {
  return nlohmann::json::parse(slurp(dir / "summary.json"));
}

}  // namespace

TEST_CASE("shipped cases run and keep their accuracy (regression)") {
  // L1 error bounds at t_end on the shipped grids (nx = 128); measured values are in the README.
  struct Expect {
    const char* file;
    double l1_max;
  };
  for (const Expect& e :
       {Expect{"cases/ou_gaussian.yaml", 2e-3}, Expect{"cases/heat_gaussian.yaml", 4e-3},
        Expect{"cases/bgk_relaxation.yaml", 1e-5}}) {
    CAPTURE(e.file);
    const fs::path dir = scratch(fs::path(e.file).stem().string());
    const auto r =
        run_fplab(std::string("run ") + e.file + " --quiet --set output.formats=[hdf5,vtk] -o " +
                      (dir / "out").string(),
                  dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto s = summary(dir / "out");
    const auto& fin = s.at("final");
    CHECK(std::abs(fin.at("mass").get<double>() - 1.0) < 1e-6);
    CHECK(fin.at("l1_error").get<double>() < e.l1_max);
    CHECK(fin.at("l1_error").get<double>() > 0.0);
    CHECK(fs::exists(dir / "out" / "result.h5"));
    CHECK(fs::exists(dir / "out" / "result.xmf"));
    CHECK(fs::exists(dir / "out" / "vtk" / "density.pvd"));
    CHECK(fs::exists(dir / "out" / "diagnostics.csv"));
    CHECK(r.out.find("l1_error") != std::string::npos);  // the one-screen summary
  }
}

TEST_CASE("bad input exits 2 with one sentence naming the key") {
  const fs::path dir = scratch("bad");
  struct Bad {
    std::string args;
    std::string must_name;
  };
  const Bad bad[] = {
      {"run cases/ou_gaussian.yaml --set grid.nx=2", "grid.nx"},
      {"run cases/ou_gaussian.yaml --set solver.scheme=mucsl", "muscl"},
      {"run cases/ou_gaussian.yaml --set solver.integratr=rk4", "solver.integratr"},
      {"run cases/ou_gaussian.yaml --set time.t_end=-1", "time.t_end"},
      {"run cases/does_not_exist.yaml", "does_not_exist.yaml"},
      {"run cases/ou_gaussian.yaml --set novalue", "novalue"},
      {"info " + (dir / "missing.h5").string(), "missing.h5"},
      {"run", "CASE"},
  };
  for (const auto& b : bad) {
    CAPTURE(b.args);
    const auto r = run_fplab(b.args + " --quiet", dir);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(b.must_name) != std::string::npos);
    CHECK(r.err.find("terminate") == std::string::npos);
    // One sentence: a single line on stderr.
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("an unstable step exits 3, marks the run failed and keeps every finished snapshot") {
  const fs::path dir = scratch("unstable");
  // Forward Euler far above the diffusion limit (allowed): blows up after a few output times.
  const auto r = run_fplab(
      "run cases/ou_gaussian.yaml --quiet --set grid.nx=64 --set grid.ny=64 "
      "--set solver.integrator=euler --set solver.dt=0.02 --set solver.allow_unstable=true "
      "--set time.output_every=0.02 --set 'output.formats=[hdf5, vtk]' -o " +
          (dir / "out").string(),
      dir);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("unstable") != std::string::npos);
  const auto res = fplab::open_result((dir / "out" / "result.h5").string());
  REQUIRE(res.times.size() >= 1);
  CHECK(res.times.front() == 0.0);
  const auto p0 = res.read_density(0);
  for (double v : p0) REQUIRE(std::isfinite(v));
  // The failure is recorded, and the sidecars list exactly the snapshots that exist.
  CHECK(res.attributes.at("status") == "failed");
  CHECK(nlohmann::json::parse(slurp(dir / "out" / "summary.json")).at("status") == "failed");
  const std::string pvd = slurp(dir / "out" / "vtk" / "density.pvd");
  std::size_t listed = 0;
  for (auto at = pvd.find("<DataSet"); at != std::string::npos; at = pvd.find("<DataSet", at + 1))
    ++listed;
  CHECK(listed == res.times.size());
  CHECK(fs::exists(dir / "out" / "vtk" / fmt::format("density_{:04d}.vti", listed - 1)));
  CHECK_FALSE(fs::exists(dir / "out" / "vtk" / fmt::format("density_{:04d}.vti", listed)));
  const auto info = run_fplab("info " + (dir / "out" / "result.h5").string(), dir);
  CHECK(info.out.find("failed") != std::string::npos);
}

TEST_CASE("euler at cfl 100 is refused, and with allow_unstable stopped by the monitor") {
  const fs::path dir = scratch("cfl100");
  const std::string run = "run cases/ou_gaussian.yaml --quiet --set grid.nx=64 --set grid.ny=64 "
                          "--set solver.integrator=euler --set solver.cfl=100 "
                          "--set time.t_end=1 --set output.formats=[hdf5] -o " +
                          (dir / "out").string();
  const auto refused = run_fplab(run, dir);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("--set solver.cfl=100: solver.cfl: 100 exceeds the stability limit 1 "
                         "of euler") != std::string::npos);
  const auto stopped = run_fplab(run + " --set solver.allow_unstable=true", dir);
  CHECK(stopped.exit_code == 3);
  // Physical integrals: the mass is 1, not a cell sum.
  CHECK(stopped.err.find("∫|p| dx grew from 1 to") != std::string::npos);
}

TEST_CASE("an exponential integrator above the drift's explicit bound runs without a warning") {
  const fs::path dir = scratch("etdrk4_dt");
  // dt 0.01 is 4× the drift bound 0.0025 an explicit method would have at 128².
  const auto r = run_fplab(
      "run cases/ou_spectral.yaml --set grid.nx=128 --set grid.ny=128 --set solver.dt=0.01 "
      "--set time.t_end=0.2 --set time.output_every=0.1 --set solver.fftw_planning=estimate "
      "--set output.formats=[hdf5] -o " +
          (dir / "out").string(),
      dir);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("[warning]") == std::string::npos);
  CHECK(r.err.find("stability") == std::string::npos);
}

TEST_CASE("fplab info describes a result") {
  const fs::path dir = scratch("info");
  const auto run = run_fplab(
      "run cases/heat_gaussian.yaml --quiet --set grid.nx=32 --set grid.ny=32 "
      "--set output.formats=[hdf5] -o " +
          (dir / "out").string(),
      dir);
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const auto r = run_fplab("info " + (dir / "out" / "result.h5").string(), dir);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("heat_gaussian") != std::string::npos);
  CHECK(r.out.find("32") != std::string::npos);
  CHECK(r.out.find("l1_error") != std::string::npos);
}

TEST_CASE("fplab verify: table, convergence files, exit 1 below the expected order") {
  const fs::path dir = scratch("verify");
  const auto ok = run_fplab("verify cases/ou_gaussian.yaml --levels 32,64 --quiet -o " +
                                (dir / "ok").string(),
                            dir);
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(ok.out.find("PASSED") != std::string::npos);
  const auto j = nlohmann::json::parse(slurp(dir / "ok" / "convergence.json"));
  CHECK(j.at("levels").size() == 2);
  CHECK(j.at("order_l1").at(0).get<double>() > 1.9);
  CHECK(j.at("passed").get<bool>());
  CHECK(fs::exists(dir / "ok" / "convergence.csv"));
  // Second-order MUSCL cannot show order 3: verify must fail with exit code 1.
  const auto bad = run_fplab("verify cases/ou_gaussian.yaml --levels 32,64 --quiet "
                             "--set verify.expected_order=3 -o " + (dir / "bad").string(),
                             dir);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("FAILED") != std::string::npos);
  const auto badlevels = run_fplab("verify cases/ou_gaussian.yaml --levels 32,x --quiet", dir);
  CHECK(badlevels.exit_code == 2);
  CHECK(badlevels.err.find("--levels") != std::string::npos);
}
