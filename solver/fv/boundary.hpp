// Boundary conditions of the finite-volume operator on the rectangle's four walls.
#pragma once
#include <string>
#include <vector>

namespace fplab {

// zero_flux: the total normal flux (drift + diffusion) vanishes on every wall, so mass is
//            conserved exactly; ghost cells mirror the interior (even reflection).
// periodic:  opposite walls are one face; ghost cells wrap around.
// dirichlet: absorbing walls, zero density outside: the wall value is 0 (odd reflection in the
//            ghosts, diffusion flux −K_nn (0 − p)/(h/2)), drift through the wall upwinded with
//            outside density 0; the mass that leaves is reported by the operator's outflow().
enum class BoundaryKind { zero_flux, periodic, dirichlet };

BoundaryKind boundary_from_name(const std::string& name);  // InputError if unknown
const char* boundary_name(BoundaryKind b);

}  // namespace fplab
