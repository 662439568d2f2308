// Exponential time integrators for v' = Λv + N(v, t) with Λ diagonal (DiagonalSplitOperator):
//   etdrk4 — Cox & Matthews, J. Comput. Phys. 176 (2002) 430, with the φ-functions evaluated by
//            the contour integrals of Kassam & Trefethen, SIAM J. Sci. Comput. 26 (2005) 1214;
//   if_rk4 — integrating-factor (Lawson 1967) classical RK4;
//   exact  — v(t+h) = e^{hΛ}v + hφ₁(hΛ)N for N ≡ 0 or constant (heat, BGK): exact in time.
// They need solver.method: spectral and refuse any other operator in init().
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "solver/time/integrator.hpp"

namespace fplab {

std::vector<std::string> exponential_integrator_names();  // etdrk4, if_rk4, exact
// InputError when name is not one of exponential_integrator_names().
std::unique_ptr<TimeIntegrator> make_exponential_integrator(const std::string& name);
// Registers them through `add`: the registry's built-in adder (solver/registry.hpp), since
// register_integrator itself would re-enter the registry while it is being built.
using IntegratorRegistrar = std::function<void(const std::string&, IntegratorFactory)>;
void register_exponential_integrators(const IntegratorRegistrar& add = register_integrator);

// ETDRK4 weights for one real eigenvalue λ and step h (Cox & Matthews 2002, eq. 26):
//   e = e^{z}, e2 = e^{z/2}, q = h(e^{z/2} − 1)/z, with z = hλ and
//   f1 = h(−4 − z + e^z(4 − 3z + z²))/z³, f2 = h(2 + z + e^z(z − 2))/z³,
//   f3 = h(−4 − 3z − z² + e^z(4 − z))/z³.
struct Etdrk4Weights {
  double e, e2, q, f1, f2, f3;
};
// f1, f2, f3 by the Kassam–Trefethen contour mean where the closed forms cancel (|z| < 1), by
// the closed forms elsewhere; q through expm1. Accurate to ~1e-15 relative for every z ≤ 0.
Etdrk4Weights etdrk4_weights(double lambda, double h);
// The contour mean alone (32 points on the upper half of the unit circle around z), for tests.
Etdrk4Weights etdrk4_weights_contour(double lambda, double h);

}  // namespace fplab
