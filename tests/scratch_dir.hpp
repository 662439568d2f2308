// A fresh folder for one test's files: temp/fplab_test_<name>_<pid>, removed afterwards unless
// FPLAB_KEEP_TEST_OUTPUT is set (to look at them).
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fplab_test {

struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("fplab_test_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    if (std::getenv("FPLAB_KEEP_TEST_OUTPUT") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace fplab_test
