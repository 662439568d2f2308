// `fplab view RESULT.h5`: an interactive VTK window on a result file's density (read through
// io/result_file.hpp), colour-mapped with viridis or drawn as a height field, with a time slider,
// the diagnostics at the shown time, and keys: space play/pause, Left/Right one snapshot,
// l log colour scale, r reset the camera, s screenshot beside the result, q/e quit.
#pragma once
#include <string>

namespace fplab {

struct ViewOptions {
  bool height_field = false;  // warp the surface by the density (3D view) instead of a flat map
  int width = 1000, height = 800;
};

// Opens the window and returns when it is closed (q, e or the window manager). InputError (exit
// 2) when the file is not a readable result or when there is no X server to open a window on.
void view_result(const std::string& h5_path, const ViewOptions& options);

}  // namespace fplab
