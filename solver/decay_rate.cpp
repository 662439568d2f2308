// Decay-rate fits and theoretical rates (see decay_rate.hpp).
#include "solver/decay_rate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace fplab {
namespace {

// First index of the window and its floor; t.size() when nothing qualifies.
std::size_t window_start(std::span<const double> t, std::span<const double> v, const DecayWindow& w,
                         double& floor) {
  std::size_t first = 0;
  while (first < v.size() && !std::isfinite(v[first])) ++first;
  if (first == v.size()) return first;
  floor = w.floor_factor * std::numeric_limits<double>::epsilon() * std::abs(v[first]);
  const double span = t.back() - t.front();
  const double t_from =
      t.front() + w.skip_fraction * span - 1e-12 * span;  // an output on it counts
  std::size_t k = 0;
  while (k < t.size() && t[k] < t_from) ++k;
  return k;
}

// Least squares of y = a − rate·t; the slope's standard error needs n ≥ 3.
DecayFit fit_line(const std::vector<double>& t, const std::vector<double>& y) {
  const double n = static_cast<double>(t.size());
  double t_mean = 0, y_mean = 0;
  for (std::size_t k = 0; k < t.size(); ++k) t_mean += t[k] / n, y_mean += y[k] / n;
  double stt = 0, sty = 0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    stt += (t[k] - t_mean) * (t[k] - t_mean);
    sty += (t[k] - t_mean) * (y[k] - y_mean);
  }
  const double slope = sty / stt;
  double ssr = 0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    const double r = y[k] - (y_mean + slope * (t[k] - t_mean));
    ssr += r * r;
  }
  DecayFit f;
  f.rate = -slope;
  f.rate_stderr = std::sqrt(ssr / (n - 2.0) / stt);
  f.log_intercept = y_mean - slope * t_mean;
  f.t_from = t.front();
  f.t_to = t.back();
  f.points = static_cast<int>(t.size());
  return f;
}

bool is_multiple_of_identity(const Mat2& m) {
  return m(0, 1) == 0.0 && m(1, 0) == 0.0 && m(0, 0) == m(1, 1) && m(0, 0) > 0.0;
}

// The mean of a Gaussian or mixture start.
Vec2 initial_mean(const DensitySpec& d) {
  Vec2 m = Vec2::Zero();
  for (std::size_t k = 0; k < d.weights.size(); ++k) m += d.weights[k] * d.means[k];
  return m;
}

// OU with C = cI, D = dI (constant schedule): rates 2c, 2c, c when the start's mean is off zero.
std::optional<DecayTheory> theory_ou(const CaseSpec& s, std::string_view diagnostic) {
  const EquationSpec& eq = s.equation;
  if (eq.drift.type != "linear" || eq.schedule.type != "constant" || s.boundary == "dirichlet" ||
      !is_multiple_of_identity(eq.drift.C) || eq.D_varies() || !is_multiple_of_identity(eq.D) ||
      !s.initial.is_gaussian_mixture() || initial_mean(s.initial).norm() == 0.0)
    return std::nullopt;
  const double c = eq.drift.C(0, 0);
  if (diagnostic == "l1_to_eq")  // the spectral gap c of the OU generator (first Hermite mode)
    return DecayTheory{c, "spectral gap"};
  return DecayTheory{2.0 * c, "Bakry–Émery"};
}

}  // namespace

double DecayFit::value_at(double t) const { return std::exp(log_intercept - rate * t); }

std::optional<DecayFit> decay_rate_fit(std::span<const double> t, std::span<const double> v,
                                       const DecayWindow& window) {
  if (t.size() != v.size() || t.size() < 2) return std::nullopt;
  double floor = 0.0;
  std::vector<double> tw, yw;
  for (std::size_t k = window_start(t, v, window, floor); k < t.size(); ++k) {
    if (!std::isfinite(v[k]) || v[k] <= floor) break;  // round-off from here on
    tw.push_back(t[k]);
    yw.push_back(std::log(v[k]));
  }
  // The slope's standard error needs 3 points, and a slope needs distinct times.
  if (static_cast<int>(tw.size()) < std::max(window.min_points, 3) || !(tw.back() > tw.front()))
    return std::nullopt;
  return fit_line(tw, yw);
}

std::optional<DecayTheory> decay_rate_theory(const CaseSpec& spec, std::string_view diagnostic) {
  if (spec.equation.type == "fokker_planck" &&
      (diagnostic == "rel_entropy" || diagnostic == "fisher_rel" || diagnostic == "l1_to_eq"))
    return theory_ou(spec, diagnostic);
  // BGK: p(t) − p_eq = (p₀ − p_eq) e^{−t/τ}, so ∫|p − p_eq| is exactly ∝ e^{−t/τ}.
  if (spec.equation.type == "bgk" && diagnostic == "l1_to_eq")
    return DecayTheory{1.0 / spec.equation.tau, "exact solution"};
  return std::nullopt;
}

std::map<std::string, DecayTheory> decay_rate_theories(const CaseSpec& spec) {
  std::map<std::string, DecayTheory> out;
  for (std::string_view name : kDecayDiagnostics)
    if (auto th = decay_rate_theory(spec, name)) out.emplace(std::string(name), *th);
  return out;
}

}  // namespace fplab
