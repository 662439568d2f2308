// What the end-to-end tests share: scratch directories and running the fplab program itself.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fplab_e2e {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// An empty directory under the system's temporary directory, named after the test.
inline fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fplab_e2e_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs `fplab ARGS` from the source directory with environment assignments `env` ("A=1 B=2")
// after the shell commands `shell` ("ulimit -f 64; "), capturing exit code, stdout and stderr.
inline CommandResult run_fplab_prefixed(const std::string& env, const std::string& args,
                                        const fs::path& dir, const std::string& shell = "") {
  const std::string cmd = std::string("cd ") + FPLAB_SOURCE_DIR + " && " + shell + env + " " +
                          FPLAB_BINARY + " " + args + " >" + (dir / "stdout.txt").string() +
                          " 2>" + (dir / "stderr.txt").string();
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir / "stdout.txt");
  r.err = slurp(dir / "stderr.txt");
  return r;
}

// Runs `fplab ARGS` from the source directory, capturing exit code, stdout and stderr.
inline CommandResult run_fplab(const std::string& args, const fs::path& dir) {
  return run_fplab_prefixed("", args, dir);
}

// A 16x16 OU result with three snapshots (t = 0, 0.1, 0.2), HDF5 only, written into dir.
inline CommandResult small_ou_result(const fs::path& dir) {
  return run_fplab("run cases/ou_gaussian.yaml --set grid.nx=16 --set grid.ny=16 "
                   "--set time.t_end=0.2 --set 'output.formats=[hdf5]' -q -o " + dir.string(),
                   dir);
}

}  // namespace fplab_e2e
