// The one place where solver.method picks a discretisation of an equation (finite_volume,
// spectral). Adding a method touches its own folder and one line here.
#pragma once
#include <memory>

#include "solver/case_spec.hpp"
#include "solver/equations/equation.hpp"
#include "solver/grid.hpp"
#include "solver/operator.hpp"

namespace fplab {

// InputError when the method is unknown or cannot discretise this equation/boundary.
std::unique_ptr<SpatialOperator> make_operator(const CaseSpec& spec, const Equation& eq,
                                               const Grid2D& g);

}  // namespace fplab
