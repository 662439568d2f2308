// Tests of `fplab render`'s picture options: colour maps (the diverging one centred), the log
// scale, --size, comparison panels against /fields/exact and a reverse run's data density, a
// fixed colour range across frames, and the forward + reverse strip; pictures read back by pixel.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "io/hdf5_writer.hpp"
#include "solver/density.hpp"
#include "solver/errors.hpp"
#include "tests/display_required.hpp"
#include "tests/unit/picture_read.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fs = std::filesystem;
using namespace fplab;
using namespace fplab_test;

namespace {

Rgb map_colour(const char* name, int k) {
  const auto c = viz::colormap_rgb(name, k);
  return {c[0], c[1], c[2]};
}

fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("fplab_test_options_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const Grid2D kGrid{40, 32, -4.0, 4.0, -3.0, 3.0};

// exp(−|x − m|²/(2·0.5²)) scaled by a; its maximum is in cell (i, j) below.
std::vector<double> bump(double a, double mx = 1.0, double my = -0.5) {
  std::vector<double> p(kGrid.size());
  for (int j = 0; j < kGrid.ny; ++j)
    for (int i = 0; i < kGrid.nx; ++i) {
      const double u = kGrid.xc(i) - mx, v = kGrid.yc(j) - my;
      p[kGrid.index(i, j)] = a * std::exp(-(u * u + v * v) / 0.5);
    }
  return p;
}

int peak_cell(const std::vector<double>& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

// A result.h5 with the given density snapshots (and exact ones when given) and case echo.
std::string result_write(const fs::path& dir, const std::vector<std::vector<double>>& densities,
                         const std::vector<std::vector<double>>& exact, const std::string& yaml) {
  CaseSpec spec;
  spec.name = "options";
  spec.resolved_yaml = yaml;
  RunInfo info;
  info.spec = &spec;
  info.grid = kGrid;
  info.output_dir = dir.string();
  info.diagnostic_names = {"mass"};
  if (!exact.empty()) info.field_names = {"exact"};
  {
    Hdf5Writer writer(false);
    writer.begin(info);
    for (std::size_t k = 0; k < densities.size(); ++k) {
      const DiagnosticRow row{{"mass", 1.0}};
      Snapshot snap;
      snap.index = static_cast<int>(k);
      snap.t = 0.5 * static_cast<double>(k);
      snap.density = densities[k];
      if (!exact.empty()) snap.fields = {{"exact", exact[k]}};
      snap.diagnostics = &row;
      writer.write(snap);
    }
    writer.end(RunSummary{});
  }
  return (dir / "result.h5").string();
}

// The pixel at the centre of cell c in panel `panel` of a row of `n` panels with bars.
std::pair<int, int> cell_pixel(const Picture& img, int n, bool heading, int panel, int c) {
  std::vector<viz::Panel> panels(n);
  const auto L = viz::panel_layouts(kGrid, panels, img.width, img.height, heading)[panel];
  const int i = c % kGrid.nx, j = c / kGrid.nx;
  return {static_cast<int>(L.left + (kGrid.xc(i) - kGrid.x0) * L.scale_x),
          static_cast<int>(L.bottom + (kGrid.yc(j) - kGrid.y0) * L.scale_y)};
}

double pixel_variance(const Picture& img) {
  double s = 0.0, s2 = 0.0;
  const double n = static_cast<double>(img.width) * img.height;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const Rgb p = img.at(x, y);
      const double v = p.r + p.g + p.b;
      s += v;
      s2 += v * v;
    }
  return s2 / n - (s / n) * (s / n);
}

}  // namespace

TEST_CASE("render options: colour maps, the diverging map's middle, log scale and --size") {
  // Moreland's cool-warm: blue (59, 76, 192) to red (180, 4, 38) through a light grey.
  CHECK(close(map_colour("coolwarm", 0), {59, 76, 192}, 1));
  CHECK(close(map_colour("coolwarm", 255), {180, 4, 38}, 1));
  const Rgb mid = map_colour("coolwarm", 128);
  CHECK(std::abs(mid.r - mid.g) < 12);
  CHECK(mid.g > 200);
  CHECK_THROWS_AS(viz::colormap_check("jet"), InputError);
  CHECK_THROWS_WITH_AS(viz::colormap_check("jet"), doctest::Contains("--colormap"), InputError);
  // A symmetric range puts zero on the middle colour.
  auto diverging = viz::lookup_table({"coolwarm", false, -2.0, 2.0});
  const unsigned char* zero = diverging->MapValue(0.0);
  CHECK(close({zero[0], zero[1], zero[2]}, mid, 0));

  // Log scale: floor at max·1e-6; max·1e-3 sits halfway up the map, zero at the bottom.
  const std::vector<double> field{0.0, 2e-3, 2.0};
  const ColourScale s = viz::scale_resolved({"viridis", true}, field);
  CHECK(s.lo == doctest::Approx(2e-6));
  CHECK(s.hi == doctest::Approx(2.0));
  auto lut = viz::lookup_table(s);
  auto colour = [&](double v) {
    const unsigned char* c = lut->MapValue(v);
    return Rgb{c[0], c[1], c[2]};
  };
  CHECK(close(colour(2.0), map_colour("viridis", 255), 0));
  CHECK(close(colour(2e-3 * 1.0001), map_colour("viridis", 128), 0));
  CHECK(close(colour(0.0), map_colour("viridis", 0), 0));
  CHECK(viz::colour_ticks(s, 5).front() == doctest::Approx(1e-5));

  CHECK(picture_size_parse("1200x800") == std::pair{1200, 800});
  for (const char* bad : {"1200", "1200x", "x800", "12x800", "1200x800px", "-5x100"})
    CHECK_THROWS_WITH_AS(picture_size_parse(bad), doctest::Contains("--size"), InputError);
}

TEST_CASE("render options: numerical, exact and difference panels, the zero difference centred") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("exact");
  const auto exact = bump(1.0);
  auto numerical = exact;
  for (double& v : numerical) v *= 1.1;  // the maximum is the numerical one; diff ≥ 0
  const std::string h5 = result_write(dir, {numerical}, {exact}, "name: options\n");
  RenderOptions o;
  o.width = 1500;
  o.height = 560;
  const auto written = render_result(h5, o);
  const Picture img = read_png((dir / "png" / viz::density_png_name(0)).string());
  CHECK(written.front() == (dir / "png" / viz::density_png_name(0)).string());
  CHECK(img.width == 1500);
  CHECK(img.height == 560);
  CHECK(pixel_variance(img) > 0.0);
  const int peak = peak_cell(numerical);
  // Panel 0, numerical: its maximum takes the top of viridis; panel 1, exact, the same range.
  auto [x0, y0] = cell_pixel(img, 3, true, 0, peak);
  CHECK(close(img.at(x0, y0), map_colour("viridis", 255)));
  auto [x1, y1] = cell_pixel(img, 3, true, 1, peak);
  CHECK_FALSE(close(img.at(x1, y1), map_colour("viridis", 255)));
  // Panel 2, difference: its maximum is the top of the diverging map, a zero (far corner) its
  // middle.
  auto [x2, y2] = cell_pixel(img, 3, true, 2, peak);
  CHECK(close(img.at(x2, y2), map_colour("coolwarm", 255)));
  auto [xc, yc] = cell_pixel(img, 3, true, 2, kGrid.index(0, kGrid.ny - 1));
  CHECK(close(img.at(xc, yc), map_colour("coolwarm", 128)));
}

TEST_CASE("render options: a reverse run beside its data density, from the stored case") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("reverse");
  // The stored case: the shipped reverse case with the exact score of a three-Gaussian mixture.
  std::ifstream in(std::string(FPLAB_SOURCE_DIR) + "/cases/mixture_reverse_exact.yaml");
  std::stringstream yaml;
  yaml << in.rdbuf();
  DensitySpec mixture;
  mixture.type = "mixture";
  mixture.weights = {0.3, 0.3, 0.4};
  mixture.means = {Vec2(-2.0, 1.0), Vec2(2.0, 1.5), Vec2(0.0, -2.0)};
  Mat2 c0, c1, c2;
  c0 << 0.3, 0.1, 0.1, 0.2;
  c1 << 0.25, 0, 0, 0.25;
  c2 << 0.4, -0.1, -0.1, 0.2;
  mixture.covs = {c0, c1, c2};
  std::vector<double> data(kGrid.size());
  density_on_grid(mixture, kGrid, data, "test", Sampling::cell_average);
  std::vector<double> reverse(data.size());
  for (std::size_t c = 0; c < data.size(); ++c) reverse[c] = 0.5 * data[c];
  const std::string h5 = result_write(dir, {reverse}, {}, yaml.str());
  render_result(h5, RenderOptions{});
  const Picture img = read_png((dir / "png" / viz::density_png_name(0)).string());
  const int peak = peak_cell(data);
  // Panels: data density (its maximum the top colour), reverse run, difference (−0.5·data: the
  // bottom of the diverging map at the data's peak, its middle where both vanish).
  const auto [x0, y0] = cell_pixel(img, 3, true, 0, peak);
  CHECK(close(img.at(x0, y0), map_colour("viridis", 255)));
  const auto [x2, y2] = cell_pixel(img, 3, true, 2, peak);
  CHECK(close(img.at(x2, y2), map_colour("coolwarm", 0)));
  const auto [xc, yc] = cell_pixel(img, 3, true, 2, kGrid.index(kGrid.nx - 1, 0));
  CHECK(close(img.at(xc, yc), map_colour("coolwarm", 128)));
}

TEST_CASE("render options: --range fixed keeps colours comparable across frames, per-frame not") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("fixed");
  const auto first = bump(1.0);
  auto second = bump(2.0, -1.5, 1.0);  // another place, twice as high
  const int probe = peak_cell(first);
  second[probe] = first[probe];  // the same value at the same cell in both frames
  const std::string h5 = result_write(dir, {first, second}, {}, "name: options\n");
  auto colours_at_probe = [&](bool per_frame) {
    const fs::path out = dir / (per_frame ? "per_frame" : "fixed");
    RenderOptions o;
    o.out_dir = out.string();
    o.times = "all";
    o.per_frame = per_frame;
    render_result(h5, o);
    std::vector<Rgb> c;
    for (int k = 0; k < 2; ++k) {
      const Picture img = read_png((out / viz::density_png_name(k)).string());
      const auto [x, y] = cell_pixel(img, 1, false, 0, probe);
      c.push_back(img.at(x, y));
    }
    return c;
  };
  const auto fixed = colours_at_probe(false);
  CHECK(close(fixed[0], fixed[1], 0));
  CHECK_FALSE(close(fixed[0], map_colour("viridis", 255)));  // 1 of 2: not the top colour
  const auto per_frame = colours_at_probe(true);
  CHECK(close(per_frame[0], map_colour("viridis", 255)));  // its own frame's maximum
  CHECK_FALSE(close(per_frame[0], per_frame[1]));
}

TEST_CASE("render options: --log shows max·1e-3 halfway up the map") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("log");
  auto p = bump(1.0);
  const int peak = peak_cell(p), probe = kGrid.index(2, 2);
  p[probe] = p[peak] * 1e-3 * 1.001;
  const std::string h5 = result_write(dir, {p}, {}, "name: options\n");
  RenderOptions o;
  o.log = true;
  render_result(h5, o);
  const Picture img = read_png((dir / "png" / viz::density_png_name(0)).string());
  const auto [xp, yp] = cell_pixel(img, 1, false, 0, peak);
  CHECK(close(img.at(xp, yp), map_colour("viridis", 255)));
  const auto [x, y] = cell_pixel(img, 1, false, 0, probe);
  CHECK(close(img.at(x, y), map_colour("viridis", 128)));
}

TEST_CASE("render options: --surface draws a height field beside the picture") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("surface");
  const std::string h5 = result_write(dir, {bump(1.0)}, {}, "name: options\n");
  RenderOptions o;
  o.surface = true;
  o.width = 640;
  o.height = 480;
  const auto written = render_result(h5, o);
  const std::string surface = (dir / "png" / "surface_0000.png").string();
  CHECK(std::find(written.begin(), written.end(), surface) != written.end());
  const Picture img = read_png(surface);
  CHECK(img.width == 640);
  CHECK(img.height == 480);
  CHECK(pixel_variance(img) > 0.0);
  // The peak stands up in viridis' top colour somewhere in the view.
  int top = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) top += close(img.at(x, y), map_colour("viridis", 255), 40);
  CHECK(top > 0);
}

TEST_CASE("render options: the forward + reverse strip in one colour range") {
  FPLAB_REQUIRE_DISPLAY();
  const fs::path dir = scratch("strip");
  fs::create_directories(dir / "forward");
  fs::create_directories(dir / "reverse");
  std::vector<std::vector<double>> fw, rv;
  for (int k = 0; k < 5; ++k) fw.push_back(bump(1.0 - 0.15 * k));
  for (int k = 0; k < 5; ++k) rv.push_back(bump(0.4 + 0.15 * k));
  const auto f = result_write(dir / "forward", fw, {}, "name: forward\n");
  const auto r = result_write(dir / "reverse", rv, {}, "name: reverse\n");
  RenderOptions o;
  o.out_dir = dir.string();
  const auto written = render_strip(f, r, o);
  REQUIRE(written.size() == 1);
  const Picture img = read_png(written.front());
  CHECK(img.width > 2 * img.height);
  CHECK(pixel_variance(img) > 0.0);
  o.colormap = "nope";
  CHECK_THROWS_AS(render_strip(f, r, o), InputError);
}
