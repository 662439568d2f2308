// libFuzzer target: the result reader (`fplab info`, `render`, scores tabulated from a run). The
// input does not become the file's bytes: it drives the HDF5 API to write a well-formed HDF5
// file of arbitrary fplab-like content — groups and datasets present or missing, of any rank,
// shape, type and value (NaN, ±inf, non-monotone edges), attributes of any type and text (a
// stored case that is not YAML) — so that the fuzzer searches fplab's reader, not HDF5's own
// parser of raw bytes (which is HDF5's to harden). Every file must open as a result or give an
// InputError; anything else is a finding.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/result_file.hpp"
#include "solver/errors.hpp"

namespace {

const char* const kDatasets[] = {"/grid/x_edges", "/grid/y_edges", "/time",
                                 "/fields/density", "/fields/exact", "/fields/score_x",
                                 "/diagnostics/mass", "/diagnostics/rel_entropy",
                                 "/diagnostics/l1_to_eq", "/diagnostics/fisher_rel"};
const char* const kAttributes[] = {"case_yaml", "fplab_version", "git_sha", "status",
                                   "command_line", "sampling", "created"};

double value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return in.ConsumeFloatingPoint<double>();  // anything, NaN and ±inf included
    case 1: return in.ConsumeIntegralInRange<int>(-8, 8);
    default: return in.ConsumeFloatingPointInRange<double>(-6.0, 6.0);
  }
}

// One dataset of rank 1..3, each extent 0..9 (small: the fuzzer looks for logic, not size), as
// doubles, or as 32-bit integers (a wrong type).
void write_dataset(hid_t file, const std::string& path, FuzzedDataProvider& in) {
  const int rank = in.ConsumeIntegralInRange<int>(1, 3);
  hsize_t dims[3] = {1, 1, 1};
  std::size_t n = 1;
  for (int r = 0; r < rank; ++r) n *= (dims[r] = in.ConsumeIntegralInRange<hsize_t>(0, 9));
  std::vector<double> v(n);
  const bool monotone = in.ConsumeBool();
  for (std::size_t k = 0; k < n; ++k) v[k] = monotone ? -6.0 + 0.5 * double(k) : value(in);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t space = H5Screate_simple(rank, dims, nullptr);
  const bool as_int = in.ConsumeIntegralInRange<int>(0, 9) == 0;
  hid_t d = H5Dcreate2(file, path.c_str(), as_int ? H5T_STD_I32LE : H5T_IEEE_F64LE, space, lcpl,
                       H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0 && n > 0) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  if (d >= 0) H5Dclose(d);
  H5Sclose(space);
  H5Pclose(lcpl);
}

// A root attribute: a variable-length string of any text, or a number.
void write_attribute(hid_t file, const char* name, FuzzedDataProvider& in) {
  hid_t space = H5Screate(H5S_SCALAR);
  if (in.ConsumeBool()) {
    const std::string text = in.ConsumeRandomLengthString(512);
    const char* p = text.c_str();
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    hid_t a = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, type, &p), H5Aclose(a);
    H5Tclose(type);
  } else {
    const double x = value(in);
    hid_t a = H5Acreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, H5T_NATIVE_DOUBLE, &x), H5Aclose(a);
  }
  H5Sclose(space);
}

std::string write_file(FuzzedDataProvider& in) {
  static const std::string path = "/tmp/fplab_fuzz_result_" + std::to_string(getpid()) + ".h5";
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  for (const char* name : kDatasets)
    if (in.ConsumeIntegralInRange<int>(0, 4) > 0) write_dataset(file, name, in);
  for (const char* name : kAttributes)
    if (in.ConsumeBool()) write_attribute(file, name, in);
  H5Fclose(file);
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // the writer's own errors are not findings
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string path = write_file(in);
  try {
    const fplab::ResultFile r = fplab::open_result(path);
    (void)fplab::describe_result(r);
    (void)fplab::case_identity(r);
    (void)fplab::result_decay_theories(r);
    if (!r.times.empty()) {
      (void)r.read_density(0);
      (void)r.read_density(static_cast<int>(r.times.size()) - 1);
    }
  } catch (const fplab::InputError&) {
    // the expected answer to a file that is not a readable result
  }
  return 0;
}
