// rkl2: second-order Runge–Kutta–Legendre super-time-stepping (Meyer, Balsara & Aslam 2014,
// J. Comput. Phys. 257, eqs. 16–17; Athena++ uses it for diffusion). One step of s stages is a
// three-term recursion whose stability polynomial is a shifted Legendre combination: it is stable
// for dt up to (s² + s − 2)/4 times the forward-Euler bound of a parabolic operator, so s grows
// like √(dt / dt_explicit) rather than linearly. The stage count is chosen per step from the
// operator's explicit bound; the drift's CFL still bounds dt (stable_step uses it alone).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "solver/time/integrator.hpp"

namespace fplab {

class IntegratorRKL2 final : public TimeIntegrator {
 public:
  static constexpr int kMaxStages = 1000;

  std::string name() const override { return "rkl2"; }
  int order() const override { return 2; }
  bool is_explicit() const override { return true; }
  bool drift_bounds_step() const override { return true; }
  void init(SpatialOperator& op) override;
  void step(SpatialOperator& op, double t, double dt, std::span<double> u) override;

  // The fewest stages (≥ 2) with (s² + s − 2)/4 ≥ dt / dt_explicit; InputError past kMaxStages.
  static int stages_for(double dt, double dt_explicit);
  int last_stages() const { return last_stages_; }

 private:
  std::size_t n_ = 0;
  std::vector<double> f0_, f_, y_prev_, y_prev2_;  // M(Y0), M(Y_{j−1}), Y_{j−1}, Y_{j−2}
  int last_stages_ = 0;
};

}  // namespace fplab
