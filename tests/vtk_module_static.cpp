// The test programs link viz/ statically (fplab_viz): their VTK module is their own table, not
// libfplab_vtk.so (which io/vtk_module.cpp would look for beside the test program).
#include "io/vtk_module.hpp"

namespace {
const bool registered = (fplab::set_vtk_module(fplab_vtk_module()), true);
}  // namespace
