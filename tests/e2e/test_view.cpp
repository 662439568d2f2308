// End-to-end: what `fplab view` does without a window (exit codes and messages). The window
// itself is driven by real key presses in tests/viewer/view_keys.sh.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
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

TEST_CASE("fplab view without an X server is exit 2 saying it needs a display") {
  const fs::path dir = scratch("view_no_display");
  small_result(dir);
  // DISPLAY unset, whatever the test runner has.
  const std::string cmd = "env -u DISPLAY " FPLAB_BINARY " view " + (dir / "result.h5").string() +
                          " >" + (dir / "out.txt").string() + " 2>" + (dir / "err.txt").string();
  const int status = std::system(cmd.c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  const std::string err = slurp(dir / "err.txt");
  CHECK(err.find("needs a display") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);  // one sentence, one line
}

TEST_CASE("fplab view names a missing result file (exit 2)") {
  const fs::path dir = scratch("view_missing");
  const auto r = run_fplab("view nowhere/result.h5", dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("nowhere/result.h5") != std::string::npos);
}
