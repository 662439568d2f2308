// Tests that need an X server (VTK on Debian renders through GLX). Without one such a test prints
// "SKIPPED: no X server ..." and returns; ctest matches that line (SKIP_REGULAR_EXPRESSION in
// tests/CMakeLists.txt) and reports the test as skipped with its reason, never as passed.
#pragma once
#include <cstdio>

#include "viz/render_detail.hpp"

namespace fplab_test {

inline constexpr const char* kNoDisplay =
    "SKIPPED: no X server (DISPLAY unset or unreachable); run under xvfb-run -a";

[[nodiscard]] inline bool skip_without_display() {
  if (fplab::viz::display_available()) return false;
  std::printf("%s\n", kNoDisplay);
  std::fflush(stdout);
  return true;
}

}  // namespace fplab_test

// At the top of a test case that cannot check anything without an X server.
#define FPLAB_REQUIRE_DISPLAY()                     \
  do {                                              \
    if (fplab_test::skip_without_display()) return; \
  } while (0)
