// Diagnostics of a density on the grid (docs/reference.md §6): mass, moments, extrema, entropy, relative
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

// Against the data density a reverse run should reach (empty: none): l1_to_data = ∫|p − data|,
// and rel_entropy_to_data = ∫_{p>0} p log(p/data) when data > 0 in every cell.
std::vector<std::string> target_diagnostic_names(std::span<const double> data);
void append_target_diagnostics(const Grid2D& g, std::span<const double> p,
                               std::span<const double> data, DiagnosticRow& row);

}  // namespace fplab
