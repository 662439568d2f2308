// The table of libfplab_vtk.so (io/vtk_module.hpp): what the program calls in VTK's code.
#include <memory>

#include "io/grey_image.hpp"
#include "io/vtk_module.hpp"
#include "io/vtk_writer.hpp"
#include "viz/paraview_script.hpp"
#include "viz/plot_series.hpp"
#include "viz/render.hpp"
#include "viz/viewer.hpp"

namespace fplab {
namespace {

std::unique_ptr<OutputSink> make_vtk_writer() { return std::make_unique<VtkWriter>(); }

const VtkModule kModule{
    .abi = kVtkModuleAbi,
    .size = sizeof(VtkModule),
    .make_vtk_writer = &make_vtk_writer,
    .make_png_writer = &make_png_writer,
    .read_grey_png = &read_grey_png,
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

extern "C" const fplab::VtkModule* fplab_vtk_module() { return &fplab::kModule; }
