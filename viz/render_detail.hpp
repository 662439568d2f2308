// Internals of the visualiser shared by viz/*.cpp and its tests: the X display check, the viridis
// colour map, the density picture's layout and ticks, the no-X path and snapshot selection.
#pragma once
#include <vtkLookupTable.h>
#include <vtkSmartPointer.h>

#include <array>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "solver/grid.hpp"
#include "viz/render.hpp"

namespace fplab::viz {

// True when an X server answers (DISPLAY set and XOpenDisplay succeeds). Debian's VTK renders
// only through GLX, and VTK aborts the process when it cannot open the display, so every
// full render asks this first. Checked once per process.
bool display_available();

// Where the domain lands in a density picture (window pixels, origin at the lower-left corner
// as in VTK's display coordinates): pixels per domain unit in x and y, and the plot rectangle.
// The scales are equal (the picture keeps the domain's shape) unless the domain is a strip more
// than 4 times longer one way than the other, which is shown 4:1. font_size: base text size.
inline constexpr double kPictureAspectMax = 4.0;
struct DensityLayout {
  double scale_x = 1.0, scale_y = 1.0;
  double left = 0.0, bottom = 0.0, width = 0.0, height = 0.0;
  int font_size = 12;
};
DensityLayout density_layout(const Grid2D& g, int width, int height);

// The default picture for a snapshot of g, its height trimmed so that the plot fills the width
// (no empty bands above and below a wide domain); width and fonts stay the default ones.
DensityPicture density_picture_fitted(const Grid2D& g, std::string title);

// Pixel size of the no-X picture: the largest image with the domain's aspect ratio (strips shown
// kPictureAspectMax:1, as above) that fits in width × height (cells become blocks of pixels).
std::pair<int, int> fallback_size(const Grid2D& g, int width, int height);

// The no-X path: the colour-mapped field alone (no axes, colour bar or title), y up, written with
// vtkImageMapToColors + vtkPNGWriter. Needs no X server. render_density_png falls back to it.
void render_density_png_no_x(const Grid2D& g, std::span<const double> field,
                             const DensityPicture& pic, const std::string& png_path);

// Viridis (matplotlib's perceptually uniform map; van der Walt & Smith, 2015) as a 256-colour
// lookup table over [lo, hi]; non-finite values are grey.
vtkSmartPointer<vtkLookupTable> lookup_table_viridis(double lo, double hi);
// Colour k (0..255) of the table, 8-bit RGB: entry 0 is the lowest value, 255 the highest.
std::array<unsigned char, 3> viridis_rgb(int k);

// Colour range of a field: [min, max] of its finite values, widened when the field is flat so
// that the map stays defined. {0, 1} when no value is finite.
std::pair<double, double> field_range(std::span<const double> field);

// "Nice" tick values inside [lo, hi], about `target` of them, multiples of 1, 2 or 5 × 10^k
// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
std::vector<double> ticks_nice(double lo, double hi, int target);

// Snapshot indices for `--times`: "last", "all" or a comma list of times, each mapped to the
// nearest stored snapshot (duplicates dropped, order kept). InputError for a time outside
// [times.front(), times.back()] or text that is not a time.
std::vector<int> snapshots_select(const std::vector<double>& times, const std::string& selection);

// The diagnostics plots from columns over t, skipping those whose columns are absent:
// mass_moments.png (mass, mean_x, mean_y), entropy.png (entropy), rel_entropy.png (rel_entropy,
// fisher_rel; log-y), errors.png (l1_error, l2_error, linf_error; log-y). Returns paths written
// (none without an X server, see plot_series_png).
std::vector<std::string> plot_diagnostics(const std::vector<double>& t,
                                          const std::map<std::string, std::vector<double>>& columns,
                                          const std::string& case_name, const std::string& png_dir);

// "density_0007.png": the picture of snapshot k, the same name from `run` and from `render`.
std::string density_png_name(int k);

}  // namespace fplab::viz
