// solver.method → SpatialOperator, sampling and reported scheme (see discretisation.hpp).
#include "solver/discretisation.hpp"

#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/spectral/spectral_operator.hpp"
#include "solver/time/integrator.hpp"

namespace fplab {

std::unique_ptr<SpatialOperator> make_operator(const CaseSpec& spec, const Equation& eq,
                                               const Grid2D& g) {
  if (spec.solver.method == "finite_volume")
    return make_fv_operator(eq, g, spec.boundary, spec.solver.scheme);
  if (spec.solver.method == "spectral") {
    // Exponential integrators take Λ exactly; the others need it in the right-hand side.
    const bool exponential = make_integrator(spec.solver.integrator)->needs() ==
                             TimeIntegrator::Needs::diagonal_split;
    return make_spectral_operator(spec, eq, g, exponential);
  }
  throw InputError("solver.method: '" + spec.solver.method +
                   "' is not available in this build; use finite_volume or spectral");
}

Sampling sampling_of(const CaseSpec& spec) {
  // A pseudo-spectral solution is its trigonometric interpolant's values at the nodes.
  return spec.solver.method == "spectral" ? Sampling::point : Sampling::cell_average;
}

std::string scheme_of(std::string_view method, std::string_view scheme, std::string_view boundary) {
  // solver.scheme is an FV flux; spectral runs carry its default, which they never use.
  if (method != "spectral") return std::string(scheme);
  if (boundary == "periodic") return "fourier";
  if (boundary == "zero_flux") return "cosine";
  return "?";
}

std::string scheme_of(const CaseSpec& spec) {
  return scheme_of(spec.solver.method, spec.solver.scheme, spec.boundary);
}

std::string method_label(std::string_view method, std::string_view scheme,
                         std::string_view boundary) {
  const std::string s = scheme_of(method, scheme, boundary);
  if (method != "spectral") return std::string(method) + " / " + s;
  if (s == "fourier") return "spectral (Fourier)";
  if (s == "cosine") return "spectral (cosine)";
  return "spectral";
}

std::string method_label(const CaseSpec& spec) {
  return method_label(spec.solver.method, spec.solver.scheme, spec.boundary);
}

}  // namespace fplab
