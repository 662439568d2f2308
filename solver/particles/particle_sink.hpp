// ParticleSink: what the particle driver (`fplab sample`) notifies at each output time with the
// particles' positions, as OutputSink does with grid fields. Writers (io/: particles.h5, VTK
// points) implement it and know nothing of the schemes that moved the particles.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/run_state.hpp"

namespace fplab {

// What a particle run is, for the writers' headers and attributes.
struct ParticleRunInfo {
  const CaseSpec* spec = nullptr;  // the resolved case (spec->resolved_yaml is its echo)
  std::string command_line;
  std::string output_dir;
  std::size_t n = 0;       // particles in the run
  std::size_t stored = 0;  // the first `stored` of them are written at each output time
  std::uint64_t seed = 0;
  std::string scheme;      // euler_maruyama | weak2 | heun | rk4
  std::string dynamics;    // "sde" | "ode" (probability flow)
};

// Positions at one output time: x[k], y[k] for the first `stored` particles (SoA, particle order),
// alive[k] = 0 for a particle absorbed at a dirichlet wall (its position is where it was last
// inside; writers drop it or mark it).
struct ParticleSnapshot {
  int index = 0;  // 0, 1, 2, ... in output order (the same as the grid snapshots')
  double t = 0.0;
  std::size_t step = 0;
  std::span<const double> x, y;
  std::span<const std::uint8_t> alive;
  std::size_t n_alive = 0;  // among all n particles, not only the stored ones
};

class ParticleSink {
 public:
  virtual ~ParticleSink() = default;
  virtual void begin(const ParticleRunInfo& info) = 0;
  virtual void write(const ParticleSnapshot& snap) = 0;
  virtual void end(RunStatus status) = 0;
};

}  // namespace fplab
