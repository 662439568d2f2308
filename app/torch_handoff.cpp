// Hand-off of learned-score cases to fplab-torch (see torch_handoff.hpp).
#include "app/torch_handoff.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "io/problem_inputs.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace {

std::vector<char*> args;  // argv, null-terminated
TrainCommand train_command = nullptr;

// Replaces this process by fplab-torch with the same arguments; `key`: what needs it.
[[noreturn]] void hand_off(const std::string& key) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto torch_build = self.parent_path() / "fplab-torch";
  if (ec || !std::filesystem::exists(torch_build))
    throw InputError(fmt::format("{} needs libtorch; {} was not built (install libtorch-dev and "
                                 "rebuild)", key, torch_build.string()));
  std::fflush(nullptr);
  std::vector<char*> argv = args;
  argv[0] = const_cast<char*>(torch_build.c_str());
  ::execv(torch_build.c_str(), argv.data());
  throw InputError(fmt::format("{}: could not start {}", key, torch_build.string()));
}

}  // namespace

void remember_command_line(int argc, char** argv) {
  args.assign(argv, argv + argc);
  args.push_back(nullptr);
}

void hand_off_if_learned(const CaseSpec& spec) {
  if (needs_learned_score(spec) && !learned_scores_available())
    hand_off("equation.score.type: learned");
}

void set_train_command(TrainCommand command) { train_command = command; }

int run_train_score(const CaseSpec& spec, const std::string& model_path, bool quiet) {
  if (!train_command) hand_off("train-score");
  return train_command(spec, model_path, quiet);
}

}  // namespace fplab
