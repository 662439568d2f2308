// What reverse runs read from files (io/problem_inputs): a user's score file in the docs/reference.md §4
// layout, a forward run's result.h5 (stored scores or density snapshots), and a from_run state.
// Every bad input is an InputError (exit 2) whose one sentence names the key and the dataset.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/hdf5_writer.hpp"
#include "io/problem_inputs.hpp"
#include "io/writers.hpp"
#include "solver/errors.hpp"
#include "solver/simulation.hpp"
#include "tests/write_run.hpp"

namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fplab_inputs_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_dataset(hid_t f, const std::string& name, const std::vector<hsize_t>& dims,
                   const std::vector<double>& v) {
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t d = H5Dcreate2(f, name.c_str(), H5T_IEEE_F64LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Sclose(space);
  H5Pclose(lcpl);
}

// A score file: nodes x ∈ [−6, 6] (nx), y ∈ [−6, 6] (ny), times, s = −x (OU equilibrium).
struct ScoreFile {
  int nx = 13, ny = 13;
  std::vector<double> times{0.0, 1.0, 2.0};
  double x_lo = -6.0;
  bool skip_sy = false, bad_shape = false, uneven_x = false;
};

void write_score_file(const fs::path& path, const ScoreFile& s) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<double> x(s.nx), y(s.ny);
  for (int i = 0; i < s.nx; ++i) x[i] = s.x_lo + (6.0 - s.x_lo) * i / (s.nx - 1);
  for (int j = 0; j < s.ny; ++j) y[j] = -6.0 + 12.0 * j / (s.ny - 1);
  if (s.uneven_x) x[3] += 0.1;
  write_dataset(f, "/grid/x", {hsize_t(s.nx)}, x);
  write_dataset(f, "/grid/y", {hsize_t(s.ny)}, y);
  write_dataset(f, "/time", {s.times.size()}, s.times);
  std::vector<double> sx, sy;
  for (std::size_t k = 0; k < s.times.size(); ++k)
    for (int j = 0; j < s.ny; ++j)
      for (int i = 0; i < s.nx; ++i) {
        sx.push_back(-x[i]);
        sy.push_back(-y[j]);
      }
  const hsize_t nt = s.times.size();
  write_dataset(f, "/fields/score_x", {nt, hsize_t(s.ny), hsize_t(s.nx)}, sx);
  if (!s.skip_sy) {
    if (s.bad_shape)
      write_dataset(f, "/fields/score_y", {nt, hsize_t(s.nx), hsize_t(s.ny - 1)},
                    std::vector<double>(nt * s.nx * (s.ny - 1)));
    else
      write_dataset(f, "/fields/score_y", {nt, hsize_t(s.ny), hsize_t(s.nx)}, sy);
  }
  H5Fclose(f);
}

fplab::CaseSpec reverse_case(const std::string& type, const std::string& path) {
  fplab::CaseSpec c;
  c.source_path = "rev.yaml";
  c.nx = c.ny = 16;
  c.equation.type = "reverse_fokker_planck";
  c.equation.T = 2.0;
  c.equation.score.type = type;
  c.equation.score.path = path;
  c.time.t_end = 2.0;
  return c;
}

std::string error_of(const fplab::CaseSpec& c) {
  try {
    (void)fplab::load_problem_inputs(c);
  } catch (const fplab::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// A small forward OU run written to dir/result.h5.
void forward_run(const fs::path& dir, int n, double t_end, double every, bool store_score) {
  fplab::CaseSpec c;
  c.nx = c.ny = n;
  c.initial.means = {fplab::Vec2(1.0, -0.5)};
  c.initial.covs = {0.5 * fplab::Mat2::Identity()};
  c.time.t_end = t_end;
  c.time.output_every = every;
  c.output.dir = dir.string();
  c.output.formats = {"hdf5"};
  c.output.store_score = store_score;
  c.resolved_yaml = "name: test\n";
  fplab_test::run_with_writers(c);
}

}  // namespace

TEST_CASE("hdf5 score file: read in the documented layout, interpolated, checked against the case") {
  const fs::path dir = scratch("hdf5_good");
  write_score_file(dir / "score.h5", {});
  const auto in = fplab::load_problem_inputs(reverse_case("hdf5", (dir / "score.h5").string()));
  REQUIRE(in.score);
  std::vector<double> xs{-5.9, 0.25, 3.3}, ys{1.0, -2.0, 5.9}, sx(3), sy(3);
  in.score->eval(xs, ys, 0.7, sx, sy);
  for (int k = 0; k < 3; ++k) {
    CHECK(sx[k] == doctest::Approx(-xs[k]).epsilon(1e-12));  // affine: bilinear is exact
    CHECK(sy[k] == doctest::Approx(-ys[k]).epsilon(1e-12));
  }
  CHECK(in.target.empty());  // a score file says nothing about the data
}

TEST_CASE("hdf5 score file errors name the key and the dataset (exit 2)") {
  const fs::path dir = scratch("hdf5_bad");
  struct Bad {
    const char* what;
    ScoreFile file;
    std::vector<std::string> says;
  };
  ScoreFile no_sy, shape, uneven, narrow, short_t;
  no_sy.skip_sy = true;
  shape.bad_shape = true;
  uneven.uneven_x = true;
  narrow.x_lo = -4.0;
  short_t.times = {0.0, 1.0};
  const Bad table[] = {
      {"missing dataset", no_sy, {"equation.score.path", "has no /fields/score_y dataset"}},
      {"wrong shape", shape, {"/fields/score_y has shape (3, 13, 12), expected (nt, ny, nx)"}},
      {"uneven grid", uneven, {"/grid/x must be uniformly spaced"}},
      {"grid too small", narrow, {"/grid/x spans [-4, 6], which does not cover the domain"}},
      {"times too short", short_t, {"/time covers [0, 1], which does not include [0, equation.T]"}},
  };
  for (const auto& b : table) {
    CAPTURE(b.what);
    const fs::path p = dir / (std::string(b.what) + ".h5");
    write_score_file(p, b.file);
    const std::string msg = error_of(reverse_case("hdf5", p.string()));
    CAPTURE(msg);
    CHECK(msg.find("rev.yaml: equation.score.path: ") == 0);
    CHECK(msg.find('\n') == std::string::npos);
    for (const auto& s : b.says) CHECK(msg.find(s) != std::string::npos);
  }
  CHECK(error_of(reverse_case("hdf5", (dir / "none.h5").string())).find("cannot open score file " + (dir / "none.h5").string() + ": no such file.") !=
        std::string::npos);
  std::ofstream(dir / "text.h5") << "not HDF5\n";
  CHECK(error_of(reverse_case("hdf5", (dir / "text.h5").string())).find("cannot open score file " + (dir / "text.h5").string() + ": it is not an HDF5 file.") !=
        std::string::npos);
}

TEST_CASE("tabulated score from a forward run: stored score or density snapshots, target, from_run") {
  const fs::path dir = scratch("tabulated");
  forward_run(dir / "plain", 16, 2.0, 0.5, false);
  forward_run(dir / "stored", 16, 2.0, 0.5, true);
  const auto plain = fplab::load_problem_inputs(
      reverse_case("tabulated", (dir / "plain" / "result.h5").string()));
  const auto stored = fplab::load_problem_inputs(
      reverse_case("tabulated", (dir / "stored" / "result.h5").string()));
  REQUIRE(plain.score);
  REQUIRE(stored.score);
  // Both are ∇ log p of the same snapshots, one computed when written, one when read.
  std::vector<double> xs{-1.0, 0.4, 2.2}, ys{0.5, -0.3, 1.0}, a(3), b(3), c(3), d(3);
  plain.score->eval(xs, ys, 1.3, a, b);
  stored.score->eval(xs, ys, 1.3, c, d);
  for (int k = 0; k < 3; ++k) {
    CHECK(a[k] == doctest::Approx(c[k]).epsilon(1e-12));
    CHECK(b[k] == doctest::Approx(d[k]).epsilon(1e-12));
  }
  // The data a reverse run aims at is the forward run's first snapshot.
  REQUIRE(plain.target.size() == 16u * 16u);
  double mass = 0.0;
  for (double v : plain.target) mass += v * (12.0 / 16) * (12.0 / 16);
  CHECK(mass == doctest::Approx(1.0).epsilon(1e-10));

  // from_run: the last snapshot, on the same grid only.
  auto c16 = reverse_case("tabulated", (dir / "plain" / "result.h5").string());
  c16.initial.type = "from_run";
  c16.initial.path = (dir / "plain" / "result.h5").string();
  CHECK(fplab::load_problem_inputs(c16).initial.size() == 16u * 16u);
  c16.nx = c16.ny = 32;
  const std::string grid_msg = error_of(c16);
  CAPTURE(grid_msg);
  CHECK(grid_msg.find("rev.yaml: initial.path: ") == 0);
  CHECK(grid_msg.find("holds a 16 × 16 grid") != std::string::npos);

  // A forward run that does not reach T, or holds one snapshot, cannot drive the reverse run.
  forward_run(dir / "short", 16, 1.0, 0.5, false);
  CHECK(error_of(reverse_case("tabulated", (dir / "short" / "result.h5").string()))
            .find("/time covers [0, 1]") != std::string::npos);
  forward_run(dir / "two", 16, 2.0, 2.0, false);
  // Two snapshots (0 and 2): enough to interpolate (linearly).
  CHECK(error_of(reverse_case("tabulated", (dir / "two" / "result.h5").string())) == "(no error)");
  {  // A run stopped after its first snapshot: one snapshot cannot be interpolated in time.
    fplab::CaseSpec c;
    c.nx = c.ny = 16;
    c.resolved_yaml = "name: stopped\n";
    fplab::RunInfo info;
    info.spec = &c;
    info.grid = fplab::Grid2D{16, 16, -6, 6, -6, 6};
    info.output_dir = (dir / "stopped").string();
    info.diagnostic_names = {"mass"};
    std::vector<double> p(256, 1.0 / 144.0);
    const fplab::DiagnosticRow row{{"mass", 1.0}};
    fplab::Snapshot snap;
    snap.density = p;
    snap.diagnostics = &row;
    fplab::Hdf5Writer w(false);
    w.begin(info);
    w.write(snap);
  }
  CHECK(error_of(reverse_case("tabulated", (dir / "stopped" / "result.h5").string()))
            .find("/time holds 1 snapshot(s), a tabulated score needs at least 2") !=
        std::string::npos);
  CHECK(error_of(reverse_case("tabulated", (dir / "nothing.h5").string()))
            .find("equation.score.path: cannot open result file") != std::string::npos);
  auto no_run = reverse_case("exact", "");
  no_run.initial.type = "from_run";
  no_run.initial.path = (dir / "nothing.h5").string();
  CHECK(error_of(no_run).find("rev.yaml: initial.path: cannot open result file") == 0);
}
