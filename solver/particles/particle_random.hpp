// The particles' random numbers: four words of Philox4x64 keyed by the seed, with counter
// (particle, step or attempt, purpose), and the Brownian increments' normals from Philox4x32, so
// that every draw is the same with any number of threads.
#pragma once
#include <cstdint>

#include "solver/random.hpp"

namespace fplab {

// The third counter word: which use a draw is for, so that the streams never overlap (nor those
// of the toy samplers, which use 0).
enum class Purpose : std::uint64_t {
  initial = 0x696e6974,  // "init": the start, counter (particle, attempt)
  bridge = 0x62726964,   // "brid": the Brownian-bridge crossing test at absorbing walls
};

inline random::Words particle_words(std::uint64_t seed, std::uint64_t particle,
                                    std::uint64_t step, Purpose purpose) {
  return random::draw(seed, particle, step, static_cast<std::uint64_t>(purpose));
}

// The two standard normals of a particle's Brownian increment at `step`. They are drawn from
// Philox4x32-10 (counter (particle, step), key the seed) with a single-precision Box–Muller: on
// 64-bit CPUs this is about twice as fast as the 64-bit draw, which bounded Euler–Maruyama, and a
// normal's 24-bit resolution is far below any step's sampling error (PyTorch's samplers use the same).
inline r123::float2 noise_normals(std::uint64_t seed, std::uint64_t particle, std::uint64_t step) {
  using P = r123::Philox4x32;
  const P::ctr_type ctr{{static_cast<std::uint32_t>(particle),
                         static_cast<std::uint32_t>(particle >> 32),
                         static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(step >> 32)}};
  const P::key_type key{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const auto r = P{}(ctr, key);
  return r123::boxmuller(r[0], r[1]);
}

}  // namespace fplab
