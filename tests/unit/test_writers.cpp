// Output writers and the result reader (docs/reference.md §6): drives the sinks with an analytic field on a
// small non-square grid and reads every file back with HDF5, VTK, CSV and JSON parsers.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vtkCellData.h>
#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkXMLDataElement.h>
#include <vtkXMLImageDataReader.h>
#include <vtkXMLUtilities.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fplab/version.hpp"
#include "io/hdf5_writer.hpp"
#include "io/history_writer.hpp"
#include "io/result_file.hpp"
#include "io/summary_writer.hpp"
#include "io/vtk_writer.hpp"
#include "io/writers.hpp"
#include "io/xdmf_writer.hpp"
#include "solver/errors.hpp"
#include "tests/one_sentence.hpp"
#include "tests/scratch_dir.hpp"

namespace fs = std::filesystem;

namespace {


// 12 × 8 cells (nx ≠ ny) with dx = 0.5 ≠ dy = 0.6, offset from the origin so that swapped axes,
// transposed storage or a lost origin all show up.
fplab::Grid2D test_grid() {
  fplab::Grid2D g;
  g.nx = 12;
  g.ny = 8;
  g.x0 = -3.0;
  g.x1 = 3.0;
  g.y0 = -2.0;
  g.y1 = 2.8;
  return g;
}

// Known analytic fields: an "exact" solution and a density that differs from it by x·y/1000.
double exact_at(double x, double y, double t) {
  return std::exp(-t) * (1.0 + 0.5 * std::sin(x) * std::cos(y)) + 0.1 * x;
}
double density_at(double x, double y, double t) { return exact_at(x, y, t) + 1e-3 * x * y; }

struct Series {
  fplab::Grid2D g = test_grid();
  fplab::CaseSpec spec;
  std::vector<double> times{0.0, 0.1, 0.30000000000000004};  // a time that needs 17 digits
  std::vector<std::vector<double>> density, exact;
  std::vector<fplab::DiagnosticRow> rows;
  std::vector<std::string> names{"mass", "mean_x", "rel_entropy"};

  Series() {
    spec.name = "writer_test";
    spec.equation.type = "fokker_planck";
    spec.solver.method = "finite_volume";
    spec.solver.scheme = "chang_cooper";
    spec.solver.integrator = "ssprk3";
    spec.nx = g.nx;
    spec.ny = g.ny;
    spec.resolved_yaml =
        "name: writer_test\ndomain: {x: [-3, 3], y: [-2, 2.8]}\ngrid: {nx: 12, ny: 8}\n"
        "boundary: zero_flux\nequation:\n  type: fokker_planck\nsolver:\n  method: "
        "finite_volume\n  scheme: chang_cooper\n  integrator: ssprk3\n";
    for (double t : times) {
      std::vector<double> p(g.size()), e(g.size());
      double mass = 0, mx = 0;
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          p[g.index(i, j)] = density_at(g.xc(i), g.yc(j), t);
          e[g.index(i, j)] = exact_at(g.xc(i), g.yc(j), t);
          mass += p[g.index(i, j)] * g.cell_area();
          mx += g.xc(i) * p[g.index(i, j)] * g.cell_area();
        }
      density.push_back(std::move(p));
      exact.push_back(std::move(e));
      rows.push_back(
          {{"mass", mass}, {"mean_x", mx / mass}, {"rel_entropy", 0.5 * std::exp(-2 * t)}});
    }
  }

  fplab::RunInfo info(const fs::path& dir, bool has_exact = true) const {
    fplab::RunInfo ri;
    ri.spec = &spec;
    ri.grid = g;
    ri.command_line = "fplab run writer_test.yaml --set grid.nx=12";
    ri.output_dir = dir.string();
    ri.diagnostic_names = names;
    if (has_exact) ri.field_names = {"exact"};
    return ri;
  }
  fplab::Snapshot snap(int k, bool has_exact = true) const {
    fplab::Snapshot s;
    s.index = k;
    s.t = times[k];
    s.step = static_cast<std::size_t>(10 * k);
    s.density = density[k];
    if (has_exact) s.fields = {{"exact", exact[k]}};
    s.diagnostics = &rows[k];
    return s;
  }
  fplab::RunSummary summary() const {
    fplab::RunSummary r;
    r.steps = 20;
    r.t_end = times.back();
    r.wall_seconds = 0.25;
    r.cell_updates_per_second = 20.0 * g.size() / 0.25;
    r.final_row = rows.back();
    return r;
  }
  // Runs one sink through `n` snapshots, then end() when `finish`.
  void run(fplab::OutputSink& sink, const fs::path& dir, int n, bool finish = true,
           bool has_exact = true) const {
    sink.begin(info(dir, has_exact));
    for (int k = 0; k < n; ++k) sink.write(snap(k, has_exact));
    if (finish) sink.end(summary());
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Raw HDF5 helpers for the layout checks: deliberately independent of io/result_file.cpp.
struct H5 {
  hid_t id;
  explicit H5(hid_t i) : id(i) { REQUIRE(id >= 0); }
  ~H5() {
    switch (H5Iget_type(id)) {
      case H5I_FILE:
        H5Fclose(id);
        break;
      case H5I_DATASET:
        H5Dclose(id);
        break;
      case H5I_DATASPACE:
        H5Sclose(id);
        break;
      case H5I_DATATYPE:
        H5Tclose(id);
        break;
      case H5I_ATTR:
        H5Aclose(id);
        break;
      case H5I_GENPROP_LST:
        H5Pclose(id);
        break;
      default:
        break;
    }
  }
};

std::vector<hsize_t> dims_of(hid_t d, std::vector<hsize_t>* maxdims = nullptr) {
  H5 space(H5Dget_space(d));
  std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(space.id)), mx(dims.size());
  H5Sget_simple_extent_dims(space.id, dims.data(), mx.data());
  if (maxdims) *maxdims = mx;
  return dims;
}

std::vector<double> read_all(hid_t f, const char* name) {
  H5 d(H5Dopen2(f, name, H5P_DEFAULT));
  std::size_t n = 1;
  for (auto x : dims_of(d.id)) n *= x;
  std::vector<double> v(n);
  REQUIRE(H5Dread(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  return v;
}

std::string read_string_attr(hid_t f, const char* name) {
  H5 a(H5Aopen(f, name, H5P_DEFAULT));
  H5 type(H5Aget_type(a.id));
  REQUIRE(H5Tget_class(type.id) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(type.id) > 0);  // documented: variable-length UTF-8 strings
  CHECK(H5Tget_cset(type.id) == H5T_CSET_UTF8);
  char* p = nullptr;
  REQUIRE(H5Aread(a.id, type.id, &p) >= 0);
  std::string s(p);
  H5free_memory(p);
  return s;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, sep)) out.push_back(cell);
  return out;
}

}  // namespace

TEST_CASE("result.h5 holds the documented layout, bit-exact values and the root attributes") {
  const fplab_test::ScratchDir s("writers_layout");
  const Series ser;
  {
    fplab::Hdf5Writer w;
    ser.run(w, s.path, 3);
  }
  const auto& g = ser.g;
  H5 f(H5Fopen((s.path / "result.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));

  SUBCASE("grid centres and edges") {
    const auto x = read_all(f.id, "/grid/x"), y = read_all(f.id, "/grid/y");
    const auto xe = read_all(f.id, "/grid/x_edges"), ye = read_all(f.id, "/grid/y_edges");
    REQUIRE(x.size() == 12);
    REQUIRE(y.size() == 8);
    REQUIRE(xe.size() == 13);
    REQUIRE(ye.size() == 9);
    for (int i = 0; i < g.nx; ++i)
      CHECK(x[i] == doctest::Approx(-3.0 + 0.5 * (i + 0.5)).epsilon(1e-15));
    for (int j = 0; j < g.ny; ++j)
      CHECK(y[j] == doctest::Approx(-2.0 + 0.6 * (j + 0.5)).epsilon(1e-15));
    CHECK(xe.front() == -3.0);
    CHECK(xe.back() == 3.0);
    CHECK(ye.front() == -2.0);
    CHECK(ye.back() == 2.8);
    for (int i = 0; i < g.nx; ++i) CHECK(x[i] == doctest::Approx(0.5 * (xe[i] + xe[i + 1])));
    for (int j = 0; j < g.ny; ++j) CHECK(y[j] == doctest::Approx(0.5 * (ye[j] + ye[j + 1])));
  }

  SUBCASE("fields: shape, extendible, one chunk per snapshot, float64, values") {
    for (const char* name : {"/fields/density", "/fields/exact"}) {
      CAPTURE(name);
      H5 d(H5Dopen2(f.id, name, H5P_DEFAULT));
      std::vector<hsize_t> maxdims;
      CHECK(dims_of(d.id, &maxdims) == std::vector<hsize_t>{3, 8, 12});
      CHECK(maxdims == std::vector<hsize_t>{H5S_UNLIMITED, 8, 12});
      H5 dcpl(H5Dget_create_plist(d.id));
      REQUIRE(H5Pget_layout(dcpl.id) == H5D_CHUNKED);
      hsize_t chunk[3] = {0, 0, 0};
      CHECK(H5Pget_chunk(dcpl.id, 3, chunk) == 3);
      CHECK(chunk[0] == 1);
      CHECK(chunk[1] == 8);
      CHECK(chunk[2] == 12);
      H5 type(H5Dget_type(d.id));
      CHECK(H5Tget_class(type.id) == H5T_FLOAT);
      CHECK(H5Tget_size(type.id) == 8);
    }
    const auto p = read_all(f.id, "/fields/density");
    const auto e = read_all(f.id, "/fields/exact");
    for (int k = 0; k < 3; ++k)
      for (std::size_t c = 0; c < g.size(); ++c) {
        REQUIRE(p[k * g.size() + c] == ser.density[k][c]);
        REQUIRE(e[k * g.size() + c] == ser.exact[k][c]);
      }
    // Row-major (j, i): element (k, j=1, i=0) is the cell at (xc(0), yc(1)), not (xc(1), yc(0)).
    CHECK(p[g.size() + g.nx] == density_at(g.xc(0), g.yc(1), ser.times[1]));
  }

  SUBCASE("time and diagnostics") {
    CHECK(read_all(f.id, "/time") == ser.times);
    for (std::size_t c = 0; c < ser.names.size(); ++c) {
      const auto v = read_all(f.id, ("/diagnostics/" + ser.names[c]).c_str());
      REQUIRE(v.size() == 3);
      for (int k = 0; k < 3; ++k) CHECK(v[k] == ser.rows[k][c].second);
    }
  }

  SUBCASE("root attributes") {
    CHECK(read_string_attr(f.id, "fplab_version") == fplab::kVersion);
    CHECK(read_string_attr(f.id, "git_sha") == fplab::kGitSha);
    CHECK(read_string_attr(f.id, "command_line") == "fplab run writer_test.yaml --set grid.nx=12");
    CHECK(read_string_attr(f.id, "case_yaml") == ser.spec.resolved_yaml);
    CHECK(read_string_attr(f.id, "status") == "complete");
    CHECK(read_string_attr(f.id, "sampling") == "cell_average");
    const std::string created = read_string_attr(f.id, "created");
    CHECK(std::regex_match(created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  }
}

TEST_CASE("open_result reads back what the HDF5 writer wrote") {
  const fplab_test::ScratchDir s("writers_read");
  const Series ser;
  {
    fplab::Hdf5Writer w;
    ser.run(w, s.path, 3);
  }
  const auto r = fplab::open_result((s.path / "result.h5").string());
  CHECK(r.grid.nx == 12);
  CHECK(r.grid.ny == 8);
  CHECK(r.grid.x0 == -3.0);
  CHECK(r.grid.x1 == 3.0);
  CHECK(r.grid.y0 == -2.0);
  CHECK(r.grid.y1 == 2.8);
  CHECK(r.times == ser.times);
  CHECK(r.fields == std::vector<std::string>{"density", "exact"});
  CHECK(r.density_name == "density");
  CHECK_FALSE(r.particles());
  CHECK(r.diagnostic_names == ser.names);  // column order, not alphabetical
  for (std::size_t c = 0; c < ser.names.size(); ++c)
    for (int k = 0; k < 3; ++k) CHECK(r.diagnostics.at(ser.names[c])[k] == ser.rows[k][c].second);
  CHECK(r.attributes.at("case_yaml") == ser.spec.resolved_yaml);
  CHECK(r.attributes.at("fplab_version") == fplab::kVersion);
  for (int k = 0; k < 3; ++k) {
    CHECK(r.read_density(k) == ser.density[k]);
    CHECK(r.read_field("exact", k) == ser.exact[k]);
  }
  CHECK_THROWS_AS(r.read_density(3), fplab::InputError);
  CHECK_THROWS_AS(r.read_density(-1), fplab::InputError);
  CHECK_THROWS_AS(r.read_field("score_x", 0), fplab::InputError);

  const std::string d = fplab::describe_result(r);
  CAPTURE(d);
  CHECK(d.find("writer_test") != std::string::npos);
  CHECK(d.find("fokker_planck; finite_volume / chang_cooper / ssprk3") != std::string::npos);
  CHECK(d.find("12 x 8 cells on [-3, 3] x [-2, 2.8]") != std::string::npos);
  CHECK(d.find("3 snapshots, t = 0 .. 0.3") != std::string::npos);
  CHECK(d.find("density, exact") != std::string::npos);
  CHECK(d.find("sampling    cell averages") != std::string::npos);
  CHECK(d.find(fmt::format("{:.10g}", ser.rows[2][0].second)) != std::string::npos);  // mass
  CHECK(d.find(fmt::format("{:.10g}", 0.5 * std::exp(-2 * ser.times[2]))) != std::string::npos);
  CHECK(d.find(fplab::kVersion) != std::string::npos);
}

TEST_CASE("without an exact solution there is no /fields/exact and the XDMF omits it") {
  const fplab_test::ScratchDir s("writers_noexact");
  const Series ser;
  {
    fplab::Hdf5Writer w;
    ser.run(w, s.path, 2, true, false);
  }
  const auto r = fplab::open_result((s.path / "result.h5").string());
  CHECK(r.fields == std::vector<std::string>{"density"});
  CHECK(r.read_density(1) == ser.density[1]);
  const std::string xmf = slurp(s.path / "result.xmf");
  CHECK(xmf.find("/fields/density") != std::string::npos);
  CHECK(xmf.find("/fields/exact") == std::string::npos);
}

TEST_CASE("a run that stops early leaves a readable result with every finished snapshot") {
  const Series ser;
  SUBCASE("writer destroyed without end()") {
    const fplab_test::ScratchDir s("writers_stopped");
    {
      fplab::Hdf5Writer w;
      ser.run(w, s.path, 2, false);
    }
    const auto r = fplab::open_result((s.path / "result.h5").string());
    CHECK(r.times == std::vector<double>{ser.times[0], ser.times[1]});
    CHECK(r.read_density(1) == ser.density[1]);
    CHECK(r.attributes.at("status") == "running");
    CHECK(fplab::describe_result(r).find("stopped early") != std::string::npos);
  }
  SUBCASE("process killed: no destructor, no H5Fclose, only the per-snapshot flush") {
    const fplab_test::ScratchDir s("writers_killed");
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child must never return into doctest: any failure is its exit status.
      try {
        auto* w = new fplab::Hdf5Writer();  // never deleted: the child just dies
        ser.run(*w, s.path, 2, false);
      } catch (...) {
        std::_Exit(1);
      }
      std::_Exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    const auto r = fplab::open_result((s.path / "result.h5").string());
    REQUIRE(r.times.size() == 2);
    CHECK(r.read_density(0) == ser.density[0]);
    CHECK(r.read_field("exact", 1) == ser.exact[1]);
    CHECK(r.diagnostics.at("mass")[1] == ser.rows[1][0].second);
    // The sidecar describes exactly the two snapshots that are in the file.
    const std::string xmf = slurp(s.path / "result.xmf");
    CHECK(std::regex_search(xmf, std::regex("Name=\"t1\"")));
    CHECK_FALSE(std::regex_search(xmf, std::regex("Name=\"t2\"")));
  }
}

TEST_CASE("a new run replaces an older result as a whole, never merging") {
  const fplab_test::ScratchDir s("writers_replace");
  const Series ser;
  {
    fplab::Hdf5Writer h;
    fplab::VtkWriter v;
    ser.run(h, s.path, 3);
    ser.run(v, s.path, 3);
  }
  CHECK(fs::exists(s.path / "vtk" / "density_0002.vti"));
  {
    fplab::Hdf5Writer h;
    fplab::VtkWriter v;
    ser.run(h, s.path, 1, true, false);
    ser.run(v, s.path, 1, true, false);
  }
  const auto r = fplab::open_result((s.path / "result.h5").string());
  CHECK(r.times.size() == 1);
  CHECK(r.fields == std::vector<std::string>{"density"});
  CHECK(fs::exists(s.path / "vtk" / "density_0000.vti"));
  CHECK_FALSE(fs::exists(s.path / "vtk" / "density_0001.vti"));
  CHECK_FALSE(fs::exists(s.path / "vtk" / "density_0002.vti"));
}

TEST_CASE("result.xmf is well-formed XDMF in the form ParaView's Xdmf3 reader opens") {
  const fplab_test::ScratchDir s("writers_xdmf");
  const Series ser;
  {
    fplab::Hdf5Writer w;
    ser.run(w, s.path, 3);
  }
  vtkXMLDataElement* root = vtkXMLUtilities::ReadElementFromFile((s.path / "result.xmf").c_str());
  REQUIRE(root != nullptr);
  std::unique_ptr<vtkXMLDataElement, void (*)(vtkXMLDataElement*)> guard(
      root, [](vtkXMLDataElement* e) { e->Delete(); });
  CHECK(std::string(root->GetName()) == "Xdmf");
  CHECK(std::string(root->GetAttribute("Version")) == "3.0");
  vtkXMLDataElement* coll = root->GetNestedElement(0)->GetNestedElement(0);
  REQUIRE(coll != nullptr);
  CHECK(std::string(coll->GetAttribute("CollectionType")) == "Temporal");
  REQUIRE(coll->GetNumberOfNestedElements() == 3);
  for (int k = 0; k < 3; ++k) {
    CAPTURE(k);
    vtkXMLDataElement* grid = coll->GetNestedElement(k);
    const double t =
        std::strtod(grid->FindNestedElementWithName("Time")->GetAttribute("Value"), nullptr);
    CHECK(t == ser.times[k]);  // 17 significant digits round-trip exactly
    vtkXMLDataElement* topo = grid->FindNestedElementWithName("Topology");
    CHECK(std::string(topo->GetAttribute("TopologyType")) == "3DCoRectMesh");
    CHECK(std::string(topo->GetAttribute("Dimensions")) == "1 9 13");  // z y x points
    vtkXMLDataElement* geo = grid->FindNestedElementWithName("Geometry");
    CHECK(std::string(geo->GetAttribute("GeometryType")) == "ORIGIN_DXDYDZ");
    for (int n = 0; n < 2; ++n)  // float32 by default: dy = 0.6 would lose 7 digits in ParaView
      CHECK(std::string(geo->GetNestedElement(n)->GetAttribute("Precision")) == "8");
    double origin[3], spacing[3];
    std::istringstream(geo->GetNestedElement(0)->GetCharacterData()) >> origin[0] >> origin[1] >>
        origin[2];
    std::istringstream(geo->GetNestedElement(1)->GetCharacterData()) >> spacing[0] >> spacing[1] >>
        spacing[2];
    CHECK(origin[0] == 0.0);
    CHECK(origin[1] == -2.0);  // y0
    CHECK(origin[2] == -3.0);  // x0
    CHECK(spacing[1] == ser.g.dy());
    CHECK(spacing[2] == ser.g.dx());
    int attrs = 0;
    for (int a = 0; a < grid->GetNumberOfNestedElements(); ++a) {
      vtkXMLDataElement* at = grid->GetNestedElement(a);
      if (std::string(at->GetName()) != "Attribute") continue;
      ++attrs;
      CHECK(std::string(at->GetAttribute("Center")) == "Cell");
      const std::string name = at->GetAttribute("Name");
      vtkXMLDataElement* item = at->GetNestedElement(0);
      CHECK(std::string(item->GetAttribute("Dimensions")) == "1 8 12");
      CHECK(std::string(item->GetAttribute("Precision")) == "8");
      std::string text = item->GetCharacterData();
      text.erase(0, text.find_first_not_of(" \n"));
      text.erase(text.find_last_not_of(" \n") + 1);
      CHECK(text == fmt::format("result.h5:/fields/{}|{} 0 0:1 1 1:1 8 12:3 8 12", name, k));
    }
    CHECK(attrs == 2);  // density and exact
  }
}

TEST_CASE("density_NNNN.vti read back by VTK: values, origin, spacing, binary not appended") {
  const fplab_test::ScratchDir s("writers_vtk");
  const Series ser;
  {
    fplab::VtkWriter w;
    ser.run(w, s.path, 3);
  }
  const auto& g = ser.g;
  for (int k = 0; k < 3; ++k) {
    CAPTURE(k);
    const fs::path file = s.path / "vtk" / fmt::format("density_{:04d}.vti", k);
    const std::string text = slurp(file);
    CHECK(text.find("<AppendedData") == std::string::npos);
    CHECK(text.find("format=\"binary\"") != std::string::npos);
    vtkNew<vtkXMLImageDataReader> reader;
    reader->SetFileName(file.c_str());
    reader->Update();
    vtkImageData* img = reader->GetOutput();
    REQUIRE(img != nullptr);
    int dims[3];
    img->GetDimensions(dims);
    CHECK(dims[0] == 13);
    CHECK(dims[1] == 9);
    CHECK(dims[2] == 1);
    CHECK(img->GetNumberOfCells() == 96);
    CHECK(img->GetOrigin()[0] == -3.0);
    CHECK(img->GetOrigin()[1] == -2.0);
    CHECK(img->GetOrigin()[2] == 0.0);
    CHECK(img->GetSpacing()[0] == g.dx());
    CHECK(img->GetSpacing()[1] == g.dy());
    vtkDataArray* p = img->GetCellData()->GetArray("density");
    vtkDataArray* e = img->GetCellData()->GetArray("exact");
    REQUIRE(p != nullptr);
    REQUIRE(e != nullptr);
    CHECK(p->GetDataType() == VTK_DOUBLE);
    REQUIRE(p->GetNumberOfTuples() == 96);
    for (std::size_t c = 0; c < g.size(); ++c) {
      REQUIRE(p->GetTuple1(c) == ser.density[k][c]);
      REQUIRE(e->GetTuple1(c) == ser.exact[k][c]);
    }
    // VTK's own cell lookup agrees with (i, j): the cell containing (xc(5), yc(2)).
    double pt[3] = {g.xc(5), g.yc(2), 0.0}, pcoords[3];
    int ijk[3];
    REQUIRE(img->ComputeStructuredCoordinates(pt, ijk, pcoords) == 1);
    CHECK(img->ComputeCellId(ijk) == static_cast<vtkIdType>(g.index(5, 2)));
  }
}

TEST_CASE("density.pvd lists every snapshot with its time and file") {
  const fplab_test::ScratchDir s("writers_pvd");
  const Series ser;
  {
    fplab::VtkWriter w;
    ser.run(w, s.path, 3);
  }
  vtkXMLDataElement* root =
      vtkXMLUtilities::ReadElementFromFile((s.path / "vtk" / "density.pvd").c_str());
  REQUIRE(root != nullptr);
  std::unique_ptr<vtkXMLDataElement, void (*)(vtkXMLDataElement*)> guard(
      root, [](vtkXMLDataElement* e) { e->Delete(); });
  CHECK(std::string(root->GetAttribute("type")) == "Collection");
  vtkXMLDataElement* coll = root->FindNestedElementWithName("Collection");
  REQUIRE(coll->GetNumberOfNestedElements() == 3);
  for (int k = 0; k < 3; ++k) {
    vtkXMLDataElement* ds = coll->GetNestedElement(k);
    CHECK(std::strtod(ds->GetAttribute("timestep"), nullptr) == ser.times[k]);
    const std::string file = ds->GetAttribute("file");
    CHECK(file == fmt::format("density_{:04d}.vti", k));
    CHECK(fs::exists(s.path / "vtk" / file));
  }
  // No temporary files are left behind.
  for (const auto& e : fs::directory_iterator(s.path / "vtk"))
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("diagnostics.csv: header, one row per snapshot, values that round-trip exactly") {
  const fplab_test::ScratchDir s("writers_csv");
  const Series ser;
  {
    fplab::HistoryWriter w;
    ser.run(w, s.path, 3);
  }
  std::ifstream in(s.path / "diagnostics.csv");
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line == "time,step,mass,mean_x,rel_entropy");
  int k = 0;
  while (std::getline(in, line)) {
    REQUIRE(k < 3);
    const auto cells = split(line, ',');
    REQUIRE(cells.size() == 5);
    CHECK(std::strtod(cells[0].c_str(), nullptr) == ser.times[k]);
    CHECK(cells[1] == std::to_string(10 * k));
    for (int c = 0; c < 3; ++c)
      CHECK(std::strtod(cells[2 + c].c_str(), nullptr) == ser.rows[k][c].second);
    ++k;
  }
  CHECK(k == 3);
}

TEST_CASE("summary.json parses and carries the required keys") {
  const fplab_test::ScratchDir s("writers_json");
  const Series ser;
  {
    fplab::SummaryWriter w;
    w.begin(ser.info(s.path));
    w.write(ser.snap(0));
    CHECK_FALSE(fs::exists(s.path / "summary.json"));  // only a finished run has a summary
    w.end(ser.summary());
  }
  const auto j = nlohmann::json::parse(slurp(s.path / "summary.json"));
  for (const char* key :
       {"name", "equation", "method", "scheme", "integrator", "nx", "ny", "t_end", "steps",
        "wall_seconds", "cell_updates_per_second", "final", "output_dir", "fplab_version"}) {
    CAPTURE(key);
    CHECK(j.contains(key));
  }
  CHECK(j["name"] == "writer_test");
  CHECK(j["equation"] == "fokker_planck");
  CHECK(j["scheme"] == "chang_cooper");
  CHECK(j["nx"] == 12);
  CHECK(j["ny"] == 8);
  CHECK(j["steps"] == 20);
  CHECK(j["t_end"].get<double>() == ser.times.back());
  CHECK(j["cell_updates_per_second"].get<double>() == 20.0 * 96 / 0.25);
  CHECK(j["final"].size() == 3);
  for (const auto& [name, value] : ser.rows.back()) CHECK(j["final"][name].get<double>() == value);
}

TEST_CASE("spectral runs: summary.json names the basis as scheme, result.h5 says point sampling") {
  const fplab_test::ScratchDir s("writers_spectral_summary");
  Series ser;
  ser.spec.solver.method = "spectral";
  ser.spec.solver.scheme = "muscl";  // the unused FV default a spectral case carries
  for (const auto& [boundary, basis] :
       {std::pair{"periodic", "fourier"}, {"zero_flux", "cosine"}}) {
    CAPTURE(boundary);
    ser.spec.boundary = boundary;
    auto info = ser.info(s.path);
    info.sampling = fplab::Sampling::point;
    {
      fplab::SummaryWriter w;
      w.begin(info);
      w.end(ser.summary());
      fplab::Hdf5Writer h;
      h.begin(info);
      h.write(ser.snap(0));
      h.end(ser.summary());
    }
    const auto j = nlohmann::json::parse(slurp(s.path / "summary.json"));
    CHECK(j["method"] == "spectral");
    CHECK(j["scheme"] == basis);
    H5 f(H5Fopen((s.path / "result.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(read_string_attr(f.id, "sampling") == "point");
    CHECK(fplab::describe_result(fplab::open_result((s.path / "result.h5").string()))
              .find("sampling    point values at the cell centres") != std::string::npos);
  }
}

TEST_CASE("make_writers follows output.formats and always adds csv and json") {
  const Series ser;
  SUBCASE("hdf5 only") {
    const fplab_test::ScratchDir s("writers_formats_h5");
    fplab::CaseSpec spec = ser.spec;
    spec.output.formats = {"hdf5"};
    auto ws = fplab::make_writers(spec);
    CHECK(ws.size() == 3);
    for (auto& w : ws) ser.run(*w, s.path, 2);
    ws.clear();
    for (const char* f : {"result.h5", "result.xmf", "diagnostics.csv", "summary.json"})
      CHECK(fs::exists(s.path / f));
    CHECK_FALSE(fs::exists(s.path / "vtk"));
  }
  SUBCASE("hdf5 and vtk: every file of docs/reference.md §6 but png/") {
    const fplab_test::ScratchDir s("writers_formats_all");
    fplab::CaseSpec spec = ser.spec;
    spec.output.formats = {"hdf5", "vtk"};
    auto ws = fplab::make_writers(spec);
    CHECK(ws.size() == 4);
    for (auto& w : ws) ser.run(*w, s.path, 3);
    ws.clear();
    for (const char* f : {"result.h5", "result.xmf", "diagnostics.csv", "summary.json",
                          "vtk/density.pvd", "vtk/density_0000.vti", "vtk/density_0002.vti"})
      CHECK(fs::exists(s.path / f));
  }
  SUBCASE("vtk and png (png is viz's, not io's)") {
    const fplab_test::ScratchDir s("writers_formats_vtk");
    fplab::CaseSpec spec = ser.spec;
    spec.output.formats = {"vtk", "png"};
    auto ws = fplab::make_writers(spec);
    CHECK(ws.size() == 3);
    for (auto& w : ws) ser.run(*w, s.path, 2);
    ws.clear();
    CHECK_FALSE(fs::exists(s.path / "result.h5"));
    CHECK(fs::exists(s.path / "vtk" / "density.pvd"));
    CHECK(fs::exists(s.path / "vtk" / "density_0001.vti"));
  }
}

TEST_CASE("open_result rejects a missing file, a non-HDF5 file and a foreign HDF5 file") {
  const fplab_test::ScratchDir s("writers_reject");
  const auto throws_naming = [](const std::string& path, const std::string& why) {
    fplab_test::refuses_naming([](const std::string& p) { return fplab::open_result(p); }, path, why);
  };
  throws_naming((s.path / "absent.h5").string(), "no such file");
  { std::ofstream((s.path / "text.h5").string()) << "time,mass\n0,1\n"; }
  throws_naming((s.path / "text.h5").string(), "not an HDF5 file");
  { H5 f(H5Fcreate((s.path / "foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)); }
  throws_naming((s.path / "foreign.h5").string(), "/fields/density");
}

TEST_CASE("a particle histogram is stored as density_particles, beside the grid density it compares") {
  const fplab_test::ScratchDir s("writers_particle_name");
  const Series ser;
  // The histogram as the snapshot's density, the grid run's density as the extra field "density".
  auto info = ser.info(s.path, false);
  info.density_name = fplab::kParticleDensityName;
  info.field_names = {"density"};
  {
    fplab::Hdf5Writer h;
    fplab::VtkWriter v;
    for (fplab::OutputSink* w : {static_cast<fplab::OutputSink*>(&h), static_cast<fplab::OutputSink*>(&v)}) {
      w->begin(info);
      for (int k = 0; k < 2; ++k) {
        auto snap = ser.snap(k, false);
        snap.density = ser.exact[k];  // the histogram
        snap.fields = {{"density", ser.density[k]}};
        w->write(snap);
      }
      w->end(ser.summary());
    }
  }
  const auto r = fplab::open_result((s.path / "result.h5").string());
  CHECK(r.density_name == "density_particles");
  CHECK(r.particles());
  CHECK(r.fields == std::vector<std::string>{"density_particles", "density"});
  for (int k = 0; k < 2; ++k) {
    CHECK(r.read_density(k) == ser.exact[k]);
    CHECK(r.read_field("density", k) == ser.density[k]);
  }
  const std::string xmf = slurp(s.path / "result.xmf");
  CHECK(xmf.find("<Attribute Name=\"density_particles\"") != std::string::npos);
  CHECK(xmf.find("result.h5:/fields/density_particles|1 0 0") != std::string::npos);
  CHECK(xmf.find("<Attribute Name=\"density\"") != std::string::npos);
  vtkNew<vtkXMLImageDataReader> reader;
  reader->SetFileName((s.path / "vtk" / "density_0001.vti").c_str());
  reader->Update();
  vtkDataArray* hist = reader->GetOutput()->GetCellData()->GetArray("density_particles");
  REQUIRE(hist != nullptr);
  CHECK(hist->GetTuple1(7) == ser.exact[1][7]);
  CHECK(reader->GetOutput()->GetCellData()->GetArray("density") != nullptr);
  const std::string d = fplab::describe_result(r);
  CAPTURE(d);
  CHECK(d.find("particle histogram (density_particles); density: the grid run compared") !=
        std::string::npos);
  CHECK(d.find("no particles.h5 beside the result") != std::string::npos);

  // Without the comparison: the histogram alone.
  const fplab_test::ScratchDir alone("writers_particle_alone");
  info = ser.info(alone.path, false);
  info.density_name = fplab::kParticleDensityName;
  {
    fplab::Hdf5Writer h;
    h.begin(info);
    h.write(ser.snap(0, false));
    h.end(ser.summary());
  }
  const auto a = fplab::open_result((alone.path / "result.h5").string());
  CHECK(a.fields == std::vector<std::string>{"density_particles"});
  CHECK(a.read_density(0) == ser.density[0]);
}
