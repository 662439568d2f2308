// Spectral semi-discretisations of  ∂t p = −∇·(f p) + ∇·(K ∇p) + (p_eq − p)/τ  (solver.method:
// spectral) on point values at the cell centres, split for exponential integrators as
//   v' = Λv + N(v, t),  Λ = −kᵀKk − 1/τ (diagonal),  N = −ik·F[f · F⁻¹v] + F[p_eq]/τ.
// FourierOperator: periodic box, drift product in physical space and divergence in Fourier space
// (pseudo-spectral; optional 2/3-rule dealiasing, Orszag 1971). CosineOperator: zero-flux walls,
// heat and BGK only (the Neumann problem is diagonal in the cosine basis when K is diagonal).
#pragma once
#include <limits>
#include <memory>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/equations/equation.hpp"
#include "solver/grid.hpp"
#include "solver/diagonal_split_operator.hpp"
#include "solver/spectral/fftw.hpp"
#include "solver/spectral/transforms.hpp"

namespace fplab {

struct SpectralOptions {
  FftwPlanning planning = FftwPlanning::measure;
  bool dealias = false;       // zero the drift term's modes with |m| > n/3 in either direction
  bool linear_exact = false;  // Λ integrated exactly: max_stable_dt is the drift bound alone
};

class FourierOperator final : public DiagonalSplitOperator {
 public:
  // eq must outlive the operator. InputError when eq cannot be discretised this way.
  FourierOperator(const Equation& eq, const Grid2D& g, const SpectralOptions& opt);

  std::size_t size() const override { return tr_.real_size(); }
  void explicit_rhs(std::span<const double> u, double t, std::span<double> out) override;
  double max_stable_dt(double t) const override;

  std::size_t coefficient_size() const override { return tr_.coefficient_size(); }
  int coefficient_stride() const override { return 2; }
  std::span<const double> linear_diagonal() const override { return lambda_; }
  bool linear_depends_on_time() const override { return linear_varies_; }
  NonlinearKind nonlinear_kind() const override { return kind_; }
  void to_coefficients(std::span<const double> u, std::span<double> out) override;
  void from_coefficients(std::span<double> v, std::span<double> out) override;
  using DiagonalSplitOperator::nonlinear_coefficients;
  using DiagonalSplitOperator::nonlinear_from_values;
  void nonlinear_coefficients(std::span<double> v, double t, std::span<double> out,
                              BlockUpdate then) override;
  void nonlinear_from_values(std::span<const double> u, double t, std::span<double> out,
                             BlockUpdate then) override;
  void set_linear_exact(bool exact) override { linear_exact_ = exact; }

  FourierTransform2D& transform() { return tr_; }

 private:
  void refresh_drift(double t) const;
  // work_fx = f_x p, work_fy = f_y p (p may alias work_fx).
  void drift_products(const double* p, double t);
  // out = −i k·F[(work_fx, work_fy)] (dealiased) + source, then `then` on each finished row;
  // out must be fftw-aligned.
  void drift_divergence(double* out, BlockUpdate then);
  // out = N when N does not depend on the state (0 or the source), then `then` on row blocks.
  void nonlinear_fixed(std::span<double> out, BlockUpdate then);
  void linear_at(double t, Mat2& K, double& relax) const;

  const Equation& eq_;
  Grid2D g_;
  FourierTransform2D tr_;
  SpectralOptions opt_;
  NonlinearKind kind_ = NonlinearKind::none;
  bool linear_varies_ = false;
  bool linear_exact_ = false;
  bool has_source_ = false;
  bool edge_checked_ = false;
  bool drift_periodic_ = true;     // at t = 0: no jump across the box's periodic seams
  AlignedVector lambda_;           // per complex coefficient, at t = 0
  AlignedVector source_;           // F[p_eq]/τ (BGK), coefficients
  AlignedVector mask_x_, mask_y_;  // 1, or 0 on the modes the 2/3 rule removes
  // Drift at the cell centres, cached for drift_t_ (evaluated once when it does not vary).
  mutable AlignedVector fx_, fy_;
  mutable double drift_t_ = std::numeric_limits<double>::quiet_NaN();
  mutable double fmax_x_ = 0.0, fmax_y_ = 0.0;
  // When the drift is affine on the grid, f = A x + b (e.g. OU), the products form f on the fly
  // and skip streaming fx_, fy_ from memory.
  mutable std::unique_ptr<FieldAtPoints> drift_nodes_;  // the drift at the cell centres
  mutable bool drift_affine_ = false;
  mutable Mat2 drift_A_ = Mat2::Zero();
  mutable Vec2 drift_b_ = Vec2::Zero();
  // Work arrays (allocated once here: steps never allocate).
  AlignedVector work_fx_, work_fy_, work_c_, work_out_, rhs_v_, rhs_n_;
};

class CosineOperator final : public DiagonalSplitOperator {
 public:
  CosineOperator(const Equation& eq, const Grid2D& g, const SpectralOptions& opt);

  std::size_t size() const override { return tr_.coefficient_size(); }
  void explicit_rhs(std::span<const double> u, double t, std::span<double> out) override;
  double max_stable_dt(double t) const override;

  std::size_t coefficient_size() const override { return tr_.coefficient_size(); }
  int coefficient_stride() const override { return 1; }
  std::span<const double> linear_diagonal() const override { return lambda_; }
  bool linear_depends_on_time() const override { return linear_varies_; }
  NonlinearKind nonlinear_kind() const override { return kind_; }
  void to_coefficients(std::span<const double> u, std::span<double> out) override;
  void from_coefficients(std::span<double> v, std::span<double> out) override;
  using DiagonalSplitOperator::nonlinear_coefficients;
  using DiagonalSplitOperator::nonlinear_from_values;
  void nonlinear_coefficients(std::span<double> v, double t, std::span<double> out,
                              BlockUpdate then) override;
  void nonlinear_from_values(std::span<const double> u, double t, std::span<double> out,
                             BlockUpdate then) override;
  void set_linear_exact(bool exact) override { linear_exact_ = exact; }

  CosineTransform2D& transform() { return tr_; }

 private:
  void linear_at(double t, Mat2& K, double& relax) const;

  const Equation& eq_;
  CosineTransform2D tr_;
  NonlinearKind kind_ = NonlinearKind::none;
  bool linear_varies_ = false;
  bool linear_exact_ = false;
  AlignedVector lambda_, source_, rhs_v_;
};

// boundary periodic → FourierOperator, zero_flux → CosineOperator. InputError (naming what to
// use instead) for dirichlet, for a drift with zero-flux walls, and for anisotropic diffusion with
// zero-flux walls.
std::unique_ptr<DiagonalSplitOperator> make_spectral_operator(const Equation& eq, const Grid2D& g,
                                                              const std::string& boundary,
                                                              const SpectralOptions& opt);
// From a case: solver.fftw_planning and solver.dealias; linear_exact when the integrator takes Λ
// exactly (an exponential one: the caller asks the integrator, so spectral/ needs no time/).
std::unique_ptr<SpatialOperator> make_spectral_operator(const CaseSpec& spec, const Equation& eq,
                                                        const Grid2D& g, bool linear_exact);

}  // namespace fplab
