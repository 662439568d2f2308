// Pictures of densities and plots of diagnostics, drawn with VTK from a field handed over or from
// a result file (never from solver internals).
#pragma once
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// How values become colours: a named map ("viridis", or the diverging "coolwarm" for signed
// fields) over [lo, hi] (NaN: the field's own range), linearly or on a log10 scale whose floor is
// max(lo, hi·1e-6) (lower values, zero and negative ones included, take the lowest colour).
struct ColourScale {
  std::string colormap = "viridis";
  bool log = false;
  double lo = NAN, hi = NAN;
};

struct DensityPicture {
  std::string title;  // e.g. "ou_gaussian  t = 0.5"
  std::string colorbar_label = "density";
  int width = 900, height = 760;
  ColourScale scale;
};

// Colour-mapped picture of a cell field with axes in domain units, a colour bar and a title.
// Needs an X server (Debian's VTK renders through GLX; run under xvfb-run -a): without one it logs
// a warning once and writes the colour-mapped field alone (no axes, colour bar or title).
void render_density_png(const Grid2D& g, std::span<const double> field, const DensityPicture& pic,
                        const std::string& png_path);

// Line plot of diagnostics against time (one PNG, one curve per named series; log-y optional).
// Needs an X server: without one it logs a warning once and returns WITHOUT writing the file.
// InputError when a series and t differ in length.
void plot_series_png(const std::vector<double>& t,
                     const std::vector<std::pair<std::string, std::vector<double>>>& series,
                     const std::string& title, bool log_y, const std::string& png_path);

// The same with a named x axis, optionally logarithmic (e.g. errors against nx, log–log).
void plot_xy_png(const std::vector<double>& x, const std::string& x_title, bool log_x,
                 const std::vector<std::pair<std::string, std::vector<double>>>& series,
                 const std::string& title, bool log_y, const std::string& png_path);

// The `png` output format: density pictures at each output time, diagnostics plots at the end.
std::unique_ptr<OutputSink> make_png_writer(const CaseSpec& spec);

// The options of `fplab render` (README "Pictures from a result").
struct RenderOptions {
  std::string out_dir;  // empty: png/ beside the (first) result
  std::string times;    // last | all | t1,t2,...; empty: last (all with animate)
  std::string colormap = "viridis";
  bool log = false;           // log10 colour scale (floor max·1e-6)
  bool per_frame = false;     // colour range per picture instead of fixed across them
  int width = 0, height = 0;  // 0: the default size for the picture's panels
  bool surface = false;       // also a 3D height-field view of each snapshot
  bool animate = false;       // frames/frame_NNNN.png and, with ffmpeg, density.mp4
};

// "WxH" (e.g. 1200x800) → {W, H}; InputError naming --size for anything else or below 64x64.
std::pair<int, int> picture_size_parse(const std::string& text);

// `fplab render RESULT.h5`: a picture per chosen snapshot (beside the exact solution and the
// difference when the result stores /fields/exact; beside the data density for a reverse run
// whose case has one), the diagnostics plots, and the options' extras. Returns the paths written.
std::vector<std::string> render_result(const std::string& h5_path, const RenderOptions& o);

// `fplab render FORWARD.h5 REVERSE.h5`: one strip of snapshots through time, the forward run's
// then the reverse run's (noise in the middle), in one colour range. Returns the paths written.
std::vector<std::string> render_strip(const std::string& forward_h5, const std::string& reverse_h5,
                                      const RenderOptions& o);

}  // namespace fplab
