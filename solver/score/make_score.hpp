// The score a reverse case names (docs/reference.md §4) when the solver can build it alone: `exact`. Scores
// read from files (tabulated, hdf5) are built by io/ (io/score_file.hpp) and handed in.
#pragma once
#include <memory>

#include "solver/case_spec.hpp"
#include "solver/score/score_field.hpp"

namespace fplab {

// InputError naming the key when the case's score cannot be built here.
std::shared_ptr<const ScoreField> make_score(const EquationSpec& eq);

}  // namespace fplab
