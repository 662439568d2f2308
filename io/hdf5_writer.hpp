// HDF5 output (docs/reference.md §6): result.h5 in the fixed layout, one chunk per snapshot, flushed after
// every snapshot, with its XDMF sidecar result.xmf rewritten each time (see io/xdmf_writer.hpp).
#pragma once
#include <hdf5.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {
namespace h5 {

// An owning HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property
// list): closed with the matching H5?close when it goes out of scope.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  // Forgets the identifier without closing it: closing a file whose writes failed (disk full)
  // would make HDF5 try the writes again, and fail again.
  void abandon() { id_ = H5I_INVALID_HID; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Silences HDF5's automatic error-stack printing while alive: failures surface as fplab
// exceptions with one clear sentence instead of a screenful of HDF5 internals.
class ErrorSilencer {
 public:
  ErrorSilencer();
  ~ErrorSilencer();
  ErrorSilencer(const ErrorSilencer&) = delete;
  ErrorSilencer& operator=(const ErrorSilencer&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Keeps HDF5 from closing open files at exit (H5dont_atexit): a file whose writes failed is
// abandoned, not closed, and HDF5's own attempt at exit could crash. Call first in main().
void no_close_at_exit();

// Opens an HDF5 file read-only; InputError "cannot open <what> <path>: <why>." when it is missing,
// a folder, not HDF5 or unreadable.
Handle open_read(const std::string& path, const std::string& what);
// True when every link of `path` ("/a/b/c") exists under loc.
bool link_exists(hid_t loc, const std::string& path);
// The dimensions of a dataset's dataspace.
std::vector<hsize_t> dataset_dims(hid_t dataset);

}  // namespace h5

// Writes result.h5 (and, unless disabled, result.xmf) into RunInfo::output_dir.
// Layout (docs/reference.md §6): /grid/{x,y,x_edges,y_edges}, /time (nt), /fields/density (nt, ny, nx),
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
  void abandon();
  bool with_xdmf_;
  std::filesystem::path h5_path_, xmf_path_;
  Grid2D grid_;
  std::vector<std::string> field_names_, diag_names_;
  std::vector<double> times_;  // written so far, for the XDMF sidecar
  std::vector<double> diag_values_;
  h5::Handle file_, time_, density_;
  std::vector<h5::Handle> fields_, diags_;
};

}  // namespace fplab
