// Sampled toy densities (moons, swiss_roll, checkerboard, image; see data_density.hpp): the
// samplers on Philox counters, sampling of any density block, and the Gaussian-kernel deposit.
#include "solver/data_density.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "solver/errors.hpp"
#include "solver/random.hpp"

namespace fplab {

namespace {

using random::uniform;
using random::Words;

Words draw(std::uint64_t seed, std::uint64_t k) { return random::draw(seed, k); }

Vec2 normal_pair(std::uint64_t a, std::uint64_t b) {
  const r123::double2 z = random::normal_pair(a, b);
  return {z.x, z.y};
}

// out[k] = f(draw(seed, k)) for k < n, in parallel: sample k is the same on any thread.
template <class F>
std::vector<Vec2> sample_each(std::size_t n, std::uint64_t seed, F f) {
  std::vector<Vec2> out(n);
  const auto m = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < m; ++k) out[k] = f(draw(seed, static_cast<std::uint64_t>(k)));
  return out;
}

// An index drawn with probability ∝ its weight, from cumulative weights and u ∈ (0, 1): the first
// whose cumulative weight exceeds u·total, so entries of weight 0 are never drawn (should rounding
// put u·total at the total, the first entry reaching the total).
std::size_t pick(const std::vector<double>& cdf, double u) {
  auto it = std::upper_bound(cdf.begin(), cdf.end(), u * cdf.back());
  if (it == cdf.end()) it = std::lower_bound(cdf.begin(), cdf.end(), cdf.back());
  return static_cast<std::size_t>(it - cdf.begin());
}

void move_points(std::vector<Vec2>& pts, double scale, const Vec2& center) {
  for (auto& p : pts) p = center + scale * p;
}

double pixel_weight(const GreyImage& img, std::size_t p, bool invert) {
  const double v = invert ? 1.0 - img.grey[p] : img.grey[p];
  return img.alpha.empty() ? v : v * img.alpha[p];
}

void check_image(const GreyImage& img) {
  const std::size_t n = static_cast<std::size_t>(std::max(img.width, 0)) * std::max(img.height, 0);
  if (n == 0 || img.grey.size() != n || (!img.alpha.empty() && img.alpha.size() != n))
    throw std::invalid_argument(
        fmt::format("GreyImage: {}×{} pixels with {} grey and {} alpha values", img.width,
                    img.height, img.grey.size(), img.alpha.size()));
}

}  // namespace

double default_noise(std::string_view type) {
  if (type == "moons") return 0.1;
  if (type == "swiss_roll") return 1.0;
  return 0.0;
}

std::vector<Vec2> sample_moons(std::size_t n, std::uint64_t seed, double noise) {
  // make_moons: the upper unit half circle and the lower one shifted by (1, 0.5), equally likely.
  return sample_each(n, seed, [noise](const Words& w) {
    const double t = std::numbers::pi * uniform(w[0]);
    const bool outer = (w[1] >> 63) != 0;
    const Vec2 p =
        outer ? Vec2(std::cos(t), std::sin(t)) : Vec2(1.0 - std::cos(t), 0.5 - std::sin(t));
    return Vec2(2.0 * (p + noise * normal_pair(w[2], w[3])) - Vec2(1.0, 0.2));
  });
}

std::vector<Vec2> sample_swiss_roll(std::size_t n, std::uint64_t seed, double noise) {
  // make_swiss_roll: t = 1.5π(1 + 2u), (x, z) = (t cos t, t sin t); its height is projected out.
  return sample_each(n, seed, [noise](const Words& w) {
    const double t = 1.5 * std::numbers::pi * (1.0 + 2.0 * uniform(w[0]));
    const Vec2 p(t * std::cos(t), t * std::sin(t));
    return Vec2((p + noise * normal_pair(w[1], w[2])) / 5.0);
  });
}

std::vector<Vec2> sample_checkerboard(std::size_t n, std::uint64_t seed) {
  // FFJORD's construction: x uniform on [−2, 2); y uniform on [0, 1) or [−2, −1), moved up by one
  // over the odd columns; then ×2. The squares kept are those with ⌊x⌋ + ⌊y⌋ even.
  return sample_each(n, seed, [](const Words& w) {
    const double x = 4.0 * uniform(w[0]) - 2.0;
    const double col = std::floor(x);
    const double odd = col - 2.0 * std::floor(0.5 * col);
    const double y = uniform(w[1]) - ((w[2] >> 63) != 0 ? 2.0 : 0.0) + odd;
    return Vec2(2.0 * x, 2.0 * y);
  });
}

double image_mass(const GreyImage& img, bool invert) {
  check_image(img);
  double total = 0.0;
  for (std::size_t p = 0; p < img.grey.size(); ++p) total += pixel_weight(img, p, invert);
  return total;
}

std::vector<Vec2> sample_image(const GreyImage& img, const Extent& extent, bool invert,
                               std::size_t n, std::uint64_t seed) {
  check_image(img);
  std::vector<double> cdf(img.grey.size());
  double total = 0.0;
  for (std::size_t p = 0; p < cdf.size(); ++p) cdf[p] = total += pixel_weight(img, p, invert);
  if (!(total > 0.0))
    throw std::invalid_argument("sample_image: the picture holds no mass (every weight is 0)");
  const double px = (extent.x1 - extent.x0) / img.width, py = (extent.y1 - extent.y0) / img.height;
  return sample_each(n, seed, [&](const Words& w) {
    const std::size_t p = pick(cdf, uniform(w[0]));
    const auto i = static_cast<int>(p % img.width), j = static_cast<int>(p / img.width);
    return Vec2(extent.x0 + (i + uniform(w[1])) * px, extent.y0 + (j + uniform(w[2])) * py);
  });
}

std::vector<Vec2> sample_mixture(const GaussianMixture& m, std::size_t n, std::uint64_t seed) {
  std::vector<double> cdf;
  std::vector<Mat2> chol;
  double total = 0.0;
  for (std::size_t c = 0; c < m.weights.size(); ++c) {
    cdf.push_back(total += m.weights[c]);
    chol.push_back(m.covs[c].llt().matrixL());
  }
  return sample_each(n, seed, [&](const Words& w) {
    const std::size_t c = pick(cdf, uniform(w[0]));
    return Vec2(m.means[c] + chol[c] * normal_pair(w[1], w[2]));
  });
}

std::vector<Vec2> sample_density(const DensitySpec& d, std::size_t n, std::uint64_t seed) {
  const double noise = d.noise.value_or(default_noise(d.type));
  std::vector<Vec2> pts;  // moved by center + scale·x below
  if (d.is_gaussian_mixture()) return sample_mixture(mixture_from_spec(d), n, seed);
  if (d.type == "moons")
    pts = sample_moons(n, seed, noise);
  else if (d.type == "swiss_roll")
    pts = sample_swiss_roll(n, seed, noise);
  else if (d.type == "checkerboard")
    pts = sample_checkerboard(n, seed);
  else if (d.type == "image") {
    if (!d.image || !d.extent)
      throw std::invalid_argument("sample_density: an image density needs its picture and extent");
    return sample_image(*d.image, *d.extent, d.invert, n, seed);
  } else {
    throw InputError(fmt::format("initial.type: '{}' cannot be sampled", d.type));
  }
  move_points(pts, d.scale, d.center);
  return pts;
}

// ---- the deposit ----

namespace {

// The cells [lo, lo + n) of one axis that a kernel centred at c with radius r reaches.
struct Window {
  int lo = 0, n = 0;
};

Window window_of(double c, double r, double origin, double h, int cells) {
  // Clamped before converting: far outside the axis the cell index would overflow an int.
  const double lo_cell = std::floor((c - r - origin) / h),
               hi_cell = std::floor((c + r - origin) / h);
  if (!(hi_cell >= 0.0) || !(lo_cell < cells)) return {0, 0};  // also for NaN
  const int lo = static_cast<int>(std::max(lo_cell, 0.0));
  const int hi = static_cast<int>(std::min(hi_cell, cells - 1.0));
  return {lo, hi - lo + 1};
}

// The 1D factor of N(c, σ²) over the window's cells: its cell averages (erf differences / h),
// or its values at the cell centres.
void kernel_factor(double c, double sigma, double origin, double h, Window w, Sampling s,
                   double* out) {
  if (s == Sampling::point) {
    const double norm = 1.0 / (std::sqrt(2.0 * std::numbers::pi) * sigma);
    for (int k = 0; k < w.n; ++k) {
      const double u = (origin + (w.lo + k + 0.5) * h - c) / sigma;
      out[k] = norm * std::exp(-0.5 * u * u);
    }
    return;
  }
  const double a = 1.0 / (std::numbers::sqrt2 * sigma);
  double left = std::erf((origin + w.lo * h - c) * a);
  for (int k = 0; k < w.n; ++k) {
    const double right = std::erf((origin + (w.lo + k + 1) * h - c) * a);
    out[k] = 0.5 * (right - left) / h;
    left = right;
  }
}

// One batch of samples: each one's windows and 1D factors (strided), and the samples grouped by
// their first row (stable: by index within a row) so that each grid row gathers its samples.
struct Batch {
  int sx = 0, sy = 0;  // strides: the widest window on each axis
  std::vector<Window> wx, wy;
  std::vector<double> fx, fy;
  std::vector<int> row_start, order;  // CSR over first rows
};

void batch_factors(std::span<const Vec2> pts, double bw, const Grid2D& g, Sampling s, Batch& b) {
  const double r = 6.0 * bw;
  const auto m = static_cast<std::int64_t>(pts.size());
  b.wx.assign(m, {});
  b.wy.assign(m, {});
  b.fx.resize(m * b.sx);
  b.fy.resize(m * b.sy);
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < m; ++k) {
    const Vec2& p = pts[k];
    b.wx[k] = window_of(p(0), r, g.x0, g.dx(), g.nx);
    b.wy[k] = window_of(p(1), r, g.y0, g.dy(), g.ny);
    if (b.wx[k].n == 0 || b.wy[k].n == 0) b.wx[k].n = b.wy[k].n = 0;
    kernel_factor(p(0), bw, g.x0, g.dx(), b.wx[k], s, &b.fx[k * b.sx]);
    kernel_factor(p(1), bw, g.y0, g.dy(), b.wy[k], s, &b.fy[k * b.sy]);
  }
}

void batch_group_by_row(const Grid2D& g, Batch& b) {
  b.row_start.assign(g.ny + 1, 0);
  for (std::size_t k = 0; k < b.wy.size(); ++k)
    if (b.wy[k].n > 0) ++b.row_start[b.wy[k].lo + 1];
  for (int j = 0; j < g.ny; ++j) b.row_start[j + 1] += b.row_start[j];
  b.order.resize(b.row_start[g.ny]);
  std::vector<int> next(b.row_start.begin(), b.row_start.end() - 1);
  for (std::size_t k = 0; k < b.wy.size(); ++k)
    if (b.wy[k].n > 0) b.order[next[b.wy[k].lo]++] = static_cast<int>(k);
}

// out += weight · Σ_k fy_k(row) fx_k over the batch; rows in parallel, each row's samples in order.
void batch_add(const Grid2D& g, const Batch& b, double weight, std::span<double> out) {
#pragma omp parallel for schedule(static)
  for (int j = 0; j < g.ny; ++j) {
    double* row = &out[g.index(0, j)];
    for (int first = std::max(0, j - b.sy + 1); first <= j; ++first)
      for (int q = b.row_start[first]; q < b.row_start[first + 1]; ++q) {
        const int k = b.order[q];
        const Window wx = b.wx[k], wy = b.wy[k];
        if (j >= wy.lo + wy.n) continue;
        const double fy = weight * b.fy[static_cast<std::size_t>(k) * b.sy + (j - wy.lo)];
        const double* fx = &b.fx[static_cast<std::size_t>(k) * b.sx];
        for (int a = 0; a < wx.n; ++a) row[wx.lo + a] += fy * fx[a];
      }
  }
}

// Σ p·dx·dy, summed by rows in a fixed order.
double grid_mass(const Grid2D& g, std::span<const double> p) {
  std::vector<double> rows(g.ny, 0.0);
#pragma omp parallel for schedule(static)
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) rows[j] += p[g.index(i, j)];
  double sum = 0.0;
  for (const double r : rows) sum += r;
  return sum * g.cell_area();
}

}  // namespace

double deposit_kde(std::span<const Vec2> points, double bandwidth, const Grid2D& g, Sampling s,
                   std::span<double> out) {
  if (out.size() != g.size())
    throw std::invalid_argument(fmt::format(
        "deposit_kde: output holds {} values, the grid {} cells", out.size(), g.size()));
  if (!(bandwidth > 0.0) || !std::isfinite(bandwidth))
    throw std::invalid_argument(fmt::format("deposit_kde: bandwidth {} is not > 0", bandwidth));
  std::fill(out.begin(), out.end(), 0.0);
  if (points.empty()) return 0.0;
  Batch b;
  b.sx = std::min(g.nx, static_cast<int>(std::ceil(12.0 * bandwidth / g.dx())) + 2);
  b.sy = std::min(g.ny, static_cast<int>(std::ceil(12.0 * bandwidth / g.dy())) + 2);
  // Batches bound the memory of the 1D factors to 8 MB; few batches, few parallel regions.
  const std::size_t batch = std::max<std::size_t>(1024, (std::size_t{1} << 20) / (b.sx + b.sy));
  const double weight = 1.0 / static_cast<double>(points.size());
  for (std::size_t start = 0; start < points.size(); start += batch) {
    batch_factors(points.subspan(start, std::min(batch, points.size() - start)), bandwidth, g, s,
                  b);
    batch_group_by_row(g, b);
    batch_add(g, b, weight, out);
  }
  const double mass = grid_mass(g, out);
  if (!(mass > 0.0)) {
    std::fill(out.begin(), out.end(), 0.0);
    return 0.0;
  }
  for (double& v : out) v /= mass;
  return mass;
}

void data_density_on_grid(const DensitySpec& d, const Grid2D& g, std::span<double> out,
                          std::string_view key, Sampling s) {
  DensitySpec on_grid = d;
  if (d.type == "image" && !d.extent) on_grid.extent = Extent{g.x0, g.x1, g.y0, g.y1};
  const auto pts = sample_density(on_grid, d.samples, d.seed);
  const double found = deposit_kde(pts, d.bandwidth, g, s, out);
  if (!(found > 0.0))
    throw InputError(fmt::format(
        "{}: none of the {} samples of the {} density lie near the domain [{}, {}] × [{}, {}]", key,
        d.samples, d.type, g.x0, g.x1, g.y0, g.y1));
  if (found < 0.95)
    spdlog::warn(
        "{}: {:.1f}% of the {} density's mass lies outside the domain (dropped; the rest "
        "is normalised to mass 1)",
        key, 100.0 * (1.0 - found), d.type);
}

}  // namespace fplab
