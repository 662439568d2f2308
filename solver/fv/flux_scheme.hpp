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
// may read two cells each side. v[k] is the normal drift velocity f·n at the face centre (or
// −ΔU/h across the face for a potential drift and a scheme with includes_diffusion()). K is the
// normal diffusion coefficient K_nn (constant in space) and h the cell width across the faces;
// only schemes with includes_diffusion() read them.
struct FaceLine {
  const double* LL;
  const double* L;
  const double* R;
  const double* RR;
  const double* v;
  int n;
  double K = 0.0;
  double h = 1.0;
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
  // True when flux_line returns the combined drift + normal diffusion flux (exponential fitting):
  // the operator then skips its own normal diffusion flux K_nn ∂n p (cross terms K_xy are still
  // added by the operator) and feeds potential drifts as −ΔU/h across each face.
  virtual bool includes_diffusion() const { return false; }
  // True when the face flux is linear in the cell values and reads only L and R (a two-point
  // flux): implicit integrators can then assemble the operator as a sparse matrix. Limited
  // reconstructions (muscl) are nonlinear and read LL and RR too.
  virtual bool is_linear() const { return true; }
  // out[k] = drift flux through face k (positive towards the high side), or drift − normal
  // diffusion flux when includes_diffusion(). Must not allocate.
  virtual void flux_line(const FaceLine& line, double* out) const = 0;
};

using FluxSchemeFactory = std::function<std::unique_ptr<FluxScheme>()>;

// Registry of drift flux schemes; built-ins (upwind, central, muscl) are registered explicitly on
// first use; chang_cooper (includes_diffusion()) also reads FaceLine::K and h.
void register_flux_scheme(const std::string& name, FluxSchemeFactory factory);
std::unique_ptr<FluxScheme> make_flux_scheme(const std::string& name);  // InputError if unknown

// The slope limiter of `muscl`: van Leer's harmonic mean (why this one: flux_scheme.cpp).
double limiter_van_leer(double d_minus, double d_plus);

// The Bernoulli function B(z) = z/(e^z − 1), B(0) = 1, of Scharfetter–Gummel / Chang–Cooper
// exponential fitting; accurate to round-off for every z (series near 0, 0 for z → +∞).
double bernoulli(double z);

}  // namespace fplab
