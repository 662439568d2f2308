// libFuzzer target: the case loader. Input: YAML text, optionally followed by NUL-separated
// `--set` overrides ("grid.nx=64"). Every input must give a validated case or an InputError;
// any other exception, a crash, a hang or a sanitizer report is a finding (docs/reference.md
// "Reliability": bad input is exit 2 with one sentence).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string yaml = input.substr(0, nul);
  std::vector<std::string> overrides;
  for (std::size_t at = nul; at != std::string::npos && at < input.size();) {
    const std::size_t next = input.find('\0', at + 1);
    overrides.push_back(input.substr(at + 1, next == std::string::npos ? next : next - at - 1));
    at = next;
  }
  try {
    const fplab::CaseSpec c = fplab::parse_case(yaml, "fuzz.yaml", overrides);
    // A loaded case echoes back as YAML that loads again (what result.h5 stores and resume reads).
    (void)fplab::parse_case(fplab::case_to_yaml(c), "echo.yaml");
  } catch (const fplab::InputError&) {
    // the expected answer to bad input
  }
  return 0;
}
