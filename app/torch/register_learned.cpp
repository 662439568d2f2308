// Linked into fplab-torch only: makes `equation.score.type: learned` loadable and
// `fplab train-score` available there.
#include "app/torch_handoff.hpp"
#include "io/problem_inputs.hpp"
#include "solver/learned/learned_score.hpp"

namespace fplab {
int train_score_command(const CaseSpec& spec, const std::string& model_path, bool quiet);
}  // namespace fplab

namespace {
const bool registered = (fplab::set_learned_score_loader(&fplab::load_learned_score),
                         fplab::set_train_command(&fplab::train_score_command), true);
}  // namespace
