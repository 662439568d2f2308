// The particles' equation of motion dX = v(X, t) dt + L(t) dW, L Lᵀ = 2 K(t), for the equations
// whose densities fplab evolves on the grid (docs/reference.md §7):
//   fokker_planck, SDE:        v = f,                   K = d D    (Itô; the grid's equation)
//   fokker_planck, ODE:        v = f − d D s,           K = 0      (probability flow, Song et
//                              al. 2021 eq. 13, with the exact score s of the forward solution)
//   heat:                      v = 0,                   K = D
//   reverse_fokker_planck:     v = −f + (1+λ) d D s,    K = λ d D  (at t = T − τ; λ = 0 an ODE)
// The same marginals as the grid solution: the Fokker–Planck equation of this SDE is the case's.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/equations/equation.hpp"
#include "solver/score/score_field.hpp"

namespace fplab {

class ParticleDynamics {
 public:
  // ode_score: the score of a forward fokker_planck probability-flow ODE; null otherwise.
  ParticleDynamics(const Equation& eq, std::shared_ptr<const ScoreField> ode_score);

  bool has_noise() const { return has_noise_; }
  bool is_ode() const { return !has_noise_; }
  // v at the points; vx, vy as long as xs. Allocates only on the first call (score scratch).
  void velocity(std::span<const double> xs, std::span<const double> ys, double t,
                std::span<double> vx, std::span<double> vy);
  // K(t): the diffusion the noise carries (zero for an ODE).
  Mat2 diffusion(double t) const;

 private:
  const Equation& eq_;
  std::shared_ptr<const ScoreField> ode_score_;
  bool has_noise_ = false;
  std::vector<double> sx_, sy_;  // the score at the points (ODE only)
};

// L with L Lᵀ = 2K for a symmetric positive semi-definite K (the symmetric square root, so that a
// degenerate K, e.g. the kinetic Fokker–Planck equation's, gives noise in its range only).
Mat2 noise_factor(const Mat2& K);

// The dynamics a case asks for (particles.flow, equation.type), with its scheme resolved from
// particles.scheme (auto: weak2 for an SDE, heun for an ODE). InputError naming the key (with its
// file and line) for an equation with no particle view (bgk), a flow the equation cannot take
// or a scheme that does not fit the dynamics.
struct ParticleModel {
  std::unique_ptr<ParticleDynamics> dynamics;
  std::string scheme;  // euler_maruyama | weak2 | heun | rk4
};
ParticleModel make_particle_model(const CaseSpec& spec, const Equation& eq);

}  // namespace fplab
