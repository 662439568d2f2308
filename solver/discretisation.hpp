// The one place where solver.method picks a discretisation of an equation (finite_volume,
// spectral) and what its grid values mean (cell averages or point values).
// Adding a method touches its own folder and a few lines here.
#pragma once
#include <memory>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/equations/equation.hpp"
#include "solver/grid.hpp"
#include "solver/operator.hpp"

namespace fplab {

// InputError when the method is unknown or cannot discretise this equation/boundary.
std::unique_ptr<SpatialOperator> make_operator(const CaseSpec& spec, const Equation& eq,
                                               const Grid2D& g);

// What the method's grid values are (SPEC §2): spectral → point values at the cell centres,
// finite_volume → cell averages. Initial data, equilibria and exact solutions are sampled so.
Sampling sampling_of(const CaseSpec& spec);

}  // namespace fplab
