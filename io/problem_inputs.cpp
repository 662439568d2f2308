// Reading scores and initial states from HDF5 files for the solver (see problem_inputs.hpp).
#include "io/problem_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "io/hdf5_writer.hpp"
#include "io/result_file.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace {

// A whole dataset of `rank` dimensions as doubles, with its dimensions; InputError naming it.
std::vector<double> read_dataset(hid_t f, const std::string& file, const std::string& name,
                                 std::size_t rank, std::vector<hsize_t>& dims) {
  h5::ErrorSilencer quiet;
  if (!h5::link_exists(f, name))
    throw InputError(fmt::format("{} has no {} dataset", file, name));
  h5::Handle d(H5Dopen2(f, name.c_str(), H5P_DEFAULT));
  if (!d.valid()) throw InputError(fmt::format("{}: {} is not a dataset", file, name));
  dims = h5::dataset_dims(d.get());
  if (dims.size() != rank)
    throw InputError(fmt::format("{}: {} has {} dimensions, expected {}", file, name, dims.size(),
                                 rank));
  std::size_t n = 1;
  for (auto v : dims) n *= v;
  std::vector<double> out(n);
  if (n && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    throw InputError(fmt::format("{}: {} cannot be read as numbers", file, name));
  for (double v : out)
    if (!std::isfinite(v))
      throw InputError(fmt::format("{}: {} holds non-finite values", file, name));
  return out;
}

// Uniform, increasing node coordinates (≥ 2): first node and spacing.
void read_axis(hid_t f, const std::string& file, const std::string& name, int& n, double& first,
               double& h) {
  std::vector<hsize_t> dims;
  const auto v = read_dataset(f, file, name, 1, dims);
  if (v.size() < 2)
    throw InputError(fmt::format("{}: {} needs at least 2 nodes, got {}", file, name, v.size()));
  h = (v.back() - v.front()) / double(v.size() - 1);
  for (std::size_t k = 1; k < v.size(); ++k)
    if (!(v[k] > v[k - 1]) || std::abs(v[k] - v[k - 1] - h) > 1e-6 * h)
      throw InputError(fmt::format(
          "{}: {} must be uniformly spaced and increasing (node {} breaks it)", file, name, k));
  n = static_cast<int>(v.size());
  first = v.front();
}

void check_increasing(const std::vector<double>& t, const std::string& file) {
  if (t.empty()) throw InputError(fmt::format("{}: /time is empty", file));
  for (std::size_t k = 1; k < t.size(); ++k)
    if (!(t[k] > t[k - 1]))
      throw InputError(fmt::format("{}: /time must increase (entry {} does not)", file, k));
}

// The table's cells [node − h/2, node + h/2] must cover the case's domain (within rounding).
void check_covers(const ScoreTable& tb, const CaseSpec& spec, const std::string& file) {
  auto covers = [](double first, double h, int n, double a, double b) {
    const double tol = 1e-9 * (b - a);
    return first - 0.5 * h <= a + tol && first + (n - 0.5) * h >= b - tol;
  };
  if (!covers(tb.x_first, tb.hx, tb.nx, spec.x0, spec.x1))
    throw InputError(fmt::format(
        "{}: /grid/x spans [{:.6g}, {:.6g}], which does not cover the domain x ∈ [{}, {}]", file,
        tb.x_first, tb.x_first + (tb.nx - 1) * tb.hx, spec.x0, spec.x1));
  if (!covers(tb.y_first, tb.hy, tb.ny, spec.y0, spec.y1))
    throw InputError(fmt::format(
        "{}: /grid/y spans [{:.6g}, {:.6g}], which does not cover the domain y ∈ [{}, {}]", file,
        tb.y_first, tb.y_first + (tb.ny - 1) * tb.hy, spec.y0, spec.y1));
}

void check_times(const ScoreTable& tb, double T, const std::string& file) {
  const double tol = 1e-9 * std::max(1.0, T);
  if (tb.times.front() > tol || tb.times.back() < T - tol)
    throw InputError(fmt::format(
        "{}: /time covers [{:.6g}, {:.6g}], which does not include [0, equation.T] = [0, {}]",
        file, tb.times.front(), tb.times.back(), T));
}

bool same_grid(const Grid2D& a, const CaseSpec& c) {
  const double tol = 1e-9 * std::max(c.x1 - c.x0, c.y1 - c.y0);
  return a.nx == c.nx && a.ny == c.ny && std::abs(a.x0 - c.x0) <= tol &&
         std::abs(a.x1 - c.x1) <= tol && std::abs(a.y0 - c.y0) <= tol &&
         std::abs(a.y1 - c.y1) <= tol;
}

std::string grid_text(int nx, int ny, double x0, double x1, double y0, double y1) {
  return fmt::format("{} × {} grid on [{}, {}] × [{}, {}]", nx, ny, x0, x1, y0, y1);
}

std::vector<double> last_snapshot_of(const std::string& path, const CaseSpec& spec) {
  const ResultFile r = open_result(path);
  if (!same_grid(r.grid, spec))
    throw InputError(fmt::format(
        "{} holds a {}, the case a {}: from_run needs the same grid", path,
        grid_text(r.grid.nx, r.grid.ny, r.grid.x0, r.grid.x1, r.grid.y0, r.grid.y1),
        grid_text(spec.nx, spec.ny, spec.x0, spec.x1, spec.y0, spec.y1)));
  if (r.times.empty()) throw InputError(path + " holds no snapshot");
  return r.read_density(static_cast<int>(r.times.size()) - 1);
}

// The data a forward run started from: its first snapshot, when at t = 0 on the case's grid.
std::vector<double> first_snapshot_of(const std::string& path, const CaseSpec& spec) {
  const ResultFile r = open_result(path);
  if (r.times.empty() || r.times.front() != 0.0 || !same_grid(r.grid, spec)) return {};
  return r.read_density(0);
}

}  // namespace

ScoreTable read_score_file(const std::string& path) {
  const h5::Handle file = h5::open_read(path, "score file");
  const hid_t f = file.get();
  ScoreTable tb;
  read_axis(f, path, "/grid/x", tb.nx, tb.x_first, tb.hx);
  read_axis(f, path, "/grid/y", tb.ny, tb.y_first, tb.hy);
  std::vector<hsize_t> dims;
  tb.times = read_dataset(f, path, "/time", 1, dims);
  check_increasing(tb.times, path);
  for (const char* name : {"/fields/score_x", "/fields/score_y"}) {
    auto v = read_dataset(f, path, name, 3, dims);
    if (dims[0] != tb.times.size() || dims[1] != hsize_t(tb.ny) || dims[2] != hsize_t(tb.nx))
      throw InputError(fmt::format(
          "{}: {} has shape ({}, {}, {}), expected (nt, ny, nx) = ({}, {}, {}) from /time, "
          "/grid/y and /grid/x",
          path, name, dims[0], dims[1], dims[2], tb.times.size(), tb.ny, tb.nx));
    (std::string_view(name).back() == 'x' ? tb.sx : tb.sy) = std::move(v);
  }
  return tb;
}

ScoreTable read_score_from_run(const std::string& path) {
  const ResultFile r = open_result(path);
  const auto has = [&](const char* name) {
    return std::find(r.fields.begin(), r.fields.end(), name) != r.fields.end();
  };
  // Else the score of the result's own density (open_result found it: a grid solution or a
  // particle histogram).
  const bool stored = has("score_x") && has("score_y");
  if (r.times.size() < 2)
    throw InputError(fmt::format("{}: /time holds {} snapshot(s), a tabulated score needs at "
                                 "least 2",
                                 path, r.times.size()));
  const Grid2D& g = r.grid;
  ScoreTable tb{g.nx, g.ny, g.xc(0), g.yc(0), g.dx(), g.dy(), r.times, {}, {}};
  tb.sx.resize(tb.times.size() * g.size());
  tb.sy.resize(tb.sx.size());
  for (std::size_t k = 0; k < tb.times.size(); ++k) {
    const std::span<double> sx(tb.sx.data() + k * g.size(), g.size());
    const std::span<double> sy(tb.sy.data() + k * g.size(), g.size());
    if (stored) {
      const auto vx = r.read_field("score_x", static_cast<int>(k));
      const auto vy = r.read_field("score_y", static_cast<int>(k));
      std::copy(vx.begin(), vx.end(), sx.begin());
      std::copy(vy.begin(), vy.end(), sy.begin());
    } else {
      score_from_density(g, r.read_density(static_cast<int>(k)), sx, sy);
    }
  }
  return tb;
}

namespace {

LearnedScoreLoader learned_loader = nullptr;

// The learned score of the case: the network, or (time_nodes) its table at score_time_nodes.
std::shared_ptr<const ScoreField> learned_score(const CaseSpec& spec) {
  const ScoreSpec& sc = spec.equation.score;
  if (!learned_loader)
    throw InputError(
        "equation.score.type: learned needs libtorch, which this program was built without "
        "(run the case with fplab-torch)");
  auto net = learned_loader(sc.path, sc.t_min);
  if (sc.time_nodes < 2) return net;
  const Grid2D g{spec.nx, spec.ny, spec.x0, spec.x1, spec.y0, spec.y1};
  return std::make_shared<GridScore>(
      tabulate_score(*net, g, score_time_nodes(spec.equation.T, sc.time_nodes)),
      fmt::format("{} tabulated at {} times", net->describe(), sc.time_nodes));
}

}  // namespace

void set_learned_score_loader(LearnedScoreLoader loader) { learned_loader = loader; }
bool learned_scores_available() { return learned_loader != nullptr; }
bool needs_learned_score(const CaseSpec& spec) {
  return spec.equation.type == "reverse_fokker_planck" && spec.equation.score.type == "learned";
}

ProblemInputs load_problem_inputs(const CaseSpec& spec) {
  ProblemInputs in;
  try {
    if (spec.initial.type == "from_run") try {
        in.initial = last_snapshot_of(spec.initial.path, spec);
      } catch (const InputError& e) {
        throw InputError(std::string("initial.path: ") + e.what());
      }
    const EquationSpec& eq = spec.equation;
    if (eq.type != "reverse_fokker_planck" || eq.score.type == "exact") return in;
    if (eq.score.type == "learned") {
      try {
        in.score = learned_score(spec);
      } catch (const InputError& e) {
        if (std::string_view(e.what()).starts_with("equation.")) throw;
        throw InputError(std::string("equation.score.path: ") + e.what());
      }
      return in;
    }
    const std::string& path = eq.score.path;
    const bool from_run = eq.score.type == "tabulated";
    try {
      ScoreTable tb = from_run ? read_score_from_run(path) : read_score_file(path);
      check_covers(tb, spec, path);
      check_times(tb, eq.T, path);
      in.score = std::make_shared<GridScore>(std::move(tb), from_run ? "tabulated from " + path
                                                                      : "hdf5 score " + path);
    } catch (const InputError& e) {
      throw InputError(std::string("equation.score.path: ") + e.what());
    }
    if (from_run && !eq.score.has_data) in.target = first_snapshot_of(path, spec);
  } catch (const InputError& e) {
    if (spec.source_path.empty()) throw;
    throw InputError(spec.source_path + ": " + e.what());
  }
  return in;
}

}  // namespace fplab
