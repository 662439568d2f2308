// Everything that uses VTK (the VTK XML writer, the PNG reader of `image` densities, and viz/:
// pictures, plots, `fplab render`, `fplab view`) lives in libfplab_vtk.so, a module built beside
// fplab and loaded on first use, so that a run that draws no picture and writes no .vti never
// loads VTK's 47 libraries (most of fplab's start-up time when it linked them: README
// "Start-up"). This is the one table of entry points the program calls the module through;
// viz/vtk_module_entry.cpp fills it. The module takes io/ and solver/ from the program.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

struct ConvergenceStudy;
struct RenderOptions;
struct ViewOptions;

// Raised with every change of the table below.
inline constexpr int kVtkModuleAbi = 1;

struct VtkModule {
  int abi = 0;           // kVtkModuleAbi of the module's build
  std::size_t size = 0;  // sizeof(VtkModule) there
  // io/vtk_writer.hpp: the "vtk" output format.
  std::unique_ptr<OutputSink> (*make_vtk_writer)();
  // viz/render.hpp: the "png" output format.
  std::unique_ptr<OutputSink> (*make_png_writer)(const CaseSpec& spec);
  // io/grey_image.hpp: a PNG picture for an `image` density.
  std::shared_ptr<const GreyImage> (*read_grey_png)(const std::string& path);
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

// The module, loaded on the first call: the one set_vtk_module gave, else libfplab_vtk.so from the
// folder of the running program (/proc/self/exe). When it is missing or unloadable, InputError
// (exit 2) saying that `what` (e.g. "output.formats: vtk", "fplab render") needs it and where it
// was looked for.
const VtkModule& vtk_module(std::string_view what);

// For programs linked with viz/ statically (the tests): use this table instead of loading the
// module. Call before the first vtk_module().
void set_vtk_module(const VtkModule* module);

// The module's file name (in the folder of the fplab program).
inline constexpr const char* kVtkModuleFile = "libfplab_vtk.so";

}  // namespace fplab

// The module's one exported symbol: its table.
extern "C" const fplab::VtkModule* fplab_vtk_module();
