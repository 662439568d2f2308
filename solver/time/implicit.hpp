// Implicit and IMEX time integrators on an operator that assembles (part of) itself as a sparse
// matrix, F = A(t) u + b(t) (SpatialOperator::assemble):
//   backward_euler — L-stable, order 1; with chang_cooper fluxes I − dt A is an M-matrix, so the
//                    step keeps the density positive at any dt;
//   crank_nicolson — the trapezoidal rule, A-stable, order 2;
//   bdf2           — variable-step BDF2 (Hairer, Nørsett & Wanner I, §III.5), order 2, L-stable;
//   imex_ars222    — ARS(2,2,2) of Ascher, Ruuth & Spiteri, Appl. Numer. Math. 25 (1997) 151,
//                    §2.6: drift explicit, diffusion and relaxation implicit, order 2.
// A time-independent A is factorised (Eigen::SparseLU) once per distinct coefficient c in
// I − c·dt·A and reused every step; a time-dependent one (schedules) is re-assembled and
// re-factorised numerically each step, reusing the symbolic analysis of the first.
#pragma once
#include <string>
#include <vector>

#include "solver/time/integrator.hpp"

namespace fplab {

// Registers backward_euler, crank_nicolson, bdf2 and imex_ars222 through `add` (the registry's
// built-in adder, see solver/registry.hpp).
void register_implicit_integrators(
    const std::function<void(const std::string&, IntegratorFactory)>& add);

}  // namespace fplab
