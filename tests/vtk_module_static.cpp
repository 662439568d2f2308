// The test programs link the VTK modules' code statically (fplab_viz): their tables are their
// own, not libfplab_vtk_io.so and libfplab_vtk_viz.so (which io/vtk_module.cpp would look for
// beside the test program).
#include "io/vtk_module.hpp"

namespace {
const bool registered =
    (fplab::set_vtk_modules(fplab_vtk_io_module(), fplab_vtk_viz_module()), true);
}  // namespace
