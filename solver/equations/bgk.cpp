// BGK relaxation ∂t p = (p_eq − p)/τ: a linear ODE in every cell, solved exactly by
// p(t) = p_eq + (p₀ − p_eq) e^{−t/τ} (docs/reference.md §5); p_eq = equation.equilibrium sampled on the grid.
#include "solver/equations/bgk.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "solver/density.hpp"
#include "solver/errors.hpp"

namespace fplab {

Bgk::Bgk(const EquationSpec& eq, const DensitySpec& initial, bool want_exact)
    : tau_(eq.tau), equilibrium_(eq.equilibrium), initial_(initial) {
  if (!(tau_ > 0.0) || !std::isfinite(tau_))
    throw InputError(fmt::format("equation.tau: expected a positive number, got {}", tau_));
  // Validate the equilibrium block now rather than at the first output.
  if (equilibrium_.is_gaussian_mixture())
    (void)mixture_from_spec(equilibrium_, "equation.equilibrium");
  // The formula holds for any p₀ the grid can hold; only a restart (from_run) is not known here.
  has_exact_ = want_exact && initial.type != "from_run";
}

void Bgk::equilibrium(const Grid2D& g, std::span<double> out, Sampling s) const {
  density_on_grid(equilibrium_, g, out, "equation.equilibrium", s);
}

void Bgk::exact(const Grid2D& g, double t, std::span<double> out, Sampling s) const {
  if (!has_exact_) return;
  // The formula is linear and local, so it holds for cell averages and point values alike.
  std::vector<double> p_eq(g.size());
  equilibrium(g, p_eq, s);
  density_on_grid(initial_, g, out, "initial", s);
  const double decay = std::exp(-t / tau_);
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < p_eq.size(); ++k) out[k] = p_eq[k] + (out[k] - p_eq[k]) * decay;
}

}  // namespace fplab
