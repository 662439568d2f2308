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
}  // namespace

void remember_command_line(int argc, char** argv) {
  args.assign(argv, argv + argc);
  args.push_back(nullptr);
}

void hand_off_if_learned(const CaseSpec& spec) {
  if (!needs_learned_score(spec) || learned_scores_available()) return;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto torch_build = self.parent_path() / "fplab-torch";
  if (ec || !std::filesystem::exists(torch_build))
    throw InputError(fmt::format(
        "equation.score.type: learned needs libtorch; {} was not built (install libtorch-dev and "
        "rebuild)", torch_build.string()));
  std::fflush(nullptr);
  std::vector<char*> argv = args;
  argv[0] = const_cast<char*>(torch_build.c_str());
  ::execv(torch_build.c_str(), argv.data());
  throw InputError(fmt::format("equation.score.type: learned: could not start {}",
                               torch_build.string()));
}

}  // namespace fplab
