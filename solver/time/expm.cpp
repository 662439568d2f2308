// The action of the matrix exponential on the state (see expm.hpp). The affine part b is carried
// by augmenting the state with a constant w = 1: d/dt [u; w] = [A b; 0 0] [u; w], so the same
// series integrates sources exactly (BGK's p_eq/τ). A is not shifted by its mean diagonal (as
// Al-Mohy & Higham suggest): a conservative A has zero column sums, so every term after the first
// carries no mass and the truncated series conserves mass to round-off; the shift would halve
// ‖A‖₁ but lose that.
#include "solver/time/expm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "solver/errors.hpp"

namespace fplab {
namespace {

// θ_m for unit roundoff 2⁻⁵³: Higham & Al-Mohy, Computing Matrix Functions (Acta Numerica 2010),
// Table A.3 for m ≤ 30; Al-Mohy & Higham (2011), Table 3.1 beyond.
struct Theta {
  int m;
  double theta;
};
constexpr Theta kTheta[] = {
    {1, 2.29e-16}, {2, 2.58e-8}, {3, 1.39e-5}, {4, 3.40e-4}, {5, 2.40e-3}, {6, 9.07e-3},
    {7, 2.38e-2},  {8, 5.00e-2}, {9, 8.96e-2}, {10, 1.44e-1}, {11, 2.14e-1}, {12, 3.00e-1},
    {13, 4.00e-1}, {14, 5.14e-1}, {15, 6.41e-1}, {16, 7.81e-1}, {17, 9.31e-1}, {18, 1.09},
    {19, 1.26},    {20, 1.44},  {21, 1.62},  {22, 1.82},  {23, 2.01},  {24, 2.22},
    {25, 2.43},    {26, 2.64},  {27, 2.86},  {28, 3.08},  {29, 3.31},  {30, 3.54},
    {35, 4.7},     {40, 6.0},   {45, 7.2},   {50, 8.5},   {55, 9.9}};

}  // namespace

IntegratorExpm::Plan IntegratorExpm::plan_for(double norm1) {
  if (!(norm1 > 0.0)) return {0, 1};
  Plan best{0, 0};
  for (const auto& [m, theta] : kTheta) {
    const double s = std::max(1.0, std::ceil(norm1 / theta));
    if (s > 1e9) continue;
    if (best.m == 0 || m * s < double(best.m) * best.s) best = {m, static_cast<int>(s)};
  }
  if (best.m == 0)
    throw InputError(fmt::format(
        "solver.integrator expm: ‖dt A‖₁ = {:.3g} needs more than 1e9 substeps; lower solver.dt",
        norm1));
  return best;
}

void IntegratorExpm::init(SpatialOperator& op) {
  if (const std::string why = op.assembly_unavailable(ImplicitPart::whole); !why.empty())
    throw InputError("solver.integrator expm: " + why);
  if (op.assembly_depends_on_time(ImplicitPart::whole))
    throw InputError(
        "solver.integrator expm integrates time-independent operators exactly, but this case's "
        "coefficients depend on time (a schedule or a time-dependent drift); use crank_nicolson, "
        "bdf2 or rkl2");
  SparseMatrix A;
  b_.assign(op.size(), 0.0);
  op.assemble(ImplicitPart::whole, 0.0, A, b_);
  A_ = A;  // row-major: the product runs rows in parallel (sparse_rows.hpp)
  // ‖[A b; 0 0]‖₁: the largest column sum of the augmented matrix.
  norm1_ = 0.0;
  for (const double v : b_) norm1_ += std::abs(v);
  for (Eigen::Index c = 0; c < A.outerSize(); ++c) {
    double col = 0.0;
    for (SparseMatrix::InnerIterator it(A, c); it; ++it) col += std::abs(it.value());
    norm1_ = std::max(norm1_, col);
  }
  f_.assign(op.size(), 0.0);
  v_.assign(op.size(), 0.0);
  w_.assign(op.size(), 0.0);
  dt_planned_ = -1.0;
}

void IntegratorExpm::step(SpatialOperator& op, double /*t*/, double dt, std::span<double> u) {
  if (u.size() != f_.size() || op.size() != f_.size())
    throw std::logic_error("IntegratorExpm::step: init() was not called for this operator");
  if (dt != dt_planned_) {  // the last step before an output time is shorter
    plan_ = plan_for(dt * norm1_);
    dt_planned_ = dt;
  }
  const auto n = static_cast<Eigen::Index>(u.size());
  Eigen::Map<Eigen::VectorXd> f(f_.data(), n), v(v_.data(), n), w(w_.data(), n);
  const Eigen::Map<const Eigen::VectorXd> b(b_.data(), n);
  const double h = dt / plan_.s;
  std::copy(u.begin(), u.end(), f_.begin());
  terms_ = 0;
  for (int i = 0; i < plan_.s; ++i) {
    v = f;
    double v_aug = 1.0, c1 = norm_inf(v_);  // the augmented w is 1 at every substep's start
    for (int j = 1; j <= plan_.m; ++j) {
      spmv(A_, v_, w_);  // the product dominates the cost
      v = (h / j) * (w + v_aug * b);  // next Taylor term of [A b; 0 0] [v; v_aug]
      v_aug = 0.0;
      f += v;
      ++terms_;
      const double c2 = norm_inf(v_);
      if (c1 + c2 <= tol_ * norm_inf(f_)) break;
      c1 = c2;
    }
  }
  std::copy(f_.begin(), f_.end(), u.begin());
}

}  // namespace fplab
