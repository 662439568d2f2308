// TimeIntegrator: advances u by one step of any SpatialOperator; registered by name.
#pragma once
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/operator.hpp"
#include "solver/run_state.hpp"

namespace fplab {

enum class LinearSolver;  // solver/time/linear_solve.hpp

// The order() of integrators with no time error (the operator's exponential applied exactly).
inline constexpr int kExactInTime = std::numeric_limits<int>::max();

class TimeIntegrator {
 public:
  // What the integrator asks of an operator beyond explicit_rhs, so that drivers and tests can
  // pick a discretisation it works on without knowing it by name.
  enum class Needs {
    rhs,             // explicit Runge–Kutta: explicit_rhs only
    assembly,        // implicit: assemble(ImplicitPart::whole)
    stiff_assembly,  // IMEX: assemble(ImplicitPart::stiff) and nonstiff_rhs
    diagonal_split,  // exponential: a DiagonalSplitOperator (solver.method: spectral)
  };

  virtual ~TimeIntegrator() = default;
  virtual std::string name() const = 0;
  virtual int order() const = 0;           // design order of accuracy
  virtual bool is_explicit() const = 0;    // explicit steps are bounded by max_stable_dt
  virtual Needs needs() const { return Needs::rhs; }
  // True when only the drift's CFL bounds the step: diffusion and relaxation are implicit (IMEX)
  // or super-stepped (rkl2, which picks its stage count from dt).
  virtual bool drift_bounds_step() const { return needs() == Needs::stiff_assembly; }
  // Integrators that truncate a series (expm) take the case's solver.tolerance, and so do the
  // iterative linear solves of the implicit ones; others ignore it.
  virtual void set_tolerance(double /*tol*/) {}
  // Implicit and IMEX integrators solve with solver.linear_solver (linear_solve.hpp); others
  // ignore it.
  virtual void set_linear_solver(LinearSolver /*s*/) {}
  // Allocate work storage for the operator (once, before the first step).
  virtual void init(SpatialOperator& op) = 0;
  // Advance u from t to t + dt in place. Must not allocate.
  virtual void step(SpatialOperator& op, double t, double dt, std::span<double> u) = 0;
  // What a multistep integrator carries between steps, stored with each snapshot so that a
  // resumed run takes the same steps bit for bit; one-step integrators carry nothing.
  virtual IntegratorHistory history() const { return {}; }
  // After init(): continue from a history() of the same integrator on the same operator.
  virtual void restore_history(const IntegratorHistory& /*h*/) {}
};

// The step bound of `integrator` on `op` at time t with a CFL number of 1: the whole operator's
// explicit bound, or the drift's alone when drift_bounds_step() (IMEX, rkl2).
// Implicit integrators have none; theirs is the explicit bound too, so that solver.cfl says how
// many times the explicit step they take.
inline double stable_step(const TimeIntegrator& integrator, const SpatialOperator& op, double t) {
  return integrator.drift_bounds_step() ? op.max_stable_dt_nonstiff(t) : op.max_stable_dt(t);
}

// The smallest stable_step over [0, t_end], sampled at t_end·k/samples for k = 0..samples, and
// the time where it is reached: schedules (β up to 20) tighten the bound as t grows.
struct StepBound {
  double dt;
  double t;
};
inline StepBound smallest_stable_step(const TimeIntegrator& integrator, const SpatialOperator& op,
                                      double t_end, int samples) {
  StepBound worst{stable_step(integrator, op, 0.0), 0.0};
  for (int k = 1; k <= samples; ++k) {
    const double t = t_end * k / samples, dt = stable_step(integrator, op, t);
    if (dt < worst.dt) worst = {dt, t};
  }
  return worst;
}

using IntegratorFactory = std::function<std::unique_ptr<TimeIntegrator>()>;

// Registry of integrators by name; built-ins are registered explicitly on first use.
void register_integrator(const std::string& name, IntegratorFactory factory);
std::unique_ptr<TimeIntegrator> make_integrator(const std::string& name);  // InputError if unknown
std::vector<std::string> integrator_names();

}  // namespace fplab
