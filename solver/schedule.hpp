// Noise schedules a(t), d(t) of the Fokker–Planck equation ∂t p = −∇·(−a C x p) + ∇·(d D ∇p)
// (docs/reference.md §1; Song et al. 2021, "Score-based generative modeling through SDEs", VP/sub-VP/VE SDEs).
#pragma once
#include <string>

#include "solver/case_spec.hpp"

namespace fplab {

class Schedule {
 public:
  Schedule() = default;  // constant: a = d = 1
  // Throws InputError naming the equation.schedule key when the type or a parameter is invalid.
  explicit Schedule(const ScheduleSpec& spec);

  const std::string& type() const { return spec_.type; }
  const ScheduleSpec& spec() const { return spec_; }

  double a(double t) const;           // drift factor
  double d(double t) const;           // diffusion factor
  double a_integral(double t) const;  // ∫₀ᵗ a
  double d_integral(double t) const;  // ∫₀ᵗ d

  // β(t) = β_min + t(β_max − β_min) and ∫₀ᵗβ (vp, subvp); σ(t) = σ_min (σ_max/σ_min)^t (ve).
  double beta(double t) const;
  double beta_integral(double t) const;
  double sigma(double t) const;

  // True when a(t) (resp. d(t)) does not change with t.
  bool a_is_constant() const;
  bool d_is_constant() const;

 private:
  enum class Kind { constant, vp, subvp, ve };
  ScheduleSpec spec_;
  Kind kind_ = Kind::constant;
};

}  // namespace fplab
