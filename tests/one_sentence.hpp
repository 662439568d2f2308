// Checking that a reader refuses a file with one sentence (InputError, no newline) naming the file
// and what is wrong with it.
#pragma once
#include <doctest/doctest.h>

#include <string>

#include "solver/errors.hpp"

namespace fplab_test {

// open(path) must throw InputError whose message names `path` and contains `why`.
template <class Open>
void refuses_naming(Open open, const std::string& path, const std::string& why) {
  CAPTURE(path);
  try {
    (void)open(path);
    FAIL("accepted " << path);
  } catch (const fplab::InputError& e) {
    const std::string msg = e.what();
    CAPTURE(msg);
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find(why) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

}  // namespace fplab_test
