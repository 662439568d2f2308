// Checks that keep a run from hanging or from exiting 0 with garbage (docs/reference.md §3
// "Limits of a run"): the work a case asks for, the explicit stability limit of its integrator,
// non-finite coefficients and initial data, and the growth of ∫|p| and of the negative mass
// while it runs. The driver (solver/simulation.cpp) calls them; they know no file format.
#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/errors.hpp"
#include "solver/grid.hpp"
#include "solver/non_finite_drift.hpp"
#include "solver/problem.hpp"
#include "solver/time/integrator.hpp"

namespace fplab {

// Defaults of solver.max_steps and output.max_snapshots (the case keys raise them).
inline constexpr double kDefaultMaxSteps = 1e7;
inline constexpr double kDefaultMaxSnapshots = 1e4;
// A run stops (exit 3) when ∫|p| exceeds this factor times its initial value: a Fokker–Planck
// evolution is an L1 contraction, and so are the finite-volume schemes, so growth is an
// instability...
inline constexpr double kAbsGrowthLimit = 1.25;
// ...or when the negative mass −∫min(p, 0) has grown by more than this fraction of the initial
// ∫|p|: mass that is lost (absorbing walls) hides growth from ∫|p|. Not less: an under-resolved
// spectral run keeps Gibbs undershoots of 5 % (ou_spectral at 16²) without being unstable.
inline constexpr double kNegativeMassLimit = 0.2;
// Spectral runs are not L1 contractions: Gibbs oscillations of an under-resolved run grow ∫|p|
// (by 35 % at t = 0.5 for ou_spectral at 16², a level of its refinement study) without being
// unstable. An instability grows exponentially and passes this factor within a few steps; the
// negative mass is not checked separately (∫|p| = mass + 2 × the negative mass).
inline constexpr double kAbsGrowthLimitSpectral = 10.0;
// An initial density with less mass than this on the domain is an input error.
inline constexpr double kMinInitialMass = 1e-6;

// The case key a drift value comes from ("equation.drift.fx", "equation.drift.U", ...).
std::string drift_key(const CaseSpec& spec, int component);

// The explicit stability limit of an integrator: the largest CFL number (dt over
// stable_step()) it is stable at, from its stability region's extent on the negative real
// axis, half of which the operators' bound takes as 1 (euler 1, ssprk3 1.256, rk4 1.392; the
// explicit part of IMEX and rkl2 1). nullopt when no explicit bound limits it: implicit
// integrators and exponential ones (which integrate the stiff part exactly).
std::optional<double> stable_cfl_limit(const TimeIntegrator& integrator);

// The stable step sampled over [0, t_end] (t_end k/samples, k = 0..samples): one sample when
// the coefficients do not change in time.
struct BoundSamples {
  std::vector<double> t, dt;
  double smallest() const;
  double t_of_smallest() const;
};
BoundSamples sample_stable_step(const TimeIntegrator& integrator, const SpatialOperator& op,
                                double t_end, int samples);

// The steps a run takes: t_end/dt with a fixed dt, else Σ Δt/(cfl × bound) over the samples
// (output_every where nothing bounds the step), plus one landing step per output.
double estimate_steps(const CaseSpec& spec, const BoundSamples& bound);
// The snapshots written: t_end/output_every, rounded up, plus the one at t = 0.
double estimate_snapshots(const CaseSpec& spec);

// Before stepping (the driver's constructor): InputError, with the file, line and key, for
// a domain whose extent overflows, coefficients that overflow, a step or snapshot count above its
// limit, an explicit dt or cfl above the integrator's stability limit (unless
// solver.allow_unstable), initial data that are not finite or have almost no mass.
void check_domain(const CaseSpec& spec);
void check_run_limits(const CaseSpec& spec, const Problem& pb, bool coefficients_vary);
void check_initial_state(const CaseSpec& spec, const Grid2D& g, std::span<const double> u);

// The step from t must advance t in floating point: NumericalError otherwise (a collapsed
// stability bound would loop forever).
void check_step_advances(double t, double dt);

// During the run: NumericalError when the density stops being finite, ∫|p| grows beyond
// kAbsGrowthLimit × its initial value, or the negative mass beyond kNegativeMassLimit (spectral
// runs: kAbsGrowthLimitSpectral).
class InstabilityMonitor {
 public:
  InstabilityMonitor(const CaseSpec& spec, const Grid2D& g, std::span<const double> u0);
  // From the references of a run's start (a resumed run: /resume in result.h5).
  InstabilityMonitor(const CaseSpec& spec, const Grid2D& g, double abs0, double neg0);
  void check(std::span<const double> u, double t, std::size_t steps, double h) const;
  double initial_abs_integral() const { return abs0_; }
  double initial_negative_mass() const { return neg0_; }

 private:
  std::string advice() const;
  const CaseSpec& spec_;
  double area_;
  double abs0_, neg0_;            // ∫|p| and −∫min(p, 0) at t = 0
  double abs_limit_, neg_limit_;  // kAbsGrowthLimit, kNegativeMassLimit or the spectral ones
};

}  // namespace fplab
