// VTK points of a particle run (docs/reference.md §6): vtk/particles_NNNN.vtp per output time
// (vtkXMLPolyDataWriter, inline binary, zlib) and the vtk/particles.pvd collection ParaView opens
// as a time series. Built into libfplab_vtk_io.so (io/vtk_module.hpp).
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "solver/particles/particle_sink.hpp"

namespace fplab {

// vtkPolyData with one point (x, y, 0) and one vertex cell per living stored particle, point data
// "id" (int64: the particle's index in the run), field data "TimeValue". Absorbed particles are
// left out. Each .vtp is written to .vtp.tmp and renamed; the .pvd is rewritten atomically after
// every snapshot; files an older run left in vtk/ (particles_*.vtp, particles.pvd) are removed at
// begin(). A failed write (disk full) is one sentence naming the file.
class ParticleVtkWriter final : public ParticleSink {
 public:
  void begin(const ParticleRunInfo& info) override;
  void write(const ParticleSnapshot& snap) override;
  void end(RunStatus status) override;

 private:
  std::filesystem::path dir_;
  std::size_t stored_ = 0;
  std::vector<std::pair<double, std::string>> written_;  // (time, file name) for the .pvd
};

}  // namespace fplab
