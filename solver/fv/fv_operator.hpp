// Finite-volume semi-discretisation in conservative flux form on the cell-centred grid:
//   dp_ij/dt = −(F_{i+½,j} − F_{i−½,j})/dx − (G_{i,j+½} − G_{i,j−½})/dy + (p_eq − p)/τ,
// with face fluxes = drift flux (a registered scheme) − diffusion flux (K ∇p incl. cross terms).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "solver/equations/equation.hpp"
#include "solver/grid.hpp"
#include "solver/operator.hpp"

namespace fplab {

// boundary: zero_flux | periodic | dirichlet; scheme: a registered flux scheme name. InputError if
// unknown.
std::unique_ptr<SpatialOperator> make_fv_operator(const Equation& eq, const Grid2D& g,
                                                  const std::string& boundary,
                                                  const std::string& scheme);

std::vector<std::string> flux_scheme_names();
std::vector<std::string> boundary_names();

}  // namespace fplab
