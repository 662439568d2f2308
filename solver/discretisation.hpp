// The one place where solver.method picks a discretisation of an equation (finite_volume,
// spectral), what its grid values mean (cell averages or point values) and how runs name it.
// Adding a method touches its own folder and a few lines here.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/equations/equation.hpp"
#include "solver/grid.hpp"
#include "solver/operator.hpp"

namespace fplab {

// InputError when the method is unknown or cannot discretise this equation/boundary.
std::unique_ptr<SpatialOperator> make_operator(const CaseSpec& spec, const Equation& eq,
                                               const Grid2D& g);

// What the method's grid values are (docs/reference.md §2): spectral → point values at the cell centres,
// finite_volume → cell averages. Initial data, equilibria and exact solutions are sampled so.
Sampling sampling_of(const CaseSpec& spec);

// The scheme a run reports: the FV face flux (solver.scheme), or for spectral runs the basis
// the boundary selects: fourier (periodic) | cosine (zero_flux).
std::string scheme_of(const CaseSpec& spec);
// The same from the strings of a stored case (result.h5's case_yaml).
std::string scheme_of(std::string_view method, std::string_view scheme, std::string_view boundary);

// Method and scheme for human-readable text: "finite_volume / muscl", "spectral (Fourier)".
std::string method_label(const CaseSpec& spec);
std::string method_label(std::string_view method, std::string_view scheme,
                         std::string_view boundary);

}  // namespace fplab
