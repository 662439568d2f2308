// Pictures of densities and plots of diagnostics, drawn with VTK from a field handed over or from
// a result file (never from solver internals).
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

struct DensityPicture {
  std::string title;       // e.g. "ou_gaussian  t = 0.5"
  std::string colorbar_label = "density";
  int width = 900, height = 760;
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

// `fplab render RESULT.h5 [-o DIR] [--times last|all|t1,t2]`: pictures and plots from a file.
// Returns the paths written.
std::vector<std::string> render_result(const std::string& h5_path, const std::string& out_dir,
                                       const std::string& times);

}  // namespace fplab
