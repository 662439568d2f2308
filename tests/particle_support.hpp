// Running `fplab sample`'s driver in a test: the case from cases/ with overrides, the final
// positions and histogram kept in memory.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "io/problem_inputs.hpp"
#include "solver/particles/particle_simulation.hpp"

namespace fplab::test {

// Keeps the last snapshot's histogram, exact solution and diagnostics.
struct LastGrid : OutputSink {
  std::vector<double> density, exact, grid;
  DiagnosticRow row;
  double t = 0;
  void begin(const RunInfo&) override {}
  void write(const Snapshot& s) override {
    density.assign(s.density.begin(), s.density.end());
    const auto e = s.field("exact");
    exact.assign(e.begin(), e.end());
    const auto g = s.field("density");
    grid.assign(g.begin(), g.end());
    row = *s.diagnostics;
    t = s.t;
  }
  void end(const RunSummary&) override {}
  double diagnostic(const std::string& name) const {
    for (const auto& [n, v] : row)
      if (n == name) return v;
    return NAN;
  }
};

// Keeps the last snapshot's stored positions.
struct LastParticles : ParticleSink {
  std::vector<double> x, y;
  std::vector<std::uint8_t> alive;
  std::size_t n_alive = 0;
  void begin(const ParticleRunInfo&) override {}
  void write(const ParticleSnapshot& s) override {
    x.assign(s.x.begin(), s.x.end());
    y.assign(s.y.begin(), s.y.end());
    alive.assign(s.alive.begin(), s.alive.end());
    n_alive = s.n_alive;
  }
  void end(RunStatus) override {}
};

struct Sampled {
  LastGrid grid;
  LastParticles particles;
  ParticleRunResult result;
};

inline CaseSpec particle_case(const std::string& file, const std::vector<std::string>& sets) {
  return load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

inline Sampled sample(const CaseSpec& spec, const GridComparison* compare = nullptr) {
  Sampled s;
  OutputSink* sinks[] = {&s.grid};
  ParticleSink* psinks[] = {&s.particles};
  ParticleRunOptions opts;
  opts.compare = compare;
  s.result = sample_particles(spec, load_problem_inputs(spec), sinks, psinks, opts);
  return s;
}

// Least-squares slope of log y against log x.
inline double log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double lx = std::log(x[k]), ly = std::log(y[k]);
    sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace fplab::test
