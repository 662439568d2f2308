// The reverse (score-driven) Fokker–Planck equation of docs/reference.md §1,
//   ∂τ q = ∇·(f q) − (1+λ) ∇·(d D s q) + λ ∇·(d D ∇q),   f, d, D, s at t = T − τ,
// the time reversal of a forward Fokker–Planck problem on [0, T] (Anderson 1982; Song et al.
// 2021, eqs. 6 and 13). In the form −∇·(g q) + ∇·(K ∇q) of every other equation here it has the
// drift g = −f + (1+λ) d D s and the diffusion K = λ d D, so the finite-volume and spectral
// operators discretise it unchanged. It composes the forward FokkerPlanck (drift, diffusion,
// schedule) with a ScoreField; λ = 0 is the probability-flow (continuity) equation, λ = 1 the
// reverse SDE's Fokker–Planck equation.
#pragma once
#include <memory>
#include <optional>

#include "solver/equations/fokker_planck.hpp"
#include "solver/score/exact_score.hpp"
#include "solver/score/score_field.hpp"

namespace fplab {

class ReverseFokkerPlanck final : public Equation {
 public:
  // eq: the reverse block (forward coefficients, T, λ, score); score: the field to use.
  // exact_start: the initial density is the exact forward solution at T (docs/reference.md §2
  // `forward_solution`), so q(τ) = p(T − τ) exactly when the score is exact.
  ReverseFokkerPlanck(const EquationSpec& eq, std::shared_ptr<const ScoreField> score,
                      bool exact_start, bool want_exact);

  std::string name() const override { return "reverse_fokker_planck"; }

  bool has_drift() const override { return true; }
  void drift_batch(std::span<const double> xs, std::span<const double> ys, double tau,
                   std::span<double> out_x, std::span<double> out_y) const override;
  std::unique_ptr<FieldAtPoints> drift_at(PointSet points) const override;
  bool drift_depends_on_time() const override { return true; }

  bool has_diffusion() const override { return lambda_ > 0.0 && forward_.has_diffusion(); }
  Mat2 diffusion(double tau) const override { return lambda_ * forward_.diffusion(t_of(tau)); }
  bool diffusion_depends_on_time() const override {
    return has_diffusion() && forward_.diffusion_depends_on_time();
  }
  bool has_cross_diffusion() const override {
    return lambda_ > 0.0 && forward_.has_cross_diffusion();
  }

  bool has_exact() const override { return exact_.has_value(); }
  void exact(const Grid2D& g, double tau, std::span<double> out, Sampling s) const override;
  bool has_target() const override { return target_.has_value(); }
  void target(const Grid2D& g, std::span<double> out, Sampling s) const override;

  bool has_score_error() const override { return reference_.has_value(); }
  double score_error(const Grid2D& g, double tau, std::span<double> map) const override;

  // The exact forward solution at T (initial type forward_solution); logic_error without it.
  void forward_solution(const Grid2D& g, std::span<double> out, Sampling s) const;
  // The same density as a mixture (particles are drawn from it); nullopt without it.
  std::optional<GaussianMixture> forward_solution_mixture() const {
    if (!start_) return std::nullopt;
    return forward_.linear_flow()->evolve(*start_, T_);
  }

  double T() const { return T_; }
  double lambda() const { return lambda_; }
  const ScoreField& score() const { return *score_; }
  const FokkerPlanck& forward() const { return forward_; }
  // The forward time of reverse time τ: T − τ (never below 0).
  double t_of(double tau) const { return std::max(T_ - tau, 0.0); }
  // g = −f + (1+λ) d D s at forward time t, from f and s at the same points (in place in f).
  void combine(double t, std::span<double> fx, std::span<double> fy, std::span<const double> sx,
               std::span<const double> sy) const;

 private:
  static void combine_component(std::span<double> out, double a, std::span<const double> s,
                                double b, std::span<const double> s_other);

  FokkerPlanck forward_;
  std::shared_ptr<const ScoreField> score_;
  double T_, lambda_;
  Mat2 D_;
  std::optional<GaussianMixture> start_;  // forward_solution start: the data, moved to T
  std::optional<GaussianMixture> exact_;  // the data, moved to T − τ (exact: auto)
  std::optional<DensitySpec> target_;     // the data density, when given
  std::optional<ExactScore> reference_;   // the exact score a non-exact one is measured against
};

}  // namespace fplab
