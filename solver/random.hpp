// Counter-based random numbers (Random123's Philox; Salmon et al. 2011, "Parallel random numbers:
// as easy as 1, 2, 3"): a draw is a pure function of (seed, counter), so results do not depend on
// the number of threads or on the order in which points or particles are visited.
#pragma once
#include <Random123/philox.h>

#include <Random123/boxmuller.hpp>
#include <Random123/uniform.hpp>
#include <array>
#include <cstdint>

namespace fplab::random {

// The second key word: fplab's own stream, so that a seed here does not replay another
// program's Philox stream keyed by the same seed alone.
inline constexpr std::uint64_t kStream = 0x66706c6162'00'0001ULL;

using Words = std::array<std::uint64_t, 4>;

// Four independent 64-bit words for counter (c0, c1, c2) under `seed` (Philox4x64-10).
inline Words draw(std::uint64_t seed, std::uint64_t c0, std::uint64_t c1 = 0,
                  std::uint64_t c2 = 0) {
  const r123::Philox4x64 philox;
  const r123::Philox4x64::ctr_type ctr{{c0, c1, c2, 0}};
  const r123::Philox4x64::key_type key{{seed, kStream}};
  const auto r = philox(ctr, key);
  return {r[0], r[1], r[2], r[3]};
}

// Uniform on the open interval (0, 1): safe for logs and inverse CDFs at both ends.
inline double uniform(std::uint64_t w) { return r123::u01fixedpt<double>(w); }

// Two independent standard normals from two words (Box–Muller).
inline r123::double2 normal_pair(std::uint64_t a, std::uint64_t b) {
  return r123::boxmuller(a, b);
}

}  // namespace fplab::random
