// The BGK relaxation equation ∂t p = (p_eq − p)/τ (docs/reference.md §1); exact solution
// p(t) = p_eq + (p₀ − p_eq) e^{−t/τ} cell by cell (docs/reference.md §5).
#pragma once
#include "solver/equations/equation.hpp"

namespace fplab {

class Bgk : public Equation {
 public:
  Bgk(const EquationSpec& eq, const DensitySpec& initial, bool want_exact);

  std::string name() const override { return "bgk"; }
  bool has_relaxation() const override { return true; }
  double relaxation_time() const override { return tau_; }
  bool has_equilibrium() const override { return true; }
  void equilibrium(const Grid2D& g, std::span<double> out, Sampling s) const override;
  bool has_exact() const override { return has_exact_; }
  void exact(const Grid2D& g, double t, std::span<double> out, Sampling s) const override;

 private:
  double tau_ = 1.0;
  DensitySpec equilibrium_, initial_;
  bool has_exact_ = false;
};

}  // namespace fplab
