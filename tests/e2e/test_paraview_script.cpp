// End-to-end: what `fplab render --paraview-script` does without ParaView (exit codes, messages,
// the script's place and contents). pvpython runs the script in tests/paraview/run_script_check.sh.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;
using fplab_e2e::run_fplab;
using fplab_e2e::scratch;
using fplab_e2e::slurp;

namespace {

// A 16x16 OU result with three snapshots in dir.
void small_result(const fs::path& dir) { REQUIRE(fplab_e2e::small_ou_result(dir).exit_code == 0); }

}  // namespace

TEST_CASE("render --paraview-script names a missing result file (exit 2)") {
  const fs::path dir = scratch("paraview_script_missing");
  const auto r = run_fplab("render nowhere/result.h5 --paraview-script", dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("nowhere/result.h5") != std::string::npos);
}

TEST_CASE("render --paraview-script writes view_result.py beside the result and prints its path") {
  const fs::path dir = scratch("paraview_script");
  small_result(dir);
  const auto r = run_fplab("render " + (dir / "result.h5").string() + " --paraview-script", dir);
  REQUIRE(r.exit_code == 0);
  const fs::path script = dir / "view_result.py";
  CHECK(r.out == script.string() + "\n");
  const std::string text = slurp(script);
  CHECK(text.find("XMF = \"" + (dir / "result.xmf").string() + "\"") != std::string::npos);
  CHECK(text.find("XMF_RELATIVE = \"result.xmf\"") != std::string::npos);
  CHECK(text.find("SaveScreenshot(") != std::string::npos);
  CHECK(text.find("FIELD = \"density\"") != std::string::npos);  // a particle result's: density_particles
  CHECK(text.find("ColorBy(shown, (\"CELLS\", FIELD))") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "png"));  // the script instead of pictures

  fs::remove(dir / "result.xmf");
  const auto no_xmf = run_fplab("render " + (dir / "result.h5").string() + " --paraview-script", dir);
  CHECK(no_xmf.exit_code == 2);
  CHECK(no_xmf.err.find("result.xmf") != std::string::npos);
}
