// SpatialOperator: a semi-discretisation du/dt = F(u, t) of an equation on a grid.
// Integrators step any operator and know nothing of equations (MFEM's TimeDependentOperator).
// The right-hand side is split F = F_nonstiff + F_stiff (drift | diffusion, relaxation) so that
// implicit and IMEX integrators need no change of interface; explicit ones use the sum.
#pragma once
#include <cstddef>
#include <limits>
#include <span>

namespace fplab {

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

  // Called by the driver after each accepted step (e.g. to accumulate boundary outflow).
  virtual void accept_step(std::span<const double> /*u*/, double /*t*/, double /*dt*/) {}

  // Absorbing boundaries: the mass ∫p that has left the domain since the first right-hand side
  // was evaluated (accumulated by accept_step), so that mass + outflow is conserved.
  virtual bool has_outflow() const { return false; }
  virtual double outflow() const { return 0.0; }
};

}  // namespace fplab
