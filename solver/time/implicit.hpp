// Implicit and IMEX time integrators on an operator that assembles (part of) itself as a sparse
// matrix, F = A(t) u + b(t) (SpatialOperator::assemble):
//   backward_euler — L-stable, order 1; with chang_cooper fluxes I − dt A is an M-matrix, so the
//                    step keeps the density positive at any dt;
//   crank_nicolson — the trapezoidal rule, A-stable, order 2;
//   bdf2           — variable-step BDF2 (Hairer, Nørsett & Wanner I, §III.5), order 2, L-stable;
//   imex_ars222    — ARS(2,2,2) of Ascher, Ruuth & Spiteri, Appl. Numer. Math. 25 (1997) 151,
//                    §2.6: drift explicit, diffusion and relaxation implicit, order 2.
// Each step solves (I − c A) x = r with the ShiftedSolver of solver/time/linear_solve.hpp
// (solver.linear_solver: auto | lu | bicgstab): SparseLU, factorised once per distinct c for a
// time-independent A (re-factorised numerically each step for a time-dependent one), or
// Jacobi-preconditioned BiCGSTAB warm-started from the last step's solution. A time-dependent A
// (schedules) is re-assembled each step.
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
