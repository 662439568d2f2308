// Writing PNG files from VTK: a render window's pixels or an image pipeline's output.
#include "viz/png_io.hpp"

#include <fmt/format.h>
#include <vtkAlgorithmOutput.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include <filesystem>
#include <mutex>
#include <system_error>

#include "solver/errors.hpp"

namespace fplab::viz {

void ensure_dir(const std::string& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError(fmt::format("cannot create the folder {}: {}.", dir, ec.message()));
}

void ensure_parent_dir(const std::string& path) {
  ensure_dir(std::filesystem::path(path).parent_path().string());
}

void write_png_port(vtkAlgorithmOutput* image, const std::string& png_path) {
  ensure_parent_dir(png_path);
  vtkNew<vtkPNGWriter> writer;
  writer->SetInputConnection(image);
  writer->SetFileName(png_path.c_str());
  writer->Write();
  // vtkPNGWriter reports an unwritable file through its error code, not an exception.
  if (writer->GetErrorCode() != 0)
    throw InputError(fmt::format("cannot write the picture {}.", png_path));
}

void write_png_window(vtkRenderWindow* window, const std::string& png_path) {
  vtkNew<vtkWindowToImageFilter> grab;
  grab->SetInput(window);
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();  // offscreen windows draw into the back buffer
  grab->Update();
  write_png_port(grab->GetOutputPort(), png_path);
}

void render_to_png(vtkRenderer* renderer, int width, int height, const std::string& png_path) {
  // Created on first use and never destroyed: tearing down a GLX context during static
  // destruction, after Xlib may have gone, can crash at exit; the process end frees it.
  static std::mutex mutex;
  static vtkRenderWindow* const window = [] {
    vtkRenderWindow* w = vtkRenderWindow::New();
    w->SetOffScreenRendering(1);
    w->SetMultiSamples(0);
    return w;
  }();
  const std::lock_guard<std::mutex> lock(mutex);
  struct Detach {  // the renderer leaves the window (and frees its GL resources) however we exit
    vtkRenderWindow* w;
    vtkRenderer* r;
    ~Detach() { w->RemoveRenderer(r); }
  };
  window->SetSize(width, height);
  window->AddRenderer(renderer);
  const Detach detach{window, renderer};
  window->Render();
  write_png_window(window, png_path);
}

}  // namespace fplab::viz
