// The score ∇ log p of a Gaussian mixture p = Σ wₖ N(mₖ, Σₖ), batched: per-component constants
// (Σₖ⁻¹, log normalisers) are computed once at construction, never per point.
#pragma once
#include <span>
#include <vector>

#include "solver/density.hpp"

namespace fplab {

class MixtureScore {
 public:
  explicit MixtureScore(const GaussianMixture& p);
  // ∇ log p at (xs[k], ys[k]); empty out_x or out_y: that component is not wanted.
  // Parallel over points (OpenMP) for large batches; thread-safe.
  void eval(std::span<const double> xs, std::span<const double> ys, std::span<double> out_x,
            std::span<double> out_y) const;
  Vec2 at(double x, double y) const;  // one point

 private:
  struct Component {
    double log_c;            // log(w / (2π √det Σ))
    double mx, my;           // mean
    double pxx, pxy, pyy;    // Σ⁻¹
  };
  std::vector<Component> comp_;
};

// e^x for x ≤ 0, to ~1 ulp, written so that loops over it vectorise (no call, no branch):
// Cody–Waite reduction x = n ln2 + r, |r| ≤ ln2/2, a degree-12 Taylor polynomial for e^r
// (truncation < 2e-17 relative), and 2^n assembled in the exponent bits. x < −708 gives 2^−1021·e^r
// (≈ 0 next to the responsibilities' maximum, 1).
double exp_nonpositive(double x);

}  // namespace fplab
