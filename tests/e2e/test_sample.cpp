// `fplab sample` through the program: the particle view beside a grid run of the same case, its
// files, its refusals and its interruption.
#include <doctest/doctest.h>

#include <regex>

#include "e2e_support.hpp"
#include "io/particle_writer.hpp"
#include "io/result_file.hpp"

using namespace fplab_e2e;

namespace {

// OU on 32², outputs at 0, 0.25, 0.5.
const std::string kOu =
    "cases/ou_gaussian.yaml --set grid.nx=32 --set grid.ny=32 --set time.t_end=0.5 "
    "--set time.output_every=0.25 -q ";

double last(const fplab::ResultFile& r, const std::string& name) {
  return r.diagnostics.at(name).back();
}

}  // namespace

TEST_CASE("fplab sample --compare writes the histogram beside the grid run's density") {
  const fs::path dir = scratch("sample_compare");
  const fs::path grid = dir / "grid", parts = dir / "particles";
  REQUIRE(run_fplab("run " + kOu + "--set 'output.formats=[hdf5]' -o " + grid.string(), dir)
              .exit_code == 0);
  const auto r = run_fplab("sample " + kOu +
                               "--set 'particles={n: 200000, store: 5000}' --set "
                               "'output.formats=[hdf5, vtk]' --compare " +
                               (grid / "result.h5").string() + " -o " + parts.string(),
                           dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto res = fplab::open_result((parts / "result.h5").string());
  CHECK(res.density_name == "density_particles");
  CHECK(res.times.size() == 3);
  CHECK(std::find(res.fields.begin(), res.fields.end(), "density") != res.fields.end());
  // The three views agree: histogram against the grid run and the exact solution (sampling
  // error ~ 0.04 for 2e5 particles on 32²; the grid run's error is far smaller).
  CHECK(last(res, "l1_to_grid") < 0.06);
  CHECK(last(res, "l1_error") < 0.06);
  CHECK(last(res, "mass") == doctest::Approx(1.0).epsilon(1e-6));
  const auto p = fplab::open_particles((parts / "particles.h5").string());
  CHECK(p.n == 200000);
  CHECK(p.stored == 5000);
  CHECK(p.times.size() == 3);
  CHECK(fs::exists(parts / "vtk" / "particles.pvd"));
  const std::string summary = slurp(parts / "summary.json");
  CHECK(summary.find("\"method\": \"particles\"") != std::string::npos);
  CHECK(summary.find("\"scheme\": \"weak2\"") != std::string::npos);
  CHECK(summary.find("\"status\": \"complete\"") != std::string::npos);
}

TEST_CASE("fplab sample refuses what it cannot compare or move, naming the key") {
  const fs::path dir = scratch("sample_refused");
  const fs::path grid = dir / "grid";
  REQUIRE(run_fplab("run " + kOu + "--set 'output.formats=[hdf5]' -o " + grid.string(), dir)
              .exit_code == 0);
  // Another grid.
  auto r = run_fplab("sample " + kOu + "--set grid.nx=16 --compare " +
                         (grid / "result.h5").string() + " -o " + (dir / "a").string(),
                     dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--compare") != std::string::npos);
  CHECK(r.err.find("its grid is 32 × 32") != std::string::npos);
  // Other output times.
  r = run_fplab("sample " + kOu + "--set time.output_every=0.1 --compare " +
                    (grid / "result.h5").string() + " -o " + (dir / "b").string(),
                dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no snapshot at t = 0.1") != std::string::npos);
  // BGK has no particles.
  r = run_fplab("sample cases/bgk_relaxation.yaml -q -o " + (dir / "c").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bgk_relaxation.yaml") != std::string::npos);
  CHECK(r.err.find("no particle") != std::string::npos);
}

TEST_CASE("fplab sample stopped by SIGINT keeps its snapshots and exits 130") {
  const fs::path dir = scratch("sample_interrupt");
  const auto r = run_fplab_prefixed(
      "FPLAB_TEST_INTERRUPT_AFTER_STEPS=300",
      "sample " + kOu + "--set 'output.formats=[hdf5]' --set 'particles={n: 20000, dt: 0.001}' -o " +
          (dir / "out").string(),
      dir);
  CHECK(r.exit_code == 130);
  CHECK(r.err.find("interrupted at t = 0.3") != std::string::npos);
  const auto res = fplab::open_result((dir / "out" / "result.h5").string());
  CHECK(res.attributes.at("status") == "interrupted");
  CHECK(res.times.size() == 3);  // t = 0, 0.25 and where it stopped
  CHECK(res.times.back() == doctest::Approx(0.3));
  const auto p = fplab::open_particles((dir / "out" / "particles.h5").string());
  CHECK(p.times.size() == 3);
}

TEST_CASE("fplab sample drives the reverse SDE with a score tabulated from a forward run") {
  // The moons noised on 64², then generated back by 1e5 particles of the reverse SDE (λ = 1).
  const fs::path dir = scratch("sample_tabulated");
  const std::string grid = " --set grid.nx=64 --set grid.ny=64 --set 'output.formats=[hdf5]' -q";
  REQUIRE(run_fplab("run cases/moons_forward.yaml" + grid + " -o " + (dir / "fwd").string(), dir)
              .exit_code == 0);
  const std::string fwd = (dir / "fwd" / "result.h5").string();
  const auto r = run_fplab("sample cases/moons_reverse_tabulated.yaml" + grid +
                               " --set equation.score.path=" + fwd + " --set initial.path=" + fwd +
                               " --set 'particles={n: 100000, dt: 0.02}' -o " +
                               (dir / "p").string(),
                           dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto res = fplab::open_result((dir / "p" / "result.h5").string());
  const double l1 = last(res, "l1_to_data");
  MESSAGE("moons by 1e5 reverse-SDE particles on 64²: l1_to_data " << l1);
  CHECK(l1 < 0.12);
}
