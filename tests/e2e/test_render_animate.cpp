// `fplab render --animate` end to end: a small OU run, then its frames and, where ffmpeg is
// installed, an MP4 with one video frame per snapshot (counted by ffprobe); without ffmpeg on
// PATH, the frames and one line saying how to install it, exit 0. Bad options exit 2.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>

#include "e2e_support.hpp"

using namespace fplab_e2e;

namespace {

bool ffmpeg_installed() {
  return std::system("command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1") ==
         0;
}

int frames_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".png";
  return n;
}

// A 32² OU run with 6 snapshots (t = 0, 0.1, ..., 0.5) and its exact solution.
fs::path small_run(const fs::path& dir) {
  const auto r = run_fplab(
      "run cases/ou_gaussian.yaml -q --set grid.nx=32 --set grid.ny=32 "
      "--set time.t_end=0.5 --set output.formats=[hdf5] -o " +
          (dir / "run").string(),
      dir);
  REQUIRE(r.exit_code == 0);
  return dir / "run" / "result.h5";
}

}  // namespace

TEST_CASE("render --animate: frames and an MP4 with one frame per snapshot") {
  const fs::path dir = scratch("render_animate");
  const fs::path h5 = small_run(dir);
  const fs::path out = dir / "pictures";

  // Without ffmpeg on PATH: the frames and one warning line, exit 0.
  const std::string cmd = std::string("PATH=/nonexistent ") + FPLAB_BINARY + " render " +
                          h5.string() + " --animate --size 600x300 -o " + out.string() + " >" +
                          (dir / "out.txt").string() + " 2>" + (dir / "err.txt").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string err = slurp(dir / "err.txt");
  CHECK(err.find("ffmpeg not found") != std::string::npos);
  // One line about ffmpeg (without an X server the picture warnings come too).
  std::size_t ffmpeg_lines = 0;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);)
    ffmpeg_lines += line.find("ffmpeg") != std::string::npos;
  CHECK(ffmpeg_lines == 1);
  CHECK(frames_in(out / "frames") == 6);
  CHECK_FALSE(fs::exists(out / "density.mp4"));

  if (!ffmpeg_installed()) {
    MESSAGE("ffmpeg not installed: the MP4 is not checked");
    return;
  }
  const auto r = run_fplab("render " + h5.string() + " --animate -q -o " + out.string(), dir);
  REQUIRE(r.exit_code == 0);
  REQUIRE(fs::exists(out / "density.mp4"));
  const std::string probe =
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames "
      "-of csv=p=0 " +
      (out / "density.mp4").string() + " >" + (dir / "frames.txt").string();
  REQUIRE(std::system(probe.c_str()) == 0);
  CHECK(std::stoi(slurp(dir / "frames.txt")) == 6);
}

TEST_CASE("render: bad picture options are input errors naming the option") {
  const fs::path dir = scratch("render_bad_options");
  const fs::path h5 = small_run(dir);
  const auto colormap = run_fplab("render " + h5.string() + " --colormap jet", dir);
  CHECK(colormap.exit_code == 2);
  CHECK(colormap.err.find("--colormap") != std::string::npos);
  const auto size = run_fplab("render " + h5.string() + " --size 100by50", dir);
  CHECK(size.exit_code == 2);
  CHECK(size.err.find("--size") != std::string::npos);
  const auto range = run_fplab("render " + h5.string() + " --range sometimes", dir);
  CHECK(range.exit_code == 2);
  CHECK(range.err.find("--range") != std::string::npos);
}
