// The table of libfplab_vtk_viz.so (io/vtk_module.hpp): what the program calls in viz/.
#include "io/vtk_module.hpp"
#include "viz/paraview_script.hpp"
#include "viz/plot_series.hpp"
#include "viz/render.hpp"
#include "viz/viewer.hpp"

namespace fplab {
namespace {

const VtkVizModule kViz{
    .abi = kVtkModuleAbi,
    .size = sizeof(VtkVizModule),
    .make_png_writer = &make_png_writer,
    .plot_convergence_png = &plot_convergence_png,
    .plot_xy_png = &plot_xy_png,
    .picture_size_parse = &picture_size_parse,
    .render_result = &render_result,
    .render_strip = &render_strip,
    .write_paraview_script = &write_paraview_script,
    .view_result = &view_result,
};

}  // namespace
}  // namespace fplab

extern "C" const fplab::VtkVizModule* fplab_vtk_viz_module() { return &fplab::kViz; }
