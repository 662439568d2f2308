// Drift face-flux schemes for the finite-volume operator, registered by name (STYLE lesson 5):
// the advective flux f·n p through a line of faces from the cell averages either side.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fplab {

// One line of n faces that share a normal direction. Face k lies between cell L[k] (the low side)
// and cell R[k] (the high side); LL[k] and RR[k] are the next cells outwards, so a reconstruction
// may read two cells each side. v[k] is the normal drift velocity f·n at the face centre.
struct FaceLine {
  const double* LL;
  const double* L;
  const double* R;
  const double* RR;
  const double* v;
  int n;
};

class FluxScheme {
 public:
  virtual ~FluxScheme() = default;
  virtual std::string name() const = 0;
  virtual int order() const = 0;  // design order of accuracy in space on smooth solutions
  // Bound on (face value used for an outflow)/(cell value) when every cell value is ≥ 0: 1 for
  // upwind, 2 for a limited reconstruction (the face value lies between the cell value and
  // twice it). The operator's stable dt divides the drift outflow rate by it (see
  // fv_operator.cpp); central has no such bound and gets 1 (it is not positivity preserving).
  virtual double outflow_factor() const { return 1.0; }
  // out[k] = drift flux through face k (positive towards the high side). Must not allocate.
  virtual void flux_line(const FaceLine& line, double* out) const = 0;
};

using FluxSchemeFactory = std::function<std::unique_ptr<FluxScheme>()>;

// Registry of drift flux schemes; built-ins (upwind, central, muscl) are registered explicitly on
// first use. Issue #3 adds chang_cooper, which also needs the normal diffusion coefficient.
void register_flux_scheme(const std::string& name, FluxSchemeFactory factory);
std::unique_ptr<FluxScheme> make_flux_scheme(const std::string& name);  // InputError if unknown

// The slope limiter of `muscl`: van Leer's harmonic mean (why this one: flux_scheme.cpp).
double limiter_van_leer(double d_minus, double d_plus);

}  // namespace fplab
