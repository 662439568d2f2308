// VTK XML output (docs/reference.md §6): one .vti per snapshot through VTK's own vtkXMLImageDataWriter in
// binary (not appended) mode, and the .pvd collection listing them with their times.
#include "io/vtk_writer.hpp"

#include <fmt/format.h>
#include <vtkCellData.h>
#include <vtkErrorCode.h>
#include <vtkFieldData.h>
#include <vtkObject.h>
#include <vtkXMLImageDataWriter.h>

#include <algorithm>
#include <cerrno>
#include <regex>
#include <stdexcept>

#include "io/writers.hpp"

namespace fplab {

std::string pvd_document(const std::vector<std::pair<double, std::string>>& entries) {
  std::string s =
      "<?xml version=\"1.0\"?>\n"
      "<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n"
      "  <Collection>\n";
  for (const auto& [t, file] : entries)
    s += fmt::format("    <DataSet timestep=\"{:.17g}\" group=\"\" part=\"0\" file=\"{}\"/>\n", t,
                     file);
  s += "  </Collection>\n</VTKFile>\n";
  return s;
}

void VtkWriter::begin(const RunInfo& info) {
  dir_ = output_dir_create(std::filesystem::path(info.output_dir) / "vtk");
  grid_ = info.grid;
  field_names_ = info.field_names;
  written_.clear();
  // Failures are one fplab sentence; VTK's own output window would add its internals.
  vtkObject::GlobalWarningDisplayOff();

  // Snapshots of an older run would otherwise linger next to the new collection; a resumed run
  // keeps the ones it continues from (those that exist: vtk may be a new format).
  const std::size_t keep = info.past ? info.past->times.size() : 0;
  static const std::regex stale(R"(density_(\d+)\.vti(\.tmp)?|density\.pvd(\.tmp\d*)?)");
  std::error_code ec;
  std::smatch m;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (!std::regex_match(name, m, stale)) continue;
    if (m[1].matched && !m[2].matched && std::stoul(m[1].str()) < keep) continue;
    std::filesystem::remove(e, ec);
  }
  for (std::size_t k = 0; k < keep; ++k) {
    const std::string name = fmt::format("density_{:04d}.vti", k);
    if (std::filesystem::exists(dir_ / name, ec)) written_.emplace_back(info.past->times[k], name);
  }
  if (info.past) file_write_atomic(dir_ / "density.pvd", pvd_document(written_));

  image_ = vtkSmartPointer<vtkImageData>::New();
  image_->SetOrigin(grid_.x0, grid_.y0, 0.0);
  image_->SetSpacing(grid_.dx(), grid_.dy(), 1.0);
  image_->SetDimensions(grid_.nx + 1, grid_.ny + 1, 1);  // points; cells are nx × ny quads
  const auto cells = static_cast<vtkIdType>(grid_.size());
  density_ = vtkSmartPointer<vtkDoubleArray>::New();
  density_->SetName(info.density_name.c_str());
  density_->SetNumberOfTuples(cells);
  image_->GetCellData()->SetScalars(density_);
  fields_.clear();
  for (const auto& name : field_names_) {
    fields_.push_back(vtkSmartPointer<vtkDoubleArray>::New());
    fields_.back()->SetName(name.c_str());
    fields_.back()->SetNumberOfTuples(cells);
    image_->GetCellData()->AddArray(fields_.back());
  }
  current_ = nullptr;
  current_x_ = current_y_ = -1;
  for (std::size_t f = 0; f < field_names_.size(); ++f) {
    if (field_names_[f] == "current_x") current_x_ = static_cast<int>(f);
    if (field_names_[f] == "current_y") current_y_ = static_cast<int>(f);
  }
  if (current_x_ >= 0 && current_y_ >= 0) {
    current_ = vtkSmartPointer<vtkDoubleArray>::New();
    current_->SetName("current");
    current_->SetNumberOfComponents(3);
    current_->SetNumberOfTuples(cells);
    image_->GetCellData()->SetVectors(current_);
  }
  // ParaView shows a lone .vti's time from this field-data array.
  time_value_ = vtkSmartPointer<vtkDoubleArray>::New();
  time_value_->SetName("TimeValue");
  time_value_->SetNumberOfTuples(1);
  image_->GetFieldData()->AddArray(time_value_);
}

void VtkWriter::write(const Snapshot& snap) {
  if (!image_) throw std::logic_error("VtkWriter::write called before begin().");
  if (snap.density.size() != grid_.size())
    throw std::logic_error("VtkWriter: snapshot density does not match the grid.");
  check_snapshot_fields(snap, field_names_, grid_, "VtkWriter");

  // VTK's cell order on image data is i fastest, then j: the fields' own row-major order.
  std::copy(snap.density.begin(), snap.density.end(), density_->GetPointer(0));
  density_->Modified();
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    std::copy(snap.fields[f].second.begin(), snap.fields[f].second.end(), fields_[f]->GetPointer(0));
    fields_[f]->Modified();
  }
  if (current_) {
    const auto jx = snap.fields[static_cast<std::size_t>(current_x_)].second;
    const auto jy = snap.fields[static_cast<std::size_t>(current_y_)].second;
    double* v = current_->GetPointer(0);
    for (std::size_t k = 0; k < jx.size(); ++k) {
      v[3 * k] = jx[k];
      v[3 * k + 1] = jy[k];
      v[3 * k + 2] = 0.0;
    }
    current_->Modified();
  }
  time_value_->SetValue(0, snap.t);
  image_->Modified();

  const std::string name = fmt::format("density_{:04d}.vti", snap.index);
  const auto path = dir_ / name;
  const auto tmp = dir_ / (name + ".tmp");
  auto writer = vtkSmartPointer<vtkXMLImageDataWriter>::New();
  writer->SetFileName(tmp.c_str());
  writer->SetInputData(image_);
  writer->SetDataModeToBinary();  // NOT appended: ParaView 5.11 on Debian 12 cannot read it
  writer->SetCompressorTypeToZLib();
  errno = 0;
  // VTK may report success for a truncated file (disk full): its error code says otherwise.
  if (writer->Write() != 1 || writer->GetErrorCode() != vtkErrorCode::NoError) {
    const int err = writer->GetErrorCode() == vtkErrorCode::OutOfDiskSpaceError ? ENOSPC : errno;
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(output_failure(path, err, written_.size()));
  }
  std::filesystem::rename(tmp, path);

  written_.emplace_back(snap.t, name);
  file_write_atomic(dir_ / "density.pvd", pvd_document(written_));
}

void VtkWriter::end(const RunSummary& /*summary*/) {
  image_ = nullptr;
  density_ = time_value_ = current_ = nullptr;
  fields_.clear();
}

}  // namespace fplab
