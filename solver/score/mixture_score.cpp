// Batched Gaussian-mixture scores: ∇ log Σ wₖNₖ = Σ rₖ (−Σₖ⁻¹(x − mₖ)) with responsibilities
// rₖ ∝ wₖNₖ formed in log space (shifted by their maximum), so the score stays finite far in the
// tails where every Nₖ underflows.
#include "solver/score/mixture_score.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace fplab {
namespace {

constexpr std::ptrdiff_t kBlock = 256;             // points per block (stays in L1)
constexpr std::ptrdiff_t kParallelMin = 4 * kBlock;  // smaller batches run serially
constexpr int kMaxComponents = 16;  // per-component log densities of a block stay in L1

}  // namespace

MixtureScore::MixtureScore(const GaussianMixture& p) {
  for (std::size_t k = 0; k < p.weights.size(); ++k) {
    if (p.weights[k] == 0.0) continue;
    const Mat2& S = p.covs[k];
    const Mat2 P = S.inverse();
    comp_.push_back({std::log(p.weights[k]) - std::log(2.0 * std::numbers::pi) -
                         0.5 * std::log(S.determinant()),
                     p.means[k].x(), p.means[k].y(), P(0, 0), 0.5 * (P(0, 1) + P(1, 0)),
                     P(1, 1)});
  }
}

void MixtureScore::eval(std::span<const double> xs, std::span<const double> ys,
                        std::span<double> out_x, std::span<double> out_y) const {
  const auto n = static_cast<std::ptrdiff_t>(xs.size());
  const int nc = static_cast<int>(comp_.size());
  if (nc > kMaxComponents) {  // rare: one point at a time, no stack blocks
    for (std::ptrdiff_t k = 0; k < n; ++k) {
      const Vec2 s = at(xs[k], ys[k]);
      if (!out_x.empty()) out_x[k] = s.x();
      if (!out_y.empty()) out_y[k] = s.y();
    }
    return;
  }
  const bool want_x = !out_x.empty(), want_y = !out_y.empty();
  const std::ptrdiff_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::ptrdiff_t k0 = b * kBlock, m = std::min(kBlock, n - k0);
    const double* x = xs.data() + k0;
    const double* y = ys.data() + k0;
    alignas(64) double lmax[kBlock], sx[kBlock], sy[kBlock], rs[kBlock];
    alignas(64) double l[kMaxComponents][kBlock];
    for (std::ptrdiff_t q = 0; q < m; ++q) lmax[q] = -std::numeric_limits<double>::infinity();
    for (int c = 0; c < nc; ++c) {
      const Component& C = comp_[c];
#pragma omp simd
      for (std::ptrdiff_t q = 0; q < m; ++q) {
        const double ux = x[q] - C.mx, uy = y[q] - C.my;
        l[c][q] = C.log_c - 0.5 * (C.pxx * ux * ux + 2.0 * C.pxy * ux * uy + C.pyy * uy * uy);
        lmax[q] = std::max(lmax[q], l[c][q]);
      }
    }
    // Log responsibilities relative to the largest, clamped to exp_nonpositive's range (e^−708
    // next to the largest term's 1 is nothing).
    for (int c = 0; c < nc; ++c)
      for (std::ptrdiff_t q = 0; q < m; ++q) {
        const double d = l[c][q] - lmax[q];
        l[c][q] = d < -708.0 ? -708.0 : d;
      }
    for (std::ptrdiff_t q = 0; q < m; ++q) sx[q] = sy[q] = rs[q] = 0.0;
    for (int c = 0; c < nc; ++c) {
      const Component& C = comp_[c];
#pragma omp simd
      for (std::ptrdiff_t q = 0; q < m; ++q) {
        const double r = exp_nonpositive(l[c][q]);
        const double ux = x[q] - C.mx, uy = y[q] - C.my;
        sx[q] -= r * (C.pxx * ux + C.pxy * uy);
        sy[q] -= r * (C.pxy * ux + C.pyy * uy);
        rs[q] += r;
      }
    }
    if (want_x)
      for (std::ptrdiff_t q = 0; q < m; ++q) out_x[k0 + q] = sx[q] / rs[q];
    if (want_y)
      for (std::ptrdiff_t q = 0; q < m; ++q) out_y[k0 + q] = sy[q] / rs[q];
  }
}

Vec2 MixtureScore::at(double x, double y) const {
  double lmax = -std::numeric_limits<double>::infinity();
  for (const auto& C : comp_) {
    const double ux = x - C.mx, uy = y - C.my;
    lmax = std::max(lmax, C.log_c - 0.5 * (C.pxx * ux * ux + 2 * C.pxy * ux * uy + C.pyy * uy * uy));
  }
  Vec2 s = Vec2::Zero();
  double rs = 0.0;
  for (const auto& C : comp_) {
    const double ux = x - C.mx, uy = y - C.my;
    const double l = C.log_c - 0.5 * (C.pxx * ux * ux + 2 * C.pxy * ux * uy + C.pyy * uy * uy);
    const double r = std::exp(l - lmax);
    s -= r * Vec2(C.pxx * ux + C.pxy * uy, C.pxy * ux + C.pyy * uy);
    rs += r;
  }
  return s / rs;
}

}  // namespace fplab
