// The particles' random numbers: four words of Philox4x64 keyed by the seed, with counter
// (particle, step or attempt, purpose), so that every draw is the same with any number of threads.
#pragma once
#include <cstdint>

#include "solver/random.hpp"

namespace fplab {

// The third counter word: which use a draw is for, so that the streams never overlap (nor those
// of the toy samplers, which use 0).
enum class Purpose : std::uint64_t {
  initial = 0x696e6974,  // "init": the start, counter (particle, attempt)
  noise = 0x6e6f6973,    // "nois": the Brownian increment of a step, counter (particle, step)
  bridge = 0x62726964,   // "brid": the Brownian-bridge crossing test at absorbing walls
};

inline random::Words particle_words(std::uint64_t seed, std::uint64_t particle,
                                    std::uint64_t step, Purpose purpose) {
  return random::draw(seed, particle, step, static_cast<std::uint64_t>(purpose));
}

}  // namespace fplab
