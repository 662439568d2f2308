// RKL2 super-time-stepping (see rkl2.hpp): the coefficients of Meyer, Balsara & Aslam (2014),
//   b_j = (j² + j − 2) / (2j(j + 1)) (b_0 = b_1 = b_2 = 1/3),  a_j = 1 − b_j,  w₁ = 4/(s² + s − 2),
//   Y₁ = Y₀ + μ̃₁ dt M(Y₀),  μ̃₁ = b₁ w₁,
//   Y_j = μ_j Y_{j−1} + ν_j Y_{j−2} + (1 − μ_j − ν_j) Y₀ + μ̃_j dt M(Y_{j−1}) + γ̃_j dt M(Y₀),
//   μ_j = (2j − 1)/j · b_j/b_{j−1},  ν_j = −(j − 1)/j · b_j/b_{j−2},  μ̃_j = μ_j w₁,
//   γ̃_j = −a_{j−1} μ̃_j,  and u^{n+1} = Y_s.
#include "solver/time/rkl2.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "solver/errors.hpp"

namespace fplab {
namespace {

constexpr std::ptrdiff_t kParallelMin = 16384;  // shorter vectors: a thread team costs more

double b_of(int j) { return j < 2 ? 1.0 / 3.0 : (j * j + j - 2.0) / (2.0 * j * (j + 1.0)); }

// y_new = mu·y1 + nu·y2 + (1 − mu − nu)·y0 + dt (mt·f1 + gt·f0), written over y2 (the oldest).
void combine(std::span<double> y2, std::span<const double> y1, std::span<const double> y0,
             std::span<const double> f1, std::span<const double> f0, double mu, double nu,
             double mt, double gt, double dt) {
  const auto n = static_cast<std::ptrdiff_t>(y2.size());
  const double c0 = 1.0 - mu - nu;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (std::ptrdiff_t m = 0; m < n; ++m)
    y2[m] = mu * y1[m] + nu * y2[m] + c0 * y0[m] + dt * (mt * f1[m] + gt * f0[m]);
}

}  // namespace

int IntegratorRKL2::stages_for(double dt, double dt_explicit) {
  const double ratio = dt / dt_explicit;  // +0 when nothing bounds the explicit step
  if (!(ratio > 1.0)) return 2;
  // Smallest s with s² + s − 2 ≥ 4·ratio.
  int s = static_cast<int>(std::ceil(0.5 * (-1.0 + std::sqrt(9.0 + 16.0 * ratio))));
  while (s * s + s - 2 < 4.0 * ratio) ++s;
  if (s > kMaxStages)
    throw InputError(fmt::format(
        "solver.integrator rkl2: dt = {:.3g} is {:.3g} times the explicit step and would need {} "
        "stages (at most {}); lower solver.dt or solver.cfl",
        dt, ratio, s, kMaxStages));
  return std::max(s, 2);
}

void IntegratorRKL2::init(SpatialOperator& op) {
  n_ = op.size();
  f0_.assign(n_, 0.0);
  f_.assign(n_, 0.0);
  y_prev_.assign(n_, 0.0);
  y_prev2_.assign(n_, 0.0);
}

void IntegratorRKL2::step(SpatialOperator& op, double t, double dt, std::span<double> u) {
  if (u.size() != n_ || op.size() != n_)
    throw std::logic_error("IntegratorRKL2::step: init() was not called for this operator");
  const int s = stages_for(dt, op.max_stable_dt(t));
  last_stages_ = s;
  const double w1 = 4.0 / (s * s + s - 2.0);
  // Y₀ = u (kept in u until the last stage), Y₁ in y_prev_, Y_{j−2} in y_prev2_.
  op.explicit_rhs(u, t, f0_);
  const double mt1 = b_of(1) * w1;
  const auto n = static_cast<std::ptrdiff_t>(n_);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (std::ptrdiff_t m = 0; m < n; ++m) {
    y_prev2_[m] = u[m];
    y_prev_[m] = u[m] + mt1 * dt * f0_[m];
  }
  double c_prev2 = 0.0, c_prev = mt1;  // stage times (fractions of dt), for time-dependent M
  for (int j = 2; j <= s; ++j) {
    const double mu = (2.0 * j - 1.0) / j * b_of(j) / b_of(j - 1);
    const double nu = -(j - 1.0) / j * b_of(j) / b_of(j - 2);
    const double mt = mu * w1, gt = -(1.0 - b_of(j - 1)) * mt;
    op.explicit_rhs(y_prev_, t + c_prev * dt, f_);
    combine(y_prev2_, y_prev_, u, f_, f0_, mu, nu, mt, gt, dt);  // Y_j over Y_{j−2}
    std::swap(y_prev_, y_prev2_);
    const double c = mu * c_prev + nu * c_prev2 + mt + gt;
    c_prev2 = c_prev;
    c_prev = c;
  }
  std::copy(y_prev_.begin(), y_prev_.end(), u.begin());
}

}  // namespace fplab
