// The table of libfplab_vtk_io.so (io/vtk_module.hpp): the VTK writers and the PNG reader. Built
// into that module, not into fplab_io (CMakeLists.txt).
#include <memory>

#include "io/grey_image.hpp"
#include "io/vtk_module.hpp"
#include "io/particle_vtk_writer.hpp"
#include "io/vtk_writer.hpp"

namespace fplab {
namespace {

std::unique_ptr<OutputSink> make_vtk_writer() { return std::make_unique<VtkWriter>(); }
std::unique_ptr<ParticleSink> make_particle_vtk_writer() {
  return std::make_unique<ParticleVtkWriter>();
}

const VtkIoModule kIo{
    .abi = kVtkModuleAbi,
    .size = sizeof(VtkIoModule),
    .make_vtk_writer = &make_vtk_writer,
    .make_particle_vtk_writer = &make_particle_vtk_writer,
    .read_grey_png = &read_grey_png,
};

}  // namespace
}  // namespace fplab

extern "C" const fplab::VtkIoModule* fplab_vtk_io_module() { return &fplab::kIo; }
