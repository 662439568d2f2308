// Particles of `fplab sample`: positions as two contiguous arrays (structure of arrays, so that the
// drift and score batches of solver/vector_field.hpp read them directly) and an alive flag.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fplab {

struct Particles {
  std::vector<double> x, y;
  std::vector<std::uint8_t> alive;  // 1 inside; 0 absorbed at a dirichlet wall (then frozen)

  explicit Particles(std::size_t n = 0) : x(n), y(n), alive(n, 1) {}
  std::size_t size() const { return x.size(); }
  std::size_t count_alive() const {
    std::size_t c = 0;
    for (const auto a : alive) c += a;
    return c;
  }
};

}  // namespace fplab
