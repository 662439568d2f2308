// The particles' density on the grid (see particle_histogram.hpp).
#include "solver/particles/particle_histogram.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "solver/data_density.hpp"

namespace fplab {

ParticleHistogram::ParticleHistogram(const Grid2D& g, double bandwidth)
    : g_(g), bandwidth_(bandwidth) {}

void ParticleHistogram::deposit(const Particles& p, double mass, std::span<double> out) {
  const std::size_t cells = g_.size();
  if (bandwidth_ > 0.0) {
    points_.clear();
    for (std::size_t k = 0; k < p.size(); ++k)
      if (p.alive[k] && std::isfinite(p.x[k]) && std::isfinite(p.y[k]))
        points_.emplace_back(p.x[k], p.y[k]);
    std::fill(out.begin(), out.end(), 0.0);
    if (points_.empty()) return;
    deposit_kde(points_, bandwidth_, g_, Sampling::cell_average, out);  // mass 1 on the domain
    const double scale = mass * static_cast<double>(points_.size());
    for (auto& v : out) v *= scale;
    return;
  }
  const int threads = omp_get_max_threads();
  counts_.assign(cells * threads, 0);
  const auto n = static_cast<std::int64_t>(p.size());
  const double sx = g_.nx / (g_.x1 - g_.x0), sy = g_.ny / (g_.y1 - g_.y0);
#pragma omp parallel
  {
    std::uint32_t* mine = counts_.data() + cells * omp_get_thread_num();
#pragma omp for schedule(static)
    for (std::int64_t k = 0; k < n; ++k) {
      if (!p.alive[k] || !std::isfinite(p.x[k]) || !std::isfinite(p.y[k])) continue;
      // A particle on the upper wall belongs to the last cell.
      const int i = std::clamp(static_cast<int>((p.x[k] - g_.x0) * sx), 0, g_.nx - 1);
      const int j = std::clamp(static_cast<int>((p.y[k] - g_.y0) * sy), 0, g_.ny - 1);
      ++mine[g_.index(i, j)];
    }
  }
  const double per_count = mass / g_.cell_area();
  const auto m = static_cast<std::int64_t>(cells);
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < m; ++c) {
    std::uint64_t total = 0;
    for (int t = 0; t < threads; ++t) total += counts_[cells * t + c];
    out[c] = per_count * static_cast<double>(total);
  }
}

}  // namespace fplab
