// Boundary conditions of the finite-volume operator on the rectangle's four walls.
#pragma once
#include <string>
#include <vector>

namespace fplab {

// zero_flux: the total normal flux (drift + diffusion) vanishes on every wall, so mass is
//            conserved exactly; ghost cells mirror the interior (even reflection).
// periodic:  opposite walls are one face; ghost cells wrap around.
// Issue #3 adds dirichlet (prescribed boundary value, flux through the wall).
enum class BoundaryKind { zero_flux, periodic };

BoundaryKind boundary_from_name(const std::string& name);  // InputError if unknown
const char* boundary_name(BoundaryKind b);

}  // namespace fplab
