// Error kinds that map to the exit codes of docs/reference.md §3: InputError → 2, NumericalError → 3, others → 1.
#pragma once
#include <stdexcept>
#include <string>

namespace fplab {

// Invalid input: case file, option, missing or unreadable file. The message is one sentence
// naming the file, line and key where known (exit code 2).
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Non-finite values or an instability detected while solving (exit code 3).
struct NumericalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace fplab
