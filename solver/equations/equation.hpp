// Equation: the coefficients of one PDE of the family
//   ∂t p = −∇·(f(x,t) p) + ∇·(K(t) ∇p) + (p_eq − p)/τ,     K(t) = d(t) D,
// plus what is known about it in closed form (equilibrium, exact solution; docs/reference.md §5).
// Discretisations (finite volume, spectral) ask an Equation for what they need and know
// nothing else about it; one file per equation under solver/equations/.
#pragma once
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/grid.hpp"
#include "solver/vector_field.hpp"

namespace fplab {

class Equation {
 public:
  virtual ~Equation() = default;
  virtual std::string name() const = 0;  // equation.type (docs/reference.md §1)

  // Transport velocity f(x, y, t) (zero when has_drift() is false), evaluated in batches
  // (see vector_field.hpp: empty out_x or out_y means that component is not wanted).
  // Thread-safe. The default is the zero field.
  virtual bool has_drift() const { return false; }
  virtual void drift_batch(std::span<const double> xs, std::span<const double> ys, double t,
                           std::span<double> out_x, std::span<double> out_y) const;
  // The drift at an operator's fixed points (face centres, nodes), evaluated at many times; the
  // default calls drift_batch on them. Keeps a reference: the equation must outlive it.
  virtual std::unique_ptr<FieldAtPoints> drift_at(PointSet points) const;
  // One point, for tests and messages (drift_batch on one point).
  Vec2 drift(double x, double y, double t) const;
  virtual bool drift_depends_on_time() const { return false; }
  // A(t) when the drift is linear, f(x, t) = A(t) x (then an operator may compute it at its
  // points on the fly instead of storing it); nullopt for any other drift.
  virtual std::optional<Mat2> linear_drift(double /*t*/) const { return std::nullopt; }
  // A potential U with f = −∇U, when the drift is one (exponential-fitting schemes difference U
  // across faces so that e^{−U/K} is an exact discrete equilibrium).
  virtual bool has_potential() const { return false; }
  virtual double potential(double /*x*/, double /*y*/, double /*t*/) const { return 0.0; }

  // Diffusion matrix K(t) = d(t) D, constant in space, symmetric PSD (not defined when
  // has_variable_diffusion(): callers ask diffusion_batch instead).
  virtual bool has_diffusion() const { return false; }
  virtual Mat2 diffusion(double /*t*/) const { return Mat2::Zero(); }
  virtual bool diffusion_depends_on_time() const { return false; }
  // True when K(t) may have an off-diagonal entry at some t (the stencil then reaches the
  // diagonal neighbours). K(t) = d(t) D: D decides, even where d(t) = 0.
  virtual bool has_cross_diffusion() const { return diffusion(0.0)(0, 1) != 0.0; }

  // Space-dependent diffusion K(x, t) = d(t) D(x, t). The equation is then read in Itô form,
  // ∂t p = −∇·(f p) + ∇·∇·(K p) = −∇·((f − ∇·K) p) + ∇·(K ∇p), (∇·K)_i = Σ_j ∂_j K_ij, so a
  // discretisation adds −∇·K to the drift and keeps its flux form ∇·(K ∇p) with K per face.
  virtual bool has_variable_diffusion() const { return false; }
  // K's entries and ∇·K at points, in one batch (thread-safe; an empty span: not wanted); only
  // when has_variable_diffusion().
  struct DiffusionAtPoints {
    std::span<double> kxx, kxy, kyy, div_x, div_y;
  };
  virtual void diffusion_batch(std::span<const double> /*xs*/, std::span<const double> /*ys*/,
                               double /*t*/, const DiffusionAtPoints& /*out*/) const {}

  // Linear relaxation (p_eq − p)/τ towards equilibrium() (BGK).
  virtual bool has_relaxation() const { return false; }
  virtual double relaxation_time() const { return 1.0; }

  // Stationary density in closed form on the grid, sampled as the method's values are (docs/reference.md §5).
  virtual bool has_equilibrium() const { return false; }
  virtual void equilibrium(const Grid2D& /*g*/, std::span<double> /*out*/, Sampling /*s*/) const {}

  // Exact solution p(·, t) from the case's initial data, sampled as `s` says (docs/reference.md §5).
  virtual bool has_exact() const { return false; }
  virtual void exact(const Grid2D& /*g*/, double /*t*/, std::span<double> /*out*/,
                     Sampling /*s*/) const {}

  // The density a reverse (generative) run should arrive at, when known in closed form
  // (diagnostics l1_to_data, rel_entropy_to_data).
  virtual bool has_target() const { return false; }
  virtual void target(const Grid2D& /*g*/, std::span<double> /*out*/, Sampling /*s*/) const {}

  // A reverse run driven by a learned or tabulated score whose exact score is known (Gaussian or
  // mixture data, linear forward drift): the p-weighted relative L2 error of the score in use at
  // time t, and its map (diagnostic and field score_error; see score_error_on_grid).
  virtual bool has_score_error() const { return false; }
  virtual double score_error(const Grid2D& /*g*/, double /*t*/, std::span<double> /*map*/) const {
    return 0.0;
  }
};

// Builds the equation a case names (equation.type), with its initial data for exact solutions.
// Throws InputError for combinations that are not supported.
// score: the score field of a reverse_fokker_planck case when io/ built it from a file
// (tabulated, hdf5); null otherwise (exact scores are built from the case).
std::unique_ptr<Equation> make_equation(const CaseSpec& spec,
                                        std::shared_ptr<const class ScoreField> score = nullptr);

}  // namespace fplab
