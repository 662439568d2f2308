// HDF5 output (docs/reference.md §6): result.h5 written with the HDF5 C API (serial), one flushed chunk per
// snapshot, and its XDMF sidecar rewritten after each snapshot.
#include "io/hdf5_writer.hpp"

#include <array>
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

ErrorSilencer::ErrorSilencer() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}
ErrorSilencer::~ErrorSilencer() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

}  // namespace h5

namespace {

// Output failures mid-run (disk full, file removed) are neither bad input nor numerics: exit 1.
hid_t checked(hid_t id, const std::filesystem::path& file, const char* what) {
  if (id < 0)
    throw std::runtime_error("HDF5 could not " + std::string(what) + " in " + file.string() + ".");
  return id;
}
void checked(herr_t status, const std::filesystem::path& file, const char* what) {
  if (status < 0)
    throw std::runtime_error("HDF5 could not " + std::string(what) + " in " + file.string() + ".");
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

  // A sidecar from an older run would describe snapshots the new file does not hold yet.
  std::error_code ec;
  std::filesystem::remove(xmf_path_, ec);

  h5::ErrorSilencer quiet;
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

void Hdf5Writer::write(const Snapshot& snap) {
  if (!file_.valid()) throw std::logic_error("Hdf5Writer::write called outside begin()/end().");
  if (snap.density.size() != grid_.size())
    throw std::logic_error("Hdf5Writer: snapshot density does not match the grid.");
  check_snapshot_fields(snap, field_names_, grid_, "Hdf5Writer");

  // Diagnostics by name; a column the row does not carry is stored as NaN, not shifted.
  for (std::size_t c = 0; c < diag_names_.size(); ++c) {
    diag_values_[c] = std::numeric_limits<double>::quiet_NaN();
    if (snap.diagnostics)
      for (const auto& [name, value] : *snap.diagnostics)
        if (name == diag_names_[c]) diag_values_[c] = value;
  }

  h5::ErrorSilencer quiet;
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
  checked(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), h5_path_, "flush the file");
  times_.push_back(snap.t);

  if (with_xdmf_) {
    std::vector<std::string> fields{"density"};
    fields.insert(fields.end(), field_names_.begin(), field_names_.end());
    xdmf_write(xmf_path_, h5_path_.filename().string(), grid_, times_, fields);
  }
}

void Hdf5Writer::end(const RunSummary& /*summary*/) {
  if (!file_.valid()) return;
  h5::ErrorSilencer quiet;
  attr_write_string(file_.get(), "status", "complete", h5_path_);
  diags_.clear();
  time_.reset();
  density_.reset();
  fields_.clear();
  file_.reset();  // H5Fclose: the file is complete and closed before the summary is printed
}

}  // namespace fplab
