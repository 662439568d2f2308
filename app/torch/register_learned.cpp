// Linked into fplab-torch only: makes `equation.score.type: learned` loadable there.
#include "io/problem_inputs.hpp"
#include "solver/learned/learned_score.hpp"

namespace {
const bool registered = (fplab::set_learned_score_loader(&fplab::load_learned_score), true);
}  // namespace
