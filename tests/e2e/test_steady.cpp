// `fplab steady` and `output.store_current` through the program: the files of a steady state
// (one stationary snapshot, the current as fields and as a VTK vector, its streamline picture),
// `fplab render` of it, and the refusals with their exit codes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "e2e_support.hpp"
#include "io/result_file.hpp"
#include "tests/display_required.hpp"

using namespace fplab_e2e;

namespace {

const std::string kRotating =
    "cases/steady_rotating.yaml --set grid.nx=32 --set grid.ny=32 -q ";

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("fplab steady writes one stationary snapshot with its current, in every format") {
  const fs::path dir = scratch("steady_files");
  const fs::path out = dir / "out";
  const auto r = run_fplab("steady " + kRotating + "-o " + out.string(), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto res = fplab::open_result((out / "result.h5").string());
  CHECK(res.times.size() == 1);
  CHECK(res.attributes.at("stationary") == "true");
  CHECK(has(res.fields, "current_x"));
  CHECK(has(res.fields, "current_y"));
  CHECK(has(res.fields, "exact"));
  CHECK(res.diagnostics.at("residual").back() < 1e-10);
  CHECK(res.diagnostics.at("l1_error").back() < 0.03);  // 32², second order: ~0.02
  // The rotating current circulates clockwise, J = (2y, −2x) p: above the origin (y > 0, x ≈ 0)
  // it points in +x, below it in −x.
  const auto jx = res.read_field("current_x", 0);
  CHECK(jx[static_cast<std::size_t>(24) * 32 + 16] > 0.0);
  CHECK(jx[static_cast<std::size_t>(8) * 32 + 16] < 0.0);
  const std::string vti = slurp(out / "vtk" / "density_0000.vti");
  CHECK(vti.find("Name=\"current\" NumberOfComponents=\"3\"") != std::string::npos);
  CHECK(vti.find("Vectors=\"current\"") != std::string::npos);
  const std::string summary = slurp(out / "summary.json");
  CHECK(summary.find("\"integrator\": \"steady\"") != std::string::npos);
  CHECK(summary.find("\"residual_relative\"") != std::string::npos);
  CHECK(run_fplab("info " + (out / "result.h5").string(), dir).out.find("stationary") !=
        std::string::npos);
}

TEST_CASE("fplab render draws the streamlines of a stored current") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("steady_render");
  const fs::path out = dir / "out";
  REQUIRE(run_fplab("steady " + kRotating + "--set 'output.formats=[hdf5]' -o " + out.string(),
                    dir)
              .exit_code == 0);
  const auto r = run_fplab("render " + (out / "result.h5").string() + " -q -o " +
                               (dir / "pics").string(),
                           dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::file_size(dir / "pics" / "current_0000.png") > 10000);
  CHECK(fs::exists(dir / "pics" / "density_0000.png"));
}

TEST_CASE("fplab run with output.store_current stores J at every snapshot, finite volumes only") {
  const fs::path dir = scratch("store_current");
  const auto r = run_fplab("run " + kRotating +
                               "--set time.t_end=0.5 --set time.output_every=0.25 "
                               "--set 'output.formats=[hdf5, vtk]' -o " + (dir / "fv").string(),
                           dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto res = fplab::open_result((dir / "fv" / "result.h5").string());
  CHECK(res.times.size() == 3);
  CHECK(res.read_field("current_y", 2).size() == 32u * 32u);
  const auto spectral = run_fplab("run " + kRotating + "--set solver.method=spectral --set boundary=periodic -o " +
                                      (dir / "sp").string(),
                                  dir);
  CHECK(spectral.exit_code == 2);
  CHECK(spectral.err.find("output.store_current") != std::string::npos);
}

TEST_CASE("fplab steady refuses cases without a unique steady state, exit 2 or 3") {
  const fs::path dir = scratch("steady_refused");
  const auto absorbing = run_fplab("steady " + kRotating + "--set boundary=dirichlet", dir);
  CHECK(absorbing.exit_code == 2);
  CHECK(absorbing.err.find("boundary: dirichlet walls absorb") != std::string::npos);
  const auto schedule = run_fplab(
      "steady " + kRotating + "--set equation.schedule.type=vp", dir);
  CHECK(schedule.exit_code == 2);
  CHECK(schedule.err.find("equation.schedule") != std::string::npos);
  const auto degenerate = run_fplab(
      "steady " + kRotating +
          "--set 'equation.drift.C=[[1, 0], [0, 0]]' --set 'equation.diffusion.D=[[1, 0], [0, 0]]'",
      dir);
  CHECK(degenerate.exit_code == 3);
  CHECK(degenerate.err.find("not unique") != std::string::npos);
}

TEST_CASE("cases/variable_diffusion.yaml runs and solves steady through the program, every format") {
  // A space-dependent D: the run writes its files, stores the expressions in the resolved case,
  // and the steady state it relaxes towards is what `fplab steady` returns.
  const fs::path dir = scratch("variable_diffusion");
  const std::string args =
      "cases/variable_diffusion.yaml --set grid.nx=32 --set grid.ny=32 --set time.t_end=20 "
      "--set time.output_every=10 --set solver.dt=0.05 --set output.formats=[hdf5,vtk] -q ";
  const auto run = run_fplab("run " + args + "-o " + (dir / "run").string(), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto steady = run_fplab("steady " + args + "-o " + (dir / "steady").string(), dir);
  INFO(steady.err);
  REQUIRE(steady.exit_code == 0);
  const auto a = fplab::open_result((dir / "run" / "result.h5").string());
  const auto b = fplab::open_result((dir / "steady" / "result.h5").string());
  CHECK(a.times.size() == 3);
  CHECK(a.attributes.at("case_yaml").find("1 + 0.5*tanh(x)") != std::string::npos);
  CHECK(fs::exists(dir / "run" / "vtk" / "density_0002.vti"));
  const auto p = a.read_field("density", 2), q = b.read_field("density", 0);
  double l1 = 0.0;
  for (std::size_t k = 0; k < p.size(); ++k) l1 += std::abs(p[k] - q[k]);
  CHECK(l1 * (5.0 / 32) * (10.0 / 32) < 1e-6);
}
