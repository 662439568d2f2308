// Refinement studies (STYLE lesson 9): run a case at several levels, measure errors against the
// exact solution (or, without one, against the finest level, Richardson-style) and fit observed
// orders between successive levels. One routine serves `fplab verify` and the tests.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/problem.hpp"

namespace fplab {

struct ConvergenceLevel {
  int nx = 0, ny = 0;
  double dt = 0.0;
  std::size_t steps = 0;
  double l1 = 0, l2 = 0, linf = 0;  // at t_end
  double wall_seconds = 0.0;
};

struct ConvergenceStudy {
  std::string refine;         // space | time | both
  bool against_exact = true;  // false: errors against the finest level (which is then dropped)
  std::vector<ConvergenceLevel> levels;
  // Observed orders between successive levels: log(e_k / e_{k+1}) / log(h_k / h_{k+1}) against
  // the exact solution, richardson_order(...) against the finest level.
  std::vector<double> order_l1, order_l2, order_linf;
};

// refine = space: nx = level (ny scaled to keep the aspect), all at one fixed dt — the case's dt,
//   or cfl × the stability bound of the finest grid when dt is auto (so time error is shared).
// refine = time: the case's grid, dt = t_end / level (level = number of steps).
// refine = both: nx = level and dt ∝ 1/level, starting from the coarsest grid's stable dt.
// Throws InputError for unknown refine names, fewer than two levels, or fewer than three
// when the equation has no exact solution (the finest level is then the reference).
// load: what io/ reads from files for a level's case (scores, from_run states); none by default.
using InputsLoader = std::function<ProblemInputs(const CaseSpec&)>;
ConvergenceStudy run_convergence(const CaseSpec& base, const std::string& refine,
                                 const std::vector<int>& levels, const InputsLoader& load = {});

// Order p of errors measured against the finest level h_f, with the model e = C (h^p − h_f^p):
// solves (h_k^p − h_f^p) / (h_{k+1}^p − h_f^p) = e_k / e_{k+1} by bisection on p ∈ [0.05, 40]
// (clamped to those ends; NaN unless e_k, e_{k+1} > 0 and h_k > h_{k+1} > h_f > 0).
// With h halved each level and the finest next in line, p = log2(e_k / e_{k+1} − 1).
double richardson_order(double e_k, double e_k1, double h_k, double h_k1, double h_f);

// The acceptance test of `fplab verify` (exit 1 when false): the observed L1 order between the
// two finest compared levels is at least expected − tolerance.
bool verify_passed(const ConvergenceStudy& s, double expected, double tolerance);

}  // namespace fplab
