// DiagonalSplitOperator: a semi-discretisation of the form  v' = Λv + N(v, t)  in a transform
// basis where the stiff linear part Λ (diffusion −kᵀKk, relaxation −1/τ) is diagonal and real.
// This is what exponential integrators need (Cox & Matthews 2002; Kassam & Trefethen 2005):
// they know Λ and N, never the equation. Point values u and coefficients v are related by
// to_coefficients / from_coefficients.
#pragma once
#include <cstddef>
#include <span>
#include <type_traits>

#include "solver/operator.hpp"

namespace fplab {

// A non-owning reference to a callable f(begin, end) (no allocation, unlike std::function): the
// integrator's next stage, which an operator runs on each block of N it has just finished.
class BlockUpdate {
 public:
  BlockUpdate() = default;
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, BlockUpdate>)
      BlockUpdate(F&& f)  // NOLINT: implicit on purpose; f must outlive the call it is passed to
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, std::size_t b, std::size_t e) {
          (*static_cast<std::remove_reference_t<F>*>(o))(b, e);
        }) {}
  explicit operator bool() const { return call_ != nullptr; }
  void operator()(std::size_t begin, std::size_t end) const { call_(obj_, begin, end); }

 private:
  void* obj_ = nullptr;
  void (*call_)(void*, std::size_t, std::size_t) = nullptr;
};

class DiagonalSplitOperator : public SpatialOperator {
 public:
  // What N is, so integrators can take exact shortcuts: N ≡ 0 (heat), N independent of v and t
  // (BGK source p_eq/τ), or anything (drift).
  enum class NonlinearKind { none, constant, general };

  // Doubles in one coefficient vector; allocate them as AlignedVector (solver/aligned_vector.hpp)
  // so that transforms run on them without staging copies.
  virtual std::size_t coefficient_size() const = 0;
  // Doubles that share one entry of linear_diagonal(): 2 for complex Fourier coefficients stored
  // as (re, im), 1 for real cosine coefficients.
  virtual int coefficient_stride() const = 0;
  // λ per coefficient (coefficient_size() / coefficient_stride() values), real and ≤ 0, for the
  // time-independent linear part. Valid for the lifetime of the operator.
  virtual std::span<const double> linear_diagonal() const = 0;
  // True when Λ changes with time (a diffusion schedule): exponential integrators refuse then.
  virtual bool linear_depends_on_time() const = 0;
  virtual NonlinearKind nonlinear_kind() const = 0;

  // out = coefficients of the point values u.
  virtual void to_coefficients(std::span<const double> u, std::span<double> out) = 0;
  // out = point values of coefficients v; v is DESTROYED (used as transform scratch).
  virtual void from_coefficients(std::span<double> v, std::span<double> out) = 0;
  // out = N(v, t) in coefficients; v is DESTROYED. When `then` is set it is called on disjoint
  // blocks [begin, end) of doubles (whole Λ-groups; together all of out) as soon as out holds N
  // there, possibly concurrently from OpenMP threads and after v has been consumed: the
  // integrator's next stage runs while that block of N is still in cache.
  virtual void nonlinear_coefficients(std::span<double> v, double t, std::span<double> out,
                                      BlockUpdate then) = 0;
  // The same from the point values u (saves the inverse transform when the caller holds them).
  virtual void nonlinear_from_values(std::span<const double> u, double t, std::span<double> out,
                                     BlockUpdate then) = 0;
  void nonlinear_coefficients(std::span<double> v, double t, std::span<double> out) {
    nonlinear_coefficients(v, t, out, {});
  }
  void nonlinear_from_values(std::span<const double> u, double t, std::span<double> out) {
    nonlinear_from_values(u, t, out, {});
  }

  // Declares that Λ is integrated exactly (exponential integrators call it in init): from then on
  // max_stable_dt bounds only the explicit part N, the drift's stability bound.
  virtual void set_linear_exact(bool exact) = 0;
};

}  // namespace fplab
