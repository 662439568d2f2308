// HDF5 output (docs/reference.md §6): result.h5 in the fixed layout, one chunk per snapshot, flushed after
// every snapshot, with its XDMF sidecar result.xmf rewritten each time (see io/xdmf_writer.hpp).
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "io/h5_util.hpp"
#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// Writes result.h5 (and, unless disabled, result.xmf) into RunInfo::output_dir.
// Layout (docs/reference.md §6): /grid/{x,y,x_edges,y_edges}, /time (nt), /fields/<RunInfo::density_name>
// (nt, ny, nx: "density", or "density_particles" for a particle histogram),
// /fields/<name> (nt, ny, nx) for each of RunInfo::field_names, /diagnostics/<name> (nt). Every
// nt-dimension is extendible; fields are float64 chunked (1, ny, nx). Groups track link creation order so the
// diagnostics read back in column order. Root attributes are scalar variable-length UTF-8
// strings (h5py returns them as str): fplab_version, git_sha, created (ISO 8601 UTC),
// command_line, case_yaml, and status ("running" until end(), then "complete", "interrupted" or
// "failed"). /resume holds what continuing from the last snapshot needs (RunState): attributes
// t, step, dt, abs0, neg0, outflow, snapshot and, for multistep integrators, history_scalars and
// history_arrays. An existing result.h5 is truncated at begin(), never merged, unless the run
// resumes it (RunInfo::past): then it is opened, cut to the snapshots the resumed run keeps and
// appended to. An output failure (disk full) is one sentence naming the file and the last
// snapshot written; the file is abandoned so that the snapshots flushed before stay readable.
class Hdf5Writer final : public OutputSink {
 public:
  explicit Hdf5Writer(bool with_xdmf = true) : with_xdmf_(with_xdmf) {}
  ~Hdf5Writer() override;  // closes the file quietly; finished snapshots are already flushed

  void begin(const RunInfo& info) override;
  void write(const Snapshot& snap) override;
  void end(const RunSummary& summary) override;

 private:
  void create(const RunInfo& info);
  void reopen(const RunInfo& info);
  void append(const Snapshot& snap);
  void write_state(const RunState& state, int snapshot);
  void sidecar_write();
  void abandon();
  bool with_xdmf_;
  std::filesystem::path h5_path_, xmf_path_;
  Grid2D grid_;
  std::string density_name_;
  std::vector<std::string> field_names_, diag_names_;
  std::vector<double> times_;  // written so far, for the XDMF sidecar
  std::vector<double> diag_values_;
  h5::Handle file_, time_, density_;
  std::vector<h5::Handle> fields_, diags_;
};

}  // namespace fplab
