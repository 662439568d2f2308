// Heat equation ∂t u = ∇·(D∇u): the Gaussian kernel of covariance 2Dt convolves each
// component, N(m, Σ₀) ↦ N(m, Σ₀ + 2Dt) (docs/reference.md §5).
#include "solver/equations/heat.hpp"

#include "solver/equations/fokker_planck.hpp"
#include "solver/errors.hpp"

namespace fplab {

Heat::Heat(const EquationSpec& eq, const DensitySpec& initial, bool want_exact)
    : D_(0.5 * (eq.D + eq.D.transpose())) {
  if (eq.D_varies())
    throw InputError(
        "equation.diffusion.D: the heat equation takes a constant D; write a space-dependent "
        "diffusion as a fokker_planck equation with drift {type: linear, C: [[0, 0], [0, 0]]}");
  check_diffusion_matrix(eq.D, "equation.diffusion.D");
  if (want_exact && initial.is_gaussian_mixture()) initial_ = mixture_from_spec(initial, "initial");
}

void Heat::exact(const Grid2D& g, double t, std::span<double> out, Sampling s) const {
  if (!initial_) return;
  GaussianMixture p = *initial_;
  for (auto& S : p.covs) S += 2.0 * t * D_;
  p.sample(g, s, out);
}

}  // namespace fplab
