// Reverse Fokker–Planck equation: drift g = −f + (1+λ) d D s and diffusion λ d D at t = T − τ
// (see reverse_fokker_planck.hpp), evaluated in batches from the forward drift and the score.
#include "solver/equations/reverse_fokker_planck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "solver/errors.hpp"
#include "solver/score/exact_score.hpp"

namespace fplab {
namespace {

// The reverse drift at fixed points, g = −f + (1+λ) d D s. With a diagonal D each component of g
// needs only the same component of s, and g is formed in the score's own pass over the points
// (FieldAtPoints::eval_combined) from f kept at the points: a time-independent drift, or a
// linear one scaled by a(t), is evaluated once, not per stage. A D with D_xy ≠ 0 couples the
// components: then f and both components of s are evaluated and combined afterwards.
class ReverseDriftAtPoints final : public FieldAtPoints {
 public:
  ReverseDriftAtPoints(const ReverseFokkerPlanck& eq, PointSet pts)
      : eq_(eq), n_(pts.size()), forward_(eq.forward().drift_at(pts)),
        score_(eq.score().at_points(std::move(pts))), fx_(n_), fy_(n_) {
    if (eq.forward().has_cross_diffusion()) {
      sx_.resize(n_);
      sy_.resize(n_);
    } else if (eq.forward().has_drift()) {
      forward_->eval(t_ref(), fx_, fy_);
    }
  }
  std::size_t size() const override { return n_; }
  void eval(double tau, std::span<double> out_x, std::span<double> out_y) override {
    const double t = eq_.t_of(tau);
    if (eq_.forward().has_cross_diffusion()) return eval_coupled(t, out_x, out_y);
    const FokkerPlanck& fw = eq_.forward();
    double ratio = 0.0;  // f(·, t) = ratio · (fx_, fy_)
    if (fw.has_drift()) {
      const auto r = fw.drift_ratio(t, t_ref());
      if (!r) forward_->eval(t, out_x.empty() ? std::span<double>() : std::span<double>(fx_),
                             out_y.empty() ? std::span<double>() : std::span<double>(fy_));
      ratio = r.value_or(1.0);
    }
    const double c = 1.0 + eq_.lambda();
    const Mat2 dD = fw.diffusion(t);
    score_->eval_combined(t, Combine{-ratio, fx_, fy_, c * dD(0, 0), c * dD(1, 1)}, out_x, out_y);
  }

 private:
  double t_ref() const { return eq_.T(); }  // where a kept linear drift is evaluated
  void eval_coupled(double t, std::span<double> out_x, std::span<double> out_y) {
    forward_->eval(t, out_x, out_y);
    score_->eval(t, sx_, sy_);
    eq_.combine(t, out_x, out_y, sx_, sy_);
  }

  const ReverseFokkerPlanck& eq_;
  std::size_t n_;
  std::unique_ptr<FieldAtPoints> forward_, score_;
  std::vector<double> fx_, fy_;  // the forward drift at the points (at t_ref, or the last t)
  std::vector<double> sx_, sy_;  // both score components (coupled D only)
};

}  // namespace

ReverseFokkerPlanck::ReverseFokkerPlanck(const EquationSpec& eq,
                                         std::shared_ptr<const ScoreField> score,
                                         bool exact_start, bool want_exact)
    // The reverse drift of a space-dependent D would need ∇·D beside the score.
    : forward_(require_constant_diffusion(eq, "the reverse equation"), DensitySpec{}, false),
      score_(std::move(score)),
      T_(eq.T),
      lambda_(eq.lambda),
      D_(0.5 * (eq.D + eq.D.transpose())) {
  if (!score_) throw std::logic_error("ReverseFokkerPlanck: no score field");
  if (!(T_ > 0.0)) throw InputError("equation.T: expected a number > 0");
  if (!(lambda_ >= 0.0)) throw InputError("equation.lambda: expected a number ≥ 0");
  const double tol = 1e-9 * std::max(1.0, T_);
  if (score_->t_first() > tol || score_->t_last() < T_ - tol)
    throw InputError(fmt::format(
        "equation.score: the score {} covers forward times [{:.6g}, {:.6g}], which does not "
        "include [0, T] = [0, {:.6g}]",
        score_->describe(), score_->t_first(), score_->t_last(), T_));
  if (eq.score.has_data) target_ = eq.score.data;
  const bool score_is_exact = dynamic_cast<const ExactScore*>(score_.get()) != nullptr;
  if (!score_is_exact && eq.score.has_data && eq.score.data.is_gaussian_mixture() &&
      forward_.linear_flow())
    reference_.emplace(*forward_.linear_flow(),
                       mixture_from_spec(eq.score.data, "equation.score.data"));
  if (exact_start) {
    // The data moved to T in closed form: the exact score's mixture, or a Gaussian(-mixture)
    // score.data under a linear forward drift (for a learned or tabulated score too).
    if (const auto* ex = dynamic_cast<const ExactScore*>(score_.get()))
      start_ = ex->data();
    else if (eq.score.has_data && eq.score.data.is_gaussian_mixture() && forward_.linear_flow())
      start_ = mixture_from_spec(eq.score.data, "equation.score.data");
    else
      throw InputError(
          "initial.type: forward_solution (the exact forward density at T) needs a Gaussian or "
          "mixture equation.score.data and a linear forward drift");
    // q(τ) = p(T − τ) exactly only when the score is exact.
    if (want_exact && dynamic_cast<const ExactScore*>(score_.get())) exact_ = start_;
  }
}

double ReverseFokkerPlanck::score_error(const Grid2D& g, double tau,
                                        std::span<double> map) const {
  if (!reference_) throw std::logic_error("ReverseFokkerPlanck: no reference score");
  return score_error_on_grid(*score_, *reference_, g, t_of(tau), map);
}

void ReverseFokkerPlanck::forward_solution(const Grid2D& g, std::span<double> out,
                                           Sampling s) const {
  if (!start_) throw std::logic_error("ReverseFokkerPlanck: no forward_solution start");
  forward_.linear_flow()->evolve(*start_, T_).sample(g, s, out);
}

void ReverseFokkerPlanck::combine(double t, std::span<double> fx, std::span<double> fy,
                                  std::span<const double> sx, std::span<const double> sy) const {
  const double c = (1.0 + lambda_) * forward_.schedule().d(t);
  // g_x = −f_x + c(D_xx s_x + D_xy s_y), g_y = −f_y + c(D_yy s_y + D_xy s_x): one path for both.
  combine_component(fx, c * D_(0, 0), sx, c * D_(0, 1), sy);
  combine_component(fy, c * D_(1, 1), sy, c * D_(0, 1), sx);
}

// out = −out + a·s + b·s_other; with b = 0 s_other is not read (it may not have been computed).
void ReverseFokkerPlanck::combine_component(std::span<double> out, double a,
                                            std::span<const double> s, double b,
                                            std::span<const double> s_other) {
  const auto n = static_cast<std::ptrdiff_t>(out.size());
  if (b != 0.0) {
#pragma omp simd
    for (std::ptrdiff_t k = 0; k < n; ++k) out[k] = -out[k] + a * s[k] + b * s_other[k];
  } else {
#pragma omp simd
    for (std::ptrdiff_t k = 0; k < n; ++k) out[k] = -out[k] + a * s[k];
  }
}

void ReverseFokkerPlanck::drift_batch(std::span<const double> xs, std::span<const double> ys,
                                      double tau, std::span<double> out_x,
                                      std::span<double> out_y) const {
  // The general path (one-off points): temporaries for what out_x/out_y do not hold.
  const std::size_t n = xs.size();
  std::vector<double> fx(n), fy(n), sx(n), sy(n);
  const double t = t_of(tau);
  forward_.drift_batch(xs, ys, t, fx, fy);
  score_->eval(xs, ys, t, sx, sy);
  combine(t, fx, fy, sx, sy);
  if (!out_x.empty()) std::copy(fx.begin(), fx.end(), out_x.begin());
  if (!out_y.empty()) std::copy(fy.begin(), fy.end(), out_y.begin());
}

std::unique_ptr<FieldAtPoints> ReverseFokkerPlanck::drift_at(PointSet points) const {
  return std::make_unique<ReverseDriftAtPoints>(*this, std::move(points));
}

void ReverseFokkerPlanck::exact(const Grid2D& g, double tau, std::span<double> out,
                                Sampling s) const {
  if (!exact_) return;
  forward_.linear_flow()->evolve(*exact_, t_of(tau)).sample(g, s, out);
}

void ReverseFokkerPlanck::target(const Grid2D& g, std::span<double> out, Sampling s) const {
  if (target_) density_on_grid(*target_, g, out, "equation.score.data", s);
}

}  // namespace fplab
