// TimeIntegrator: advances u by one step of any SpatialOperator; registered by name.
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/operator.hpp"

namespace fplab {

class TimeIntegrator {
 public:
  virtual ~TimeIntegrator() = default;
  virtual std::string name() const = 0;
  virtual int order() const = 0;           // design order of accuracy
  virtual bool is_explicit() const = 0;    // explicit steps are bounded by max_stable_dt
  // Allocate work storage for the operator (once, before the first step).
  virtual void init(SpatialOperator& op) = 0;
  // Advance u from t to t + dt in place. Must not allocate.
  virtual void step(SpatialOperator& op, double t, double dt, std::span<double> u) = 0;
};

using IntegratorFactory = std::function<std::unique_ptr<TimeIntegrator>()>;

// Registry of integrators by name; built-ins are registered explicitly on first use.
void register_integrator(const std::string& name, IntegratorFactory factory);
std::unique_ptr<TimeIntegrator> make_integrator(const std::string& name);  // InputError if unknown
std::vector<std::string> integrator_names();

}  // namespace fplab
