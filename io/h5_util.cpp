// HDF5 helpers shared by fplab's writers and readers (io/h5_util.hpp): owning handles, quiet
// errors, checked writes whose failures are one sentence, extendible per-snapshot datasets,
// string attributes, and reading attributes back as text.
#include "io/h5_util.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "fplab/version.hpp"
#include "solver/errors.hpp"

namespace fplab::h5 {

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


namespace {
// The errno of the last failed HDF5 call (ENOSPC, EFBIG, ...), for the sentence the user reads.
int g_failed_errno = 0;
}  // namespace

int failed_errno() { return g_failed_errno; }

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
  Handle attr;
  if (H5Aexists(obj, name) > 0) {
    attr = Handle(checked(H5Aopen(obj, name, H5P_DEFAULT), file, "open an attribute"));
  } else {
    Handle space(checked(H5Screate(H5S_SCALAR), file, "create a dataspace"));
    attr = Handle(checked(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT,
                                         H5P_DEFAULT),
                              file, "create an attribute"));
  }
  checked(H5Awrite(attr.get(), mem_type, value), file, "write an attribute");
}

// A fixed-shape float64 dataset (created when absent, else overwritten in place).
void dataset_overwrite(hid_t parent, const char* name, const std::vector<hsize_t>& dims,
                       const double* values, const std::filesystem::path& file) {
  Handle d;
  if (H5Lexists(parent, name, H5P_DEFAULT) > 0) {
    d = Handle(checked(H5Dopen2(parent, name, H5P_DEFAULT), file, "open a dataset"));
  } else {
    Handle space(checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                             file, "create a dataspace"));
    d = Handle(checked(H5Dcreate2(parent, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                           file, "create a dataset"));
  }
  checked(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), file,
          "write a dataset");
}

// Cuts an extendible dataset to n entries along its first dimension.
void dataset_truncate(hid_t d, hsize_t n, const std::filesystem::path& file) {
  std::vector<hsize_t> dims = dataset_dims(d);
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

// Scalar variable-length UTF-8 string attribute: what h5py reads back as `str`. An existing
// attribute of that name is replaced.
void attr_write_string(hid_t obj, const char* name, const std::string& value,
                       const std::filesystem::path& file) {
  if (H5Aexists(obj, name) > 0) checked(H5Adelete(obj, name), file, "replace an attribute");
  Handle type(checked(H5Tcopy(H5T_C_S1), file, "create a string type"));
  checked(H5Tset_size(type.get(), H5T_VARIABLE), file, "create a string type");
  checked(H5Tset_cset(type.get(), H5T_CSET_UTF8), file, "create a string type");
  Handle space(checked(H5Screate(H5S_SCALAR), file, "create a dataspace"));
  Handle attr(checked(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          file, "create an attribute"));
  const char* p = value.c_str();
  checked(H5Awrite(attr.get(), type.get(), &p), file, "write an attribute");
}

// A group whose links keep their creation order (diagnostics read back in column order).
Handle group_create(hid_t parent, const char* name, const std::filesystem::path& file) {
  Handle gcpl(checked(H5Pcreate(H5P_GROUP_CREATE), file, "create a property list"));
  checked(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          file, "set link creation order");
  return Handle(checked(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), file,
                            "create a group"));
}

void dataset_write_fixed(hid_t parent, const char* name, const std::vector<double>& v,
                         const std::filesystem::path& file) {
  const hsize_t n = v.size();
  Handle space(checked(H5Screate_simple(1, &n, nullptr), file, "create a dataspace"));
  Handle d(checked(
      H5Dcreate2(parent, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      file, "create a dataset"));
  checked(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), file,
          "write a dataset");
}

Handle dataset_create_extendible(hid_t parent, const char* name,
                                 const std::vector<hsize_t>& tail, hsize_t chunk_1d,
                                 const std::filesystem::path& file, hid_t file_type) {
  const int rank = 1 + static_cast<int>(tail.size());
  std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{tail.empty() ? chunk_1d : 1};
  for (hsize_t t : tail) {
    dims.push_back(t);
    // A chunk cannot be empty: an empty dimension (no particles stored) is made extendible.
    maxdims.push_back(t > 0 ? t : H5S_UNLIMITED);
    chunk.push_back(std::max<hsize_t>(t, 1));
  }
  Handle space(
      checked(H5Screate_simple(rank, dims.data(), maxdims.data()), file, "create a dataspace"));
  Handle dcpl(checked(H5Pcreate(H5P_DATASET_CREATE), file, "create a property list"));
  checked(H5Pset_chunk(dcpl.get(), rank, chunk.data()), file, "set the chunk shape");
  return Handle(checked(
      H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      file, "create a dataset"));
}

void dataset_append(hid_t d, hsize_t k, const void* values, const std::vector<hsize_t>& tail,
                    const std::filesystem::path& file, hid_t mem_type) {
  const int rank = 1 + static_cast<int>(tail.size());
  std::vector<hsize_t> dims{k + 1}, start{k}, count{1};
  for (hsize_t t : tail) {
    dims.push_back(t);
    start.push_back(0);
    count.push_back(t);
  }
  checked(H5Dset_extent(d, dims.data()), file, "extend a dataset");
  Handle fspace(checked(H5Dget_space(d), file, "get a dataspace"));
  checked(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          file, "select a snapshot");
  Handle mspace(
      checked(H5Screate_simple(rank, count.data(), nullptr), file, "create a dataspace"));
  checked(H5Dwrite(d, mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, values), file,
          "write a snapshot");
}

namespace {

void provenance_write(hid_t f, const std::string& command_line, const std::string& case_yaml,
                      const std::filesystem::path& file) {
  attr_write_string(f, "fplab_version", kVersion, file);
  attr_write_string(f, "git_sha", kGitSha, file);
  attr_write_string(f, "created", iso8601_utc_now(), file);
  attr_write_string(f, "command_line", command_line, file);
  attr_write_string(f, "case_yaml", case_yaml, file);
}

}  // namespace

Handle file_create(const std::filesystem::path& file, const std::string& what,
                   const std::string& command_line, const std::string& case_yaml) {
  // H5F_ACC_TRUNC: replaced, never merged. Default (earliest) file format: a run killed mid-way
  // leaves a file other programs still open without h5clear.
  Handle f(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!f.valid())
    throw InputError("cannot create the " + what + " " + file.string() +
                     " (is the output folder writable and the file not open elsewhere?).");
  provenance_write(f.get(), command_line, case_yaml, file);
  attr_write_string(f.get(), "status", "running", file);
  return f;
}


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
  Handle space(H5Dget_space(d));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(std::max(rank, 0));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}


std::string attr_read_text(hid_t attr) {
  Handle type(H5Aget_type(attr));
  const H5T_class_t cls = H5Tget_class(type.get());
  Handle space(H5Aget_space(attr));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return "";
  if (cls == H5T_STRING) {
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem(H5Tcopy(H5T_C_S1));
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      char* p = nullptr;
      if (H5Aread(attr, mem.get(), &p) < 0 || p == nullptr) return "";
      std::string s(p);
      H5free_memory(p);
      return s;
    }
    const std::size_t n = H5Tget_size(type.get());
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), n + 1);
    H5Tset_strpad(mem.get(), H5T_STR_NULLTERM);
    std::string s(n + 1, '\0');
    if (H5Aread(attr, mem.get(), s.data()) < 0) return "";
    s.resize(s.find('\0') == std::string::npos ? s.size() : s.find('\0'));
    return s;
  }
  if (cls == H5T_INTEGER) {
    long long v = 0;
    if (H5Aread(attr, H5T_NATIVE_LLONG, &v) < 0) return "";
    return std::to_string(v);
  }
  if (cls == H5T_FLOAT) {
    double v = 0;
    if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0) return "";
    return fmt::format("{:.17g}", v);
  }
  return "";
}
std::map<std::string, std::string> root_attributes(hid_t f) {
  std::map<std::string, std::string> out;
  const auto collect = [](hid_t loc, const char* name, const H5A_info_t*, void* op) -> herr_t {
    Handle a(H5Aopen(loc, name, H5P_DEFAULT));
    if (a.valid())
      (*static_cast<std::map<std::string, std::string>*>(op))[name] = attr_read_text(a.get());
    return 0;
  };
  hsize_t idx = 0;
  H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &out);
  return out;
}

std::string attr_text(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return "";
  Handle a(H5Aopen(obj, name, H5P_DEFAULT));
  return a.valid() ? attr_read_text(a.get()) : "";
}

}  // namespace fplab::h5
