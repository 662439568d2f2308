// VTK points of a particle run: one .vtp per output time through VTK's own vtkXMLPolyDataWriter in
// binary (not appended) mode, and the .pvd collection listing them with their times.
#include "io/particle_vtk_writer.hpp"

#include <fmt/format.h>
#include <vtkCellArray.h>
#include <vtkDoubleArray.h>
#include <vtkErrorCode.h>
#include <vtkFieldData.h>
#include <vtkNew.h>
#include <vtkObject.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkTypeInt64Array.h>
#include <vtkXMLPolyDataWriter.h>

#include <cerrno>
#include <regex>
#include <stdexcept>

#include "io/vtk_writer.hpp"
#include "io/writers.hpp"

namespace fplab {
namespace {

// The living stored particles as points with vertex cells, their indices as "id".
vtkSmartPointer<vtkPolyData> particles_poly(const ParticleSnapshot& snap, std::size_t stored) {
  vtkNew<vtkPoints> points;
  points->SetDataTypeToDouble();
  vtkNew<vtkCellArray> verts;
  vtkNew<vtkTypeInt64Array> ids;
  ids->SetName("id");
  for (std::size_t k = 0; k < stored; ++k) {
    if (snap.alive[k] == 0) continue;
    const vtkIdType p = points->InsertNextPoint(snap.x[k], snap.y[k], 0.0);
    verts->InsertNextCell(1, &p);
    ids->InsertNextValue(static_cast<vtkTypeInt64>(k));
  }
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  poly->SetPoints(points);
  poly->SetVerts(verts);
  poly->GetPointData()->AddArray(ids);
  // ParaView shows a lone .vtp's time from this field-data array.
  vtkNew<vtkDoubleArray> time;
  time->SetName("TimeValue");
  time->InsertNextValue(snap.t);
  poly->GetFieldData()->AddArray(time);
  return poly;
}

}  // namespace

void ParticleVtkWriter::begin(const ParticleRunInfo& info) {
  dir_ = output_dir_create(std::filesystem::path(info.output_dir) / "vtk");
  stored_ = info.stored;
  written_.clear();
  // Failures are one fplab sentence; VTK's own output window would add its internals.
  vtkObject::GlobalWarningDisplayOff();
  static const std::regex stale(R"(particles_\d+\.vtp(\.tmp)?|particles\.pvd(\.tmp\d*)?)");
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec))
    if (std::regex_match(e.path().filename().string(), stale)) std::filesystem::remove(e, ec);
}

void ParticleVtkWriter::write(const ParticleSnapshot& snap) {
  if (dir_.empty()) throw std::logic_error("ParticleVtkWriter::write called before begin().");
  if (snap.x.size() < stored_ || snap.y.size() < stored_ || snap.alive.size() < stored_)
    throw std::logic_error("ParticleVtkWriter: the snapshot holds fewer than `stored` particles.");
  const auto poly = particles_poly(snap, stored_);
  const std::string name = fmt::format("particles_{:04d}.vtp", snap.index);
  const auto path = dir_ / name;
  const auto tmp = dir_ / (name + ".tmp");
  vtkNew<vtkXMLPolyDataWriter> writer;
  writer->SetFileName(tmp.c_str());
  writer->SetInputData(poly);
  writer->SetDataModeToBinary();  // NOT appended: ParaView 5.11 on Debian 12 cannot read it
  writer->SetCompressorTypeToZLib();
  errno = 0;
  // VTK may report success for a truncated file (disk full): its error code says otherwise.
  std::error_code ec;
  if (writer->Write() != 1 || writer->GetErrorCode() != vtkErrorCode::NoError) {
    const int err = writer->GetErrorCode() == vtkErrorCode::OutOfDiskSpaceError ? ENOSPC : errno;
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(output_failure(path, err, written_.size()));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error(output_failure(path, ec.value(), written_.size()));
  written_.emplace_back(snap.t, name);
  file_write_atomic(dir_ / "particles.pvd", pvd_document(written_));
}

void ParticleVtkWriter::end(RunStatus /*status*/) { dir_.clear(); }

}  // namespace fplab
