// `fplab render` of a particle result (`fplab sample`): for each chosen time the stored living
// particles drawn over the grid density they are compared with, beside their histogram, in one
// colour range; the positions from particles.h5 beside result.h5.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <tuple>
#include <cmath>

#include "io/particle_writer.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"
#include "viz/render_reference.hpp"

namespace fplab::viz {
namespace {

// One time as drawn: the histogram, the density behind the particles, and the drawn particles.
struct ParticleFrame {
  double t = 0.0;
  std::vector<double> histogram, background;
  std::vector<double> x, y;
  std::size_t alive = 0;  // living stored particles, of which x.size() are drawn
};

// The snapshot of `p` at time t (the same output times as the result's; nearest otherwise).
int particle_snapshot(const ParticleFile& p, double t) {
  const auto it = std::lower_bound(p.times.begin(), p.times.end(), t);
  if (it == p.times.end()) return static_cast<int>(p.times.size()) - 1;
  if (it != p.times.begin() && t - *(it - 1) < *it - t) return static_cast<int>(it - p.times.begin()) - 1;
  return static_cast<int>(it - p.times.begin());
}

// The living particles, every stride-th so that at most kScatterMax are drawn.
void scatter_fill(ParticleFrame& f, const ParticlePositions& pos) {
  f.alive = static_cast<std::size_t>(std::count(pos.alive.begin(), pos.alive.end(), 1));
  const std::size_t stride = std::max<std::size_t>(1, (f.alive + kScatterMax - 1) / kScatterMax);
  f.x.reserve(f.alive / stride + 1);
  f.y.reserve(f.alive / stride + 1);
  std::size_t seen = 0;
  for (std::size_t k = 0; k < pos.alive.size(); ++k) {
    if (pos.alive[k] == 0) continue;
    if (seen++ % stride != 0) continue;
    f.x.push_back(pos.x[k]);
    f.y.push_back(pos.y[k]);
  }
}

ParticleFrame frame_read(const ResultFile& r, const ParticleFile* p, int k) {
  ParticleFrame f;
  f.t = r.times[k];
  f.histogram = r.read_density(k);
  if (r.has_field("density")) f.background = r.read_field("density", k);
  if (p != nullptr && !p->times.empty())
    scatter_fill(f, p->read_positions(particle_snapshot(*p, f.t)));
  return f;
}

// The colour range of the histogram and the density behind the particles.
void range_add(std::pair<double, double>& range, const ParticleFrame& f) {
  for (const auto* field : {&f.histogram, &f.background}) {
    if (field->empty()) continue;
    const auto [a, b] = field_range(*field);
    range = {std::min(range.first, a), std::max(range.second, b)};
  }
}

// Particles over the density (its colour bar on the histogram beside it, the same scale).
std::vector<Panel> frame_panels(const ParticleFrame& f, std::pair<double, double> range,
                                const RenderOptions& o) {
  const ColourScale scale{o.colormap, o.log, range.first, range.second};
  const bool grid = !f.background.empty();
  Panel scatter{grid ? f.background : f.histogram, scale_resolved(scale, f.histogram),
                grid ? "particles over the grid density" : "particles over their histogram"};
  scatter.colour_bar = false;
  scatter.points_x = f.x;
  scatter.points_y = f.y;
  Panel histogram{f.histogram, scatter.scale, "particle histogram"};
  histogram.colorbar_label = kParticleDensityName;
  return {scatter, histogram};
}

}  // namespace

std::vector<std::string> render_particle_pictures(const ResultFile& r, const std::vector<int>& picked,
                                                  const std::filesystem::path& dir,
                                                  const RenderOptions& o) {
  const std::string beside = particles_beside(r.path);
  std::optional<ParticleFile> particles;
  if (beside.empty())
    spdlog::warn("{}: no particles.h5 beside it; the pictures show the histogram only", r.path);
  else
    particles = open_particles(beside);
  const ParticleFile* p = particles ? &*particles : nullptr;
  std::pair<double, double> fixed{INFINITY, -INFINITY};
  if (!o.per_frame)
    for (int k : picked) range_add(fixed, frame_read(r, p, k));
  const std::string name = case_name_of(r);
  std::vector<std::string> written;
  for (std::size_t n = 0; n < picked.size(); ++n) {
    const int k = picked[n];
    const ParticleFrame f = frame_read(r, p, k);
    auto range = fixed;
    if (o.per_frame) range_add(range, f);
    const auto panels = frame_panels(f, range, o);
    const std::string heading =
        p == nullptr ? fmt::format("{}  t = {:.4g}", name, f.t)
                     : fmt::format("{}  t = {:.4g}   {} particles ({} stored alive, {} drawn)",
                                   name, f.t, p->n, f.alive, f.x.size());
    auto [w, h] = panels_size_fitted(r.grid, panels, true);
    if (o.width > 0) std::tie(w, h) = std::pair{o.width, o.height};
    written.push_back(frame_png_path(dir, o, k, static_cast<int>(n)));
    render_panels_png(r.grid, panels, heading, w, h, written.back());
  }
  return written;
}

}  // namespace fplab::viz
