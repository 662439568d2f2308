// Drawing the particles' start (see particle_init.hpp).
#include "solver/particles/particle_init.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "solver/data_density.hpp"
#include "solver/particles/particle_random.hpp"

namespace fplab {
namespace {

constexpr std::uint64_t kMaxAttempts = 10000;  // 1 % inside: the chance all fail is 2e-44
constexpr double kInsideMin = 0.01;            // below: draw from the grid instead

bool inside(const Grid2D& g, const Vec2& p) {
  return p.x() >= g.x0 && p.x() <= g.x1 && p.y() >= g.y0 && p.y() <= g.y1;
}

// Cumulative weights of a discrete law.
std::vector<double> cumulative(std::span<const double> w) {
  std::vector<double> cdf(w.size());
  double total = 0.0;
  for (std::size_t k = 0; k < w.size(); ++k) cdf[k] = total += std::max(w[k], 0.0);
  return cdf;
}

// The first index whose cumulative weight exceeds u·total (weight-0 entries are never drawn).
std::size_t pick(const std::vector<double>& cdf, double u) {
  auto it = std::upper_bound(cdf.begin(), cdf.end(), u * cdf.back());
  if (it == cdf.end()) it = std::lower_bound(cdf.begin(), cdf.end(), cdf.back());
  return static_cast<std::size_t>(it - cdf.begin());
}

// Particle k = the first draw(k, attempt) that `propose` puts inside the domain.
template <class Propose>
void draw_each(const Grid2D& g, std::uint64_t seed, Particles& p, Propose propose) {
  const auto n = static_cast<std::int64_t>(p.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    Vec2 q = Vec2::Zero();
    for (std::uint64_t a = 0; a < kMaxAttempts; ++a) {
      q = propose(particle_words(seed, static_cast<std::uint64_t>(k), a, Purpose::initial));
      if (inside(g, q)) break;
    }
    p.x[k] = std::clamp(q.x(), g.x0, g.x1);
    p.y[k] = std::clamp(q.y(), g.y0, g.y1);
  }
}

void draw_mixture(const GaussianMixture& m, const Grid2D& g, std::uint64_t seed, Particles& p) {
  const std::vector<double> cdf = cumulative(m.weights);
  std::vector<Mat2> chol;
  for (const auto& c : m.covs) chol.emplace_back(c.llt().matrixL());
  draw_each(g, seed, p, [&](const random::Words& w) {
    const std::size_t c = pick(cdf, random::uniform(w[0]));
    const auto z = random::normal_pair(w[1], w[2]);
    return Vec2(m.means[c] + chol[c] * Vec2(z.x, z.y));
  });
}

// The kernel density estimate the grid holds: one of its points, then its kernel.
void draw_kde(const DensitySpec& d, const Grid2D& g, std::uint64_t seed, Particles& p) {
  const std::vector<Vec2> base = sample_density(d, d.samples, d.seed);
  const double m = static_cast<double>(base.size());
  draw_each(g, seed, p, [&](const random::Words& w) {
    const auto i = std::min(static_cast<std::size_t>(random::uniform(w[0]) * m), base.size() - 1);
    const auto z = random::normal_pair(w[1], w[2]);
    return Vec2(base[i] + d.bandwidth * Vec2(z.x, z.y));
  });
}

// Cell values taken as constant in each cell: a cell by its mass, then a uniform point in it.
void draw_cells(const Grid2D& g, std::span<const double> on_grid, std::uint64_t seed,
                Particles& p) {
  const std::vector<double> cdf = cumulative(on_grid);
  if (!(cdf.back() > 0.0)) throw std::invalid_argument("draw_initial_particles: no mass on the grid");
  draw_each(g, seed, p, [&](const random::Words& w) {
    const std::size_t c = pick(cdf, random::uniform(w[0]));
    const auto i = static_cast<int>(c % g.nx), j = static_cast<int>(c / g.nx);
    return Vec2(g.x_edge(i) + random::uniform(w[1]) * g.dx(),
                g.y_edge(j) + random::uniform(w[2]) * g.dy());
  });
}

}  // namespace

const char* draw_initial_particles(const DensitySpec& d,
                                   const std::optional<GaussianMixture>& mixture,
                                   const Grid2D& g, std::span<const double> on_grid,
                                   std::uint64_t seed, Particles& p) {
  double mass = 0.0;
  for (const double v : on_grid) mass += v;
  mass *= g.cell_area();
  if (mass >= kInsideMin) {
    if (mixture) {
      draw_mixture(*mixture, g, seed, p);
      return "exactly from the Gaussian mixture";
    }
    if (d.is_gaussian_mixture()) {
      draw_mixture(mixture_from_spec(d, "initial"), g, seed, p);
      return "exactly from the Gaussian mixture";
    }
    if (d.is_sampled_toy()) {
      draw_kde(d, g, seed, p);
      return "exactly from the kernel density estimate on the grid";
    }
  }
  draw_cells(g, on_grid, seed, p);
  return "from the grid's cell values";
}

}  // namespace fplab
