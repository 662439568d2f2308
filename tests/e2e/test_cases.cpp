// End-to-end runs of the verified cases through the fplab program: the double well relaxes
// towards p_eq ∝ e^{−U} with a monotone relative entropy and conserved mass; the kinetic
// Fokker–Planck equation reaches N(0, I) through hypocoercivity; `fplab verify` refuses a
// Richardson study on two levels (exit 2).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/result_file.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;

namespace {

using fplab_e2e::scratch;

// Runs `fplab ARGS`; returns the exit code, stderr in err.
int run_fplab(const std::string& args, const fs::path& dir, std::string& err) {
  const auto r = fplab_e2e::run_fplab(args, dir);
  err = r.err;
  return r.exit_code;
}

// `fplab run CASE` into dir/out (HDF5 only), then the diagnostics history it wrote.
fplab::ResultFile run_case(const std::string& file, const fs::path& dir) {
  std::string err;
  const int rc =
      run_fplab("run " + file + " --quiet --set output.formats=[hdf5] -o " + (dir / "out").string(),
                dir, err);
  REQUIRE_MESSAGE(rc == 0, err);
  return fplab::open_result((dir / "out" / "result.h5").string());
}

}  // namespace

TEST_CASE("double well: relative entropy decays monotonically, mass is conserved") {
  const auto r = run_case("cases/potential_double_well.yaml", scratch("double_well"));
  const auto& H = r.diagnostics.at("rel_entropy");
  const auto& mass = r.diagnostics.at("mass");
  REQUIRE(H.size() == r.times.size());
  REQUIRE(H.size() > 10);
  for (std::size_t k = 1; k < H.size(); ++k) {
    CAPTURE(r.times[k]);
    CHECK(H[k] < H[k - 1]);
    CHECK(std::abs(mass[k] - mass[0]) < 1e-12);
  }
  CHECK(H.back() < 0.05 * H.front());
}

TEST_CASE("kinetic Fokker–Planck: relative entropy at t_end far below its start") {
  const auto r = run_case("cases/kinetic_fp.yaml", scratch("kinetic"));
  const auto& H = r.diagnostics.at("rel_entropy");
  REQUIRE(H.size() == r.times.size());
  MESSAGE("rel_entropy " << H.front() << " -> " << H.back());
  CHECK(H.front() > 1.0);
  CHECK(H.back() < 1e-2 * H.front());
  // The exact Gaussian stays close: the scheme converges (errors at nx = 128).
  CHECK(r.diagnostics.at("l1_error").back() < 1e-2);
}

TEST_CASE("fplab verify: two levels without an exact solution exit 2 naming verify.levels") {
  const fs::path dir = scratch("verify_levels");
  std::string err;
  const int rc =
      run_fplab("verify cases/potential_double_well.yaml --levels 16,32 --quiet", dir, err);
  CHECK(rc == 2);
  CHECK(err.find("verify.levels") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);  // one sentence, no stack trace
}
