// `fplab render --animate`: the frames become an MP4 with ffmpeg, found on PATH and run without a
// shell (fork + execvp, so that no path needs quoting); without ffmpeg, the frames stay.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <vector>

#include "solver/errors.hpp"
#include "viz/render_detail.hpp"

namespace fplab::viz {
namespace {

bool on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path == nullptr ? "" : path;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    const std::string candidate =
        (std::filesystem::path(dir.empty() ? "." : dir) / program).string();
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Runs argv[0] (looked up on PATH) with stdout and stderr kept; its exit status, or -1.
int run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace

bool animation_encode(const std::string& frames_dir, const std::string& mp4_path) {
  if (!on_path("ffmpeg")) {
    spdlog::warn(
        "ffmpeg not found on PATH: wrote the frames to {} but no MP4; install it with "
        "'apt-get install ffmpeg' (or scripts/setup.sh) and render again",
        frames_dir);
    return false;
  }
  // yuv420p for players that read nothing else; it needs even sizes, hence the padding.
  const int status = run({"ffmpeg", "-y", "-loglevel", "error", "-framerate", "10", "-i",
                          (std::filesystem::path(frames_dir) / "frame_%04d.png").string(),
                          "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", mp4_path});
  if (status != 0)
    throw InputError(fmt::format("ffmpeg could not make {} from the frames in {} (exit status {}).",
                                 mp4_path, frames_dir, status));
  return true;
}

}  // namespace fplab::viz
