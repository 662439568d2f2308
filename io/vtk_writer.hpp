// VTK XML output (docs/reference.md §6): vtk/density_NNNN.vti per snapshot (vtkXMLImageDataWriter, inline
// binary, zlib) and the vtk/density.pvd collection that ParaView opens as a time series.
#pragma once
#include <vtkDoubleArray.h>
#include <vtkImageData.h>
#include <vtkSmartPointer.h>

#include <filesystem>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// Cell data RunInfo::density_name ("density" or "density_particles") and each of RunInfo::field_names on vtkImageData with origin
// (x0, y0, 0), spacing (dx, dy, 1) and (nx+1) × (ny+1) × 1 points; field data "TimeValue" holds
// the snapshot time. Files use the binary (inline base64) data mode, never the appended one:
// ParaView 5.11 on Debian 12 cannot parse appended data (PLATFORM.md). The .pvd is rewritten
// atomically after every snapshot; files left by an older run in vtk/ are removed at begin().
class VtkWriter final : public OutputSink {
 public:
  void begin(const RunInfo& info) override;
  void write(const Snapshot& snap) override;
  void end(const RunSummary& summary) override;

 private:
  std::filesystem::path dir_;
  Grid2D grid_;
  std::vector<std::string> field_names_;
  std::vector<std::pair<double, std::string>> written_;  // (time, file name) for the .pvd
  vtkSmartPointer<vtkImageData> image_;
  vtkSmartPointer<vtkDoubleArray> density_, time_value_;
  std::vector<vtkSmartPointer<vtkDoubleArray>> fields_;
  // (current_x, current_y, 0) as the cell vectors "current" when both are stored (for ParaView's
  // Stream Tracer and Glyph filters, which want one 3-component array).
  vtkSmartPointer<vtkDoubleArray> current_;
  int current_x_ = -1, current_y_ = -1;  // their positions in fields_
};

// The .pvd collection text listing (time, file) pairs, times with 17 significant digits.
std::string pvd_document(const std::vector<std::pair<double, std::string>>& entries);

}  // namespace fplab
