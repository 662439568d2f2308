// Writing PNG files from VTK: a render window's pixels or an image pipeline's output, with the
// parent folder created and write failures reported as InputError; and the one offscreen window
// every picture of the process is drawn in.
#pragma once
#include <mutex>
#include <string>

class vtkAlgorithmOutput;
class vtkRenderer;
class vtkRenderWindow;

namespace fplab::viz {

// Draws `renderer` alone in the process's offscreen window at width × height and writes the
// pixels to png_path. One window serves every picture: a new GLX context per picture costs more
// than drawing it (Mesa compiles its shaders again). Needs an X server (display_available()).
void render_to_png(vtkRenderer* renderer, int width, int height, const std::string& png_path);

// Creates the folder `dir` and its parents (InputError when that is impossible).
void ensure_dir(const std::string& dir);
// Creates the folder that will hold `path`.
void ensure_parent_dir(const std::string& path);

// The RGB pixels of a rendered window (back buffer) → PNG.
void write_png_window(vtkRenderWindow* window, const std::string& png_path);

// An RGB or RGBA image pipeline's output → PNG.
void write_png_port(vtkAlgorithmOutput* image, const std::string& png_path);

}  // namespace fplab::viz
