// Fokker–Planck equation ∂t p = −∇·(f p) + ∇·(d(t) D ∇p) (docs/reference.md §1): linear drift f = −a(t)Cx,
// potential drift f = −∇U, expression drift (fx, fy)(x, y, t); exact solutions and equilibria of
// docs/reference.md §5 (Gaussian moment flow; N(0, Σ∞) with CΣ∞ + Σ∞Cᵀ = 2(d/a)D; ∝ e^{−U/kT}).
#include "solver/equations/fokker_planck.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "solver/errors.hpp"

namespace fplab {
namespace {
// Below this many points a batch is evaluated serially (a thread team costs more).
constexpr std::ptrdiff_t kBatchParallelMin = 4096;

// "0", " 0.0 ", "-0e3": an off-diagonal entry that is the number zero (no cross diffusion).
bool is_zero_number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return false;
  while (*end == ' ' || *end == '\t') ++end;
  return *end == '\0' && v == 0.0;
}
}  // namespace

void check_diffusion_matrix(const Mat2& D, const char* key) {
  const double scale = D.cwiseAbs().maxCoeff();
  if (!D.allFinite() || std::abs(D(0, 1) - D(1, 0)) > 1e-12 * scale)
    throw InputError(fmt::format("{}: expected a symmetric 2×2 matrix", key));
  const Eigen::SelfAdjointEigenSolver<Mat2> es(D, Eigen::EigenvaluesOnly);
  if (es.eigenvalues()(0) < -1e-12 * scale)
    throw InputError(
        fmt::format("{}: expected a positive semi-definite matrix, got an eigenvalue {:.6g}", key,
                    es.eigenvalues()(0)));
}

const EquationSpec& require_constant_diffusion(const EquationSpec& eq, const char* what) {
  if (eq.D_varies())
    throw InputError(fmt::format(
        "equation.forward.diffusion.D: {} needs a constant D; a space-dependent D runs forward "
        "only (fplab run, fplab steady)",
        what));
  return eq;
}

FokkerPlanck::FokkerPlanck(const EquationSpec& eq, const DensitySpec& initial, bool want_exact)
    : schedule_(eq.schedule), D_(0.5 * (eq.D + eq.D.transpose())) {
  if (eq.D_varies()) {
    // Its positive semi-definiteness is checked face by face where an operator evaluates it.
    D_expr_.emplace(std::vector<std::string>(eq.D_expr.begin(), eq.D_expr.end()),
                    std::vector<std::string>{"equation.diffusion.D[0][0]",
                                             "equation.diffusion.D[0][1]",
                                             "equation.diffusion.D[1][1]"},
                    /*allow_t=*/true);
    D_ = Mat2::Zero();
    cross_ = !is_zero_number(eq.D_expr[1]);
  } else {
    check_diffusion_matrix(eq.D, "equation.diffusion.D");
    cross_ = D_(0, 1) != 0.0;
  }
  const bool variable = D_expr_.has_value();
  const DriftSpec& dr = eq.drift;
  if (dr.type == "linear") {
    kind_ = DriftKind::linear;
    C_ = dr.C;
    if (!C_.allFinite()) throw InputError("equation.drift.C: expected finite numbers");
    has_drift_ = !C_.isZero(0.0) && schedule_.type() != "ve";
    drift_time_ = has_drift_ && !schedule_.a_is_constant();
    // The Gaussian moment flow and N(0, Σ∞) need a constant D.
    if (!variable) flow_.emplace(schedule_, C_, D_);
    if (!variable && want_exact && initial.is_gaussian_mixture())
      initial_ = mixture_from_spec(initial, "initial");
    // N(0, Σ∞) when a, d are constant and a > 0: a(CΣ + ΣCᵀ) = 2dD.
    if (!variable && schedule_.a_is_constant() && schedule_.d_is_constant() &&
        schedule_.a(0) > 0.0) {
      if (auto S = stationary_covariance(C_, (schedule_.d(0) / schedule_.a(0)) * D_)) {
        eq_kind_ = EqKind::gaussian;
        cov_eq_ = *S;
      }
    }
  } else if (dr.type == "potential") {
    kind_ = DriftKind::potential;
    expr_.emplace(std::vector<std::string>{dr.U}, std::vector<std::string>{"equation.drift.U"},
                  /*allow_t=*/false);
    // ∝ e^{−U/kT} is stationary when K = kT·I is constant (detailed balance).
    const bool isotropic =
        !variable && D_(0, 1) == 0.0 && D_(0, 0) == D_(1, 1) && D_(0, 0) > 0.0;
    if (isotropic && schedule_.d_is_constant()) {
      eq_kind_ = EqKind::potential;
      kT_ = schedule_.d(0) * D_(0, 0);
    }
  } else if (dr.type == "expression") {
    kind_ = DriftKind::expression;
    expr_.emplace(std::vector<std::string>{dr.fx, dr.fy},
                  std::vector<std::string>{"equation.drift.fx", "equation.drift.fy"},
                  /*allow_t=*/true);
    drift_time_ = expr_->uses_t();
  } else {
    throw InputError(fmt::format(
        "equation.drift.type: expected one of linear, potential, expression, got '{}'", dr.type));
  }
}

namespace {
// dF/dv by fourth-order centred differences, h ≈ ε^{1/5} scaled: truncation h⁴F⁽⁵⁾/30 and
// rounding ε|F|/h both ~1e-13. (muparser's Parser::Diff uses h = 1e-10·|x|, losing ~6 digits.)
template <class F>
double derivative(double v, F&& f) {
  const double h = 1e-3 * std::max(1.0, std::abs(v));
  return (8.0 * (f(v + h) - f(v - h)) - (f(v + 2 * h) - f(v - 2 * h))) / (12.0 * h);
}
}  // namespace

Vec2 FokkerPlanck::potential_gradient(double x, double y) const {
  const double gx = derivative(x, [&](double s) { return expr_->eval(0, s, y, 0.0); });
  const double gy = derivative(y, [&](double s) { return expr_->eval(0, x, s, 0.0); });
  return {gx, gy};
}

Mat2 FokkerPlanck::diffusion(double t) const {
  if (D_expr_)
    throw std::logic_error("FokkerPlanck::diffusion: D depends on x; ask diffusion_batch");
  return schedule_.d(t) * D_;
}

// K = d(t) D(x, t) and ∇·K from the expressions Dxx (0), Dxy (1), Dyy (2); the divergence
// (∂x Dxx + ∂y Dxy, ∂x Dxy + ∂y Dyy) by the differences of derivative().
void FokkerPlanck::diffusion_batch(std::span<const double> xs, std::span<const double> ys,
                                   double t, const DiffusionAtPoints& out) const {
  if (!D_expr_)  // a constant D is diffusion(t); operators ask this only of a D(x)
    throw std::logic_error("FokkerPlanck::diffusion_batch: D is constant; ask diffusion(t)");
  const auto n = static_cast<std::ptrdiff_t>(xs.size());
  const double d = schedule_.d(t);
  const ExpressionSet& D = *D_expr_;
  auto dx = [&](int e, double x, double y) {
    return derivative(x, [&](double s) { return D.eval(e, s, y, t); });
  };
  auto dy = [&](int e, double x, double y) {
    return derivative(y, [&](double s) { return D.eval(e, x, s, t); });
  };
#pragma omp parallel for if (n >= kBatchParallelMin) schedule(static)
  for (std::ptrdiff_t k = 0; k < n; ++k) {
    const double x = xs[k], y = ys[k];
    if (!out.kxx.empty()) out.kxx[k] = d * D.eval(0, x, y, t);
    if (!out.kxy.empty()) out.kxy[k] = d * D.eval(1, x, y, t);
    if (!out.kyy.empty()) out.kyy[k] = d * D.eval(2, x, y, t);
    if (!out.div_x.empty()) out.div_x[k] = d * (dx(0, x, y) + (cross_ ? dy(1, x, y) : 0.0));
    if (!out.div_y.empty()) out.div_y[k] = d * ((cross_ ? dx(1, x, y) : 0.0) + dy(2, x, y));
  }
}

void FokkerPlanck::drift_batch(std::span<const double> xs, std::span<const double> ys, double t,
                               std::span<double> out_x, std::span<double> out_y) const {
  const auto n = static_cast<std::ptrdiff_t>(xs.size());
  const bool want_x = !out_x.empty(), want_y = !out_y.empty();
  const bool parallel = n >= kBatchParallelMin;
  if (kind_ == DriftKind::linear) {
    // f = −a(t) C x: a 2×2 matrix–vector product per point, vectorised.
    const Mat2 A = -schedule_.a(t) * C_;
    const double a00 = A(0, 0), a01 = A(0, 1), a10 = A(1, 0), a11 = A(1, 1);
    if (want_x) {
#pragma omp parallel for simd if (parallel) schedule(static)
      for (std::ptrdiff_t k = 0; k < n; ++k) out_x[k] = a00 * xs[k] + a01 * ys[k];
    }
    if (want_y) {
#pragma omp parallel for simd if (parallel) schedule(static)
      for (std::ptrdiff_t k = 0; k < n; ++k) out_y[k] = a10 * xs[k] + a11 * ys[k];
    }
    return;
  }
  // Potential and expression drifts go through muparser (thread-safe, see expression.hpp).
#pragma omp parallel for if (parallel) schedule(static)
  for (std::ptrdiff_t k = 0; k < n; ++k) {
    Vec2 f;
    if (kind_ == DriftKind::potential) {
      f = -potential_gradient(xs[k], ys[k]);
    } else {
      double v[2];
      expr_->eval(xs[k], ys[k], t, v);
      f = {v[0], v[1]};
    }
    if (want_x) out_x[k] = f.x();
    if (want_y) out_y[k] = f.y();
  }
}

std::optional<Mat2> FokkerPlanck::linear_drift(double t) const {
  if (kind_ != DriftKind::linear || !has_drift_) return std::nullopt;
  return Mat2(-schedule_.a(t) * C_);
}

std::optional<double> FokkerPlanck::drift_ratio(double t, double t_ref) const {
  if (!drift_time_) return 1.0;
  const double a_ref = schedule_.a(t_ref);
  if (kind_ == DriftKind::linear && a_ref != 0.0) return schedule_.a(t) / a_ref;
  return std::nullopt;
}

bool FokkerPlanck::has_potential() const {
  if (!has_drift_) return false;
  if (kind_ == DriftKind::potential) return true;
  // −a Cx is a gradient iff C is symmetric (curl-free); a constant keeps U time-independent.
  return kind_ == DriftKind::linear && C_(0, 1) == C_(1, 0) && schedule_.a_is_constant();
}

double FokkerPlanck::potential(double x, double y, double t) const {
  if (kind_ == DriftKind::potential) return expr_->eval(0, x, y, 0.0);
  const Vec2 v(x, y);
  return 0.5 * schedule_.a(t) * v.dot(C_ * v);
}

void FokkerPlanck::equilibrium(const Grid2D& g, std::span<double> out, Sampling smp) const {
  if (eq_kind_ == EqKind::gaussian) {
    GaussianMixture{{1.0}, {Vec2::Zero()}, {cov_eq_}}.sample(g, smp, out);
    return;
  }
  if (eq_kind_ != EqKind::potential) return;
  // e^{−(U − U₀)/kT}, U₀ = min over centres (guards against overflow): cell averages by 4×4
  // Gauss–Legendre, or point values at the centres; then normalised to mass 1 on the grid.
  double U0 = std::numeric_limits<double>::infinity();
#pragma omp parallel for reduction(min : U0) schedule(static)
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) U0 = std::min(U0, expr_->eval(0, g.xc(i), g.yc(j), 0.0));
  if (!std::isfinite(U0))
    throw NumericalError("equation.drift.U is not finite anywhere on the grid");
  // 4-point Gauss–Legendre on [0, 1]; point sampling is the 1-point rule at the centre.
  const double a = 0.5 - 0.5 * 0.8611363115940526, b = 0.5 - 0.5 * 0.3399810435848563;
  const double wa = 0.5 * 0.3478548451374538, wb = 0.5 * 0.6521451548625461;
  const double gl_node[4] = {a, b, 1.0 - b, 1.0 - a}, gl_wt[4] = {wa, wb, wb, wa};
  const double mid_node[1] = {0.5}, mid_wt[1] = {1.0};
  const bool point = smp == Sampling::point;
  const int nq = point ? 1 : 4;
  const double* node = point ? mid_node : gl_node;
  const double* wt = point ? mid_wt : gl_wt;
  double mass = 0.0;
#pragma omp parallel for reduction(+ : mass) schedule(static)
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      double s = 0.0;
      for (int qb = 0; qb < nq; ++qb)
        for (int qa = 0; qa < nq; ++qa) {
          const double U =
              expr_->eval(0, g.x_edge(i) + node[qa] * g.dx(), g.y_edge(j) + node[qb] * g.dy(), 0.0);
          s += wt[qa] * wt[qb] * std::exp(-(U - U0) / kT_);
        }
      out[g.index(i, j)] = s;
      mass += s;
    }
  mass *= g.cell_area();
  if (!(mass > 0.0) || !std::isfinite(mass))
    throw NumericalError(
        "the equilibrium e^{-U} of equation.drift.U has no finite positive mass "
        "on the grid");
  for (double& v : out) v /= mass;
}

void FokkerPlanck::exact(const Grid2D& g, double t, std::span<double> out, Sampling s) const {
  if (!initial_) return;
  flow_->evolve(*initial_, t).sample(g, s, out);
}

}  // namespace fplab
