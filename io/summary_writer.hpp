// Run summary (docs/reference.md §6): summary.json, a machine-readable record of what ran and how fast.
#pragma once
#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "solver/decay_rate.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// Keys: name, status (complete | interrupted | failed), equation, method, scheme, integrator, boundary, nx, ny, t_end, steps,
// wall_seconds, cell_updates_per_second, peak_memory_bytes, peak_memory_grid_arrays,
// final (object: the last diagnostics row), output_dir,
// fplab_version, git_sha; reverse runs add reverse {T, lambda, score, score_path, and
// score_error {tau, t, value} at every output when the exact score is known}; runs that
// report rel_entropy, fisher_rel or l1_to_eq add decay_rate_<name>: {rate, stderr, t_from, t_to,
// points, theory: {rate, source} or null} (solver/decay_rate.hpp), or null when too few
// snapshots qualify. Written at end() only (atomically), also for an interrupted or failed run;
// a summary.json left by an older run is removed at begin(). A resumed run's series include the
// snapshots it continues from; steps counts from t = 0, wall_seconds this run only. A steady
// state (fplab steady) has integrator "steady" and adds steady {residual, residual_relative,
// assemble_seconds, factorise_seconds, lu_nonzeros}.
class SummaryWriter final : public OutputSink {
 public:
  void begin(const RunInfo& info) override;
  void write(const Snapshot& snap) override;
  void end(const RunSummary& summary) override;

 private:
  std::string path_, output_dir_;
  std::string name_, equation_, method_, scheme_, integrator_, boundary_;
  nlohmann::ordered_json reverse_;  // reverse runs: T, lambda, score (null otherwise)
  bool particles_ = false;          // fplab sample: a particles block instead of the method's
  bool stationary_ = false;         // fplab steady: a steady block instead of time stepping
  const CaseSpec* spec_ = nullptr;  // the run's case (alive until end())
  // The series whose decay rates are fitted at the end (only those the run reports).
  std::vector<double> times_;
  std::map<std::string, std::vector<double>> decay_series_;
  std::map<std::string, DecayTheory> theories_;
  int nx_ = 0, ny_ = 0;

  nlohmann::ordered_json decay_rate_json(const std::string& name) const;
};

}  // namespace fplab
