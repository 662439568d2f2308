// Sampled toy densities (docs/reference.md §2: moons, swiss_roll, checkerboard, image): the samplers have the
// shapes of their definitions, the deposits mass 1 and are reproducible, cell averages and point
// values agree to O(h²), pictures are read at load time, and bad blocks name their key.
#include <doctest/doctest.h>
#include <omp.h>
#include <unistd.h>
#include <vtkImageData.h>
#include <vtkPNGWriter.h>
#include <vtkSmartPointer.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/data_density.hpp"
#include "solver/density.hpp"
#include "solver/errors.hpp"
#include "solver/simulation.hpp"

using namespace fplab;
namespace fs = std::filesystem;

namespace {

// A case around an initial block given as YAML flow text; line 6 holds the initial block.
std::string case_text(const std::string& initial) {
  return "name: toy\n"                         // 1
         "domain: {x: [-5, 5], y: [-5, 5]}\n"  // 2
         "grid: {nx: 40, ny: 40}\n"            // 3
         "equation: {type: heat}\n"            // 4
         "time: {t_end: 0.01}\n"               // 5
         "initial: " +
         initial + "\n";  // 6
}

std::string error_of(const std::string& text, const std::string& source = "toy.yaml") {
  try {
    (void)parse_case(text, source);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

double mass_of(const Grid2D& g, const std::vector<double>& p) {
  double m = 0;
  for (double v : p) m += v * g.cell_area();
  return m;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t k = 0; k < a.size(); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

std::vector<double> deposit(const DensitySpec& d, const Grid2D& g, Sampling s) {
  std::vector<double> p(g.size());
  density_on_grid(d, g, p, "initial", s);
  return p;
}

DensitySpec toy(const std::string& type, std::uint64_t samples = 4000, double bandwidth = 0.2) {
  DensitySpec d;
  d.type = type;
  d.samples = samples;
  d.bandwidth = bandwidth;
  return d;
}

// 8×8 pixels, white in the top-right quadrant (as the picture is seen) and black elsewhere.
GreyImage quadrant_image() {
  GreyImage img;
  img.width = img.height = 8;
  img.grey.assign(64, 0.0);
  for (int j = 4; j < 8; ++j)
    for (int i = 4; i < 8; ++i) img.grey[img.index(i, j)] = 1.0;
  return img;
}

// A fresh folder for one test's files, removed afterwards.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("fplab_test_data_density_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

// Writes the quadrant picture as an 8-bit PNG with VTK: grey (1 component), or RGBA with the
// other three quadrants white but fully transparent.
void write_quadrant_png(const fs::path& file, bool rgba_transparent_rest) {
  const int comps = rgba_transparent_rest ? 4 : 1;
  const auto img = vtkSmartPointer<vtkImageData>::New();
  img->SetDimensions(8, 8, 1);
  img->AllocateScalars(VTK_UNSIGNED_CHAR, comps);
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 8; ++i) {
      auto* px = static_cast<unsigned char*>(img->GetScalarPointer(i, j, 0));
      const bool in = i >= 4 && j >= 4;  // VTK rows run upwards: j ≥ 4 is the picture's top half
      for (int c = 0; c < comps; ++c) px[c] = (in || rgba_transparent_rest) ? 255 : 0;
      if (rgba_transparent_rest) px[3] = in ? 255 : 0;
    }
  const auto w = vtkSmartPointer<vtkPNGWriter>::New();
  w->SetFileName(file.string().c_str());
  w->SetInputData(img);
  w->Write();
  REQUIRE(fs::file_size(file) > 0);
}

// The fraction of the mass of p in x > 0, y > 0.
double mass_top_right(const Grid2D& g, const std::vector<double>& p) {
  double m = 0;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      if (g.xc(i) > 0 && g.yc(j) > 0) m += p[g.index(i, j)] * g.cell_area();
  return m;
}

Vec2 mean_of(const std::vector<Vec2>& pts) {
  Vec2 m = Vec2::Zero();
  for (const auto& p : pts) m += p;
  return m / static_cast<double>(pts.size());
}

}  // namespace

TEST_CASE("data densities: every toy type deposits mass 1 (to 1e-12), non-negative, both ways") {
  const Grid2D g{48, 40, -5, 5, -4.5, 4.5};
  std::vector<DensitySpec> specs = {toy("moons"), toy("swiss_roll"), toy("checkerboard"),
                                    toy("image")};
  specs[3].image = std::make_shared<GreyImage>(quadrant_image());
  for (const auto& d : specs)
    for (const Sampling s : {Sampling::cell_average, Sampling::point}) {
      CAPTURE(d.type);
      CAPTURE(sampling_name(s));
      CHECK(!d.is_gaussian_mixture());
      const auto p = deposit(d, g, s);
      CHECK(std::abs(mass_of(g, p) - 1.0) < 1e-12);
      CHECK(*std::min_element(p.begin(), p.end()) >= 0.0);
      CHECK(*std::max_element(p.begin(), p.end()) > 0.02);  // not spread thin (uniform: 0.01)
    }
}

TEST_CASE("data densities: deterministic for a seed, different for another, any thread count") {
  const Grid2D g{32, 32, -5, 5, -5, 5};
  DensitySpec d = toy("moons", 9000);  // three batches of the deposit
  d.seed = 7;
  const auto a = deposit(d, g, Sampling::cell_average);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(threads == 1 ? 2 : 1);
  const auto b = deposit(d, g, Sampling::cell_average);
  omp_set_num_threads(3);
  const auto c = deposit(d, g, Sampling::cell_average);
  omp_set_num_threads(threads);
  CHECK(a == b);  // bit for bit
  CHECK(a == c);
  d.seed = 8;
  CHECK(max_abs_diff(a, deposit(d, g, Sampling::cell_average)) > 1e-3);
  // Sample k depends on (seed, k) only: a shorter draw is a prefix of a longer one.
  const auto few = sample_swiss_roll(100, 3, 1.0), many = sample_swiss_roll(1000, 3, 1.0);
  CHECK(std::equal(few.begin(), few.end(), many.begin()));
  CHECK(sample_checkerboard(100, 3) != sample_checkerboard(100, 4));
}

TEST_CASE("data densities: one sample deposits the Gaussian kernel exactly (cells and points)") {
  const Grid2D g{40, 30, -3, 3, -2, 2.5};
  const std::vector<Vec2> one{Vec2(0.31, -0.12)};
  const double bw = 0.35;
  const GaussianMixture kernel{{1.0}, {one[0]}, {bw * bw * Mat2::Identity()}};
  std::vector<double> p(g.size()), ref(g.size());
  for (const Sampling s : {Sampling::cell_average, Sampling::point}) {
    CAPTURE(sampling_name(s));
    const double found = deposit_kde(one, bw, g, s, p);
    kernel.sample(g, s, ref);
    // The kernel reaches past y0 (5.4 bandwidths away): both are normalised to the grid's mass.
    const double ref_mass = mass_of(g, ref);
    CHECK(ref_mass < 1 - 1e-8);
    CHECK(found == doctest::Approx(ref_mass).epsilon(1e-8));
    for (double& v : ref) v /= ref_mass;
    CHECK(max_abs_diff(p, ref) < 1e-8 * *std::max_element(ref.begin(), ref.end()));
  }
}

TEST_CASE("data densities: cell-average and point deposits agree to O(h²) for a smooth kernel") {
  DensitySpec d = toy("moons", 3000, 0.5);
  double diff[2];
  for (int level = 0; level < 2; ++level) {
    const int n = 24 << level;
    const Grid2D g{n, n, -6, 6, -6, 6};
    diff[level] =
        max_abs_diff(deposit(d, g, Sampling::cell_average), deposit(d, g, Sampling::point));
  }
  CAPTURE(diff[0]);
  CAPTURE(diff[1]);
  CHECK(diff[0] > 1e-4);  // the two are told apart at this resolution
  CHECK(diff[0] / diff[1] == doctest::Approx(4.0).epsilon(0.15));  // h²: halving h divides by 4
}

TEST_CASE("data densities: moons are make_moons ×2 − (1, 0.2): two crescents, mean (0, 0.3)") {
  // Without noise every point lies on one of the two scaled circles, each taken half the time.
  const auto exact = sample_moons(20000, 1, 0.0);
  int upper = 0, lower = 0;
  for (const auto& p : exact) {
    const double r_up = (p - Vec2(-1, -0.2)).norm(), r_low = (p - Vec2(1, 0.8)).norm();
    if (std::abs(r_up - 2) < 1e-12 && p(1) >= -0.2 - 1e-12) ++upper;
    if (std::abs(r_low - 2) < 1e-12 && p(1) <= 0.8 + 1e-12) ++lower;
  }
  CHECK(upper + lower == 20000);
  CHECK(std::abs(upper / 20000.0 - 0.5) < 0.02);  // 0.5 ± 5.6σ
  // With FFJORD's noise 0.1 the mean is still 2·(1/2, 1/4) − (1, 0.2) = (0, 0.3).
  const Vec2 m = mean_of(sample_moons(20000, 2, default_noise("moons")));
  CHECK(std::abs(m(0) - 0.0) < 0.05);  // ± 4σ of the sample mean
  CHECK(std::abs(m(1) - 0.3) < 0.03);
  // The density's block moves them: center + scale·x.
  DensitySpec d = toy("moons");
  d.scale = 0.5;
  d.center = Vec2(1, -1);
  const Vec2 moved = mean_of(sample_density(d, 20000, 2));
  CHECK((moved - (Vec2(1, -1) + 0.5 * m)).norm() < 1e-12);
}

TEST_CASE("data densities: checkerboard samples lie only on the 8 black squares of [−4, 4]²") {
  const auto pts = sample_checkerboard(16000, 5);
  std::vector<int> per_square(16, 0);
  bool all_black = true;
  for (const auto& p : pts) {
    const double cx = std::floor(p(0) / 2), cy = std::floor(p(1) / 2);
    all_black = all_black && std::fmod(std::abs(cx + cy), 2.0) == 0.0;
    REQUIRE(std::abs(p(0)) <= 4);
    REQUIRE(std::abs(p(1)) <= 4);
    ++per_square[static_cast<int>((cy + 2) * 4 + (cx + 2))];
  }
  CHECK(all_black);
  int populated = 0;
  for (const int c : per_square)
    if (c > 0) {
      ++populated;
      CHECK(std::abs(c / 16000.0 - 0.125) < 0.015);  // each black square equally likely
    }
  CHECK(populated == 8);
  // The deposit keeps the mass on the black squares, up to the kernel's blur across edges.
  const Grid2D g{64, 64, -4, 4, -4, 4};
  const auto p = deposit(toy("checkerboard", 20000, 0.02), g, Sampling::cell_average);
  double black = 0;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      if (static_cast<int>(std::floor(g.xc(i) / 2) + std::floor(g.yc(j) / 2)) % 2 == 0)
        black += p[g.index(i, j)] * g.cell_area();
  CHECK(black > 0.98);
}

TEST_CASE("data densities: swiss roll is (t cos t, t sin t)/5 — radius grows with the angle") {
  const auto pts = sample_swiss_roll(5000, 11, 0.0);
  double t_sum = 0;
  for (const auto& p : pts) {
    const double t = 5 * p.norm();  // the radius is the angle, unwrapped
    REQUIRE(t >= 1.5 * std::numbers::pi - 1e-9);
    REQUIRE(t <= 4.5 * std::numbers::pi + 1e-9);
    REQUIRE((p - Vec2(t * std::cos(t), t * std::sin(t)) / 5).norm() < 1e-9);
    t_sum += t;
  }
  CHECK(t_sum / pts.size() == doctest::Approx(3 * std::numbers::pi).epsilon(0.02));  // t uniform
  // FFJORD's noise 1.0 blurs the roll by 0.2 but keeps it within [−4, 4]².
  for (const auto& p : sample_swiss_roll(5000, 11, default_noise("swiss_roll")))
    REQUIRE(p.cwiseAbs().maxCoeff() < 4.0);
}

TEST_CASE("data densities: sample_density draws gaussians and mixtures with their moments") {
  DensitySpec d;  // gaussian
  d.means = {Vec2(1, -2)};
  d.covs = {(Mat2() << 0.5, 0.2, 0.2, 0.3).finished()};
  const auto pts = sample_density(d, 40000, 1);
  const Vec2 m = mean_of(pts);
  Mat2 cov = Mat2::Zero();
  for (const auto& p : pts) cov += (p - m) * (p - m).transpose();
  cov /= static_cast<double>(pts.size());
  CHECK((m - d.means[0]).norm() < 0.02);
  CHECK((cov - d.covs[0]).cwiseAbs().maxCoeff() < 0.02);
  d.type = "mixture";
  d.weights = {0.25, 0.75};
  d.means = {Vec2(-3, 0), Vec2(3, 0)};
  d.covs = {Mat2::Identity(), Mat2::Identity()};
  const auto mix = sample_density(d, 40000, 2);
  const auto right = std::count_if(mix.begin(), mix.end(), [](const Vec2& p) { return p(0) > 0; });
  CHECK(std::abs(right / 40000.0 - 0.75) < 0.01);
}

TEST_CASE("data densities: an image case reads its PNG at load time; bright (or dark) is dense") {
  const ScratchDir dir("image");
  write_quadrant_png(dir.path / "quad.png", false);
  write_quadrant_png(dir.path / "quad_rgba.png", true);
  const std::string case_file = (dir.path / "case.yaml").string();
  // The path is relative to the case file's folder; the resolved case keeps it absolute.
  const CaseSpec c = parse_case(
      case_text("{type: image, path: quad.png, bandwidth: 0.02, samples: 20000}"), case_file);
  REQUIRE(c.initial.image);
  CHECK(c.initial.image->width == 8);
  CHECK(c.initial.image->alpha.empty());
  CHECK(c.initial.path == (dir.path / "quad.png").string());
  REQUIRE(c.initial.extent.has_value());  // the domain
  CHECK(c.initial.extent->x0 == -5);
  CHECK(c.initial.extent->y1 == 5);
  const Grid2D g{c.nx, c.ny, c.x0, c.x1, c.y0, c.y1};
  std::vector<double> p(g.size());
  initial_density(c, g, p, Sampling::cell_average);
  CHECK(mass_top_right(g, p) >= 0.99);
  for (const auto& x : sample_density(c.initial, 2000, 1)) REQUIRE((x(0) > 0 && x(1) > 0));

  const CaseSpec dark = parse_case(
      case_text("{type: image, path: quad.png, invert: true, bandwidth: 0.02}"), case_file);
  initial_density(dark, g, p, Sampling::point);
  CHECK(mass_top_right(g, p) <= 0.01);

  // Transparent pixels hold no mass even when white; an extent places the picture.
  const CaseSpec rgba = parse_case(
      case_text("{type: image, path: quad_rgba.png, extent: [[-4, 0], [0, 4]], bandwidth: 0.005}"),
      case_file);
  CHECK(rgba.initial.image->alpha.size() == 64);
  initial_density(rgba, g, p, Sampling::cell_average);
  double in_box = 0;  // the picture's top-right quadrant is now [−2, 0] × [2, 4]
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      if (g.xc(i) > -2 && g.xc(i) < 0 && g.yc(j) > 2 && g.yc(j) < 4)
        in_box += p[g.index(i, j)] * g.cell_area();
  CHECK(in_box >= 0.99);

  // The echo reads the same picture from anywhere and is a fixed point.
  const CaseSpec back = parse_case(rgba.resolved_yaml, "elsewhere/echo.yaml");
  CHECK(back.resolved_yaml == rgba.resolved_yaml);
  CHECK(back.initial.path == rgba.initial.path);
  CHECK(back.initial.extent->x1 == 0);
}

TEST_CASE("data densities: toy blocks take their keys, fill defaults and round-trip") {
  const CaseSpec c = parse_case(
      case_text("{type: moons, seed: 3, samples: 500, bandwidth: 0.25, noise: 0.05, scale: 1.5, "
                "center: [0.5, -1]}"),
      "toy.yaml");
  const auto& d = c.initial;
  CHECK(d.type == "moons");
  CHECK(d.seed == 3);
  CHECK(d.samples == 500);
  CHECK(d.bandwidth == 0.25);
  CHECK(d.noise == 0.05);
  CHECK(d.scale == 1.5);
  CHECK(d.center == Vec2(0.5, -1));
  const CaseSpec back = parse_case(c.resolved_yaml, "echo.yaml");
  CHECK(back.resolved_yaml == c.resolved_yaml);
  CHECK(back.initial.noise == d.noise);
  CHECK(back.initial.center == d.center);
  CHECK(back.initial.samples == d.samples);

  const CaseSpec roll = parse_case(case_text("{type: swiss_roll}"), "toy.yaml");
  CHECK(roll.initial.seed == 0);
  CHECK(roll.initial.samples == 100000);
  CHECK(roll.initial.bandwidth == 0.1);
  CHECK(roll.initial.noise == 1.0);
  CHECK(roll.resolved_yaml.find("noise: 1\n") != std::string::npos);
  const CaseSpec board = parse_case(case_text("{type: checkerboard, seed: 2}"), "toy.yaml");
  CHECK(!board.initial.noise.has_value());
  CHECK(board.resolved_yaml.find("noise") == std::string::npos);
  CHECK(parse_case(board.resolved_yaml, "echo.yaml").resolved_yaml == board.resolved_yaml);
}

TEST_CASE("data densities: bad blocks are errors naming the file, line and key") {
  const ScratchDir dir("bad");
  std::ofstream(dir.path / "text.png") << "not a picture\n";
  write_quadrant_png(dir.path / "quad.png", false);
  const std::string in_dir = (dir.path / "bad.yaml").string();
  struct Bad {
    std::string initial, says;
  };
  const std::vector<Bad> table = {
      {"{type: moons, noisy: 0.1}", "toy.yaml:6: initial.noisy: unknown key in a moons density"},
      {"{type: moons, noisy: 0.1}", "(did you mean 'noise'?)"},
      {"{type: checkerboard, noise: 0.1}", "initial.noise: unknown key in a checkerboard density"},
      {"{type: swiss_roll, samples: 0}", "toy.yaml:6: initial.samples: expected an integer from 1"},
      {"{type: swiss_roll, samples: 2.5}", "initial.samples: expected an integer from 1"},
      {"{type: moons, bandwidth: -1}",
       "toy.yaml:6: initial.bandwidth: expected a number > 0, got -1"},
      {"{type: moons, noise: -0.1}", "initial.noise: expected a number ≥ 0"},
      {"{type: moons, seed: -1}", "initial.seed: expected an integer ≥ 0, got -1"},
      {"{type: moons, scale: 0}", "initial.scale: expected a number > 0"},
      {"{type: moons, center: [1]}", "initial.center: expected a point [x, y]"},
      {"{type: image}", "toy.yaml:6: initial.path: missing required key"},
      {"{type: image, path: no_such.png}", "toy.yaml:6: initial.path: cannot read the picture"},
      {"{type: image, path: no_such.png}", "no such file"},
      {"{type: image, path: quad.png, extent: [[1, 0], [0, 1]]}",
       "initial.extent: expected a rect"},
      {"{type: image, path: quad.png, invert: maybe}", "initial.invert: expected true or false"},
      {"{type: from_run}", "toy.yaml:6: initial.path: missing required key"},
  };
  for (const auto& b : table) {
    CAPTURE(b.initial);
    const std::string msg = error_of(case_text(b.initial));
    CAPTURE(msg);
    CHECK(msg.find(b.says) != std::string::npos);
  }
  // Pictures next to the case file: not a PNG, or no mass under the chosen convention.
  CHECK(error_of(case_text("{type: image, path: text.png}"), in_dir)
            .find(":6: initial.path: cannot read the picture 'text.png'") != std::string::npos);
  CHECK(error_of(case_text("{type: image, path: text.png}"), in_dir).find("not a PNG") !=
        std::string::npos);
  CHECK(error_of(case_text("{type: image, path: quad.png}"), in_dir) == "(no error)");
  CHECK(error_of(case_text("{type: image, path: quad.png, extent: [[0, 1], [2, 3]]}"), in_dir) ==
        "(no error)");
  // A white picture has no dark pixels for invert: true.
  const auto w = vtkSmartPointer<vtkPNGWriter>::New();
  const auto all_white = vtkSmartPointer<vtkImageData>::New();
  all_white->SetDimensions(2, 2, 1);
  all_white->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  std::fill_n(static_cast<unsigned char*>(all_white->GetScalarPointer()), 4, 255);
  w->SetFileName((dir.path / "white.png").string().c_str());
  w->SetInputData(all_white);
  w->Write();
  const std::string msg =
      error_of(case_text("{type: image, path: white.png, invert: true}"), in_dir);
  CHECK(msg.find(":6: initial.path: the picture 'white.png' holds no mass") != std::string::npos);
  CHECK(error_of(case_text("{type: image, path: white.png}"), in_dir) == "(no error)");
  // A density with none of its mass near the domain.
  DensitySpec far = toy("moons", 100);
  far.center = Vec2(100, 0);
  const Grid2D g{16, 16, -5, 5, -5, 5};
  std::vector<double> p(g.size());
  CHECK_THROWS_AS(density_on_grid(far, g, p, "initial", Sampling::cell_average), InputError);
}

TEST_CASE("data densities: a heat run starts from a moons deposit and keeps mass 1") {
  CaseSpec c = parse_case(case_text("{type: moons, samples: 2000, bandwidth: 0.3}") +
                              "solver: {integrator: rk4}\noutput: {formats: []}\n",
                          "toy.yaml");
  struct Last : OutputSink {
    std::vector<double> density;
    void begin(const RunInfo&) override {}
    void write(const Snapshot& s) override { density.assign(s.density.begin(), s.density.end()); }
    void end(const RunSummary&) override {}
  } last;
  OutputSink* sinks[] = {&last};
  SimulationOptions quiet;
  quiet.progress = false;
  (void)simulate(c, sinks, quiet);
  const Grid2D g{c.nx, c.ny, c.x0, c.x1, c.y0, c.y1};
  CHECK(std::abs(mass_of(g, last.density) - 1.0) < 1e-12);
}
