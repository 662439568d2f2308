// Wall-clock time and peak memory of a run, for its summary.
#pragma once
#include <sys/resource.h>

#include <chrono>

namespace fplab {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Peak resident set of this process (getrusage reports KiB on Linux).
inline double peak_resident_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return 1024.0 * static_cast<double>(ru.ru_maxrss);
}

}  // namespace fplab
