// Built-in drift flux schemes (upwind, central, muscl, chang_cooper) and their registry.
//   upwind:  F = f⁺ p_L + f⁻ p_R                           first order, positivity preserving
//   central: F = f (p_L + p_R)/2                           second order, not monotone
//   muscl:   F = f⁺ p_L⁺ + f⁻ p_R⁻ on limited linear reconstructions (van Leer 1979), second
//            order, positivity preserving, van Leer's limiter
//   chang_cooper: drift + normal diffusion together, F = (K/h)[B(−Pe) p_L − B(Pe) p_R] with
//            Pe = v h/K and B(z) = z/(e^z − 1) (Chang & Cooper, J. Comput. Phys. 6, 1970;
//            Scharfetter & Gummel, IEEE Trans. Electron Devices 16, 1969): second order,
//            positivity preserving at every cell Péclet number, e^{−U/K} an exact zero-flux state
#include "solver/fv/flux_scheme.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/registry.hpp"

namespace fplab {

double limiter_van_leer(double d_minus, double d_plus) {
  // van Leer (1974): the harmonic mean 2Δ⁻Δ⁺/(Δ⁻ + Δ⁺) of the one-sided differences, zero at
  // extrema. Chosen because it keeps the observed L1 order of smooth Gaussians at 2: on the OU
  // case (f = −x, D = I, N((1.5, −1), ¼I) start, t = 1, zero_flux on [−6, 6]², rk4) the L1
  // errors at nx = 32, 64, 128, 256 are 2.01e-2, 4.90e-3, 1.23e-3, 3.10e-4 (orders 2.04, 2.00,
  // 1.98), against 1.23e-2, 3.90e-3, 1.12e-3, 2.98e-4 (orders 1.66, 1.80, 1.91) with the
  // monotonised-central limiter minmod(2Δ⁻, (Δ⁻+Δ⁺)/2, 2Δ⁺). The slope φ(r)Δ⁺ with
  // φ(r) = 2r/(1 + r) is a smooth function of the data wherever the profile is monotone, so the
  // error has a regular expansion in h; MC switches branch at r = ⅓ and r = 3, points that
  // sweep through a Gaussian's flanks as h changes, and its error constant wanders. (Translating
  // a periodic Gaussian, both give orders 1.8–1.96; MC's errors are up to 25 % smaller there.)
  // Both drop to first order at extrema, on O(1) cells per line: an O(h²) L1 contribution.
  // |slope|/2 ≤ min(|Δ⁻|, |Δ⁺|): each face value lies between the cell's value and its
  // neighbour's, so the value sent out of a cell is at most twice the cell's (outflow_factor()).
  if (d_minus * d_plus <= 0.0) return 0.0;
  return 2.0 * d_minus * d_plus / (d_minus + d_plus);
}

double bernoulli(double z) {
  // z/expm1(z) is accurate to a few ulp wherever z ≠ 0 (expm1 keeps the relative accuracy that
  // e^z − 1 loses); near 0 the Taylor series 1 − z/2 + z²/12 − z⁴/720 avoids 0/0, truncated
  // where z⁴/720 < 1e-19. For z > 709 expm1 = +∞ and B = 0; for z → −∞, B → −z.
  if (std::abs(z) < 1e-4) return 1.0 - 0.5 * z + z * z / 12.0;
  return z / std::expm1(z);
}

namespace {

class FluxUpwind final : public FluxScheme {
 public:
  std::string name() const override { return "upwind"; }
  int order() const override { return 1; }
  void flux_line(const FaceLine& f, double* out) const override {
    const double *L = f.L, *R = f.R;
    for_each_face(f, out, [=](double v, int k) {
      return std::max(v, 0.0) * L[k] + std::min(v, 0.0) * R[k];
    });
  }
};

class FluxCentral final : public FluxScheme {
 public:
  std::string name() const override { return "central"; }
  int order() const override { return 2; }
  void flux_line(const FaceLine& f, double* out) const override {
    const double *L = f.L, *R = f.R;
    for_each_face(f, out, [=](double v, int k) { return 0.5 * v * (L[k] + R[k]); });
  }
};

class FluxMuscl final : public FluxScheme {
 public:
  std::string name() const override { return "muscl"; }
  int order() const override { return 2; }
  double outflow_factor() const override { return 2.0; }
  bool is_linear() const override { return false; }
  void flux_line(const FaceLine& f, double* out) const override {
    // Face value from the low-side cell (its slope uses LL, L, R) and from the high-side cell
    // (slope from L, R, RR); the upwind one is taken. The two divisions of the limiters bound
    // this flux (bench/bench_fv.cpp); sharing one between them measured slower.
    const double *LL = f.LL, *L = f.L, *R = f.R, *RR = f.RR;
    for_each_face(f, out, [=](double v, int k) {
      const double p_low = L[k] + 0.5 * limiter_van_leer(L[k] - LL[k], R[k] - L[k]);
      const double p_high = R[k] - 0.5 * limiter_van_leer(R[k] - L[k], RR[k] - R[k]);
      return std::max(v, 0.0) * p_low + std::min(v, 0.0) * p_high;
    });
  }
};

// Exponential fitting: the flux that is exact for the 1D steady problem v p − K p' = F on the
// face's cell-to-cell segment. With B(−z) = B(z) + z it reads F = v p_L + (K/h) B(Pe)(p_L − p_R):
// both coefficients of p_L and p_R are ≥ 0 in the loss/gain sense (B > 0), hence positivity under
// the operator's stable dt at any Pe; Pe → 0 gives central drift + centred diffusion, K → 0 gives
// upwind. For v = −ΔU/h and p ∝ e^{−U/K}, p_R/p_L = e^{Pe} and F = (K/h)p_L[B(−Pe) − B(Pe)e^{Pe}]
// = 0 exactly (B(−z) = e^z B(z)). Consistency is second order (the fitted flux differs from the
// centred one by O(Pe²) = O(h²)).
class FluxChangCooper final : public FluxScheme {
 public:
  std::string name() const override { return "chang_cooper"; }
  int order() const override { return 2; }
  bool includes_diffusion() const override { return true; }
  bool has_face_weights() const override { return true; }
  // w = B(|Pe|): the one expm1 per face; B(−|Pe|) = B(|Pe|) + |Pe| follows from it without
  // cancellation (a sum of positives).
  void face_weights(const double* v, int n, double K, const double* Kn, double h,
                    double* w) const override {
    if (Kn) {
      for (int k = 0; k < n; ++k) w[k] = bernoulli(Kn[k] > 0.0 ? std::abs(v[k] * h / Kn[k]) : 0.0);
      return;
    }
    const double inv_a = K > 0.0 ? h / K : 0.0;
    for (int k = 0; k < n; ++k) w[k] = bernoulli(std::abs(v[k] * inv_a));
  }
  void flux_line(const FaceLine& f, double* out) const override {
    if (f.Kn) return flux_line_per_face(f, out);
    const double *L = f.L, *R = f.R, *w = f.w;
    if (!(f.K > 0.0)) {  // no normal diffusion: the K → 0 limit is upwind
      for_each_face(f, out, [=](double v, int k) {
        return std::max(v, 0.0) * L[k] + std::min(v, 0.0) * R[k];
      });
      return;
    }
    const double a = f.K / f.h, inv_a = f.h / f.K;
    if (w) {
      for_each_face(f, out, [=](double v, int k) { return flux(a, v * inv_a, w[k], L[k], R[k]); });
      return;
    }
    for (int k = 0; k < f.n; ++k) {
      const double pe = f.velocity(k) * inv_a;
      out[k] = flux(a, pe, bernoulli(std::abs(pe)), L[k], R[k]) - f.c_diff * (R[k] - L[k]);
    }
  }

 private:
  // A space-dependent K: the same flux with each face's K_nn. With b = B(|Pe|) and
  // B(−|Pe|) = b + |Pe| it is F = (K/h) b (p_L − p_R) + v⁺ p_L + v⁻ p_R, free of divisions
  // (and the upwind flux where K = 0, b = 1).
  void flux_line_per_face(const FaceLine& f, double* out) const {
    const double *L = f.L, *R = f.R, *Kn = f.Kn, *w = f.w;
    const double inv_h = 1.0 / f.h;
    if (w) {
      for_each_face(f, out, [=](double v, int k) {
        return Kn[k] * inv_h * w[k] * (L[k] - R[k]) + std::max(v, 0.0) * L[k] +
               std::min(v, 0.0) * R[k];
      });
      return;
    }
    for (int k = 0; k < f.n; ++k) {
      const double v = f.velocity(k), K = Kn[k];
      const double b = K > 0.0 ? bernoulli(std::abs(v * f.h / K)) : 1.0;
      out[k] = K * inv_h * b * (L[k] - R[k]) + std::max(v, 0.0) * L[k] + std::min(v, 0.0) * R[k] -
               (f.Kd ? f.Kd[k] * inv_h : f.c_diff) * (R[k] - L[k]);
    }
  }

  // F = (K/h)[B(−Pe) p_L − B(Pe) p_R] from b_small = B(|Pe|), b_large = B(−|Pe|) = b_small + |Pe|.
  static double flux(double a, double pe, double b_small, double p_left, double p_right) {
    const double b_large = b_small + std::abs(pe);
    const double b_minus = pe >= 0.0 ? b_large : b_small;  // B(−Pe)
    const double b_plus = pe >= 0.0 ? b_small : b_large;   // B(Pe)
    return a * (b_minus * p_left - b_plus * p_right);
  }
};

Registry<FluxScheme>& registry() {
  static Registry<FluxScheme> r("flux scheme", [](const Registry<FluxScheme>::Adder& add) {
    add("upwind", [] { return std::make_unique<FluxUpwind>(); });
    add("central", [] { return std::make_unique<FluxCentral>(); });
    add("muscl", [] { return std::make_unique<FluxMuscl>(); });
    add("chang_cooper", [] { return std::make_unique<FluxChangCooper>(); });
  });
  return r;
}

}  // namespace

void register_flux_scheme(const std::string& name, FluxSchemeFactory factory) {
  registry().add(name, std::move(factory));
}

std::unique_ptr<FluxScheme> make_flux_scheme(const std::string& name) {
  return registry().make(name);
}

std::vector<std::string> flux_scheme_names() { return registry().names(); }

}  // namespace fplab
