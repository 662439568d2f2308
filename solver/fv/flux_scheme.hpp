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
// may read two cells each side. The normal drift velocity f·n at face k is v[k], or v0 + k dv
// when v is null (a linear drift is affine along a line, so the operator need not store it); for
// a potential drift and a scheme with includes_diffusion() it is −ΔU/h across the face. K is the
// normal diffusion coefficient K_nn (constant in space) and h the cell width across the faces;
// only schemes with includes_diffusion() read them. w[k], when w is set, is the scheme's
// face_weights for face k, computed once for as long as the cell Péclet numbers v h/K hold.
// c_diff is the operator's own centred normal diffusion K_nn/h: every scheme returns its drift
// flux minus c_diff (R − L), so that one pass over the line makes the whole normal flux.
struct FaceLine {
  const double* LL;
  const double* L;
  const double* R;
  const double* RR;
  const double* v;
  double v0 = 0.0, dv = 0.0;
  int n = 0;
  double K = 0.0;
  double h = 1.0;
  const double* w = nullptr;
  double c_diff = 0.0;
  // A space-dependent K: Kn[k] is face k's normal coefficient K_nn (K above is then the largest),
  // and Kd, when set, the operator's own normal diffusion per face, used instead of c_diff.
  const double* Kn = nullptr;
  const double* Kd = nullptr;
  double velocity(int k) const { return v ? v[k] : v0 + k * dv; }
};

// The line loop every scheme shares: out[k] = face(v_k, k) − c_k (R[k] − L[k]), with v_k read
// or computed as FaceLine says and c_k = c_diff, or Kd[k]/h when the operator's normal diffusion
// varies from face to face. `face` is the scheme's one-face formula (inlined, vectorisable).
template <class Face>
inline void for_each_face(const FaceLine& f, double* out, Face face) {
  const double c = f.c_diff, inv_h = 1.0 / f.h;
  const double *L = f.L, *R = f.R, *Kd = f.Kd;
  if (f.v && Kd) {
#pragma omp simd
    for (int k = 0; k < f.n; ++k) out[k] = face(f.v[k], k) - Kd[k] * inv_h * (R[k] - L[k]);
  } else if (f.v) {
#pragma omp simd
    for (int k = 0; k < f.n; ++k) out[k] = face(f.v[k], k) - c * (R[k] - L[k]);
  } else if (Kd) {
#pragma omp simd
    for (int k = 0; k < f.n; ++k)
      out[k] = face(f.v0 + k * f.dv, k) - Kd[k] * inv_h * (R[k] - L[k]);
  } else {
#pragma omp simd
    for (int k = 0; k < f.n; ++k) out[k] = face(f.v0 + k * f.dv, k) - c * (R[k] - L[k]);
  }
}

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
  // Per-face weights that depend on the cell Péclet number only (the Bernoulli factors of
  // exponential fitting): costly to evaluate, so the operator stores them while v h/K holds and
  // hands them back in FaceLine::w. Schemes without any say so.
  virtual bool has_face_weights() const { return false; }
  // Kn, when set, is each face's K_nn (a space-dependent K); else every face has K.
  virtual void face_weights(const double* /*v*/, int /*n*/, double /*K*/, const double* /*Kn*/,
                            double /*h*/, double* /*w*/) const {}
  // out[k] = drift flux through face k (positive towards the high side), or drift − normal
  // diffusion flux when includes_diffusion(), minus c_diff (R − L) (see for_each_face). Must not
  // allocate.
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
