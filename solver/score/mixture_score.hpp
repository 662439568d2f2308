// The score ∇ log p of a Gaussian mixture p = Σ wₖ N(mₖ, Σₖ), batched: per-component constants
// (Σₖ⁻¹, log normalisers) are computed once at construction, never per point.
#pragma once
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "solver/density.hpp"
#include "solver/vector_field.hpp"

namespace fplab {

class MixtureScore {
 public:
  explicit MixtureScore(const GaussianMixture& p) { assign(p); }
  // Another mixture in place: no allocation once the component list has grown to its size
  // (an evaluator re-targets its score at every stage time).
  void assign(const GaussianMixture& p);
  // ∇ log p at (xs[k], ys[k]), combined with a base as `c` says (Combine{}: the score itself);
  // empty out_x or out_y: that component is not wanted. Parallel over points (OpenMP) for large
  // batches; thread-safe.
  void eval(std::span<const double> xs, std::span<const double> ys, const Combine& c,
            std::span<double> out_x, std::span<double> out_y) const;
  // The same at a point set; on a lattice by a recurrence along the rows that needs no
  // exponential per point (same values up to round-off; see mixture_score.cpp).
  void eval(const PointSet& pts, const Combine& c, std::span<double> out_x,
            std::span<double> out_y) const;
  Vec2 at(double x, double y) const;  // one point
  struct RowSteps;  // a component's constants shared by the rows of a lattice (.cpp)

 private:
  struct Component {
    double log_c;            // log(w / (2π √det Σ))
    double mx, my;           // mean
    double pxx, pxy, pyy;    // Σ⁻¹
  };
  void eval_block(const double* x, const double* y, std::ptrdiff_t m, const CombineStore& out_x,
                  const CombineStore& out_y) const;
  void eval_lattice(const PointSet& pts, const Combine& c, std::span<double> out_x,
                    std::span<double> out_y) const;
  // Cloned for x86-64-v3 (see its definition); clang wants the clones named at the declaration.
  [[gnu::target_clones("arch=x86-64-v3", "default")]] bool lattice_run(
      double x, double hx, double y, int m, const RowSteps* rs, const CombineStore& out_x,
      const CombineStore& out_y) const;
  std::vector<Component> comp_;
};

// e^x for x ∈ [−708, 708] (callers clamp: a clamp inside stops GCC from vectorising the loop), to
// ~1 ulp, written so that loops over it vectorise (no call, no branch): Cody–Waite reduction
// x = n ln2 + r, |r| ≤ ln2/2, a degree-12 Taylor polynomial for e^r (truncation < 2e-17
// relative), and 2^n assembled in the exponent bits.
// Inline, so that the loops calling it vectorise.
inline double exp_bounded(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0.6931471803691238, kLn2Lo = 1.9082149292705877e-10;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer in the low bits
  const double kd = x * kLog2e + kShifter;
  const double n = kd - kShifter;
  const double r = (x - n * kLn2Hi) - n * kLn2Lo;
  // Horner with 1/k!, k = 12 … 0.
  double p = 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // kd's low mantissa bits hold n (two's complement); (n + 1023) << 52 is 2^n.
  const auto bits = static_cast<std::uint64_t>(std::bit_cast<std::int64_t>(kd) + 1023) << 52;
  return p * std::bit_cast<double>(bits);
}

}  // namespace fplab
