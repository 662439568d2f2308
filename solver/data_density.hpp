// Sampled "toy" data densities (docs/reference.md §2): moons, swiss_roll, checkerboard and image. Each is a
// sampler (n points for a seed, for score-network training and particle methods) and a deposit
// on the grid: a Gaussian kernel density estimate of the samples with mass exactly 1.
//
// The sets are those of the score-based and flow literature, scaled as FFJORD's toy data
// (Grathwohl et al. 2019, lib/toy_data.py) so that they sit within about [−4, 4]²:
//   moons        2·make_moons(noise) − (1, 0.2)     (scikit-learn's two crescents; mean (0, 0.3))
//   swiss_roll   (x, z) of make_swiss_roll(noise) / 5 (t cos t, t sin t)/5 for t ∈ [1.5π, 4.5π]
//   checkerboard uniform on the 8 "black" squares of a 4 × 4 board of side-2 squares on [−4, 4]²
//   image        a picture's intensity on a rectangle, by inverse CDF over pixels
// then moved as center + scale·x (not image: it has its extent). `noise` is in scikit-learn's
// units, before the scaling: the defaults 0.1 (moons) and 1.0 (swiss roll) are FFJORD's.
//
// Random numbers are counter-based (Random123's Philox4x64): sample k is a function of (seed, k)
// alone, so the samples do not depend on the number of threads or on n (the first n of a larger
// draw are the same points).
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/grid.hpp"

namespace fplab {

// The jitter of `type` when its block gives none: 0.1 for moons, 1.0 for swiss_roll, else 0.
double default_noise(std::string_view type);

std::vector<Vec2> sample_moons(std::size_t n, std::uint64_t seed, double noise);
std::vector<Vec2> sample_swiss_roll(std::size_t n, std::uint64_t seed, double noise);
std::vector<Vec2> sample_checkerboard(std::size_t n, std::uint64_t seed);
// Pixels are drawn with probability ∝ their weight, then a uniform point inside the pixel. The
// weight is the intensity (bright = dense), or 1 − intensity when `invert` (dark = dense), times
// the pixel's alpha when it has one (transparent pixels hold no mass either way).
std::vector<Vec2> sample_image(const GreyImage& img, const Extent& extent, bool invert,
                               std::size_t n, std::uint64_t seed);
std::vector<Vec2> sample_mixture(const GaussianMixture& m, std::size_t n, std::uint64_t seed);
// The total pixel weight of sample_image: 0 means the picture holds no mass.
double image_mass(const GreyImage& img, bool invert);

// n points of any density block (gaussian, mixture, moons, swiss_roll, checkerboard, image) for
// `seed`; `d.seed` and `d.samples` are ignored. An image needs its extent set (io sets it to the
// domain when the case gives none). InputError for types that cannot be sampled.
std::vector<Vec2> sample_density(const DensitySpec& d, std::size_t n, std::uint64_t seed);

// The kernel density estimate (1/n) Σ N(x_k, bandwidth² I) on g, as cell averages (exact: a
// product of erf differences) or point values at the centres, as `s` says. Each sample touches
// the cells within 6 bandwidths (the kernel's mass beyond is < 1e-8); kernel mass falling outside
// the domain is dropped and the rest normalised so that Σ p·dx·dy = 1, i.e. the estimate
// conditioned on the domain. Returns the fraction of the estimate's mass that fell on the grid
// before normalising (0: nothing to normalise, `out` is left zero). Deterministic: each cell
// sums its samples in the same order whatever the number of threads.
double deposit_kde(std::span<const Vec2> points, double bandwidth, const Grid2D& g, Sampling s,
                   std::span<double> out);

// A sampled toy density block on g: d.samples points drawn with d.seed, deposited with
// d.bandwidth (an image without extent lies on g's domain). `key` names the block in errors.
void data_density_on_grid(const DensitySpec& d, const Grid2D& g, std::span<double> out,
                          std::string_view key, Sampling s);

}  // namespace fplab
