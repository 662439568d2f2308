// The Fokker–Planck equation ∂t p = −∇·(f(x,t) p) + ∇·(d(t) D ∇p) (docs/reference.md §1) with linear,
// potential or expression drift and a noise schedule; exact Gaussian(-mixture) solutions for
// linear drift and equilibria in closed form (docs/reference.md §5).
#pragma once
#include <memory>
#include <optional>

#include "solver/density.hpp"
#include "solver/equations/equation.hpp"
#include "solver/equations/expression.hpp"
#include "solver/gaussian_flow.hpp"
#include "solver/schedule.hpp"

namespace fplab {

class FokkerPlanck : public Equation {
 public:
  // eq: drift, diffusion and schedule (equation block, or a reverse problem's forward block).
  // initial: the data the exact solution starts from (used when want_exact and drift is linear).
  FokkerPlanck(const EquationSpec& eq, const DensitySpec& initial, bool want_exact);

  std::string name() const override { return "fokker_planck"; }

  bool has_drift() const override { return has_drift_; }
  void drift_batch(std::span<const double> xs, std::span<const double> ys, double t,
                   std::span<double> out_x, std::span<double> out_y) const override;
  bool drift_depends_on_time() const override { return drift_time_; }
  std::optional<Mat2> linear_drift(double t) const override;
  // r with f(x, t) = r · f(x, t_ref) for every x, when the drift's time dependence is a scalar
  // factor (none, or a(t) of a linear drift): a caller may then keep f(·, t_ref) and scale it.
  // nullopt otherwise (an expression in t, or a(t_ref) = 0).
  std::optional<double> drift_ratio(double t, double t_ref) const;
  // Potential drift: U itself; linear drift with symmetric C and constant a: U = ½ a xᵀCx.
  bool has_potential() const override;
  double potential(double x, double y, double t) const override;

  bool has_diffusion() const override { return D_expr_.has_value() || !D_.isZero(0.0); }
  Mat2 diffusion(double t) const override;
  bool diffusion_depends_on_time() const override {
    return !schedule_.d_is_constant() || (D_expr_ && D_expr_->uses_t());
  }
  bool has_cross_diffusion() const override { return cross_; }
  bool has_variable_diffusion() const override { return D_expr_.has_value(); }
  void diffusion_batch(std::span<const double> xs, std::span<const double> ys, double t,
                       const DiffusionAtPoints& out) const override;

  bool has_equilibrium() const override { return eq_kind_ != EqKind::none; }
  void equilibrium(const Grid2D& g, std::span<double> out, Sampling s) const override;

  bool has_exact() const override { return initial_.has_value(); }
  void exact(const Grid2D& g, double t, std::span<double> out, Sampling s) const override;

  const Schedule& schedule() const { return schedule_; }
  // The moment flow of a linear drift (nullopt for potential and expression drifts).
  const std::optional<GaussianFlow>& linear_flow() const { return flow_; }

 private:
  enum class DriftKind { linear, potential, expression };
  enum class EqKind { none, gaussian, potential };
  Vec2 potential_gradient(double x, double y) const;

  DriftKind kind_ = DriftKind::linear;
  Schedule schedule_;
  Mat2 C_ = Mat2::Identity(), D_ = Mat2::Identity();
  std::optional<ExpressionSet> expr_;  // U (potential) or fx, fy (expression)
  std::optional<ExpressionSet> D_expr_;  // Dxx, Dxy, Dyy of a space-dependent D
  bool cross_ = false;                   // D has an off-diagonal entry somewhere
  bool has_drift_ = true, drift_time_ = false;
  std::optional<GaussianFlow> flow_;
  std::optional<GaussianMixture> initial_;  // set when the exact solution is available
  EqKind eq_kind_ = EqKind::none;
  Mat2 cov_eq_ = Mat2::Identity();  // gaussian equilibrium N(0, Σ∞)
  double kT_ = 1.0;                 // potential equilibrium ∝ exp(−U / kT), K = kT·I
};

// D must be symmetric positive semi-definite: InputError naming `key` otherwise.
void check_diffusion_matrix(const Mat2& D, const char* key);

// The reverse equation, its exact score and train-score are built for a constant D: an
// InputError naming `what` for a space-dependent one. Returns eq.
const EquationSpec& require_constant_diffusion(const EquationSpec& eq, const char* what);

}  // namespace fplab
