// One run per output folder: DIR/.fplab.lock, flock()ed for the whole run and holding the pid.
// The kernel releases the lock when the process ends, however it ends, so a lock file left by
// a dead process never blocks.
#pragma once
#include <filesystem>

namespace fplab {

class RunLock {
 public:
  // Creates DIR if needed and takes its lock before anything else in it is touched; InputError
  // "DIR is in use by another fplab run (pid N)" when another run holds it. Then removes the
  // temporary files (*.tmp, *.tmpPID) a killed run may have left in DIR and DIR/vtk.
  explicit RunLock(const std::filesystem::path& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace fplab
