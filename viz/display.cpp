// Whether an X server is reachable: Debian's VTK renders through GLX only and aborts when it
// cannot open the display, so full renders (axes, text, charts) check here first.
#include <cstdlib>

#include "viz/render_detail.hpp"

// Xlib last: its macros (Success, Status, None, ...) break Eigen and VTK headers included after it.
// clang-format off
#include <X11/Xlib.h>
// clang-format on

namespace fplab::viz {

bool display_available() {
  static const bool available = [] {
    const char* name = std::getenv("DISPLAY");
    if (name == nullptr || *name == '\0') return false;
    // DISPLAY may name a server that is gone (a stale ssh forward, a finished xvfb-run).
    Display* display = XOpenDisplay(nullptr);
    if (display == nullptr) return false;
    XCloseDisplay(display);
    return true;
  }();
  return available;
}

}  // namespace fplab::viz
