// Exponential decay rates of the distances to equilibrium (rel_entropy, fisher_rel, l1_to_eq):
// a least-squares fit of log(value) against t over the tail of a run, and the rate the theory
// predicts for the case where it predicts one. Pure functions: they know nothing of files.
#pragma once
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "solver/case_spec.hpp"

namespace fplab {

// Which snapshots the fit uses: those from t₀ + skip_fraction·(t_last − t₀) on (the transient
// is left out), up to the first one whose value is at or below floor_factor × machine epsilon ×
// the first value (or not finite: after that the series is round-off); at least min_points.
struct DecayWindow {
  double skip_fraction = 0.2;
  double floor_factor = 1e3;
  int min_points = 4;
};

// v(t) ≈ exp(log_intercept − rate·t) over [t_from, t_to] (`points` snapshots). rate_stderr is the
// slope's standard error from the regression, s / √Σ(t − t̄)² with s² = Σ residual² / (n − 2).
struct DecayFit {
  double rate = 0.0, rate_stderr = 0.0;
  double log_intercept = 0.0;
  double t_from = 0.0, t_to = 0.0;
  int points = 0;
  double value_at(double t) const;  // the fitted line
};

// The fit of v against t over the window; nullopt when fewer than window.min_points snapshots
// qualify (too short a run, or a series already at round-off). t increasing, t.size() == v.size().
std::optional<DecayFit> decay_rate_fit(std::span<const double> t, std::span<const double> v,
                                       const DecayWindow& window = {});

// A rate the theory gives, and where it comes from (shown in legends and `fplab info`).
struct DecayTheory {
  double rate = 0.0;
  std::string source;
};

// The diagnostics whose rates are fitted, in this order.
inline constexpr std::string_view kDecayDiagnostics[] = {"rel_entropy", "fisher_rel", "l1_to_eq"};

// The theoretical rate of `diagnostic` for the case, or nullopt when the theory gives none:
// - Ornstein–Uhlenbeck (fokker_planck, linear drift C = cI, D = dI, constant schedule, not
//   absorbing) from a Gaussian or mixture whose mean is off zero: rel_entropy and fisher_rel 2c,
//   l1_to_eq c. Bakry–Émery (1985) bound both by their initial value × e^{−2ct} for any start;
//   the mean decays as e^{−ct} and p − p_eq → e^{−ct} (m₀·x) c/d p_eq (the first Hermite mode),
//   so H ≈ ½(c/d)|m₀|²e^{−2ct}, I ≈ (c/d)²|m₀|²e^{−2ct} and ∫|p − p_eq| ∝ e^{−ct} asymptotically
//   (a centred start has no such mode and decays faster: the bound is then not the rate).
// - BGK: p − p_eq = (p₀ − p_eq) e^{−t/τ} exactly, so l1_to_eq has rate 1/τ.
std::optional<DecayTheory> decay_rate_theory(const CaseSpec& spec, std::string_view diagnostic);

// decay_rate_theory for each of kDecayDiagnostics that has one.
std::map<std::string, DecayTheory> decay_rate_theories(const CaseSpec& spec);

}  // namespace fplab
