// Run summary (SPEC §6): summary.json, a machine-readable record of what ran and how fast.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "solver/output_sink.hpp"

namespace fplab {

// Keys: name, equation, method, scheme, integrator, boundary, nx, ny, t_end, steps,
// wall_seconds, cell_updates_per_second, final (object: the last diagnostics row), output_dir,
// fplab_version, git_sha; reverse runs add reverse {T, lambda, score, score_path, and
// score_error {tau, t, value} at every output when the exact score is known}. Written at end() only (atomically); a summary.json left by an older
// run is removed at begin(), so its presence means the run finished.
class SummaryWriter final : public OutputSink {
 public:
  void begin(const RunInfo& info) override;
  void write(const Snapshot& snap) override;
  void end(const RunSummary& summary) override;

 private:
  std::string path_, output_dir_;
  std::string name_, equation_, method_, scheme_, integrator_, boundary_;
  nlohmann::ordered_json reverse_;  // reverse runs: T, lambda, score (null otherwise)
  int nx_ = 0, ny_ = 0;
};

}  // namespace fplab
