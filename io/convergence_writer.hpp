// Writing a refinement study (docs/reference.md §3 `fplab verify`): the printed table, convergence.json and
// convergence.csv. The study itself comes from solver/convergence.hpp.
#pragma once
#include <string>

#include "solver/case_spec.hpp"
#include "solver/convergence.hpp"

namespace fplab {

// Table of level, nx, ny, dt, steps, L1, L2, L∞ and the observed orders between levels.
std::string convergence_table(const ConvergenceStudy& s);

// convergence.json (case, refine, levels, orders, expected order, tolerance, passed) and
// convergence.csv (one row per level) in dir.
void write_convergence(const CaseSpec& spec, const ConvergenceStudy& s, double expected_order,
                       double tolerance, bool passed, const std::string& dir);

}  // namespace fplab
