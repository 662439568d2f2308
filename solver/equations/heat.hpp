// The heat (anisotropic diffusion) equation ∂t u = ∇·(D∇u) (docs/reference.md §1); exact solution for
// Gaussian(-mixture) data: each component N(m, Σ₀ + 2Dt) (docs/reference.md §5).
#pragma once
#include <optional>

#include "solver/density.hpp"
#include "solver/equations/equation.hpp"

namespace fplab {

class Heat : public Equation {
 public:
  Heat(const EquationSpec& eq, const DensitySpec& initial, bool want_exact);

  std::string name() const override { return "heat"; }
  bool has_diffusion() const override { return !D_.isZero(0.0); }
  Mat2 diffusion(double /*t*/) const override { return D_; }
  bool has_exact() const override { return initial_.has_value(); }
  void exact(const Grid2D& g, double t, std::span<double> out, Sampling s) const override;

 private:
  Mat2 D_;
  std::optional<GaussianMixture> initial_;
};

}  // namespace fplab
