// HDF5 output (docs/reference.md §6): result.h5 written with the HDF5 C API (serial), one flushed chunk per
// snapshot, and its XDMF sidecar rewritten after each snapshot.
#include "io/hdf5_writer.hpp"

#include <limits>
#include <stdexcept>

#include "io/writers.hpp"
#include "io/xdmf_writer.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace {

using h5::attr_write_scalar;
using h5::attr_write_string;
using h5::checked;
using h5::dataset_append;
using h5::dataset_create_extendible;
using h5::dataset_overwrite;
using h5::dataset_truncate;
using h5::group_create;
using h5::room_missing;

// The attribute "nan" of every /diagnostics dataset: what a NaN value there means.
constexpr const char* kUndefinedDiagnostic =
    "NaN means undefined at that time (moments of a zero mass, for example), not a failure";

}  // namespace

void Hdf5Writer::begin(const RunInfo& info) {
  const auto dir = output_dir_create(info.output_dir);
  h5_path_ = dir / "result.h5";
  xmf_path_ = dir / "result.xmf";
  grid_ = info.grid;
  density_name_ = info.density_name;
  field_names_ = info.field_names;
  fields_.clear();
  diag_names_ = info.diagnostic_names;
  diag_values_.assign(diag_names_.size(), 0.0);
  times_.clear();
  diags_.clear();
  h5::ErrorSilencer quiet;
  if (info.past)
    reopen(info);
  else
    create(info);
}

void Hdf5Writer::create(const RunInfo& info) {
  // A sidecar from an older run would describe snapshots the new file does not hold yet.
  std::error_code ec;
  std::filesystem::remove(xmf_path_, ec);

  file_ = h5::file_create(h5_path_, "result file", info.command_line,
                          info.spec ? info.spec->resolved_yaml : std::string());
  const hid_t f = file_.get();
  attr_write_string(f, "sampling", std::string(sampling_name(info.sampling)), h5_path_);
  // fplab steady: the one snapshot is the stationary density, valid at every t.
  if (info.stationary) attr_write_string(f, "stationary", "true", h5_path_);

  {
    h5::Handle g = group_create(f, "grid", h5_path_);
    std::vector<double> xc(grid_.nx), yc(grid_.ny), xe(grid_.nx + 1), ye(grid_.ny + 1);
    for (int i = 0; i < grid_.nx; ++i) xc[i] = grid_.xc(i);
    for (int j = 0; j < grid_.ny; ++j) yc[j] = grid_.yc(j);
    for (int i = 0; i <= grid_.nx; ++i) xe[i] = grid_.x_edge(i);
    for (int j = 0; j <= grid_.ny; ++j) ye[j] = grid_.y_edge(j);
    xe.back() = grid_.x1;  // the last edge is the domain's end exactly, not x0 + nx·dx
    ye.back() = grid_.y1;
    h5::dataset_write_fixed(g.get(), "x", xc, h5_path_);
    h5::dataset_write_fixed(g.get(), "y", yc, h5_path_);
    h5::dataset_write_fixed(g.get(), "x_edges", xe, h5_path_);
    h5::dataset_write_fixed(g.get(), "y_edges", ye, h5_path_);
  }
  const std::vector<hsize_t> field_tail{static_cast<hsize_t>(grid_.ny),
                                        static_cast<hsize_t>(grid_.nx)};
  time_ = dataset_create_extendible(f, "time", {}, 64, h5_path_);
  {
    h5::Handle g = group_create(f, "fields", h5_path_);
    density_ = dataset_create_extendible(g.get(), density_name_.c_str(), field_tail, 1, h5_path_);
    for (const auto& name : field_names_)
      fields_.push_back(dataset_create_extendible(g.get(), name.c_str(), field_tail, 1, h5_path_));
  }
  {
    h5::Handle g = group_create(f, "diagnostics", h5_path_);
    for (const auto& name : diag_names_) {
      diags_.push_back(dataset_create_extendible(g.get(), name.c_str(), {}, 64, h5_path_));
      attr_write_string(diags_.back().get(), "nan", kUndefinedDiagnostic, h5_path_);
    }
  }
  checked(H5Fflush(f, H5F_SCOPE_GLOBAL), h5_path_, "flush the file");
}

// A resumed run: the file of the run it continues, cut to the snapshots it keeps (a snapshot
// half-written when that run was killed goes), its case echo the new one (t_end may be later).
void Hdf5Writer::reopen(const RunInfo& info) {
  file_ = h5::Handle(H5Fopen(h5_path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  if (!file_.valid())
    throw InputError("cannot open the result file " + h5_path_.string() + " to continue it.");
  const hid_t f = file_.get();
  const auto open = [&](const std::string& name) {
    h5::Handle d(H5Dopen2(f, name.c_str(), H5P_DEFAULT));
    if (!d.valid())
      throw InputError("cannot continue " + h5_path_.string() + ": it has no " + name + ".");
    return d;
  };
  time_ = open("/time");
  density_ = open("/fields/" + density_name_);
  for (const auto& name : field_names_) fields_.push_back(open("/fields/" + name));
  for (const auto& name : diag_names_) diags_.push_back(open("/diagnostics/" + name));
  times_ = info.past->times;
  const hsize_t n = times_.size();
  for (const h5::Handle* d : {&time_, &density_}) dataset_truncate(d->get(), n, h5_path_);
  for (const auto& d : fields_) dataset_truncate(d.get(), n, h5_path_);
  for (const auto& d : diags_) dataset_truncate(d.get(), n, h5_path_);
  attr_write_string(f, "case_yaml", info.spec ? info.spec->resolved_yaml : std::string(), h5_path_);
  attr_write_string(f, "status", "running", h5_path_);
  checked(H5Fflush(f, H5F_SCOPE_GLOBAL), h5_path_, "flush the file");
  if (with_xdmf_) sidecar_write();
}

void Hdf5Writer::write(const Snapshot& snap) {
  if (!file_.valid()) throw std::logic_error("Hdf5Writer::write called outside begin()/end().");
  if (snap.density.size() != grid_.size())
    throw std::logic_error("Hdf5Writer: snapshot density does not match the grid.");
  check_snapshot_fields(snap, field_names_, grid_, "Hdf5Writer");

  // The snapshot's chunks, the history's first write and room for HDF5's metadata.
  std::size_t arrays = 1 + fields_.size();
  if (snap.state) arrays += snap.state->history.arrays.size();
  const std::uintmax_t bytes = arrays * grid_.size() * sizeof(double) + 65536;
  if (const int err = room_missing(h5_path_, bytes); err != 0) {
    abandon();
    throw std::runtime_error(output_failure(h5_path_, err, times_.size()));
  }
  h5::ErrorSilencer quiet;
  try {
    append(snap);
  } catch (const std::runtime_error&) {
    abandon();
    throw std::runtime_error(output_failure(h5_path_, h5::failed_errno(), times_.size()));
  }
  if (with_xdmf_) sidecar_write();
}

void Hdf5Writer::append(const Snapshot& snap) {
  // Diagnostics by name; a column the row does not carry is stored as NaN, not shifted.
  for (std::size_t c = 0; c < diag_names_.size(); ++c) {
    diag_values_[c] = std::numeric_limits<double>::quiet_NaN();
    if (snap.diagnostics)
      for (const auto& [name, value] : *snap.diagnostics)
        if (name == diag_names_[c]) diag_values_[c] = value;
  }
  const hsize_t k = times_.size();
  const std::vector<hsize_t> field_tail{static_cast<hsize_t>(grid_.ny),
                                        static_cast<hsize_t>(grid_.nx)};
  // Fields first, /time last: a reader takes nt from the shortest, so a snapshot interrupted
  // half-way is simply not there.
  dataset_append(density_.get(), k, snap.density.data(), field_tail, h5_path_);
  for (std::size_t f = 0; f < fields_.size(); ++f)
    dataset_append(fields_[f].get(), k, snap.fields[f].second.data(), field_tail, h5_path_);
  for (std::size_t c = 0; c < diags_.size(); ++c)
    dataset_append(diags_[c].get(), k, &diag_values_[c], {}, h5_path_);
  dataset_append(time_.get(), k, &snap.t, {}, h5_path_);
  if (snap.state) write_state(*snap.state, static_cast<int>(k));
  checked(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), h5_path_, "flush the file");
  times_.push_back(snap.t);
}

// /resume: the state after snapshot `snapshot`, overwritten in place at every snapshot.
void Hdf5Writer::write_state(const RunState& state, int snapshot) {
  const hid_t f = file_.get();
  h5::Handle g(H5Lexists(f, "resume", H5P_DEFAULT) > 0
                   ? checked(H5Gopen2(f, "resume", H5P_DEFAULT), h5_path_, "open a group")
                   : checked(H5Gcreate2(f, "resume", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             h5_path_, "create a group"));
  const auto put_double = [&](const char* name, double v) {
    attr_write_scalar(g.get(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, h5_path_);
  };
  const auto put_int = [&](const char* name, long long v) {
    attr_write_scalar(g.get(), name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &v, h5_path_);
  };
  put_double("t", state.t);
  put_double("dt", state.dt);
  put_double("abs0", state.abs0);
  put_double("neg0", state.neg0);
  put_double("outflow", state.outflow);
  put_int("step", static_cast<long long>(state.step));
  put_int("snapshot", snapshot);
  const auto& h = state.history;
  if (!h.scalars.empty())
    dataset_overwrite(g.get(), "history_scalars", {h.scalars.size()}, h.scalars.data(), h5_path_);
  if (!h.arrays.empty()) {
    for (std::size_t a = 0; a < h.arrays.size(); ++a) {
      const std::string name = "history_array_" + std::to_string(a);
      dataset_overwrite(g.get(), name.c_str(), {h.arrays[a].size()}, h.arrays[a].data(), h5_path_);
    }
  }
}

// result.xmf for the snapshots written so far: the density under its name, then the fields.
void Hdf5Writer::sidecar_write() {
  std::vector<std::string> fields{density_name_};
  fields.insert(fields.end(), field_names_.begin(), field_names_.end());
  xdmf_write(xmf_path_, h5_path_.filename().string(), grid_, times_, fields);
}

// After a failed write: no more HDF5 calls on this file (see h5::Handle::abandon).
void Hdf5Writer::abandon() {
  for (auto& d : diags_) d.abandon();
  for (auto& d : fields_) d.abandon();
  time_.abandon();
  density_.abandon();
  file_.abandon();
}

Hdf5Writer::~Hdf5Writer() {
  h5::ErrorSilencer quiet;
  diags_.clear();
  fields_.clear();
  time_.reset();
  density_.reset();
  file_.reset();
}

void Hdf5Writer::end(const RunSummary& summary) {
  if (!file_.valid()) return;
  h5::ErrorSilencer quiet;
  try {
    attr_write_string(file_.get(), "status", status_name(summary.status), h5_path_);
  } catch (const std::runtime_error&) {
    abandon();
    throw std::runtime_error(output_failure(h5_path_, h5::failed_errno(), times_.size()));
  }
  diags_.clear();
  time_.reset();
  density_.reset();
  fields_.clear();
  file_.reset();  // H5Fclose: the file is complete and closed before the summary is printed
}

}  // namespace fplab
