// The integrator registry: name → factory (solver/registry.hpp), built-ins added on first use.
#include <string>
#include <utility>

#include "solver/registry.hpp"
#include "solver/time/explicit_rk.hpp"
#include "solver/time/expm.hpp"
#include "solver/time/exponential.hpp"
#include "solver/time/implicit.hpp"
#include "solver/time/rkl2.hpp"
#include "solver/time/integrator.hpp"
#include "solver/time/tableaux.hpp"

namespace fplab {
namespace {

template <int S>
IntegratorFactory factory_explicit_rk(const ButcherTableau<S>& t) {
  return [&t] { return std::make_unique<IntegratorExplicitRK>(t); };
}

Registry<TimeIntegrator>& registry() {
  static Registry<TimeIntegrator> r("time integrator", [](const Registry<TimeIntegrator>::Adder& add) {
    add("euler", factory_explicit_rk(tableau_euler));
    add("ssprk3", factory_explicit_rk(tableau_ssprk3));
    add("rk4", factory_explicit_rk(tableau_rk4));
    add("rkl2", [] { return std::make_unique<IntegratorRKL2>(); });
    add("expm", [] { return std::make_unique<IntegratorExpm>(); });
    // Spectral (exponential) integrators: etdrk4, if_rk4, exact (solver/time/exponential.hpp).
    register_exponential_integrators(add);
    // Implicit (backward_euler, crank_nicolson, bdf2) and IMEX (imex_ars222) integrators on an
    // assembled operator (solver/time/implicit.hpp).
    register_implicit_integrators(add);
  });
  return r;
}

}  // namespace

void register_integrator(const std::string& name, IntegratorFactory factory) {
  registry().add(name, std::move(factory));
}

std::unique_ptr<TimeIntegrator> make_integrator(const std::string& name) {
  return registry().make(name);
}

std::vector<std::string> integrator_names() { return registry().names(); }

}  // namespace fplab
