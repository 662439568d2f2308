// DIR/.fplab.lock (see run_lock.hpp).
#include "io/run_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "io/writers.hpp"
#include "solver/errors.hpp"

namespace fplab {

RunLock::RunLock(const std::filesystem::path& dir) {
  output_dir_create(dir);
  const auto path = dir / ".fplab.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw InputError(fmt::format("cannot create the lock file {} ({}).", path.string(),
                                 std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    const std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "?";
    throw InputError(fmt::format("{} is in use by another fplab run (pid {})", dir.string(),
                                 pid.substr(0, pid.find_first_of("\n "))));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the refusal of a second run would miss it.
  }
  remove_stale_temporaries(dir);
  remove_stale_temporaries(dir / "vtk");
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace fplab
