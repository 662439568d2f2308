// Generic explicit Runge–Kutta step on any SpatialOperator (see explicit_rk.hpp).
#include "solver/time/explicit_rk.hpp"

#include <stdexcept>

#include "solver/errors.hpp"

namespace fplab {
namespace {
// Vectors shorter than this are updated serially: a thread team costs more than the loop.
constexpr std::ptrdiff_t kParallelMin = 16384;
}  // namespace

void IntegratorExplicitRK::init(SpatialOperator& op) {
  n_ = op.size();
  k_.assign(static_cast<std::size_t>(stages_) * n_, 0.0);
  stage_.assign(n_, 0.0);
}

void IntegratorExplicitRK::step(SpatialOperator& op, double t, double dt, std::span<double> u) {
  if (u.size() != n_ || op.size() != n_)
    throw std::logic_error("IntegratorExplicitRK::step: init() was not called for this operator");
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(n_);
  double* k = k_.data();
  double* stage = stage_.data();
  double* uu = u.data();
  for (int i = 0; i < stages_; ++i) {
    std::span<double> ki(k + i * n_, n_);
    if (i == 0) {
      // The first stage of an explicit method is u itself: no copy.
      op.explicit_rhs(u, t, ki);
      continue;
    }
    const double* ai = a_.data() + static_cast<std::size_t>(i) * stages_;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (std::ptrdiff_t m = 0; m < n; ++m) {
      double s = 0.0;
      for (int j = 0; j < i; ++j)
        if (ai[j] != 0.0) s += ai[j] * k[j * n_ + m];
      stage[m] = uu[m] + dt * s;
    }
    op.explicit_rhs(std::span<const double>(stage, n_), t + c_[i] * dt, ki);
  }
  const double* b = b_.data();
  const int s_count = stages_;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (std::ptrdiff_t m = 0; m < n; ++m) {
    double s = 0.0;
    for (int i = 0; i < s_count; ++i)
      if (b[i] != 0.0) s += b[i] * k[i * n_ + m];
    uu[m] += dt * s;
  }
}

}  // namespace fplab
