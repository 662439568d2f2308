// Particle outputs (docs/reference.md §6): particles.h5 written by ParticleHdf5Writer and read back
// by open_particles and raw HDF5, VTK points (.vtp/.pvd) read back by VTK's own reader, a full
// disk, and make_particle_writers. The particles are synthetic: Gaussian points from a fixed seed.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vtkCellArray.h>
#include <vtkDataArray.h>
#include <vtkFieldData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkXMLPolyDataReader.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fplab/version.hpp"
#include "io/hdf5_writer.hpp"
#include "io/particle_vtk_writer.hpp"
#include "io/particle_writer.hpp"
#include "io/result_file.hpp"
#include "io/resume_file.hpp"
#include "solver/errors.hpp"
#include "viz/paraview_script.hpp"
#include "tests/one_sentence.hpp"
#include "tests/scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace fplab;

namespace {


// n Gaussian particles drifting with t, the first `stored` of them written; particle k is
// absorbed (alive 0) from snapshot k % 7 on when k is a multiple of 5.
struct Cloud {
  CaseSpec spec;
  std::size_t n = 500, stored = 300;
  std::vector<double> times{0.0, 0.25, 0.5};
  std::vector<std::vector<double>> x, y;
  std::vector<std::vector<std::uint8_t>> alive;
  std::vector<std::size_t> n_alive;

  Cloud() {
    spec.name = "cloud";
    spec.resolved_yaml = "name: cloud\n";
    std::mt19937 rng(20261203);
    std::normal_distribution<double> normal;
    for (std::size_t k = 0; k < times.size(); ++k) {
      x.emplace_back(n);
      y.emplace_back(n);
      alive.emplace_back(n, 1);
      for (std::size_t i = 0; i < n; ++i) {
        x[k][i] = 0.5 * times[k] + 0.8 * normal(rng);
        y[k][i] = -0.3 + 0.5 * normal(rng);
        if (i % 5 == 0 && k >= i % 7) alive[k][i] = 0;
      }
      n_alive.push_back(static_cast<std::size_t>(std::count(alive[k].begin(), alive[k].end(), 1)));
    }
  }
  ParticleRunInfo info(const fs::path& dir) const {
    ParticleRunInfo ri;
    ri.spec = &spec;
    ri.command_line = "fplab sample cloud.yaml";
    ri.output_dir = dir.string();
    ri.n = n;
    ri.stored = stored;
    ri.seed = 0xfedcba9876543210ULL;  // above 2^63: stored unsigned
    ri.scheme = "euler_maruyama";
    ri.dynamics = "sde";
    return ri;
  }
  ParticleSnapshot snap(int k) const {
    ParticleSnapshot s;
    s.index = k;
    s.t = times[k];
    s.step = 10 * static_cast<std::size_t>(k);
    s.x = std::span(x[k]).first(stored);
    s.y = std::span(y[k]).first(stored);
    s.alive = std::span(alive[k]).first(stored);
    s.n_alive = n_alive[k];
    return s;
  }
  void run(ParticleSink& sink, const fs::path& dir, int snapshots, bool finish = true) const {
    sink.begin(info(dir));
    for (int k = 0; k < snapshots; ++k) sink.write(snap(k));
    if (finish) sink.end(RunStatus::complete);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The layout, read with the raw HDF5 API (independent of open_particles).
void check_layout(const fs::path& file, const Cloud& c) {
  h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  REQUIRE(f.valid());
  h5::Handle pos(H5Dopen2(f.get(), "/positions", H5P_DEFAULT));
  h5::Handle alive(H5Dopen2(f.get(), "/alive", H5P_DEFAULT));
  h5::Handle n_alive(H5Dopen2(f.get(), "/n_alive", H5P_DEFAULT));
  CHECK(h5::dataset_dims(pos.get()) == std::vector<hsize_t>{3, c.stored, 2});
  CHECK(h5::dataset_dims(alive.get()) == std::vector<hsize_t>{3, c.stored});
  h5::Handle dcpl(H5Dget_create_plist(pos.get()));
  hsize_t chunk[3] = {0, 0, 0};
  REQUIRE(H5Pget_chunk(dcpl.get(), 3, chunk) == 3);
  CHECK(chunk[0] == 1);  // one snapshot per chunk
  CHECK(chunk[1] == c.stored);
  h5::Handle pos_type(H5Dget_type(pos.get())), alive_type(H5Dget_type(alive.get())),
      n_type(H5Dget_type(n_alive.get()));
  CHECK(H5Tequal(pos_type.get(), H5T_IEEE_F64LE) > 0);
  CHECK(H5Tequal(alive_type.get(), H5T_STD_U8LE) > 0);
  CHECK(H5Tequal(n_type.get(), H5T_STD_U64LE) > 0);
  std::vector<double> xy(3 * c.stored * 2);
  REQUIRE(H5Dread(pos.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, xy.data()) >= 0);
  CHECK(xy[(2 * c.stored + 7) * 2] == c.x[2][7]);  // (k, particle, x|y) row-major
  CHECK(xy[(2 * c.stored + 7) * 2 + 1] == c.y[2][7]);
  const auto attrs = h5::root_attributes(f.get());
  for (const char* key : {"fplab_version", "git_sha", "created", "command_line", "case_yaml",
                          "scheme", "dynamics", "status", "n", "stored", "seed"})
    CHECK_MESSAGE(attrs.count(key) == 1, key);
  CHECK(attrs.at("fplab_version") == kVersion);
  CHECK(attrs.at("status") == "complete");
}

}  // namespace

TEST_CASE("particles.h5: layout, attributes and positions read back bit-exactly") {
  const fplab_test::ScratchDir s("particles_h5");
  const Cloud c;
  {
    ParticleHdf5Writer w;
    c.run(w, s.path, 3);
  }
  const fs::path file = s.path / "particles.h5";
  check_layout(file, c);
  const ParticleFile p = open_particles(file.string());
  CHECK(p.times == c.times);
  CHECK(p.n == c.n);
  CHECK(p.stored == c.stored);
  CHECK(p.seed == 0xfedcba9876543210ULL);
  CHECK(p.scheme == "euler_maruyama");
  CHECK(p.dynamics == "sde");
  CHECK(p.status == "complete");
  CHECK(p.attributes.at("case_yaml") == "name: cloud\n");
  CHECK(p.attributes.at("command_line") == "fplab sample cloud.yaml");
  for (int k = 0; k < 3; ++k) {
    CAPTURE(k);
    CHECK(p.n_alive[k] == c.n_alive[k]);
    const ParticlePositions pos = p.read_positions(k);
    CHECK(pos.x == std::vector<double>(c.x[k].begin(), c.x[k].begin() + c.stored));
    CHECK(pos.y == std::vector<double>(c.y[k].begin(), c.y[k].begin() + c.stored));
    CHECK(pos.alive == std::vector<std::uint8_t>(c.alive[k].begin(), c.alive[k].begin() + c.stored));
  }
  CHECK_THROWS_AS(p.read_positions(3), InputError);
  CHECK_THROWS_AS(p.read_positions(-1), InputError);
  const std::string d = describe_particles(p);
  CAPTURE(d);
  CHECK(d.find("500 (300 stored), sde dynamics, scheme euler_maruyama") != std::string::npos);
  CHECK(d.find(fmt::format("{} alive at t = 0.5", c.n_alive[2])) != std::string::npos);
}

TEST_CASE("particles.h5: a run that stops early keeps its snapshots, status running; none stored") {
  const fplab_test::ScratchDir s("particles_stopped");
  const Cloud c;
  {
    ParticleHdf5Writer w;
    c.run(w, s.path, 2, false);
  }
  const ParticleFile p = open_particles((s.path / "particles.h5").string());
  CHECK(p.times == std::vector<double>{0.0, 0.25});
  CHECK(p.status == "running");
  CHECK(p.read_positions(1).x[3] == c.x[1][3]);

  // stored = 0: the histogram's particles are counted, none is written.
  const fplab_test::ScratchDir none("particles_none");
  auto info = c.info(none.path);
  info.stored = 0;
  {
    ParticleHdf5Writer w;
    w.begin(info);
    w.write(c.snap(0));
    w.end(RunStatus::interrupted);
  }
  const ParticleFile q = open_particles((none.path / "particles.h5").string());
  CHECK(q.stored == 0);
  CHECK(q.times.size() == 1);
  CHECK(q.read_positions(0).x.empty());
  CHECK(q.status == "interrupted");
}

TEST_CASE("particles.h5: a full disk is one sentence, the earlier snapshots stay readable") {
  const fplab_test::ScratchDir s("particles_full");
  Cloud c;
  c.n = c.stored = 20000;  // 340 kB per snapshot
  for (std::size_t k = 0; k < c.times.size(); ++k) {
    c.x[k].resize(c.n, 0.5);
    c.y[k].resize(c.n, 0.25);
    c.alive[k].resize(c.n, 1);
  }
  int pipe_fd[2];
  REQUIRE(::pipe(pipe_fd) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // A file size limit between the first and the third snapshot: writes past it fail (EFBIG).
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{900000, 900000};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    std::string message = "no failure";
    try {
      ParticleHdf5Writer w;
      c.run(w, s.path, 3);
    } catch (const std::runtime_error& e) {
      message = e.what();
    } catch (...) {
      message = "another exception";
    }
    (void)!::write(pipe_fd[1], message.data(), message.size());
    std::_Exit(0);
  }
  ::close(pipe_fd[1]);
  std::string message;
  char buf[512];
  for (ssize_t got; (got = ::read(pipe_fd[0], buf, sizeof buf)) > 0;) message.append(buf, got);
  ::close(pipe_fd[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CAPTURE(message);
  CHECK(std::regex_match(message, std::regex(R"(file too large writing \S+/particles\.h5 after snapshot [01])")));
  const ParticleFile p = open_particles((s.path / "particles.h5").string());
  CHECK(p.times.size() >= 1);
  CHECK(p.times.size() <= 2);
  CHECK(p.read_positions(0).x[19999] == 0.5);
}

TEST_CASE("open_particles: one sentence naming the file and what is missing") {
  const fplab_test::ScratchDir s("particles_reject");
  const auto throws_naming = [](const std::string& path, const std::string& why) {
    fplab_test::refuses_naming([](const std::string& p) { return open_particles(p); }, path, why);
  };
  throws_naming((s.path / "absent.h5").string(), "no such file");
  const Cloud c;
  {
    ParticleHdf5Writer w;
    c.run(w, s.path, 1);
  }
  const fs::path file = s.path / "particles.h5";
  {
    h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    REQUIRE(H5Ldelete(f.get(), "/alive", H5P_DEFAULT) >= 0);
  }
  throws_naming(file.string(), "/alive");
  {
    h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    REQUIRE(H5Adelete(f.get(), "stored") >= 0);
  }
  throws_naming(file.string(), "stored");
}

TEST_CASE("particles_NNNN.vtp read back by VTK: living particles as vertices with their ids") {
  const fplab_test::ScratchDir s("particles_vtp");
  const Cloud c;
  {
    ParticleVtkWriter w;
    c.run(w, s.path, 3);
  }
  for (int k = 0; k < 3; ++k) {
    CAPTURE(k);
    const fs::path file = s.path / "vtk" / fmt::format("particles_{:04d}.vtp", k);
    const std::string text = slurp(file);
    CHECK(text.find("<AppendedData") == std::string::npos);
    vtkNew<vtkXMLPolyDataReader> reader;
    reader->SetFileName(file.c_str());
    reader->Update();
    vtkPolyData* poly = reader->GetOutput();
    std::size_t living = 0;
    for (std::size_t i = 0; i < c.stored; ++i) living += c.alive[k][i];
    REQUIRE(poly->GetNumberOfPoints() == static_cast<vtkIdType>(living));
    CHECK(poly->GetNumberOfVerts() == static_cast<vtkIdType>(living));
    vtkDataArray* ids = poly->GetPointData()->GetArray("id");
    REQUIRE(ids != nullptr);
    CHECK(ids->GetDataType() == VTK_TYPE_INT64);
    for (vtkIdType p = 0; p < poly->GetNumberOfPoints(); ++p) {
      const auto i = static_cast<std::size_t>(ids->GetTuple1(p));
      REQUIRE(i < c.stored);
      REQUIRE(c.alive[k][i] == 1);
      const double* xyz = poly->GetPoint(p);
      REQUIRE(xyz[0] == c.x[k][i]);
      REQUIRE(xyz[1] == c.y[k][i]);
      REQUIRE(xyz[2] == 0.0);
    }
    CHECK(poly->GetFieldData()->GetArray("TimeValue")->GetTuple1(0) == c.times[k]);
  }
  const std::string pvd = slurp(s.path / "vtk" / "particles.pvd");
  CHECK(pvd.find("timestep=\"0.25\" group=\"\" part=\"0\" file=\"particles_0001.vtp\"") !=
        std::string::npos);
  // A new run removes the older run's points.
  {
    ParticleVtkWriter w;
    c.run(w, s.path, 1);
  }
  CHECK(fs::exists(s.path / "vtk" / "particles_0000.vtp"));
  CHECK_FALSE(fs::exists(s.path / "vtk" / "particles_0001.vtp"));
  CHECK(slurp(s.path / "vtk" / "particles.pvd").find("particles_0001") == std::string::npos);
}

TEST_CASE("make_particle_writers follows output.formats") {
  const fplab_test::ScratchDir s("particles_formats");
  Cloud c;
  c.spec.output.formats = {"hdf5", "vtk", "png"};
  auto writers = make_particle_writers(c.spec);
  CHECK(writers.size() == 2);
  for (auto& w : writers) c.run(*w, s.path, 2);
  CHECK(fs::exists(s.path / "particles.h5"));
  CHECK(fs::exists(s.path / "vtk" / "particles.pvd"));
  c.spec.output.formats = {"png"};
  CHECK(make_particle_writers(c.spec).empty());
}

TEST_CASE("a particle result: fplab info names the histogram and the particles, the ParaView script colours it, --resume refuses it") {
  const fplab_test::ScratchDir s("particles_info");
  const Cloud c;
  Grid2D g;
  g.nx = 4;
  g.ny = 3;
  g.x0 = -2.0;
  g.x1 = 2.0;
  g.y0 = -1.5;
  g.y1 = 1.5;
  const std::vector<double> histogram(g.size(), 1.0 / 12.0);
  RunInfo info;
  info.spec = &c.spec;
  info.grid = g;
  info.output_dir = s.path.string();
  info.density_name = kParticleDensityName;
  {
    Hdf5Writer h;
    h.begin(info);
    Snapshot snap;
    snap.t = 0.5;
    snap.density = histogram;
    h.write(snap);
    h.end(RunSummary{});
  }
  const std::string h5 = (s.path / "result.h5").string();
  CHECK(describe_result(open_result(h5)).find("no particles.h5 beside the result") !=
        std::string::npos);
  {
    ParticleHdf5Writer w;
    c.run(w, s.path, 3);
  }
  const std::string d = describe_result(open_result(h5));
  CAPTURE(d);
  CHECK(d.find("density     particle histogram (density_particles)\n") != std::string::npos);
  CHECK(d.find("particles   500 (300 stored), sde dynamics, scheme euler_maruyama, seed "
               "18364758544493064720") != std::string::npos);
  // The ParaView script colours the histogram.
  const std::string script = slurp(write_paraview_script(h5, s.path.string()));
  CHECK(script.find("FIELD = \"density_particles\"") != std::string::npos);
  CHECK_THROWS_WITH_AS(read_resume_point(s.path.string(), c.spec),
                       doctest::Contains("particle histogram"), InputError);
}
