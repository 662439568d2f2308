// fplab links no VTK. What uses it lives in two modules built beside the program and loaded on
// first use, so that a run that draws no picture and writes no .vti never loads VTK (its ~80
// libraries were most of fplab's start-up time: README "Start-up"):
//  - libfplab_vtk_io.so: the VTK XML writers (io/vtk_writer.hpp, io/particle_vtk_writer.hpp) and the PNG reader of `image`
//    densities (io/grey_image.hpp), with VTK's IO libraries only (30 more libraries, not 78);
//  - libfplab_vtk_viz.so: viz/ (pictures, plots, `fplab render`, `fplab view`), with all of VTK.
// Each exports one table of entry points, declared here; io/vtk_io_entry.cpp and
// viz/viz_entry.cpp fill them. The modules take io/ and solver/ from the program that loads them.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"
#include "solver/particles/particle_sink.hpp"

namespace fplab {

struct ConvergenceStudy;
struct RenderOptions;
struct ViewOptions;

// Raised with every change of the tables below.
inline constexpr int kVtkModuleAbi = 3;

// libfplab_vtk_io.so
struct VtkIoModule {
  int abi = 0;           // kVtkModuleAbi of the module's build
  std::size_t size = 0;  // sizeof(VtkIoModule) there
  // io/vtk_writer.hpp: the "vtk" output format.
  std::unique_ptr<OutputSink> (*make_vtk_writer)();
  // io/particle_vtk_writer.hpp: the "vtk" output format of a particle run.
  std::unique_ptr<ParticleSink> (*make_particle_vtk_writer)();
  // io/grey_image.hpp: a PNG picture for an `image` density.
  std::shared_ptr<const GreyImage> (*read_grey_png)(const std::string& path);
};

// libfplab_vtk_viz.so
struct VtkVizModule {
  int abi = 0;           // kVtkModuleAbi of the module's build
  std::size_t size = 0;  // sizeof(VtkVizModule) there
  // viz/render.hpp: the "png" output format.
  std::unique_ptr<OutputSink> (*make_png_writer)(const CaseSpec& spec);
  // viz/plot_series.hpp and viz/render.hpp: the convergence plot of `fplab verify`, and a line plot
  // (fplab-torch's training loss).
  void (*plot_convergence_png)(const CaseSpec& spec, const ConvergenceStudy& study,
                               double expected_order, const std::string& png_path);
  void (*plot_xy_png)(const std::vector<double>& x, const std::string& x_title, bool log_x,
                      const std::vector<std::pair<std::string, std::vector<double>>>& series,
                      const std::string& title, bool log_y, const std::string& png_path);
  // viz/render.hpp, viz/paraview_script.hpp, viz/viewer.hpp: `fplab render` and `fplab view`.
  std::pair<int, int> (*picture_size_parse)(const std::string& text);
  std::vector<std::string> (*render_result)(const std::string& h5_path, const RenderOptions& o);
  std::vector<std::string> (*render_strip)(const std::string& forward_h5,
                                           const std::string& reverse_h5, const RenderOptions& o);
  std::string (*write_paraview_script)(const std::string& h5_path, const std::string& out_dir);
  void (*view_result)(const std::string& h5_path, const ViewOptions& options);
};

// The module, loaded on the first call: the table set_vtk_modules gave, else the file from the
// folder of the running program (/proc/self/exe). When it is missing or unloadable, InputError
// (exit 2) saying that `what` (e.g. "output.formats: vtk", "fplab render") needs it and where it
// was looked for.
const VtkIoModule& vtk_io(std::string_view what);
const VtkVizModule& vtk_viz(std::string_view what);

// For programs linked with the modules' code statically (the tests): use these tables instead of
// loading the modules. Call before the first vtk_io() or vtk_viz().
void set_vtk_modules(const VtkIoModule* io, const VtkVizModule* viz);

// The modules' file names (in the folder of the fplab program).
inline constexpr const char* kVtkIoModuleFile = "libfplab_vtk_io.so";
inline constexpr const char* kVtkVizModuleFile = "libfplab_vtk_viz.so";

}  // namespace fplab

// Each module's one exported entry: its table.
extern "C" const fplab::VtkIoModule* fplab_vtk_io_module();
extern "C" const fplab::VtkVizModule* fplab_vtk_viz_module();
