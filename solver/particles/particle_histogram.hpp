// The particles seen on the grid: the living particles' histogram over the cells (or a Gaussian
// kernel density estimate of a stated bandwidth), as a density in cell averages whose integral is
// the start's mass times the fraction still alive ("normalised to the surviving mass").
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/grid.hpp"
#include "solver/particles/particles.hpp"

namespace fplab {

class ParticleHistogram {
 public:
  // bandwidth 0: the histogram; > 0: the Gaussian KDE (solver/data_density.hpp deposit_kde).
  ParticleHistogram(const Grid2D& g, double bandwidth);
  // out = the density of p on the grid, each particle carrying `mass` (start mass / n). Counts are
  // integers, so the histogram is the same with any number of threads. Non-finite positions are
  // left out (the driver stops the run on them).
  void deposit(const Particles& p, double mass, std::span<double> out);

 private:
  Grid2D g_;
  double bandwidth_;
  std::vector<std::uint32_t> counts_;  // one row of cells per thread
  std::vector<Vec2> points_;           // KDE: the living particles
};

}  // namespace fplab
