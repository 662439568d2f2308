// Start-up: fplab links no VTK; it loads libfplab_vtk_io.so (VTK's IO) and libfplab_vtk_viz.so (all
// of VTK) (io/vtk_module.hpp) only for a command or an output that needs them, and without them
// says so in one sentence (exit 2) while every run that needs no VTK still works.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;

namespace {

using fplab_e2e::CommandResult;
using fplab_e2e::scratch;
using fplab_e2e::slurp;

// `env BINARY ARGS` run from the source directory, like fplab_e2e::run_fplab.
CommandResult run_program(const std::string& env, const std::string& binary,
                          const std::string& args, const fs::path& dir) {
  const std::string cmd = std::string("cd ") + FPLAB_SOURCE_DIR + " && " + env + " " + binary +
                          " " + args + " >" + (dir / "stdout.txt").string() + " 2>" +
                          (dir / "stderr.txt").string();
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = fplab_e2e::slurp(dir / "stdout.txt");
  r.err = fplab_e2e::slurp(dir / "stderr.txt");
  return r;
}

const std::string kSmallRun =
    "run cases/ou_gaussian.yaml --set grid.nx=16 --set grid.ny=16 --set time.t_end=0.1 -q ";

}  // namespace

TEST_CASE("start-up: fplab links no VTK library (VTK is in two modules, loaded when needed)") {
  const fs::path dir = scratch("startup_ldd");
  const std::string cmd = std::string("ldd ") + FPLAB_BINARY + " > " + (dir / "ldd.txt").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string libs = slurp(dir / "ldd.txt");
  CHECK(libs.find("libc.so") != std::string::npos);  // ldd listed the libraries
  CHECK(libs.find("libvtk") == std::string::npos);
  CHECK(fs::exists(fs::path(FPLAB_BINARY).parent_path() / "libfplab_vtk_io.so"));
  CHECK(fs::exists(fs::path(FPLAB_BINARY).parent_path() / "libfplab_vtk_viz.so"));
}

TEST_CASE("start-up: VTK is loaded for VTK output only, its rendering for pictures only") {
  // LD_DEBUG=files lists every library the dynamic loader opens, on stderr.
  const fs::path dir = scratch("startup_loaded");
  const auto plain =
      run_program("LD_DEBUG=files", FPLAB_BINARY,
                  kSmallRun + "--set 'output.formats=[hdf5]' -o " + (dir / "h5").string(), dir);
  REQUIRE_MESSAGE(plain.exit_code == 0, plain.err);
  CHECK(plain.err.find("libhdf5") != std::string::npos);  // LD_DEBUG did list the libraries
  CHECK(plain.err.find("libfplab_vtk") == std::string::npos);
  CHECK(plain.err.find("libvtk") == std::string::npos);
  CHECK(fs::exists(dir / "h5" / "result.h5"));

  const auto vtk = run_program(
      "LD_DEBUG=files", FPLAB_BINARY,
      kSmallRun + "--set 'output.formats=[hdf5, vtk]' -o " + (dir / "vtk").string(), dir);
  REQUIRE_MESSAGE(vtk.exit_code == 0, vtk.err);
  CHECK(vtk.err.find("libfplab_vtk_io.so") != std::string::npos);
  CHECK(vtk.err.find("libvtkIOXML") != std::string::npos);
  CHECK(vtk.err.find("libfplab_vtk_viz.so") == std::string::npos);
  CHECK(vtk.err.find("libvtkRenderingCore") == std::string::npos);
  CHECK(fs::exists(dir / "vtk" / "vtk" / "density.pvd"));

  const auto png =
      run_program("LD_DEBUG=files", FPLAB_BINARY,
                  kSmallRun + "--set 'output.formats=[png]' -o " + (dir / "png").string(), dir);
  REQUIRE_MESSAGE(png.exit_code == 0, png.err);
  CHECK(png.err.find("libfplab_vtk_viz.so") != std::string::npos);
  CHECK(png.err.find("libvtkRenderingCore") != std::string::npos);
  CHECK(fs::exists(dir / "png" / "png" / "density_0000.png"));
}

TEST_CASE("start-up: without the VTK modules, VTK work is exit 2 in one sentence; the rest runs") {
  const fs::path dir = scratch("startup_no_module");
  const fs::path lone = dir / "bin" / "fplab";  // a copy of the program with no modules beside it
  fs::create_directories(lone.parent_path());
  fs::copy_file(FPLAB_BINARY, lone);

  CHECK(run_program("", lone.string(), "--version", dir).exit_code == 0);
  const auto h5 =
      run_program("", lone.string(),
                  kSmallRun + "--set 'output.formats=[hdf5]' -o " + (dir / "h5").string(), dir);
  REQUIRE_MESSAGE(h5.exit_code == 0, h5.err);
  CHECK(fs::exists(dir / "h5" / "result.h5"));
  CHECK(run_program("", lone.string(), "info " + (dir / "h5" / "result.h5").string(), dir)
            .exit_code == 0);

  struct Need {
    std::string args, what, module;
  };
  for (const Need& n :
       {Need{kSmallRun + "--set 'output.formats=[hdf5, vtk]' -o " + (dir / "v").string(),
             "output.formats: vtk", "libfplab_vtk_io.so"},
        Need{kSmallRun + "--set 'output.formats=[png]' -o " + (dir / "p").string(),
             "output.formats: png", "libfplab_vtk_viz.so"},
        Need{"render " + (dir / "h5" / "result.h5").string(), "fplab render",
             "libfplab_vtk_viz.so"},
        Need{"view " + (dir / "h5" / "result.h5").string(), "fplab view", "libfplab_vtk_viz.so"}}) {
    CAPTURE(n.args);
    const auto r = run_program("", lone.string(), n.args, dir);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(n.what) != std::string::npos);
    CHECK(r.err.find((lone.parent_path() / n.module).string()) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
  }
}
