// SpatialOperator: a semi-discretisation du/dt = F(u, t) of an equation on a grid.
// Integrators step any operator and know nothing of equations (MFEM's TimeDependentOperator).
// The right-hand side is split F = F_nonstiff + F_stiff (drift | diffusion, relaxation) so that
// implicit and IMEX integrators need no change of interface; explicit ones use the sum.
#pragma once
#include <Eigen/SparseCore>
#include <cstddef>
#include <limits>
#include <span>
#include <string>

namespace fplab {

// Column-major: what Eigen::SparseLU factorises.
using SparseMatrix = Eigen::SparseMatrix<double>;

// The part of F that implicit integrators treat implicitly, as an affine map A(t) u + b(t):
//  - whole: all of F (backward_euler, crank_nicolson, bdf2), so F must be affine in u;
//  - stiff: diffusion and relaxation only (IMEX); the drift stays explicit (nonstiff_rhs).
enum class ImplicitPart { whole, stiff };

class SpatialOperator {
 public:
  virtual ~SpatialOperator() = default;
  virtual std::size_t size() const = 0;

  // out = F(u, t), the whole right-hand side. Must not allocate.
  virtual void explicit_rhs(std::span<const double> u, double t, std::span<double> out) = 0;

  // Largest dt for which one explicit step is stable at time t with a CFL number of 1
  // (drift CFL and diffusion bound combined); +∞ when nothing constrains it.
  virtual double max_stable_dt(double /*t*/) const {
    return std::numeric_limits<double>::infinity();
  }

  // The driver calls this once with the initial state before the first step.
  virtual void begin(std::span<const double> /*u0*/, double /*t0*/) {}

  // --- Implicit integrators -------------------------------------------------------------------
  // Empty when `part` can be assembled; otherwise one sentence saying why not and what to use.
  virtual std::string assembly_unavailable(ImplicitPart /*part*/) const {
    return "this discretisation cannot be assembled as a sparse matrix";
  }
  // A(t) and b(t) with part(u, t) = A u + b. The first call (A empty) sets A's sparsity pattern,
  // with explicit zeros where an entry may become non-zero at another time; later calls with the
  // same A only overwrite its values (no allocation), so a factorisation's symbolic analysis of
  // the first A stays valid for every later one.
  virtual void assemble(ImplicitPart /*part*/, double /*t*/, SparseMatrix& /*A*/,
                        std::span<double> /*b*/) {}
  // True when A(t) or b(t) of `part` changes with t (schedules, time-dependent drifts).
  virtual bool assembly_depends_on_time(ImplicitPart /*part*/) const { return false; }
  // IMEX: out = F(u, t) − (A u + b) of ImplicitPart::stiff, the explicitly treated drift.
  virtual void nonstiff_rhs(std::span<const double> /*u*/, double /*t*/, std::span<double> out) {
    for (double& v : out) v = 0.0;
  }
  // Stable explicit dt of nonstiff_rhs alone (IMEX steps are bounded by it).
  virtual double max_stable_dt_nonstiff(double t) const { return max_stable_dt(t); }

  // The probability current J = f p − K ∇p at the cell centres into jx, jy: the discrete face
  // fluxes explicit_rhs differences, averaged over each cell's two faces per direction (so the
  // divergence of the face fluxes is exactly the drift and diffusion part of the update). False,
  // and nothing written, when the discretisation has no face fluxes.
  virtual bool current(std::span<const double> /*u*/, double /*t*/, std::span<double> /*jx*/,
                       std::span<double> /*jy*/) {
    return false;
  }

  // Called by the driver after each accepted step (e.g. to accumulate boundary outflow).
  virtual void accept_step(std::span<const double> /*u*/, double /*t*/, double /*dt*/) {}

  // Absorbing boundaries: the mass ∫p that has left the domain since the first right-hand side
  // was evaluated (accumulated by accept_step), so that mass + outflow is conserved.
  virtual bool has_outflow() const { return false; }
  virtual double outflow() const { return 0.0; }
  // A resumed run: the outflow booked before its snapshot (after begin() with that snapshot).
  virtual void restore_outflow(double /*outflow*/) {}
};

}  // namespace fplab
