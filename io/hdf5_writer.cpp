// HDF5 output (docs/reference.md §6): result.h5 written with the HDF5 C API (serial), one flushed chunk per
// snapshot, and its XDMF sidecar rewritten after each snapshot.
#include "io/hdf5_writer.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "fplab/version.hpp"
#include "io/writers.hpp"
#include "io/xdmf_writer.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace h5 {

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      H5Fclose(id_);
      break;
    case H5I_GROUP:
      H5Gclose(id_);
      break;
    case H5I_DATASET:
      H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      H5Tclose(id_);
      break;
    case H5I_ATTR:
      H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id_);
      break;
    default:
      break;
  }
  id_ = H5I_INVALID_HID;
}

void no_close_at_exit() { H5dont_atexit(); }

ErrorSilencer::ErrorSilencer() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}
ErrorSilencer::~ErrorSilencer() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

}  // namespace h5

namespace {

// The errno of the last failed HDF5 call (ENOSPC, EFBIG, ...), for the sentence the user reads.
int g_failed_errno = 0;

// Output failures mid-run (disk full, file removed) are neither bad input nor numerics: exit 1.
hid_t checked(hid_t id, const std::filesystem::path& file, const char* what) {
  if (id < 0) {
    g_failed_errno = errno;
    throw std::runtime_error("HDF5 could not " + std::string(what) + " in " + file.string() + ".");
  }
  return id;
}
void checked(herr_t status, const std::filesystem::path& file, const char* what) {
  if (status < 0) {
    g_failed_errno = errno;
    throw std::runtime_error("HDF5 could not " + std::string(what) + " in " + file.string() + ".");
  }
}

// errno for a write of `bytes` more into `file` that cannot succeed (ENOSPC: the file system is
// full; EFBIG: the process's file size limit), or 0. Checked before a snapshot, so that HDF5
// never half-writes one: its metadata would then point past the end of the file.
int room_missing(const std::filesystem::path& file, std::uintmax_t bytes) {
  struct statvfs fs {};
  if (statvfs(file.parent_path().c_str(), &fs) == 0 &&
      static_cast<std::uintmax_t>(fs.f_bavail) * fs.f_frsize < bytes)
    return ENOSPC;
  rlimit lim{};
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && !ec &&
      size + bytes > lim.rlim_cur)
    return EFBIG;
  return 0;
}

// A scalar attribute of `type` (created when absent, else overwritten in place).
void attr_write_scalar(hid_t obj, const char* name, hid_t file_type, hid_t mem_type,
                       const void* value, const std::filesystem::path& file) {
  h5::Handle attr;
  if (H5Aexists(obj, name) > 0) {
    attr = h5::Handle(checked(H5Aopen(obj, name, H5P_DEFAULT), file, "open an attribute"));
  } else {
    h5::Handle space(checked(H5Screate(H5S_SCALAR), file, "create a dataspace"));
    attr = h5::Handle(checked(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT,
                                         H5P_DEFAULT),
                              file, "create an attribute"));
  }
  checked(H5Awrite(attr.get(), mem_type, value), file, "write an attribute");
}

// A fixed-shape float64 dataset (created when absent, else overwritten in place).
void dataset_overwrite(hid_t parent, const char* name, const std::vector<hsize_t>& dims,
                       const double* values, const std::filesystem::path& file) {
  h5::Handle d;
  if (H5Lexists(parent, name, H5P_DEFAULT) > 0) {
    d = h5::Handle(checked(H5Dopen2(parent, name, H5P_DEFAULT), file, "open a dataset"));
  } else {
    h5::Handle space(checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                             file, "create a dataspace"));
    d = h5::Handle(checked(H5Dcreate2(parent, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                           file, "create a dataset"));
  }
  checked(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), file,
          "write a dataset");
}

// Cuts an extendible dataset to n entries along its first dimension.
void dataset_truncate(hid_t d, hsize_t n, const std::filesystem::path& file) {
  std::vector<hsize_t> dims = h5::dataset_dims(d);
  if (dims.empty()) throw std::runtime_error("HDF5 could not resize a dataset in " + file.string() + ".");
  dims[0] = n;
  checked(H5Dset_extent(d, dims.data()), file, "resize a dataset");
}

std::string iso8601_utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

// The attribute "nan" of every /diagnostics dataset: what a NaN value there means.
constexpr const char* kUndefinedDiagnostic =
    "NaN means undefined at that time (moments of a zero mass, for example), not a failure";

// Scalar variable-length UTF-8 string attribute: what h5py reads back as `str`. An existing
// attribute of that name is replaced.
void attr_write_string(hid_t obj, const char* name, const std::string& value,
                       const std::filesystem::path& file) {
  if (H5Aexists(obj, name) > 0) checked(H5Adelete(obj, name), file, "replace an attribute");
  h5::Handle type(checked(H5Tcopy(H5T_C_S1), file, "create a string type"));
  checked(H5Tset_size(type.get(), H5T_VARIABLE), file, "create a string type");
  checked(H5Tset_cset(type.get(), H5T_CSET_UTF8), file, "create a string type");
  h5::Handle space(checked(H5Screate(H5S_SCALAR), file, "create a dataspace"));
  h5::Handle attr(checked(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          file, "create an attribute"));
  const char* p = value.c_str();
  checked(H5Awrite(attr.get(), type.get(), &p), file, "write an attribute");
}

// A group whose links keep their creation order (diagnostics read back in column order).
h5::Handle group_create(hid_t parent, const char* name, const std::filesystem::path& file) {
  h5::Handle gcpl(checked(H5Pcreate(H5P_GROUP_CREATE), file, "create a property list"));
  checked(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          file, "set link creation order");
  return h5::Handle(checked(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), file,
                            "create a group"));
}

void dataset_write_fixed(hid_t parent, const char* name, const std::vector<double>& v,
                         const std::filesystem::path& file) {
  const hsize_t n = v.size();
  h5::Handle space(checked(H5Screate_simple(1, &n, nullptr), file, "create a dataspace"));
  h5::Handle d(checked(
      H5Dcreate2(parent, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      file, "create a dataset"));
  checked(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), file,
          "write a dataset");
}

// An empty float64 dataset of shape (0, tail...) extendible in its first dimension, one chunk
// per entry along it: (1, tail...) for fields, `chunk_1d` values for 1D series.
h5::Handle dataset_create_extendible(hid_t parent, const char* name,
                                     const std::vector<hsize_t>& tail, hsize_t chunk_1d,
                                     const std::filesystem::path& file) {
  const int rank = 1 + static_cast<int>(tail.size());
  std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{tail.empty() ? chunk_1d : 1};
  for (hsize_t t : tail) {
    dims.push_back(t);
    maxdims.push_back(t);
    chunk.push_back(t);
  }
  h5::Handle space(
      checked(H5Screate_simple(rank, dims.data(), maxdims.data()), file, "create a dataspace"));
  h5::Handle dcpl(checked(H5Pcreate(H5P_DATASET_CREATE), file, "create a property list"));
  checked(H5Pset_chunk(dcpl.get(), rank, chunk.data()), file, "set the chunk shape");
  return h5::Handle(checked(
      H5Dcreate2(parent, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      file, "create a dataset"));
}

// Grows `d` to k+1 entries along its first dimension and writes entry k from `values`.
void dataset_append(hid_t d, hsize_t k, const double* values, const std::vector<hsize_t>& tail,
                    const std::filesystem::path& file) {
  const int rank = 1 + static_cast<int>(tail.size());
  std::vector<hsize_t> dims{k + 1}, start{k}, count{1};
  for (hsize_t t : tail) {
    dims.push_back(t);
    start.push_back(0);
    count.push_back(t);
  }
  checked(H5Dset_extent(d, dims.data()), file, "extend a dataset");
  h5::Handle fspace(checked(H5Dget_space(d), file, "get a dataspace"));
  checked(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          file, "select a snapshot");
  h5::Handle mspace(
      checked(H5Screate_simple(rank, count.data(), nullptr), file, "create a dataspace"));
  checked(H5Dwrite(d, H5T_NATIVE_DOUBLE, mspace.get(), fspace.get(), H5P_DEFAULT, values), file,
          "write a snapshot");
}

}  // namespace

namespace h5 {

Handle open_read(const std::string& path, const std::string& what) {
  const std::string head = "cannot open " + what + " " + path + ": ";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(head + "no such file.");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(head + "it is a folder, not an HDF5 file.");
  ErrorSilencer quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(head + "it is not an HDF5 file.");
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.valid()) throw InputError(head + "HDF5 cannot read it.");
  return f;
}

bool link_exists(hid_t loc, const std::string& path) {
  // H5Lexists needs every intermediate group to exist: walk the path one link at a time.
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    const std::size_t next = path.find('/', pos + 1);
    partial = path.substr(0, next);
    if (H5Lexists(loc, partial.c_str(), H5P_DEFAULT) <= 0) return false;
    pos = next;
  }
  return true;
}

std::vector<hsize_t> dataset_dims(hid_t d) {
  h5::Handle space(H5Dget_space(d));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(std::max(rank, 0));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

}  // namespace h5

void Hdf5Writer::begin(const RunInfo& info) {
  const auto dir = output_dir_create(info.output_dir);
  h5_path_ = dir / "result.h5";
  xmf_path_ = dir / "result.xmf";
  grid_ = info.grid;
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

  // H5F_ACC_TRUNC: an older result.h5 is replaced as a whole, never merged. Default (earliest)
  // file format: a run killed mid-way leaves a file other programs still open without h5clear.
  file_ = h5::Handle(H5Fcreate(h5_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!file_.valid())
    throw InputError("cannot create the result file " + h5_path_.string() +
                     " (is the output folder writable and the file not open elsewhere?).");
  const hid_t f = file_.get();

  attr_write_string(f, "fplab_version", kVersion, h5_path_);
  attr_write_string(f, "git_sha", kGitSha, h5_path_);
  attr_write_string(f, "created", iso8601_utc_now(), h5_path_);
  attr_write_string(f, "command_line", info.command_line, h5_path_);
  attr_write_string(f, "case_yaml", info.spec ? info.spec->resolved_yaml : std::string(), h5_path_);
  attr_write_string(f, "sampling", std::string(sampling_name(info.sampling)), h5_path_);
  attr_write_string(f, "status", "running", h5_path_);

  {
    h5::Handle g = group_create(f, "grid", h5_path_);
    std::vector<double> xc(grid_.nx), yc(grid_.ny), xe(grid_.nx + 1), ye(grid_.ny + 1);
    for (int i = 0; i < grid_.nx; ++i) xc[i] = grid_.xc(i);
    for (int j = 0; j < grid_.ny; ++j) yc[j] = grid_.yc(j);
    for (int i = 0; i <= grid_.nx; ++i) xe[i] = grid_.x_edge(i);
    for (int j = 0; j <= grid_.ny; ++j) ye[j] = grid_.y_edge(j);
    xe.back() = grid_.x1;  // the last edge is the domain's end exactly, not x0 + nx·dx
    ye.back() = grid_.y1;
    dataset_write_fixed(g.get(), "x", xc, h5_path_);
    dataset_write_fixed(g.get(), "y", yc, h5_path_);
    dataset_write_fixed(g.get(), "x_edges", xe, h5_path_);
    dataset_write_fixed(g.get(), "y_edges", ye, h5_path_);
  }
  const std::vector<hsize_t> field_tail{static_cast<hsize_t>(grid_.ny),
                                        static_cast<hsize_t>(grid_.nx)};
  time_ = dataset_create_extendible(f, "time", {}, 64, h5_path_);
  {
    h5::Handle g = group_create(f, "fields", h5_path_);
    density_ = dataset_create_extendible(g.get(), "density", field_tail, 1, h5_path_);
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
  density_ = open("/fields/density");
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
  if (with_xdmf_) {
    std::vector<std::string> fields{"density"};
    fields.insert(fields.end(), field_names_.begin(), field_names_.end());
    xdmf_write(xmf_path_, h5_path_.filename().string(), grid_, times_, fields);
  }
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
    throw std::runtime_error(output_failure(h5_path_, g_failed_errno, times_.size()));
  }
  if (with_xdmf_) {
    std::vector<std::string> fields{"density"};
    fields.insert(fields.end(), field_names_.begin(), field_names_.end());
    xdmf_write(xmf_path_, h5_path_.filename().string(), grid_, times_, fields);
  }
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
    throw std::runtime_error(output_failure(h5_path_, g_failed_errno, times_.size()));
  }
  diags_.clear();
  time_.reset();
  density_.reset();
  fields_.clear();
  file_.reset();  // H5Fclose: the file is complete and closed before the summary is printed
}

}  // namespace fplab
