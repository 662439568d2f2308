// PNG → GreyImage through vtkPNGReader (see grey_image.hpp). VTK's image rows run bottom to top,
// which is GreyImage's layout, so pixels are copied in order.
#include "io/grey_image.hpp"

#include <fmt/format.h>
#include <vtkCommand.h>
#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkPNGReader.h>
#include <vtkPointData.h>
#include <vtkSmartPointer.h>

#include <filesystem>
#include <stdexcept>

namespace fplab {

namespace {

// Keeps a reader's error messages for the exception instead of letting VTK print them.
class ErrorCatcher : public vtkCommand {
 public:
  static ErrorCatcher* New() { return new ErrorCatcher; }
  void Execute(vtkObject*, unsigned long, void* data) override {
    failed = true;
    if (data != nullptr && message.empty()) message = static_cast<const char*>(data);
  }
  bool failed = false;
  std::string message;
};

// The grey level of pixel p from 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA) components.
double luma(vtkDataArray& a, vtkIdType p, int components, double max) {
  if (components <= 2) return a.GetComponent(p, 0) / max;
  return (0.299 * a.GetComponent(p, 0) + 0.587 * a.GetComponent(p, 1) +
          0.114 * a.GetComponent(p, 2)) /
         max;
}

}  // namespace

std::shared_ptr<const GreyImage> read_grey_png(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error("no such file");
  const auto reader = vtkSmartPointer<vtkPNGReader>::New();
  if (reader->CanReadFile(path.c_str()) == 0) throw std::runtime_error("not a PNG picture");
  const auto errors = vtkSmartPointer<ErrorCatcher>::New();
  reader->AddObserver(vtkCommand::ErrorEvent, errors);
  reader->SetFileName(path.c_str());
  reader->Update();
  vtkImageData* img = reader->GetOutput();
  vtkDataArray* a = img != nullptr ? img->GetPointData()->GetScalars() : nullptr;
  if (errors->failed || a == nullptr)
    throw std::runtime_error(fmt::format("unreadable PNG picture ({})",
                                         errors->message.empty() ? "no pixels" : errors->message));
  int dims[3];
  img->GetDimensions(dims);
  if (dims[0] <= 0 || dims[1] <= 0 || a->GetNumberOfTuples() != vtkIdType(dims[0]) * dims[1])
    throw std::runtime_error("the PNG picture holds no pixels");

  auto out = std::make_shared<GreyImage>();
  out->width = dims[0];
  out->height = dims[1];
  const int components = a->GetNumberOfComponents();
  const double max = a->GetDataTypeMax();  // 255 or 65535
  const bool has_alpha = components == 2 || components == 4;
  out->grey.resize(static_cast<std::size_t>(a->GetNumberOfTuples()));
  if (has_alpha) out->alpha.resize(out->grey.size());
  for (vtkIdType p = 0; p < a->GetNumberOfTuples(); ++p) {
    out->grey[p] = luma(*a, p, components, max);
    if (has_alpha) out->alpha[p] = a->GetComponent(p, components - 1) / max;
  }
  return out;
}

}  // namespace fplab
