// Gaussian solutions of the linear Fokker–Planck equation ∂t p = ∇·(a(t) C x p) + ∇·(d(t) D ∇p)
// (docs/reference.md §5): each Gaussian N(m, Σ) stays Gaussian with dm/dt = −aCm, dΣ/dt = −a(CΣ + ΣCᵀ) + 2dD
// (Risken, "The Fokker–Planck Equation", §6.5; Särkkä & Solin, "Applied SDEs", §6.1).
#pragma once
#include <Eigen/Dense>
#include <optional>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/schedule.hpp"

namespace fplab {

struct GaussianMoments {
  Vec2 mean = Vec2::Zero();
  Mat2 cov = Mat2::Identity();
};

// The affine map of the moment ODEs from 0 to t: m(t) = Φ m₀, Σ(t) = Φ Σ₀ Φᵀ + Q, with
// Φ = exp(−∫₀ᵗa · C) and Q = ∫₀ᵗ 2d(s) Φ(t,s) D Φ(t,s)ᵀ ds the covariance the noise adds.
struct LinearFlowMap {
  Mat2 Phi = Mat2::Identity();
  Mat2 Q = Mat2::Zero();
};

// Closed-form moment flow for the four schedules of docs/reference.md §1, accurate to rounding (~1e-14).
// In the time τ = ∫₀ᵗa the covariance ODE is dσ/dτ = −Lσ + 2 r(τ) vec(D) with r = d/a equal to 1
// (constant, vp) or 1 − e^{−4τ} (subvp): a linear system with constant coefficients, solved
// exactly by one exponential of an augmented matrix (Van Loan 1978). For ve, a = 0 and
// Σ = Σ₀ + 2D ∫₀ᵗd.
class GaussianFlow {
 public:
  GaussianFlow(const Schedule& schedule, const Mat2& C, const Mat2& D);

  LinearFlowMap map(double t) const;
  GaussianMoments evolve(const GaussianMoments& g0, double t) const;
  // Each component evolved; the weights are unchanged.
  GaussianMixture evolve(const GaussianMixture& p0, double t) const;
  // The same into `out`, reusing its storage (no allocation once it has p0's size).
  void evolve(const GaussianMixture& p0, double t, GaussianMixture& out) const;

  const Schedule& schedule() const { return schedule_; }
  const Mat2& C() const { return C_; }
  const Mat2& D() const { return D_; }

 private:
  Schedule schedule_;
  Mat2 C_, D_;
};

// Slow reference: classical RK4 on the moment ODEs with `steps` uniform steps on [0, t].
GaussianMoments gaussian_flow_rk4(const Schedule& schedule, const Mat2& C, const Mat2& D,
                                  const GaussianMoments& g0, double t, int steps);

// The matrix of Σ ↦ CΣ + ΣCᵀ acting on symmetric Σ stored as (Σxx, Σxy, Σyy).
Eigen::Matrix3d lyapunov_operator(const Mat2& C);

// Stationary covariance Σ∞ of f = −Cx with diffusion D: the solution of CΣ + ΣCᵀ = 2D.
// nullopt when C is not stable (an eigenvalue with real part ≤ 0) or Σ∞ is not positive definite
// (D degenerate in a direction the drift never mixes into).
std::optional<Mat2> stationary_covariance(const Mat2& C, const Mat2& D);

}  // namespace fplab
