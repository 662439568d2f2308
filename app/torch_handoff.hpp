// The plain fplab does not link libtorch (it would add ~0.8 s to every start); a case that needs
// a network runs in fplab-torch, the same program linked with it, built beside this one.
#pragma once
#include <string>

#include "solver/case_spec.hpp"

namespace fplab {

// Records the command line, for a hand-off.
void remember_command_line(int argc, char** argv);

// `fplab train-score` (fplab-torch registers it; app/torch/train_command.cpp).
using TrainCommand = int (*)(const CaseSpec& spec, const std::string& model_path, bool quiet);
void set_train_command(TrainCommand command);
// Runs train-score here when this program has it, else hands off to fplab-torch.
int run_train_score(const CaseSpec& spec, const std::string& model_path, bool quiet);

// When the case needs a learned score and this program cannot load one, replaces this process
// by fplab-torch with the same arguments (never returns then); InputError when fplab-torch is
// not beside this program. Returns at once otherwise.
void hand_off_if_learned(const CaseSpec& spec);

}  // namespace fplab
