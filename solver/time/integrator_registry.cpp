// The integrator registry: name → factory. Built-ins are registered by an explicit
// register_builtins() on first use (never by static initialisers, which a static-library link
// can drop; STYLE lessons 5).
#include <string>
#include <mutex>
#include <utility>

#include "solver/errors.hpp"
#include "solver/time/explicit_rk.hpp"
#include "solver/time/expm.hpp"
#include "solver/time/exponential.hpp"
#include "solver/time/implicit.hpp"
#include "solver/time/rkl2.hpp"
#include "solver/time/integrator.hpp"
#include "solver/time/tableaux.hpp"

namespace fplab {
namespace {

struct IntegratorRegistry {
  std::mutex mutex;
  std::vector<std::pair<std::string, IntegratorFactory>> entries;  // registration order
};

template <int S>
IntegratorFactory factory_explicit_rk(const ButcherTableau<S>& t) {
  return [&t] { return std::make_unique<IntegratorExplicitRK>(t); };
}

// Writes straight into the registry (register_integrator would re-enter registry()).
void register_builtins(IntegratorRegistry& r) {
  r.entries.emplace_back("euler", factory_explicit_rk(tableau_euler));
  r.entries.emplace_back("ssprk3", factory_explicit_rk(tableau_ssprk3));
  r.entries.emplace_back("rk4", factory_explicit_rk(tableau_rk4));
  r.entries.emplace_back("rkl2", [] { return std::make_unique<IntegratorRKL2>(); });
  r.entries.emplace_back("expm", [] { return std::make_unique<IntegratorExpm>(); });
  // Spectral (exponential) integrators: etdrk4, if_rk4, exact (solver/time/exponential.hpp).
  register_exponential_integrators(
      [&r](const std::string& n, IntegratorFactory f) { r.entries.emplace_back(n, std::move(f)); });
  // Implicit (backward_euler, crank_nicolson, bdf2) and IMEX (imex_ars222) integrators on an
  // assembled operator (solver/time/implicit.hpp).
  register_implicit_integrators(
      [&r](const std::string& n, IntegratorFactory f) { r.entries.emplace_back(n, std::move(f)); });
}

IntegratorRegistry& registry() {
  static IntegratorRegistry r;
  static std::once_flag once;
  std::call_once(once, [] { register_builtins(r); });
  return r;
}

std::string joined_names(const IntegratorRegistry& r) {
  std::string s;
  for (const auto& [name, f] : r.entries) s += (s.empty() ? "" : ", ") + name;
  return s;
}

}  // namespace

void register_integrator(const std::string& name, IntegratorFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto& [n, f] : r.entries)
    if (n == name) {
      f = std::move(factory);  // a later registration replaces an earlier one of the same name
      return;
    }
  r.entries.emplace_back(name, std::move(factory));
}

std::unique_ptr<TimeIntegrator> make_integrator(const std::string& name) {
  auto& r = registry();
  IntegratorFactory factory;
  std::string valid;
  {
    std::lock_guard lock(r.mutex);
    for (const auto& [n, f] : r.entries)
      if (n == name) factory = f;
    valid = joined_names(r);
  }
  // Called outside the lock: a factory may itself make another integrator (a wrapper).
  if (factory) return factory();
  throw InputError("unknown time integrator '" + name + "'; valid integrators are " + valid);
}

std::vector<std::string> integrator_names() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [n, f] : r.entries) names.push_back(n);
  return names;
}

}  // namespace fplab
