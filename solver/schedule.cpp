// Noise schedules a(t), d(t) (docs/reference.md §1; Song et al. 2021, eqs. 25–34): constant, VP, sub-VP, VE.
#include "solver/schedule.hpp"

#include <fmt/format.h>

#include <cmath>

#include "solver/errors.hpp"

namespace fplab {

Schedule::Schedule(const ScheduleSpec& spec) : spec_(spec) {
  if (spec.type == "constant") {
    kind_ = Kind::constant;
  } else if (spec.type == "vp" || spec.type == "subvp") {
    kind_ = spec.type == "vp" ? Kind::vp : Kind::subvp;
    // β ≥ 0 on [0, 1] keeps d ≥ 0 (a diffusion, not an anti-diffusion).
    if (!(spec.beta_min > 0.0) || !std::isfinite(spec.beta_min))
      throw InputError(fmt::format("equation.schedule.beta_min: expected a positive number, got {}",
                                   spec.beta_min));
    if (!(spec.beta_max >= spec.beta_min) || !std::isfinite(spec.beta_max))
      throw InputError(
          fmt::format("equation.schedule.beta_max: expected a number ≥ beta_min = {}, got {}",
                      spec.beta_min, spec.beta_max));
  } else if (spec.type == "ve") {
    kind_ = Kind::ve;
    if (!(spec.sigma_min > 0.0) || !std::isfinite(spec.sigma_min))
      throw InputError(fmt::format(
          "equation.schedule.sigma_min: expected a positive number, got {}", spec.sigma_min));
    if (!(spec.sigma_max > spec.sigma_min) || !std::isfinite(spec.sigma_max))
      throw InputError(
          fmt::format("equation.schedule.sigma_max: expected a number > sigma_min = {}, got {}",
                      spec.sigma_min, spec.sigma_max));
  } else {
    throw InputError(fmt::format(
        "equation.schedule.type: expected one of constant, vp, subvp, ve, got '{}'", spec.type));
  }
}

double Schedule::beta(double t) const {
  return spec_.beta_min + t * (spec_.beta_max - spec_.beta_min);
}

double Schedule::beta_integral(double t) const {
  return spec_.beta_min * t + 0.5 * t * t * (spec_.beta_max - spec_.beta_min);
}

double Schedule::sigma(double t) const {
  return spec_.sigma_min * std::pow(spec_.sigma_max / spec_.sigma_min, t);
}

double Schedule::a(double t) const {
  switch (kind_) {
    case Kind::constant:
      return 1.0;
    case Kind::vp:
    case Kind::subvp:
      return 0.5 * beta(t);
    case Kind::ve:
      return 0.0;
  }
  return 1.0;
}

double Schedule::d(double t) const {
  switch (kind_) {
    case Kind::constant:
      return 1.0;
    case Kind::vp:
      return 0.5 * beta(t);
    case Kind::subvp:
      return 0.5 * beta(t) * -std::expm1(-2.0 * beta_integral(t));
    case Kind::ve: {
      // d = ½ d(σ²)/dt = σ² log(σ_max/σ_min).
      const double s = sigma(t);
      return s * s * std::log(spec_.sigma_max / spec_.sigma_min);
    }
  }
  return 1.0;
}

double Schedule::a_integral(double t) const {
  switch (kind_) {
    case Kind::constant:
      return t;
    case Kind::vp:
    case Kind::subvp:
      return 0.5 * beta_integral(t);
    case Kind::ve:
      return 0.0;
  }
  return t;
}

double Schedule::d_integral(double t) const {
  switch (kind_) {
    case Kind::constant:
      return t;
    case Kind::vp:
      return 0.5 * beta_integral(t);
    case Kind::subvp: {
      // ∫ ½β(1 − e^{−2B}) ds with B' = β: ½B + ¼(e^{−2B} − 1).
      const double B = beta_integral(t);
      return 0.5 * B + 0.25 * std::expm1(-2.0 * B);
    }
    case Kind::ve: {
      const double s = sigma(t);
      return 0.5 * (s * s - spec_.sigma_min * spec_.sigma_min);
    }
  }
  return t;
}

bool Schedule::a_is_constant() const {
  return kind_ == Kind::constant || kind_ == Kind::ve || spec_.beta_min == spec_.beta_max;
}

bool Schedule::d_is_constant() const {
  return kind_ == Kind::constant || (kind_ == Kind::vp && spec_.beta_min == spec_.beta_max);
}

}  // namespace fplab
