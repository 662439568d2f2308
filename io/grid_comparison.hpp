// `fplab sample --compare RUN/result.h5`: the grid solution of the same case, read at the sample's
// output times, for the particle driver (solver/particles/particle_simulation.hpp).
#pragma once
#include <string>

#include "solver/case_spec.hpp"
#include "solver/particles/particle_simulation.hpp"

namespace fplab {

// InputError (one sentence naming --compare, the file and what does not fit) when the file is no
// fplab result, its grid is not the case's, or it has no snapshot at one of the case's output
// times (to 1e-9 of output_every).
GridComparison read_grid_comparison(const std::string& path, const CaseSpec& spec);

}  // namespace fplab
