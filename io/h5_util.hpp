// HDF5 helpers shared by fplab's writers and readers (the HDF5 C API, serial): owning handles,
// quiet errors, write calls whose failures become one sentence naming the file (exit 1), datasets
// that grow by one chunk per snapshot, string attributes as h5py reads them, and attributes read
// back as text.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fplab::h5 {

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

// ---- writing: each call throws std::runtime_error("HDF5 could not <what> in <file>.") on
// failure, after recording errno for failed_errno() (writers turn it into output_failure's
// sentence and abandon their handles).
hid_t checked(hid_t id, const std::filesystem::path& file, const char* what);
void checked(herr_t status, const std::filesystem::path& file, const char* what);
// The errno of the last failed checked() call (ENOSPC, EFBIG, ...).
int failed_errno();

// errno for a write of `bytes` more into `file` that cannot succeed (ENOSPC: the file system is
// full; EFBIG: the process's file size limit), or 0. Checked before a snapshot, so that HDF5
// never half-writes one: its metadata would then point past the end of the file.
int room_missing(const std::filesystem::path& file, std::uintmax_t bytes);

// A scalar attribute of `file_type` (created when absent, else overwritten in place).
void attr_write_scalar(hid_t obj, const char* name, hid_t file_type, hid_t mem_type,
                       const void* value, const std::filesystem::path& file);
// Scalar variable-length UTF-8 string attribute: what h5py reads back as `str`. An existing
// attribute of that name is replaced.
void attr_write_string(hid_t obj, const char* name, const std::string& value,
                       const std::filesystem::path& file);
// A new fplab file at `file` (an older one is replaced as a whole, never merged) with the root
// attributes every fplab file starts with: fplab_version, git_sha, created (ISO 8601 UTC),
// command_line, case_yaml and status "running". InputError "cannot create the <what> ..." when
// the folder is not writable or the file is open elsewhere.
Handle file_create(const std::filesystem::path& file, const std::string& what,
                   const std::string& command_line, const std::string& case_yaml);
std::string iso8601_utc_now();

// A group whose links keep their creation order (diagnostics read back in column order).
Handle group_create(hid_t parent, const char* name, const std::filesystem::path& file);
// A fixed 1D float64 dataset holding v.
void dataset_write_fixed(hid_t parent, const char* name, const std::vector<double>& v,
                         const std::filesystem::path& file);
// A fixed-shape float64 dataset (created when absent, else overwritten in place).
void dataset_overwrite(hid_t parent, const char* name, const std::vector<hsize_t>& dims,
                       const double* values, const std::filesystem::path& file);
// An empty dataset of shape (0, tail...) extendible in its first dimension, one chunk per entry
// along it: (1, tail...) for fields, `chunk_1d` values for 1D series.
Handle dataset_create_extendible(hid_t parent, const char* name, const std::vector<hsize_t>& tail,
                                 hsize_t chunk_1d, const std::filesystem::path& file,
                                 hid_t file_type = H5T_IEEE_F64LE);
// Grows `d` to k+1 entries along its first dimension and writes entry k from `values`.
void dataset_append(hid_t d, hsize_t k, const void* values, const std::vector<hsize_t>& tail,
                    const std::filesystem::path& file, hid_t mem_type = H5T_NATIVE_DOUBLE);
// Cuts an extendible dataset to n entries along its first dimension.
void dataset_truncate(hid_t d, hsize_t n, const std::filesystem::path& file);

// ---- reading
// An attribute as text: variable- or fixed-length strings as they are, numbers formatted.
std::string attr_read_text(hid_t attr);
// Every attribute of `obj` as text, by name.
std::map<std::string, std::string> root_attributes(hid_t obj);
// One attribute of `obj` as text; "" when absent.
std::string attr_text(hid_t obj, const char* name);

}  // namespace fplab::h5
