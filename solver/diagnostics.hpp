// Diagnostics of a density on the grid (SPEC §6): mass, moments, extrema, entropy, relative
// entropy and relative Fisher information to the equilibrium, errors against the exact solution.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// Column names in the order compute_diagnostics returns them.
std::vector<std::string> diagnostic_names(bool has_equilibrium, bool has_exact);

// p: the density; p_eq: equilibrium cell averages or empty; exact: exact solution or empty.
DiagnosticRow compute_diagnostics(const Grid2D& g, std::span<const double> p,
                                  std::span<const double> p_eq, std::span<const double> exact);

}  // namespace fplab
