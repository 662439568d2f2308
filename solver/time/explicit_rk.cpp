// Generic explicit Runge–Kutta step on any SpatialOperator (see explicit_rk.hpp).
#include "solver/time/explicit_rk.hpp"

#include <algorithm>
#include <array>
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

// out = base + Σ_j w_j·dt·k_j over the non-zero weights w[0..count): up to four terms per
// vectorised pass (a branch per cell and weight, as a plain double loop has, runs ~4× slower).
void IntegratorExplicitRK::combine(double* out, const double* base, double dt, const double* w,
                                   int count) const {
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(n_);
  std::array<double, 4> c{};
  std::array<const double*, 4> p{};
  int used = 0;
  auto flush = [&] {
    const double *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3];
    const double c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
    const int terms = used;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (std::ptrdiff_t m = 0; m < n; ++m) {
      double s = c0 * p0[m];
      if (terms > 1) s += c1 * p1[m];
      if (terms > 2) s += c2 * p2[m];
      if (terms > 3) s += c3 * p3[m];
      out[m] = base[m] + s;
    }
    base = out;  // later passes add onto the partial sum
    used = 0;
  };
  for (int j = 0; j < count; ++j) {
    if (w[j] == 0.0) continue;
    c[used] = w[j] * dt;
    p[used] = k_.data() + static_cast<std::size_t>(j) * n_;
    if (++used == 4) flush();
  }
  if (used > 0) flush();
  if (base != out) std::copy(base, base + n, out);  // every weight zero
}

void IntegratorExplicitRK::step(SpatialOperator& op, double t, double dt, std::span<double> u) {
  if (u.size() != n_ || op.size() != n_)
    throw std::logic_error("IntegratorExplicitRK::step: init() was not called for this operator");
  for (int i = 0; i < stages_; ++i) {
    std::span<double> ki(k_.data() + static_cast<std::size_t>(i) * n_, n_);
    if (i == 0) {
      // The first stage of an explicit method is u itself: no copy.
      op.explicit_rhs(u, t, ki);
      continue;
    }
    combine(stage_.data(), u.data(), dt, a_.data() + static_cast<std::size_t>(i) * stages_, i);
    op.explicit_rhs(stage_, t + c_[i] * dt, ki);
  }
  combine(u.data(), u.data(), dt, b_.data(), stages_);
}

}  // namespace fplab
