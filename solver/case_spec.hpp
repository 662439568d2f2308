// CaseSpec: the fully resolved case (docs/reference.md §2) as plain data, defaults filled in.
// io/case_file.cpp fills it from YAML and validates it; the solver only reads it.
#pragma once
#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fplab {

using Vec2 = Eigen::Vector2d;
using Mat2 = Eigen::Matrix2d;

// A greyscale picture for `image` densities, read by io/ (from PNG) when the case is loaded so
// that the solver needs no image library. Row 0 is the bottom row as the picture is seen, so
// pixel (i, j) lies at increasing x and y like grid cell (i, j).
struct GreyImage {
  int width = 0, height = 0;
  std::vector<double> grey;   // width × height, row-major, in [0, 1] (0 black, 1 white)
  std::vector<double> alpha;  // the same layout, in [0, 1]; empty when the picture is opaque
  std::size_t index(int i, int j) const { return static_cast<std::size_t>(j) * width + i; }
};

// An axis-aligned rectangle [x0, x1] × [y0, y1]: where an image density lies.
struct Extent {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};

// An initial-condition block (docs/reference.md §2). `gaussian` is stored as a one-component mixture.
struct DensitySpec {
  std::string type = "gaussian";  // gaussian | mixture | moons | swiss_roll | checkerboard | image | from_run
  std::vector<double> weights{1.0};
  std::vector<Vec2> means{Vec2::Zero()};
  std::vector<Mat2> covs{Mat2::Identity()};
  std::string path;  // from_run (a result.h5), image: absolute, resolved by the case loader

  // Sampled toy densities (solver/data_density.hpp): `samples` points drawn with `seed` and
  // deposited on the grid with a Gaussian kernel of standard deviation `bandwidth`.
  std::uint64_t seed = 0;
  std::uint64_t samples = 100000;
  double bandwidth = 0.1;
  std::optional<double> noise;  // moons, swiss_roll; nullopt: the type's default (default_noise)
  double scale = 1.0;           // moons, swiss_roll, checkerboard: x ↦ center + scale·x
  Vec2 center = Vec2::Zero();
  std::shared_ptr<const GreyImage> image;  // image: the picture, read when the case is loaded
  std::optional<Extent> extent;            // image: where it lies; nullopt: the grid's domain
  bool invert = false;                     // image: dark pixels dense instead of bright ones

  bool is_gaussian_mixture() const { return type == "gaussian" || type == "mixture"; }
  bool is_sampled_toy() const {
    return type == "moons" || type == "swiss_roll" || type == "checkerboard" || type == "image";
  }
};

// equation.drift (docs/reference.md §1).
struct DriftSpec {
  std::string type = "linear";  // linear | potential | expression
  Mat2 C = Mat2::Identity();    // linear: f = −a(t) C x
  std::string U;                // potential: f = −∇U
  std::string fx, fy;           // expression: f = (fx, fy)(x, y, t)
};

// equation.schedule (docs/reference.md §1, Song et al. 2021).
struct ScheduleSpec {
  std::string type = "constant";  // constant | vp | subvp | ve
  double beta_min = 0.1, beta_max = 20.0;
  double sigma_min = 0.01, sigma_max = 50.0;
};

// equation.score of a reverse_fokker_planck equation (docs/reference.md §4).
struct ScoreSpec {
  std::string type = "exact";  // exact | tabulated | hdf5 | learned
  bool has_data = false;       // `data` given (required for exact)
  DensitySpec data;            // the data density the forward run started from
  std::string path;            // tabulated: a forward result.h5; hdf5: a score file;
                               // learned: a TorchScript module
  int time_nodes = 0;          // learned: tabulate at this many times (0: evaluate the network)
  double t_min = 0.0;          // learned: evaluate at max(t, t_min); 0: the model's, else 1e-3
};

struct EquationSpec {
  std::string type = "fokker_planck";  // fokker_planck | heat | bgk | reverse_fokker_planck
  // Drift, diffusion and schedule: of this equation, or for reverse_fokker_planck of its
  // forward problem (the `forward` block).
  DriftSpec drift;
  Mat2 D = Mat2::Identity();  // diffusion matrix, symmetric PSD
  // Space-dependent diffusion D(x, y, t): the entries Dxx, Dxy, Dyy as muparser expressions
  // (numbers kept as their text); all empty when D is the constant matrix above.
  std::array<std::string, 3> D_expr;
  bool D_varies() const { return !D_expr[0].empty(); }
  ScheduleSpec schedule;
  double tau = 1.0;          // bgk relaxation time
  DensitySpec equilibrium;   // bgk equilibrium (default N(0, I))
  double T = 1.0;            // reverse: the forward horizon; the reverse time τ runs in [0, T]
  double lambda = 1.0;       // reverse: λ ≥ 0 (0 probability flow, 1 reverse SDE)
  ScoreSpec score;           // reverse: the score of the forward solution
};

struct SolverSpec {
  std::string method = "finite_volume";  // finite_volume | spectral
  std::string scheme = "muscl";          // FV face flux scheme (registry name)
  std::string integrator = "ssprk3";     // time integrator (registry name)
  std::optional<double> dt;              // nullopt: auto, from cfl and the stability bound
  double cfl = 0.4;
  std::string fftw_planning = "measure";  // spectral: FFTW planner effort, measure | estimate
  bool dealias = false;                   // spectral: 2/3-rule truncation of the drift product
  double tolerance = 1e-10;  // expm: where the Taylor series is truncated (relative, ∞-norm);
                             // implicit: the iterative solve's relative residual (1-norm)
  std::string linear_solver = "auto";  // implicit: auto | lu | bicgstab (time/linear_solve.hpp)
  double max_steps = 1e7;        // a run estimated to take more steps is refused (run_checks.hpp)
  bool allow_unstable = false;   // run an explicit dt or cfl above the integrator's stability limit
};

struct TimeSpec {
  double t_end = 1.0;
  double output_every = 0.1;
};

struct OutputSpec {
  std::string dir = "out/case";
  std::vector<std::string> formats{"hdf5", "vtk", "png"};
  bool store_score = false;  // write /fields/score_x, score_y (∇ log p of each snapshot)
  bool store_current = false;  // write /fields/current_x, current_y (J = f p − d D ∇p)
  double max_snapshots = 1e4;  // a run with more output times is refused (run_checks.hpp)
  bool has(const std::string& f) const {
    for (const auto& x : formats)
      if (x == f) return true;
    return false;
  }
};

struct VerifySpec {
  bool present = false;
  std::string refine = "space";  // space | time | both
  std::vector<int> levels{32, 64, 128};
  double expected_order = 2.0;
  double tolerance = 0.1;
};

// The top-level `train` block of `fplab train-score` (docs/reference.md §4): a multilayer perceptron trained
// by denoising score matching on samples of equation.score.data.
struct TrainSpec {
  bool present = false;
  std::vector<int> hidden{128, 128, 128};  // widths of the hidden layers (SiLU)
  int iterations = 3000;
  int batch = 512;
  double learning_rate = 2e-3;  // Adam
  double t_min = 1e-3;          // t ~ U[t_min, T]; stored in the model
  std::uint64_t seed = 0;
};

// The `particles` block of `fplab sample` (docs/reference.md §7): N particles obeying the case's
// SDE dX = f dt + √(2 d D) dW, or its probability-flow ODE dX/dt = f − d D ∇log p.
struct ParticleSpec {
  std::uint64_t n = 100000;
  std::uint64_t seed = 0;
  std::string scheme = "auto";  // auto | euler_maruyama | weak2 | heun | rk4
  std::string flow = "auto";    // auto | sde | ode (fokker_planck only; a reverse case's λ decides)
  std::optional<double> dt;     // nullopt: t_end / 1000, shortened to land on the output times
  std::uint64_t store = 10000;  // the first `store` particles' positions are written per snapshot
  double bandwidth = 0.0;       // 0: a histogram on the grid; > 0: a Gaussian KDE of this width
};

struct CaseSpec {
  std::string name = "case";
  double x0 = -6, x1 = 6, y0 = -6, y1 = 6;  // domain
  int nx = 128, ny = 128;                   // cells
  std::string boundary = "zero_flux";       // zero_flux | periodic | dirichlet
  EquationSpec equation;
  DensitySpec initial;
  SolverSpec solver;
  TimeSpec time;
  OutputSpec output;
  std::string exact = "auto";  // auto | none
  VerifySpec verify;
  TrainSpec train;
  ParticleSpec particles;

  std::string source_path;    // the case file it came from ("" when built in code)
  // Where each dotted key came from ("cases/a.yaml:12", "--set grid.nx=64"): for messages about
  // the case found after loading (locate_in_case). Empty when built in code.
  std::map<std::string, std::string> key_where;
  std::string resolved_yaml;  // the resolved case echoed as YAML (defaults filled, overrides applied)
};

// `message` ("boundary: ..."), found after loading, prefixed with where its leading key came
// from ("cases/a.yaml:5: boundary: ..."), else with the case file.
inline std::string locate_in_case(const CaseSpec& spec, const std::string& message) {
  if (const auto w = spec.key_where.find(message.substr(0, message.find(':')));
      w != spec.key_where.end())
    return w->second + ": " + message;
  return spec.source_path.empty() ? message : spec.source_path + ": " + message;
}

}  // namespace fplab
