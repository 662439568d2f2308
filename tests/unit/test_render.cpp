// Tests of the visualiser (viz/): density pictures read back pixel by pixel (every sampled cell
// shows its viridis colour at its place, y up, axes and colour bar drawn), the no-X path, the
// diagnostics plots, the png output writer, tick values and `--times` selection.
#include <doctest/doctest.h>
#include <unistd.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "io/hdf5_writer.hpp"
#include "io/particle_writer.hpp"
#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "tests/display_required.hpp"
#include "tests/scratch_dir.hpp"
#include "tests/unit/picture_read.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fs = std::filesystem;
using namespace fplab;
using namespace fplab_test;

namespace {

Rgb lut_colour(vtkLookupTable* lut, double v) {
  const unsigned char* c = lut->MapValue(v);
  return {c[0], c[1], c[2]};
}


// An anisotropic Gaussian off the domain's centre on a non-square domain with non-square cells,
// so that a transposed, flipped or stretched picture puts the wrong colours at sampled places.
struct GaussianCase {
  Grid2D g{64, 48, -3.0, 5.0, -2.0, 2.0};
  std::vector<double> p;
  explicit GaussianCase(double mx = 1.5, double my = -0.5) : p(g.size()) {
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const double u = (g.xc(i) - mx) / 0.8, v = (g.yc(j) - my) / 0.5;
        p[g.index(i, j)] = std::exp(-0.5 * (u * u + v * v)) / (2 * M_PI * 0.8 * 0.5);
      }
  }
};

// Every 5th cell in each direction (and the peak cell) shows its own colour at its centre.
// pixel(i, j) gives the pixel at the centre of cell (i, j).
template <class PixelOf>
int count_wrong_cells(const Picture& pic, const GaussianCase& c, PixelOf pixel_of) {
  const auto [lo, hi] = viz::field_range(c.p);
  auto lut = viz::lookup_table({"viridis", false, lo, hi});
  std::vector<std::pair<int, int>> cells;
  for (int j = 2; j < c.g.ny; j += 5)
    for (int i = 2; i < c.g.nx; i += 5) cells.emplace_back(i, j);
  const auto peak = std::max_element(c.p.begin(), c.p.end()) - c.p.begin();
  cells.emplace_back(static_cast<int>(peak % c.g.nx), static_cast<int>(peak / c.g.nx));
  int wrong = 0;
  for (auto [i, j] : cells) {
    const auto [x, y] = pixel_of(i, j);
    const Rgb want = lut_colour(lut, c.p[c.g.index(i, j)]);
    if (!close(pic.at(x, y), want)) ++wrong;
  }
  return wrong;
}

// The pixel at the centre of cell (i, j) in a picture from render_density_png: the layout's plot
// rectangle with an X server, the whole (fallback) image without.
std::pair<int, int> cell_pixel(const Picture& img, const Grid2D& g, int i, int j) {
  if (!viz::display_available())
    return {static_cast<int>((g.xc(i) - g.x0) / (g.x1 - g.x0) * img.width),
            static_cast<int>((g.yc(j) - g.y0) / (g.y1 - g.y0) * img.height)};
  const viz::DensityLayout L = viz::density_layout(g, img.width, img.height);
  return {static_cast<int>(L.left + (g.xc(i) - g.x0) * L.scale_x),
          static_cast<int>(L.bottom + (g.yc(j) - g.y0) * L.scale_y)};
}

RenderOptions times_only(const std::string& times) {
  RenderOptions o;
  o.times = times;
  return o;
}

}  // namespace

TEST_CASE("render: viridis lookup table spans the field range with matplotlib's end colours") {
  auto lut = viz::lookup_table({"viridis", false, -1.0, 3.0});
  // The ends of matplotlib's viridis, not VTK's default rainbow (Build() would restore that).
  CHECK(close(lut_colour(lut, -1.0), {68, 1, 84}, 0));
  CHECK(close(lut_colour(lut, 3.0), {253, 231, 37}, 0));
  CHECK(close(lut_colour(lut, 1.0), {33, 145, 140}, 1));  // the middle: teal
  // Perceptually ordered: CIE L* lightness rises along the map (strictly over every 8 entries;
  // 8-bit rounding leaves wobbles of 0.03 between neighbours) from about 15 to 91.
  auto lightness = [](std::array<unsigned char, 3> c) {
    double y = 0.0;
    const double w[3] = {0.2126, 0.7152, 0.0722};
    for (int k = 0; k < 3; ++k) {
      const double s = c[k] / 255.0;
      y += w[k] * (s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4));
    }
    return y > 216.0 / 24389.0 ? 116.0 * std::cbrt(y) - 16.0 : 24389.0 / 27.0 * y;
  };
  int non_increasing = 0;
  for (int k = 0; k + 8 < 256; ++k)
    non_increasing += !(lightness(viz::colormap_rgb("viridis", k + 8)) >
                        lightness(viz::colormap_rgb("viridis", k)));
  CHECK(non_increasing == 0);
  CHECK(lightness(viz::colormap_rgb("viridis", 0)) == doctest::Approx(14.9).epsilon(0.01));
  CHECK(lightness(viz::colormap_rgb("viridis", 255)) == doctest::Approx(90.9).epsilon(0.01));
  // A flat field still gets a proper range, with its value strictly inside.
  const std::vector<double> flat(10, 0.25);
  const auto [lo, hi] = viz::field_range(flat);
  CHECK(lo < 0.25);
  CHECK(hi > 0.25);
}

TEST_CASE("render: ticks are round numbers inside the range") {
  CHECK(viz::ticks_nice(-6, 6, 6) == std::vector<double>{-6, -4, -2, 0, 2, 4, 6});
  const auto t = viz::ticks_nice(0.0, 0.0637, 5);
  REQUIRE(t.size() == 7);
  CHECK(t.front() == 0.0);
  CHECK(t.back() == doctest::Approx(0.06));
  const auto u = viz::ticks_nice(-2.5, 7.3, 5);  // an awkward domain: ticks at multiples of 2
  CHECK(u == std::vector<double>{-2, 0, 2, 4, 6});
}

TEST_CASE("render: layout keeps the domain's shape, and shows strips 4:1") {
  const Grid2D square{100, 100, -6, 6, -6, 6}, strip{256, 8, -6.3, 7.1, -0.01, 0.02};
  const auto a = viz::density_layout(square, 900, 760);
  CHECK(a.scale_x == doctest::Approx(a.scale_y));
  CHECK(a.width == doctest::Approx(a.height));
  CHECK(a.left + a.width < 900);
  CHECK(a.bottom + a.height < 760);
  const auto b = viz::density_layout(strip, 900, 760);
  CHECK(b.width == doctest::Approx(4.0 * b.height));
  CHECK(b.scale_y / b.scale_x == doctest::Approx(13.4 / 0.03 / 4.0));
  // Fitted pictures: a wide domain loses the empty bands above and below, not its plot size.
  const Grid2D wide{64, 48, -3.0, 5.0, -2.0, 2.0};
  const auto fitted = viz::density_picture_fitted(wide, "wide");
  CHECK(fitted.width == 900);
  CHECK(fitted.height < 500);
  const auto full = viz::density_layout(wide, 900, 760);
  const auto trimmed = viz::density_layout(wide, fitted.width, fitted.height);
  CHECK(trimmed.scale_x == doctest::Approx(full.scale_x));
  CHECK(trimmed.font_size == full.font_size);
  CHECK(trimmed.bottom + trimmed.height < fitted.height);
  CHECK(viz::density_picture_fitted(square, "square").height == 760);
  CHECK(viz::fallback_size(square, 900, 760) == std::pair{760, 760});
  CHECK(viz::fallback_size(strip, 900, 760) == std::pair{900, 225});
}

TEST_CASE("render: --times selects the nearest stored snapshots") {
  const std::vector<double> times{0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5};
  CHECK(viz::snapshots_select(times, "last") == std::vector<int>{5});
  CHECK(viz::snapshots_select(times, "all") == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(viz::snapshots_select(times, "0, 0.3,0.26, 0.5") == std::vector<int>{0, 3, 5});
  CHECK(viz::snapshots_select(times, "0.12") == std::vector<int>{1});
  CHECK(viz::snapshots_select(times, "0.5000000000001") == std::vector<int>{5});
  CHECK_THROWS_AS(viz::snapshots_select(times, "0.6"), InputError);
  CHECK_THROWS_AS(viz::snapshots_select(times, "-0.1"), InputError);
  CHECK_THROWS_AS(viz::snapshots_select(times, "0.1,abc"), InputError);
  CHECK_THROWS_AS(viz::snapshots_select(times, "0.1,"), InputError);
  CHECK_THROWS_AS(viz::snapshots_select(times, ""), InputError);
  CHECK_THROWS_AS(viz::snapshots_select({}, "last"), InputError);
}

TEST_CASE("render: the no-X path writes the colour-mapped field, y up, with the domain's shape") {
  const GaussianCase c;
  const ScratchDir scratch("render_no_x");
  const fs::path& dir = scratch.path;
  DensityPicture pic;
  pic.title = "gaussian";
  const std::string path = (dir / "density.png").string();
  viz::render_density_png_no_x(c.g, c.p, pic, path);
  const Picture img = read_png(path);
  // An 8 × 4 domain in at most 900 × 760 pixels: 900 × 450.
  CHECK(img.width == 900);
  CHECK(img.height == 450);
  auto pixel_of = [&](int i, int j) {
    return std::pair{static_cast<int>((c.g.xc(i) - c.g.x0) / (c.g.x1 - c.g.x0) * img.width),
                     static_cast<int>((c.g.yc(j) - c.g.y0) / (c.g.y1 - c.g.y0) * img.height)};
  };
  CHECK(count_wrong_cells(img, c, pixel_of) == 0);
  // Not blank: the peak is yellow, the far corner dark purple.
  const auto peak = std::max_element(c.p.begin(), c.p.end()) - c.p.begin();
  const auto [px, py] = pixel_of(static_cast<int>(peak % c.g.nx), static_cast<int>(peak / c.g.nx));
  CHECK(close(img.at(px, py), {253, 231, 37}, 0));
  CHECK(close(img.at(0, img.height - 1), {68, 1, 84}));
  // Edge cells are whole: the image's corner pixels are the corner cells.
  const auto [lo, hi] = viz::field_range(c.p);
  auto lut = viz::lookup_table({"viridis", false, lo, hi});
  const int w = img.width - 1, h = img.height - 1, nx = c.g.nx - 1, ny = c.g.ny - 1;
  CHECK(close(img.at(0, 0), lut_colour(lut, c.p[c.g.index(0, 0)])));
  CHECK(close(img.at(w, 0), lut_colour(lut, c.p[c.g.index(nx, 0)])));
  CHECK(close(img.at(0, h), lut_colour(lut, c.p[c.g.index(0, ny)])));
  CHECK(close(img.at(w, h), lut_colour(lut, c.p[c.g.index(nx, ny)])));
  CHECK_THROWS_AS(viz::render_density_png_no_x(c.g, std::vector<double>(10), pic, path),
                  InputError);
}

TEST_CASE("render: density picture with axes, colour bar and title") {
  const GaussianCase c;
  const ScratchDir scratch("render_x");
  const fs::path& dir = scratch.path;
  DensityPicture pic;
  pic.title = "gaussian  t = 0.5";
  const std::string path = (dir / "density.png").string();
  render_density_png(c.g, c.p, pic, path);
  const Picture img = read_png(path);
  if (!viz::display_available()) {
    MESSAGE("no X server: checked the fallback picture only (run under xvfb-run for the rest)");
    const auto [w, h] = viz::fallback_size(c.g, pic.width, pic.height);
    CHECK(img.width == w);
    CHECK(img.height == h);
    return;
  }
  REQUIRE(img.width == pic.width);
  REQUIRE(img.height == pic.height);
  const viz::DensityLayout L = viz::density_layout(c.g, pic.width, pic.height);
  // Equal pixels per unit in x and y: the 8 × 4 domain is drawn twice as wide as tall.
  CHECK(L.scale_x == doctest::Approx(L.scale_y));
  CHECK(L.width == doctest::Approx(2.0 * L.height));
  auto pixel_of = [&](int i, int j) {
    return std::pair{static_cast<int>(L.left + (c.g.xc(i) - c.g.x0) * L.scale_x),
                     static_cast<int>(L.bottom + (c.g.yc(j) - c.g.y0) * L.scale_y)};
  };
  CHECK(count_wrong_cells(img, c, pixel_of) == 0);
  // Edge cells are drawn whole: 2 pixels inside each corner of the frame is the corner cell.
  const auto [lo, hi] = viz::field_range(c.p);
  auto lut = viz::lookup_table({"viridis", false, lo, hi});
  const int xl = static_cast<int>(L.left) + 2, xr = static_cast<int>(L.left + L.width) - 2;
  const int yb = static_cast<int>(L.bottom) + 2, yt = static_cast<int>(L.bottom + L.height) - 2;
  CHECK(close(img.at(xl, yb), lut_colour(lut, c.p[c.g.index(0, 0)])));
  CHECK(close(img.at(xr, yb), lut_colour(lut, c.p[c.g.index(c.g.nx - 1, 0)])));
  CHECK(close(img.at(xl, yt), lut_colour(lut, c.p[c.g.index(0, c.g.ny - 1)])));
  CHECK(close(img.at(xr, yt), lut_colour(lut, c.p[c.g.index(c.g.nx - 1, c.g.ny - 1)])));

  auto count_in = [&](int x0, int x1, int y0, int y1, auto pred) {
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x) n += pred(img.at(x, y));
    return n;
  };
  auto dark = [](Rgb p) { return p.r < 90 && p.g < 90 && p.b < 90; };
  const int left = static_cast<int>(L.left), bottom = static_cast<int>(L.bottom);
  const int right = static_cast<int>(L.left + L.width), top = static_cast<int>(L.bottom + L.height);
  // Tick labels left of and below the plot, the title above it: black text on white.
  CHECK(count_in(0, left - 2, bottom, top, dark) > 50);
  CHECK(count_in(left, right, 0, bottom - 2, dark) > 50);
  CHECK(count_in(left, right, top + 2, img.height, dark) > 50);
  // The colour bar right of the plot holds both ends of the map.
  auto yellow = [](Rgb p) { return close(p, {253, 231, 37}, 12); };
  auto purple = [](Rgb p) { return close(p, {68, 1, 84}, 12); };
  CHECK(count_in(right + 2, img.width, bottom, top, yellow) > 20);
  CHECK(count_in(right + 2, img.width, bottom, top, purple) > 20);
}

TEST_CASE("render: a diagnostics plot on log-y draws every series") {
  const ScratchDir scratch("render_plot");
  const fs::path& dir = scratch.path;
  std::vector<double> t, decay, fisher;
  for (int k = 0; k <= 40; ++k) {
    t.push_back(0.05 * k);
    decay.push_back(0.5 * 2.25 * std::exp(-2.0 * t.back()));            // ½|m₀|² e^{−2t}
    fisher.push_back(k == 0 ? 0.0 : 2.25 * std::exp(-2.0 * t.back()));  // 0 is not drawable
  }
  const std::string path = (dir / "rel_entropy.png").string();
  CHECK_THROWS_AS(plot_series_png(t, {{"short", {1.0, 2.0}}}, "bad", false, path), InputError);
  plot_series_png(t, {{"rel_entropy", decay}, {"fisher_rel", fisher}}, "ou: decay", true, path);
  if (!viz::display_available()) {
    MESSAGE("no X server: plot_series_png skips the plot (run under xvfb-run to draw it)");
    CHECK_FALSE(fs::exists(path));
    return;
  }
  const Picture img = read_png(path);
  CHECK(img.width == 900);
  CHECK(img.height == 600);
  int blue = 0, orange = 0, white = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const Rgb p = img.at(x, y);
      blue += close(p, {31, 119, 180}, 10);
      orange += close(p, {255, 127, 14}, 10);
      white += close(p, {255, 255, 255}, 0);
    }
  CHECK(blue > 300);  // a curve across the plot, not only its legend swatch
  CHECK(orange > 300);
  CHECK(white > img.width * img.height / 2);
}

TEST_CASE("render: the png writer draws each snapshot and the diagnostics plots") {
  const ScratchDir scratch("render_writer");
  const fs::path& dir = scratch.path;
  CaseSpec spec;
  spec.name = "writer_check";
  const GaussianCase c;
  RunInfo info;
  info.spec = &spec;
  info.grid = c.g;
  info.output_dir = dir.string();
  info.diagnostic_names = {"mass", "mean_x", "mean_y", "entropy", "rel_entropy", "l1_error"};
  auto writer = make_png_writer(spec);
  writer->begin(info);
  std::vector<DiagnosticRow> rows;
  rows.reserve(2);
  for (int k = 0; k < 2; ++k) {
    rows.push_back({{"mass", 1.0},
                    {"mean_x", 1.5 * std::exp(-0.1 * k)},
                    {"mean_y", -0.5},
                    {"entropy", 1.2 + 0.1 * k},
                    {"rel_entropy", std::exp(-0.2 * k)},
                    {"l1_error", 1e-3 * (k + 1)}});
    Snapshot snap;
    snap.index = k;
    snap.t = 0.1 * k;
    snap.density = c.p;
    snap.diagnostics = &rows.back();
    writer->write(snap);
  }
  writer->end(RunSummary{});
  for (int k = 0; k < 2; ++k) CHECK(fs::exists(dir / "png" / viz::density_png_name(k)));
  const bool x = viz::display_available();
  for (const char* plot : {"mass_moments.png", "entropy.png", "rel_entropy.png", "errors.png"})
    CHECK(fs::exists(dir / "png" / plot) == x);
}

TEST_CASE("render: pictures and plots from a result file (render_result)") {
  const ScratchDir scratch("render_result");
  const fs::path& dir = scratch.path;
  // A small result.h5 written by the HDF5 writer: a Gaussian whose mean moves with t.
  CaseSpec spec;
  spec.name = "moving";
  spec.resolved_yaml = "name: moving\n";
  const GaussianCase layout_only;
  RunInfo info;
  info.spec = &spec;
  info.grid = layout_only.g;
  info.output_dir = dir.string();
  info.diagnostic_names = {"mass", "entropy", "rel_entropy"};
  std::vector<GaussianCase> snaps;
  {
    Hdf5Writer writer(false);
    writer.begin(info);
    for (int k = 0; k < 4; ++k) snaps.emplace_back(-1.5 + 1.0 * k, 0.8 - 0.4 * k);
    for (int k = 0; k < 4; ++k) {
      const DiagnosticRow row{
          {"mass", 1.0}, {"entropy", 1.1 + 0.1 * k}, {"rel_entropy", 0.5 / (k + 1)}};
      Snapshot snap;
      snap.index = k;
      snap.t = 0.25 * k;
      snap.density = snaps[k].p;
      snap.diagnostics = &row;
      writer.write(snap);
    }
    writer.end(RunSummary{});
  }
  const std::string h5 = (dir / "result.h5").string();
  REQUIRE(fs::exists(h5));

  // Default folder: png/ beside the file; 0.3 is nearest to the stored 0.25 (snapshot 1).
  const auto written = render_result(h5, times_only("0.3,0.75"));
  const fs::path png = dir / "png";
  std::vector<std::string> expected{(png / "density_0001.png").string(),
                                    (png / "density_0003.png").string()};
  if (viz::display_available())
    for (const char* plot : {"mass_moments.png", "entropy.png", "rel_entropy.png"})
      expected.push_back((png / plot).string());
  CHECK(written == expected);
  for (const auto& path : written) CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(png / "density_0000.png"));

  // The picture of snapshot 3 shows snapshot 3 (not another one), at its place and y up.
  const Picture img = read_png((png / "density_0003.png").string());
  auto pixel_of = [&](int i, int j) { return cell_pixel(img, snaps[3].g, i, j); };
  CHECK(count_wrong_cells(img, snaps[3], pixel_of) == 0);
  CHECK(count_wrong_cells(img, snaps[0], pixel_of) > 5);

  CHECK_THROWS_AS(render_result(h5, times_only("0.9")), InputError);
  CHECK_THROWS_AS(render_result((dir / "missing.h5").string(), {}), InputError);
}

namespace {

// A particle result as `fplab sample --compare` writes it: result.h5 with the histogram of
// Gaussian particles (density_particles) and the grid density (density), and particles.h5 with
// the particles; a tenth of them absorbed, parked in the domain's upper-right corner.
struct ParticleRun {
  GaussianCase grid_density;
  std::size_t n = 3000;
  std::vector<double> x, y, histogram;
  std::vector<std::uint8_t> alive;
  double mean_x = 0.0, mean_y = 0.0;  // of the living particles

  explicit ParticleRun(const fs::path& dir) : x(n), y(n), histogram(grid_density.g.size()), alive(n, 1) {
    const Grid2D& g = grid_density.g;
    std::mt19937 rng(7);
    std::normal_distribution<double> nx(1.5, 0.8), ny(-0.5, 0.5);
    std::size_t living = 0;
    for (std::size_t k = 0; k < n; ++k) {
      x[k] = std::clamp(nx(rng), g.x0, g.x1 - 1e-9);
      y[k] = std::clamp(ny(rng), g.y0, g.y1 - 1e-9);
      if (k % 10 == 3) {
        alive[k] = 0;
        x[k] = 4.9;
        y[k] = 1.9;
        continue;
      }
      const int i = static_cast<int>((x[k] - g.x0) / g.dx()), j = static_cast<int>((y[k] - g.y0) / g.dy());
      histogram[g.index(i, j)] += 1.0 / (static_cast<double>(n) * g.cell_area());
      mean_x += x[k];
      mean_y += y[k];
      ++living;
    }
    mean_x /= static_cast<double>(living);
    mean_y /= static_cast<double>(living);
    write(dir);
  }

  void write(const fs::path& dir) const {
    CaseSpec spec;
    spec.name = "cloud";
    spec.resolved_yaml = "name: cloud\n";
    RunInfo info;
    info.spec = &spec;
    info.grid = grid_density.g;
    info.output_dir = dir.string();
    info.density_name = kParticleDensityName;
    info.field_names = {"density"};
    Hdf5Writer h5(false);
    h5.begin(info);
    Snapshot snap;
    snap.density = histogram;
    snap.fields = {{"density", grid_density.p}};
    h5.write(snap);
    h5.end(RunSummary{});
    ParticleRunInfo pinfo;
    pinfo.spec = &spec;
    pinfo.output_dir = dir.string();
    pinfo.n = pinfo.stored = n;
    pinfo.scheme = "euler_maruyama";
    pinfo.dynamics = "sde";
    ParticleHdf5Writer particles;
    particles.begin(pinfo);
    ParticleSnapshot ps;
    ps.x = x;
    ps.y = y;
    ps.alive = alive;
    ps.n_alive = n - n / 10;
    particles.write(ps);
    particles.end(RunStatus::complete);
  }
};

// The red dots of a scatter (no colour map here has red).
bool scatter_red(Rgb p) { return p.r > 180 && p.g < 80 && p.b < 80; }

}  // namespace

TEST_CASE("render: a particle result shows the particles over the density beside the histogram") {
  FPLAB_REQUIRE_DISPLAY();
  const ScratchDir scratch("render_particles");
  const fs::path& dir = scratch.path;
  const ParticleRun run(dir);
  const std::string h5 = (dir / "result.h5").string();
  const auto written = render_result(h5, times_only("last"));
  REQUIRE(!written.empty());
  CHECK(written.front() == (dir / "png" / "density_0000.png").string());
  const Picture img = read_png(written.front());

  // Two panels: the scatter without a colour bar, the histogram with one; a heading.
  const Grid2D& g = run.grid_density.g;
  viz::Panel scatter{run.grid_density.p, {}, "", "x", false};
  const viz::Panel histogram{run.histogram, {}, ""};
  const std::vector<viz::Panel> panels{scatter, histogram};
  const auto [w, h] = viz::panels_size_fitted(g, panels, true);
  CHECK(img.width == w);
  CHECK(img.height == h);
  const auto layouts = viz::panel_layouts(g, panels, w, h, true);
  REQUIRE(layouts.size() == 2);

  // Every red pixel lies in the scatter's plot, away from the absorbed particles' corner, and the
  // red dots sit where the particles are: their centroid is the living particles' mean.
  const viz::DensityLayout& L = layouts[0];
  int red = 0, outside = 0, corner = 0;
  double sx = 0.0, sy = 0.0;
  for (int py = 0; py < img.height; ++py)
    for (int px = 0; px < img.width; ++px) {
      if (!scatter_red(img.at(px, py))) continue;
      ++red;
      const double x = g.x0 + (px + 0.5 - L.left) / L.scale_x;
      const double y = g.y0 + (py + 0.5 - L.bottom) / L.scale_y;
      if (x < g.x0 - 0.05 || x > g.x1 + 0.05 || y < g.y0 - 0.05 || y > g.y1 + 0.05) ++outside;
      if (x > 4.7 && y > 1.7) ++corner;
      sx += x;
      sy += y;
    }
  CAPTURE(red);
  CHECK(red > 2000);
  CHECK(outside == 0);
  CHECK(corner == 0);
  CHECK(std::abs(sx / red - run.mean_x) < 0.1);
  CHECK(std::abs(sy / red - run.mean_y) < 0.1);

  // The histogram panel shows the histogram in the scatter's colour range: the cell holding the
  // most particles has the top colour.
  const auto peak = std::max_element(run.histogram.begin(), run.histogram.end()) - run.histogram.begin();
  const int pi = static_cast<int>(peak % g.nx), pj = static_cast<int>(peak / g.nx);
  const viz::DensityLayout& R = layouts[1];
  const auto [lo, hi] = viz::field_range(run.histogram);
  const double top = std::max(hi, viz::field_range(run.grid_density.p).second);
  auto lut = viz::lookup_table({"viridis", false, std::min(lo, 0.0), top});
  CHECK(close(img.at(static_cast<int>(R.left + (g.xc(pi) - g.x0) * R.scale_x),
                     static_cast<int>(R.bottom + (g.yc(pj) - g.y0) * R.scale_y)),
              lut_colour(lut, run.histogram[peak])));

  // Without particles.h5: the same two panels, no dot.
  fs::remove(dir / "particles.h5");
  RenderOptions o = times_only("last");
  o.out_dir = (dir / "bare").string();
  const Picture bare = read_png(render_result(h5, o).front());
  CHECK(bare.width == img.width);
  int bare_red = 0;
  for (int py = 0; py < bare.height; ++py)
    for (int px = 0; px < bare.width; ++px) bare_red += scatter_red(bare.at(px, py));
  CHECK(bare_red == 0);
}
