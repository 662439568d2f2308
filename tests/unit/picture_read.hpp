// Reading pictures back in tests: a PNG's pixels through VTK, origin at the lower-left corner.
#pragma once
#include <doctest/doctest.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fplab_test {

struct Rgb {
  int r = 0, g = 0, b = 0;
};

// A PNG read back with VTK: pixel (x, y) with the origin at the lower-left corner.
struct Picture {
  int width = 0, height = 0, comps = 0;
  std::vector<unsigned char> data;
  Rgb at(int x, int y) const {
    const std::size_t k = (static_cast<std::size_t>(y) * width + x) * comps;
    return {data[k], data[k + 1], data[k + 2]};
  }
};

inline Picture read_png(const std::string& path) {
  REQUIRE(std::filesystem::exists(path));
  vtkNew<vtkPNGReader> reader;
  reader->SetFileName(path.c_str());
  reader->Update();
  vtkImageData* img = reader->GetOutput();
  Picture p;
  int dims[3];
  img->GetDimensions(dims);
  p.width = dims[0];
  p.height = dims[1];
  auto* s = vtkUnsignedCharArray::SafeDownCast(img->GetPointData()->GetScalars());
  REQUIRE(s != nullptr);
  p.comps = s->GetNumberOfComponents();
  REQUIRE(p.comps >= 3);
  p.data.assign(s->GetPointer(0), s->GetPointer(0) + s->GetNumberOfValues());
  return p;
}

inline bool close(Rgb a, Rgb b, int tol = 3) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

}  // namespace fplab_test
