// Internals of the visualiser shared by viz/*.cpp and its tests: the X display check, colour maps
// and scales, the layout of a row of density panels and its ticks, the no-X path, snapshot
// selection, the 3D surface view and the animation.
#pragma once
#include <vtkImageMapToColors.h>
#include <vtkLookupTable.h>
#include <vtkSmartPointer.h>

#include <array>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/result_file.hpp"
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

// One density panel of a picture: a field in a resolved colour scale (scale_resolved), its title
// above, its x-axis title below (a caption such as "t = 0.5" in a strip) and optionally a colour
// bar on its right, labelled colorbar_label (when not empty).
struct Panel {
  std::span<const double> field;
  ColourScale scale;
  std::string title;
  std::string x_title = "x";
  bool colour_bar = true;
  std::string colorbar_label = "density";
  // Points drawn over the field (a particle scatter) in domain units, as small red dots (a colour
  // no map here uses); none when empty. Drawn only with an X server.
  std::span<const double> points_x{}, points_y{};
  // A vector field at the cell centres (the probability current) drawn over the field as white
  // streamlines, seeded on a regular lattice; none when empty. Drawn only with an X server.
  std::span<const double> vector_x{}, vector_y{};
};

// The panel's field as image data, one point per cell (origin x0, y0 and spacing sx, sy in the
// caller's units), coloured through the panel's lookup table.
vtkSmartPointer<vtkImageMapToColors> panel_colours(const Grid2D& g, const Panel& p,
                                                   double x0 = 0.0, double y0 = 0.0,
                                                   double sx = 1.0, double sy = 1.0);

// Where each panel of a row lands in a width × height picture: plots of one size (the domain's
// shape, as density_layout), each with its tick labels on the left and its colour bar (or a
// narrow gap) on the right, the row centred; a non-empty heading takes a line above. One panel
// with a bar and no heading is density_layout.
std::vector<DensityLayout> panel_layouts(const Grid2D& g, std::span<const Panel> panels, int width,
                                         int height, bool heading);

// The default size of a row of panels: 900 pixels wide for one panel, else 640 per panel with a
// colour bar and 400 per panel without, the height (at most 760) trimmed so that the plots fill the
// width (as density_picture_fitted).
std::pair<int, int> panels_size_fitted(const Grid2D& g, std::span<const Panel> panels,
                                       bool heading);

// InputError (one sentence) for an empty grid or domain, a field of the wrong size, or a picture
// smaller than 64x64 pixels.
void panels_check(const Grid2D& g, std::span<const Panel> panels, int width, int height);

// The no-X path of a row: the panels' colour-mapped fields side by side, each the largest image
// with the domain's aspect ratio in its share of the width. Needs no X server.
void render_panels_png_no_x(const Grid2D& g, std::span<const Panel> panels, int width, int height,
                            const std::string& png_path);

// The panels side by side with axes, colour bars, titles and the heading (needs an X server); or,
// without one (a warning, once), render_panels_png_no_x.
void render_panels_png(const Grid2D& g, std::span<const Panel> panels, const std::string& heading,
                       int width, int height, const std::string& png_path);

// The default picture for a snapshot of g, its height trimmed so that the plot fills the width
// (no empty bands above and below a wide domain); width and fonts stay the default ones.
DensityPicture density_picture_fitted(const Grid2D& g, std::string title);

// Pixel size of the no-X picture: the largest image with the domain's aspect ratio (strips shown
// kPictureAspectMax:1, as above) that fits in width × height (cells become blocks of pixels).
std::pair<int, int> fallback_size(const Grid2D& g, int width, int height);

// The no-X path: the colour-mapped field alone (no axes, colour bar or title), y up, written with
// vtkImageMapToColors + vtkPNGWriter. Needs no X server (render_panels_png_no_x, one panel).
void render_density_png_no_x(const Grid2D& g, std::span<const double> field,
                             const DensityPicture& pic, const std::string& png_path);

// The diverging map of signed fields (differences), and the log scale's floor relative to the max.
inline constexpr const char* kDivergingMap = "coolwarm";
inline constexpr double kLogFloor = 1e-6;

// InputError naming --colormap unless `name` is a known map (viridis, coolwarm).
void colormap_check(std::string_view name);
// The map as a 256-colour lookup table over the scale's [lo, hi] (resolved), log10 when asked;
// non-finite values are grey.
vtkSmartPointer<vtkLookupTable> lookup_table(const ColourScale& s);
// Colour k (0..255) of a map, 8-bit RGB: entry 0 is the lowest value, 255 the highest.
std::array<unsigned char, 3> colormap_rgb(std::string_view name, int k);
// The scale with its range filled from the field where not given, and a log scale's floor applied.
ColourScale scale_resolved(ColourScale s, std::span<const double> field);
// Colour-bar ticks: round values (ticks_nice), or decades on a log scale.
std::vector<double> colour_ticks(const ColourScale& s, int target);

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
// fisher_rel; log-y), l1_to_eq.png (log-y), errors.png (l1_error, l2_error, linf_error; log-y),
// the decay plots with their fitted rates (viz/plot_series.hpp has the overload that adds the
// theory's). Returns paths written (none without an X server, see plot_series_png).
std::vector<std::string> plot_diagnostics(const std::vector<double>& t,
                                          const std::map<std::string, std::vector<double>>& columns,
                                          const std::string& case_name, const std::string& png_dir);

// "density_0007.png": the picture of snapshot k, the same name from `run` and from `render`.
std::string density_png_name(int k);

// Where `fplab render` writes the picture of snapshot k, the n-th chosen: dir/density_NNNN.png, or
// dir/frames/frame_NNNN.png (numbered in order, as ffmpeg's pattern wants) when animating.
std::string frame_png_path(const std::filesystem::path& dir, const RenderOptions& o, int k, int n);

// The pictures of a particle result (`fplab sample`) for the chosen snapshots: beside each
// other, the stored living particles (at most kScatterMax of them, evenly subsampled) over the
// grid density it compares with (its "density" field, else the histogram itself) and the
// histogram (density_particles), in one colour range. Returns the paths written.
inline constexpr std::size_t kScatterMax = 20000;
std::vector<std::string> render_particle_pictures(const ResultFile& r, const std::vector<int>& picked,
                                                  const std::filesystem::path& dir,
                                                  const RenderOptions& o);

// A 3D view of the field as a height field (vtkWarpScalar), coloured by the scale, seen from a
// camera at an angle. Needs an X server.
void render_surface_png(const Grid2D& g, std::span<const double> field, const ColourScale& scale,
                        const std::string& title, int width, int height,
                        const std::string& png_path);

// frames/frame_%04d.png → the MP4 at mp4_path with ffmpeg found on PATH (10 frames per second,
// yuv420p, sizes padded to even). Returns false, after one warning line saying how to install
// it, when PATH has no ffmpeg; InputError when ffmpeg fails.
bool animation_encode(const std::string& frames_dir, const std::string& mp4_path);

}  // namespace fplab::viz
