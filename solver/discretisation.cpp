// solver.method → SpatialOperator and sampling (see discretisation.hpp).
#include "solver/discretisation.hpp"

#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/spectral/spectral_operator.hpp"

namespace fplab {

std::unique_ptr<SpatialOperator> make_operator(const CaseSpec& spec, const Equation& eq,
                                               const Grid2D& g) {
  if (spec.solver.method == "finite_volume")
    return make_fv_operator(eq, g, spec.boundary, spec.solver.scheme);
  if (spec.solver.method == "spectral") return make_spectral_operator(spec, eq, g);
  throw InputError(spec.source_path + ": solver.method: '" + spec.solver.method +
                   "' is not available in this build; use finite_volume or spectral");
}

Sampling sampling_of(const CaseSpec& spec) {
  // A pseudo-spectral solution is its trigonometric interpolant's values at the nodes.
  return spec.solver.method == "spectral" ? Sampling::point : Sampling::cell_average;
}

}  // namespace fplab
