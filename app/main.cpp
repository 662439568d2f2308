// fplab: the command-line entry (SPEC §3). Placeholder main until the commands are wired.
#include <cstdio>

#include "fplab/version.hpp"

int main() {
  std::printf("fplab %s\n", fplab::kVersion);
  return 0;
}
