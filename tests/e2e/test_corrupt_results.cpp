// Corrupt or foreign result files given to the commands that read them (`info`, `render`, and a
// case whose initial state or tabulated score comes from a run): exit 2 with one sentence naming
// the file and, where one is missing or malformed, the dataset.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

using namespace fplab_e2e;

namespace {

struct Corruption {
  std::string name;     // file name of the corrupt copy
  std::string dataset;  // the dataset the message must name ("" when the file as a whole is bad)
};

void copy_prefix(const fs::path& from, const fs::path& to, std::uintmax_t bytes) {
  std::ifstream in(from, std::ios::binary);
  std::vector<char> buf(bytes);
  in.read(buf.data(), static_cast<std::streamsize>(bytes));
  std::ofstream(to, std::ios::binary).write(buf.data(), in.gcount());
}

// A copy of `good` with `edit` applied through the HDF5 C API.
template <class Edit>
void copy_edited(const fs::path& good, const fs::path& to, Edit edit) {
  fs::copy_file(good, to, fs::copy_options::overwrite_existing);
  const hid_t f = H5Fopen(to.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  edit(f);
  H5Fclose(f);
}

// Replaces dataset `name` by a 2D array of 3 x 5 doubles: a shape no fplab grid gives it.
void reshape(hid_t f, const char* name) {
  REQUIRE(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
  const hsize_t dims[2] = {3, 5};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t d = H5Dcreate2(f, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
  const std::vector<double> zeros(15, 0.0);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
  H5Dclose(d);
  H5Sclose(space);
}

// The corrupt variants of a good 16 x 16 result, written into dir.
std::vector<Corruption> make_corruptions(const fs::path& good, const fs::path& dir) {
  std::ofstream(dir / "empty.h5").close();
  std::ofstream(dir / "text.h5") << "name: not a result file\n";
  copy_prefix(good, dir / "truncated.h5", fs::file_size(good) / 2);
  copy_prefix(good, dir / "header_only.h5", 512);
  copy_edited(good, dir / "no_density.h5",
              [](hid_t f) { REQUIRE(H5Ldelete(f, "/fields/density", H5P_DEFAULT) >= 0); });
  copy_edited(good, dir / "no_time.h5",
              [](hid_t f) { REQUIRE(H5Ldelete(f, "/time", H5P_DEFAULT) >= 0); });
  copy_edited(good, dir / "no_edges.h5",
              [](hid_t f) { REQUIRE(H5Ldelete(f, "/grid/x_edges", H5P_DEFAULT) >= 0); });
  copy_edited(good, dir / "density_shape.h5", [](hid_t f) { reshape(f, "/fields/density"); });
  copy_edited(good, dir / "time_shape.h5", [](hid_t f) { reshape(f, "/time"); });
  return {{"empty.h5", ""},
          {"text.h5", ""},
          {"truncated.h5", ""},
          {"header_only.h5", ""},
          {"no_density.h5", "density"},
          {"no_time.h5", "time"},
          {"no_edges.h5", "x_edges"},
          {"density_shape.h5", "density"},
          {"time_shape.h5", "time"}};
}

// The reader's sentence: exit 2, one line, naming the file and the dataset, no library wording.
void check_refusal(const CommandResult& r, const Corruption& c) {
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(c.name) != std::string::npos);
  if (!c.dataset.empty()) CHECK(r.err.find(c.dataset) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  for (const char* leak : {"HDF5-DIAG", "H5F", "terminate", "exception", "Segmentation"})
    CHECK(r.err.find(leak) == std::string::npos);
}

// A case on the good result's grid whose initial state is `from`; with a `score` file, a reverse
// case whose tabulated score is that file.
fs::path case_reading(const fs::path& dir, const std::string& stem, const fs::path& from,
                      const fs::path& score = {}) {
  const bool reverse = !score.empty();
  const fs::path path = dir / (stem + ".yaml");
  std::ofstream out(path);
  out << "name: " << stem << "\n"
      << "domain: {x: [-6, 6], y: [-6, 6]}\ngrid: {nx: 16, ny: 16}\nboundary: zero_flux\n";
  const std::string pad = reverse ? "    " : "  ";
  const std::string ou = pad + "drift: {type: linear, C: [[1, 0], [0, 1]]}\n" + pad +
                         "diffusion: {D: [[1, 0], [0, 1]]}\n";
  if (reverse)
    out << "equation:\n  type: reverse_fokker_planck\n  forward:\n" << ou
        << "  T: 0.2\n  lambda: 1.0\n  score: {type: tabulated, path: " << score.string() << "}\n";
  else
    out << "equation:\n  type: fokker_planck\n" << ou;
  out << "initial: {type: from_run, path: " << from.string() << "}\n"
      << "solver: {method: finite_volume, scheme: muscl, integrator: ssprk3, dt: auto, cfl: 0.4}\n"
      << "time: {t_end: 0.2, output_every: 0.1}\n"
      << "output: {dir: " << (dir / ("out_" + stem)).string() << ", formats: [hdf5]}\n";
  return path;
}

}  // namespace

TEST_CASE("corrupt result files: info, render and from_run exit 2 naming the file and dataset") {
  const fs::path dir = scratch("corrupt_results");
  fs::create_directories(dir / "good");
  REQUIRE_MESSAGE(small_ou_result(dir / "good").exit_code == 0, "the good result");
  const fs::path good = dir / "good" / "result.h5";
  // The good file passes all three readers: the refusals below are the corruption's doing.
  REQUIRE(run_fplab("info " + good.string(), dir).exit_code == 0);
  REQUIRE(run_fplab("run " + case_reading(dir, "good_fwd", good).string() + " -q", dir)
              .exit_code == 0);
  REQUIRE(run_fplab("run " + case_reading(dir, "good_rev", good, good).string() + " -q", dir)
              .exit_code == 0);

  for (const auto& c : make_corruptions(good, dir)) {
    const fs::path bad = dir / c.name;
    const std::string stem = fs::path(c.name).stem().string();
    CAPTURE(c.name);
    check_refusal(run_fplab("info " + bad.string(), dir), c);
    check_refusal(run_fplab("render " + bad.string() + " -q -o " + (dir / "png").string(), dir), c);
    const auto fwd = run_fplab("run " + case_reading(dir, stem, bad).string() + " -q", dir);
    check_refusal(fwd, c);
    CHECK(fwd.err.find("initial.path") != std::string::npos);
    const auto rev =
        run_fplab("run " + case_reading(dir, stem + "_rev", good, bad).string() + " -q", dir);
    check_refusal(rev, c);
    CHECK(rev.err.find("equation.score.path") != std::string::npos);
  }
}
