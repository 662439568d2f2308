// The stationary density of a semi-discretisation dp/dt = A p (zero-flux or periodic walls, time-
// independent coefficients), solved directly: A has a one-dimensional null space (its columns sum
// to zero — the scheme conserves mass — and, for a connected grid with diffusion, the null vector
// is unique up to scale), so one equation of A p = 0 is redundant. It is replaced by p_c = 1 at a
// cell c where the density is large ("pinning"), the system is solved by sparse LU (Eigen's
// SparseLU on the grid renumbered by nested dissection) and p is scaled to ∫p = 1. Pinning keeps
// the 5- or 9-point sparsity (a bordered system would add a dense row and column).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/operator.hpp"

namespace fplab {

struct SteadyState {
  std::vector<double> density;  // ∫p dx dy = 1
  // ‖A p‖₁ dx dy: the mass the discrete operator still moves per unit time at p (0 at an exact
  // stationary point), and ‖A p‖∞ / (‖A‖∞ ‖p‖∞), its size relative to the operator's.
  double residual = 0.0, residual_relative = 0.0;
  int pinned = 0;                 // the cell whose equation was replaced (index in the grid)
  int solves = 0;                 // 1, or 2 when the first pin sat where p is tiny
  double assemble_seconds = 0.0, factorise_seconds = 0.0;
  std::size_t lu_nonzeros = 0;    // of the L and U factors: the solve's memory
};

// The stationary density of `op` on `g` (`periodic`: its walls wrap). `guess` (a density, e.g. the case's initial one) only
// chooses the pinned cell. NumericalError with one sentence when the null space is not
// one-dimensional (the factorisation finds the pinned system singular, or p does not satisfy
// A p = 0 to round-off) or when p is not finite; InputError when op cannot be assembled.
SteadyState solve_steady_state(SpatialOperator& op, const Grid2D& g,
                               std::span<const double> guess, bool periodic);

}  // namespace fplab
