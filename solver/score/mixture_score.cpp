// Batched Gaussian-mixture scores: ∇ log Σ wₖNₖ = Σ rₖ (−Σₖ⁻¹(x − mₖ)) with responsibilities
// rₖ ∝ wₖNₖ formed in log space (shifted by their maximum), so the score stays finite far in the
// tails where every Nₖ underflows.
#include "solver/score/mixture_score.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

namespace fplab {
namespace {

constexpr std::ptrdiff_t kBlock = 256;             // points per block (stays in L1)
constexpr std::ptrdiff_t kParallelMin = 4 * kBlock;  // smaller batches run serially
constexpr int kMaxComponents = 16;  // per-component log densities of a block stay in L1

// Lattice rows (see lattice_run): kLanes neighbouring points advance together, each by kLanes
// points per step, for at most kMaxSteps steps from a few exact exponentials per run; the
// rounding drift of the products grows like steps² ulp (~1e-13 relative at 32 steps). A run
// of 256 points takes a whole 129- or 257-point row of faces, so the per-run set-up is rare.
constexpr int kLanes = 8;
constexpr int kMaxSteps = 32;
constexpr int kRun = kLanes * kMaxSteps;  // points per run of a row
// A kept component stays within e^−700 of a run's largest term, so that its terms stay normal
// numbers; one below e^−746 of every point's largest term rounds to 0 in the direct path too.
constexpr double kKeepRange = 700.0, kNegligible = 746.0;
// The lane factors of RowSteps and e^{L l1} are used when their exponents stay within this.
constexpr double kFactorRange = 600.0;

// One component along a run of a lattice row, at the run's local index q (x = x_run + q hx):
// log density l(q) = l0 + l1 q + l2 q² and score −Σ⁻¹(x − m) = (sx0 + sx1 q, sy0 + sy1 q).
struct RowQuadratic {
  double l0, l1, l2, sx0, sx1, sy0, sy1;
  double at(double q) const { return l0 + q * (l1 + q * l2); }
  // The largest l on [0, q1]: l2 < 0 (Σ⁻¹ is positive definite), so at the clamped vertex
  // −l1 / (2 l2); inv_2l2 = 1 / (2 l2).
  double max_on(double q1, double inv_2l2) const {
    return at(std::clamp(-l1 * inv_2l2, 0.0, q1));
  }
};

// Four doubles as one value (GCC/Clang vector extension): one AVX2 register in the AVX2 clone,
// two SSE ones in the baseline. A run's kLanes lanes are kHalves of them.
typedef double Quad __attribute__((vector_size(4 * sizeof(double))));
constexpr int kHalves = kLanes / 4;
struct Lanes {
  Quad h[kHalves];
};

// Stores lanes [0, w) of v at point `first` of the run (whole vectors when w = kLanes).
[[gnu::always_inline]] inline void store_lanes(const CombineStore& o, int first, int w,
                                               const Lanes& v) {
  if (w < kLanes) {
    for (int q = 0; q < w; ++q) o.put(first + q, v.h[q / 4][q % 4]);
    return;
  }
  for (int h = 0; h < kHalves; ++h) {
    Quad r = o.scale * v.h[h];
    if (o.base) {
      Quad b;
      std::memcpy(&b, o.base + first + 4 * h, sizeof b);
      r += o.base_scale * b;
    }
    std::memcpy(o.out + first + 4 * h, &r, sizeof r);
  }
}

// lattice_run's recurrence over `steps` steps of kLanes points: the kept components' terms g
// (advanced by ρ, itself advanced by κ) summed into the score. X, Y: the score components wanted
// (an FV face direction wants one; the other then costs nothing). Inlined, so that it is
// compiled for each of lattice_run's target clones.
template <bool X, bool Y>
[[gnu::always_inline]] inline void advance_run(const RowQuadratic* rq, int nk, Lanes* g,
                                               Lanes* rho, const double* kappa, int steps, int m,
                                               const CombineStore& out_x,
                                               const CombineStore& out_y) {
  Quad q0 = {0, 1, 2, 3};
  for (int s = 0; s < steps; ++s, q0 += kLanes) {
    Lanes vx, vy;
    for (int h = 0; h < kHalves; ++h) {
      const Quad q = q0 + 4.0 * h;
      Quad rs = {}, sx = {}, sy = {};
      for (int k = 0; k < nk; ++k) {
        const Quad gk = g[k].h[h];
        rs += gk;
        if constexpr (X) sx += gk * (rq[k].sx0 + rq[k].sx1 * q);
        if constexpr (Y) sy += gk * (rq[k].sy0 + rq[k].sy1 * q);
        g[k].h[h] = gk * rho[k].h[h];
        rho[k].h[h] *= kappa[k];
      }
      if constexpr (X) vx.h[h] = sx / rs;
      if constexpr (Y) vy.h[h] = sy / rs;
    }
    const int first = s * kLanes, w = std::min(kLanes, m - first);
    if constexpr (X) store_lanes(out_x, first, w, vx);
    if constexpr (Y) store_lanes(out_y, first, w, vy);
  }
}

// Stores lanes [0, w) of one 4-lane vector at point `first` of the run (w ≤ 0: nothing).
[[gnu::always_inline]] inline void store_quad(const CombineStore& o, int first, int w, Quad v) {
  if (w < 4) {
    for (int q = 0; q < w; ++q) o.put(first + q, v[q]);
    return;
  }
  Quad r = o.scale * v;
  if (o.base) {
    Quad b;
    std::memcpy(&b, o.base + first, sizeof b);
    r += o.base_scale * b;
  }
  std::memcpy(o.out + first, &r, sizeof r);
}

// advance_run for a known number NK of kept components: each half of the lanes in its own pass
// over the run, so that the NK terms and ratios stay in registers (no loads and stores of the
// recurrence state per step; 12 of the 16 AVX2 registers at NK = 3).
template <int NK, bool X, bool Y>
[[gnu::always_inline]] inline void advance_fixed(const RowQuadratic* rq, const Lanes* g0,
                                                 const Lanes* rho0, const double* kappa,
                                                 int steps, int m, const CombineStore& out_x,
                                                 const CombineStore& out_y) {
  for (int h = 0; h < kHalves; ++h) {
    Quad g[NK], rho[NK];
#pragma GCC unroll 4
    for (int k = 0; k < NK; ++k) {
      g[k] = g0[k].h[h];
      rho[k] = rho0[k].h[h];
    }
    Quad q = {0.0 + 4 * h, 1.0 + 4 * h, 2.0 + 4 * h, 3.0 + 4 * h};
    for (int s = 0; s < steps; ++s, q += kLanes) {
      Quad rs = {}, sx = {}, sy = {};
#pragma GCC unroll 4
      for (int k = 0; k < NK; ++k) {
        rs += g[k];
        if constexpr (X) sx += g[k] * (rq[k].sx0 + rq[k].sx1 * q);
        if constexpr (Y) sy += g[k] * (rq[k].sy0 + rq[k].sy1 * q);
        g[k] *= rho[k];
        rho[k] *= kappa[k];
      }
      const int first = s * kLanes + 4 * h, w = std::min(4, m - first);
      if constexpr (X) store_quad(out_x, first, w, sx / rs);
      if constexpr (Y) store_quad(out_y, first, w, sy / rs);
    }
  }
}

// advance_fixed for nk ≤ 4 kept components, else advance_run.
template <bool X, bool Y>
[[gnu::always_inline]] inline void advance(const RowQuadratic* rq, int nk, Lanes* g, Lanes* rho,
                                           const double* kappa, int steps, int m,
                                           const CombineStore& out_x, const CombineStore& out_y) {
  switch (nk) {
    case 1: return advance_fixed<1, X, Y>(rq, g, rho, kappa, steps, m, out_x, out_y);
    case 2: return advance_fixed<2, X, Y>(rq, g, rho, kappa, steps, m, out_x, out_y);
    case 3: return advance_fixed<3, X, Y>(rq, g, rho, kappa, steps, m, out_x, out_y);
    case 4: return advance_fixed<4, X, Y>(rq, g, rho, kappa, steps, m, out_x, out_y);
    default: return advance_run<X, Y>(rq, nk, g, rho, kappa, steps, m, out_x, out_y);
  }
}

// e^x with x clamped to exp_bounded's range (the lattice set-up's products of a run that the
// range check refuses, or lanes past a short run's end, may ask for more; they are not used).
// Inlined: a call from the AVX2 clone into baseline SSE code pays a state transition each time.
[[gnu::always_inline]] inline double exp_clamped(double x) { return exp_bounded(std::clamp(x, -708.0, 708.0)); }

}  // namespace

// A component's row quadratic l(q) = l0 + l1 q + l2 q² has the same l2 = −½ Σ⁻¹_xx hx² on every
// row of a lattice: so do the lane factors w(q) = e^{l2 q²} (g(q) = g(0) e^{l1 q} w(q)),
// v(q) = e^{L² l2 + 2L l2 q} (ρ(q) = e^{L l1} v(q)) and κ = e^{2L² l2}. `factored`: those
// factors are normal numbers (|l2| small enough), else a run sets its lanes by exponentials.
struct MixtureScore::RowSteps {
  Lanes w, v;
  double kappa, inv_2l2;
  bool factored;
};

void MixtureScore::assign(const GaussianMixture& p) {
  comp_.clear();
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

void MixtureScore::eval(std::span<const double> xs, std::span<const double> ys, const Combine& c,
                        std::span<double> out_x, std::span<double> out_y) const {
  const auto n = static_cast<std::ptrdiff_t>(xs.size());
  if (static_cast<int>(comp_.size()) > kMaxComponents) {  // rare: one point at a time
    const CombineStore sx(c, false, out_x, 0), sy(c, true, out_y, 0);
    for (std::ptrdiff_t k = 0; k < n; ++k) {
      const Vec2 s = at(xs[k], ys[k]);
      if (sx) sx.put(k, s.x());
      if (sy) sy.put(k, s.y());
    }
    return;
  }
  const std::ptrdiff_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::ptrdiff_t k0 = b * kBlock;
    eval_block(xs.data() + k0, ys.data() + k0, std::min(kBlock, n - k0),
               CombineStore(c, false, out_x, k0), CombineStore(c, true, out_y, k0));
  }
}

// m ≤ kBlock points, at most kMaxComponents components; an empty store is not wanted.
void MixtureScore::eval_block(const double* x, const double* y, std::ptrdiff_t m,
                              const CombineStore& out_x, const CombineStore& out_y) const {
  const int nc = static_cast<int>(comp_.size());
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
  // Log responsibilities relative to the largest, clamped to exp_bounded's range (e^−708
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
      const double r = exp_bounded(l[c][q]);
      const double ux = x[q] - C.mx, uy = y[q] - C.my;
      sx[q] -= r * (C.pxx * ux + C.pxy * uy);
      sy[q] -= r * (C.pxy * ux + C.pyy * uy);
      rs[q] += r;
    }
  }
  if (out_x)
    for (std::ptrdiff_t q = 0; q < m; ++q) out_x.put(q, sx[q] / rs[q]);
  if (out_y)
    for (std::ptrdiff_t q = 0; q < m; ++q) out_y.put(q, sy[q] / rs[q]);
}

void MixtureScore::eval(const PointSet& pts, const Combine& c, std::span<double> out_x,
                        std::span<double> out_y) const {
  if (pts.lattice && static_cast<int>(comp_.size()) <= kMaxComponents)
    eval_lattice(pts, c, out_x, out_y);
  else
    eval(pts.x, pts.y, c, out_x, out_y);
}

// Each row in runs of ≤ kRun points; a run whose dynamic range the recurrence cannot carry
// (a narrow component, near t = 0) takes the direct path on its points.
void MixtureScore::eval_lattice(const PointSet& pts, const Combine& c, std::span<double> out_x,
                                std::span<double> out_y) const {
  const Lattice& L = *pts.lattice;
  const int runs = (L.nx + kRun - 1) / kRun;
  const int len = (L.nx + runs - 1) / runs;  // runs of a row as equal as they can be
  const auto n = static_cast<std::ptrdiff_t>(pts.size());
  RowSteps rs[kMaxComponents];
  for (std::size_t k = 0; k < comp_.size(); ++k) {
    constexpr double Lf = kLanes;
    const double l2 = -0.5 * comp_[k].pxx * L.hx * L.hx;
    RowSteps& r = rs[k];
    alignas(64) double w[kLanes], v[kLanes];
#pragma omp simd
    for (int q = 0; q < kLanes; ++q) {
      w[q] = exp_clamped(l2 * q * q);
      v[q] = exp_clamped(Lf * Lf * l2 + 2.0 * Lf * l2 * q);
    }
    for (int q = 0; q < kLanes; ++q) {
      r.w.h[q / 4][q % 4] = w[q];
      r.v.h[q / 4][q % 4] = v[q];
    }
    r.kappa = exp_clamped(2.0 * Lf * Lf * l2);
    r.inv_2l2 = 1.0 / (2.0 * l2);
    r.factored = l2 * (Lf * Lf + 2.0 * Lf * (Lf - 1)) > -kFactorRange;
  }
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int j = 0; j < L.ny; ++j)
    for (int i0 = 0; i0 < L.nx; i0 += len) {
      const int m = std::min(len, L.nx - i0);
      const std::size_t k0 = static_cast<std::size_t>(j) * L.nx + i0;
      const CombineStore sx(c, false, out_x, k0), sy(c, true, out_y, k0);
      if (!lattice_run(L.x0 + i0 * L.hx, L.hx, L.y0 + j * L.hy, m, rs, sx, sy))
        eval_block(pts.x.data() + k0, pts.y.data() + k0, m, sx, sy);
    }
}

// The kept components' lanes at a run's start: g(q) = e^{l(q) − top} and
// ρ(q) = e^{l(q+L) − l(q)}, q < L. From two exponentials per component (all in one vectorised
// loop) and the lattice's lane factors; by one exponential per lane for a component whose
// factors would leave the normal range. Inlined into lattice_run's clones.
[[gnu::always_inline]] static inline void set_lanes(const RowQuadratic* r,
                                                    const MixtureScore::RowSteps* const* rs,
                                                    int nk, double top, Lanes* g, Lanes* rho) {
  static_assert(kHalves == 2, "lanes 0–3 carry d^q, lanes 4–7 d^(4+q)");
  constexpr double Lf = kLanes;
  alignas(64) double e[2 * kMaxComponents];
  for (int k = 0; k < nk; ++k) {
    e[k] = r[k].l0 - top;
    e[nk + k] = r[k].l1;
  }
#pragma omp simd
  for (int k = 0; k < 2 * nk; ++k) e[k] = exp_clamped(e[k]);
  for (int k = 0; k < nk; ++k) {
    if (rs[k]->factored && std::abs(Lf * r[k].l1) < kFactorRange) {
      const double g0 = e[k], d = e[nk + k], d2 = d * d, d4 = d2 * d2;
      const Quad powers = {1.0, d, d2, d2 * d};
      g[k].h[0] = g0 * powers * rs[k]->w.h[0];
      g[k].h[1] = (g0 * d4) * powers * rs[k]->w.h[1];
      rho[k].h[0] = (d4 * d4) * rs[k]->v.h[0];
      rho[k].h[1] = (d4 * d4) * rs[k]->v.h[1];
      continue;
    }
    alignas(64) double lane[2 * kLanes];
#pragma omp simd
    for (int q = 0; q < kLanes; ++q) {
      lane[q] = exp_clamped(r[k].at(q) - top);
      lane[kLanes + q] = exp_clamped(r[k].at(q + Lf) - r[k].at(q));
    }
    for (int q = 0; q < kLanes; ++q) {
      g[k].h[q / 4][q % 4] = lane[q];
      rho[k].h[q / 4][q % 4] = lane[kLanes + q];
    }
  }
}

// The scores at x + q hx, q < m ≤ kRun, on the row y. Along a row every component's log density
// is a quadratic in q, so its term e^{l(q) − top} follows g(q + L) = g(q) ρ(q) and
// ρ(q + L) = ρ(q) κ with κ = e^{2L² l2} (L = kLanes): two products per point, from two
// exponentials per component at the run's start (set_lanes). `top` bounds every l on the run, so the terms never
// overflow; the responsibilities are the same ratios as the direct path's up to round-off.
// false (nothing written): a component spans more than kKeepRange on the run.
// Cloned for AVX2/FMA (x86-64-v3) and the baseline, chosen at load time: the binary still runs
// on any x86-64, and the recurrence's 8 lanes take two 4-wide FMA vectors where there are some.
[[gnu::target_clones("arch=x86-64-v3", "default")]]
bool MixtureScore::lattice_run(double x, double hx, double y, int m, const RowSteps* rs,
                               const CombineStore& out_x, const CombineStore& out_y) const {
  const int nc = static_cast<int>(comp_.size());
  const int steps = (m + kLanes - 1) / kLanes;
  const double q_last = steps * kLanes - 1;  // the run's lanes compute whole steps
  RowQuadratic rq[kMaxComponents];
  double lo[kMaxComponents], hi[kMaxComponents];
  // top: the largest term on the run; floor: every point has a term ≥ e^floor (l is concave,
  // so each component's smallest value is at an end of the run).
  double top = -std::numeric_limits<double>::infinity(), floor = top;
  for (int c = 0; c < nc; ++c) {
    const Component& C = comp_[c];
    const double ux = x - C.mx, uy = y - C.my;
    const double sx0 = -(C.pxx * ux + C.pxy * uy), sy0 = -(C.pxy * ux + C.pyy * uy);
    rq[c] = {C.log_c - 0.5 * (C.pxx * ux * ux + 2.0 * C.pxy * ux * uy + C.pyy * uy * uy),
             sx0 * hx, -0.5 * C.pxx * hx * hx, sx0, -C.pxx * hx, sy0, -C.pxy * hx};
    lo[c] = std::min(rq[c].l0, rq[c].at(q_last));
    hi[c] = rq[c].max_on(q_last, rs[c].inv_2l2);
    top = std::max(top, hi[c]);
    floor = std::max(floor, lo[c]);
  }
  RowQuadratic kept[kMaxComponents];  // the components that matter on the run
  const RowSteps* steps_of[kMaxComponents];
  double kappa[kMaxComponents];
  int nk = 0;
  for (int c = 0; c < nc; ++c) {
    if (hi[c] < floor - kNegligible) continue;
    if (lo[c] < top - kKeepRange) return false;
    steps_of[nk] = &rs[c];
    kappa[nk] = rs[c].kappa;
    kept[nk++] = rq[c];
  }
  Lanes g[kMaxComponents], rho[kMaxComponents];
  set_lanes(kept, steps_of, nk, top, g, rho);
  if (out_x && out_y)
    advance<true, true>(kept, nk, g, rho, kappa, steps, m, out_x, out_y);
  else if (out_x)
    advance<true, false>(kept, nk, g, rho, kappa, steps, m, out_x, out_y);
  else if (out_y)
    advance<false, true>(kept, nk, g, rho, kappa, steps, m, out_x, out_y);
  return true;
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
