// Case files (docs/reference.md §1–§2): the YAML schema of a case, read into CaseSpec with every key
// validated, defaults filled and `--set` overrides applied first; and the resolved echo.
#include "io/case_file.hpp"

#include <fmt/format.h>
#include <muParser.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include <unistd.h>

#include "io/case_yaml.hpp"
#include "io/vtk_module.hpp"
#include "solver/data_density.hpp"
#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/time/integrator.hpp"
#include "solver/time/linear_solve.hpp"

namespace fplab {
namespace {

using Hints = std::vector<std::pair<std::string, std::string>>;

// What each value must be, in the words of the messages.
constexpr const char* kExpectPositive = "a number > 0";
constexpr const char* kExpectPoint = "a point [x, y]";
constexpr const char* kExpectInterval = "an interval [a, b] with a < b";
constexpr const char* kExpectGridSize = "an integer from 4 to 1048576";
constexpr const char* kExpectSpd = "a symmetric positive definite 2×2 matrix [[a, b], [b, c]]";
constexpr const char* kExpectPsd = "a symmetric positive semi-definite 2×2 matrix [[a, b], [b, c]]";
constexpr const char* kExpectMatrix = "a 2×2 matrix [[a, b], [c, d]]";
constexpr const char* kExpectExtent = "a rectangle [[x0, x1], [y0, y1]] with x0 < x1 and y0 < y1";
constexpr int kGridSizeMax = 1 << 20;  // kExpectGridSize's maximum
// The fewest arrays of nx·ny doubles any run holds (the state, a stage or right-hand side, the
// exact or equilibrium density and a write buffer): a grid needing more memory than the machine
// has is refused before anything is allocated.
constexpr double kGridArraysMin = 4;
// A name is the last part of the default output folder out/<name>: a file name's length at most.
constexpr std::size_t kNameBytesMax = 255;
constexpr long long kSamplesMax = 100'000'000;  // 1.6 GB of points: beyond, memory runs out first

const std::vector<std::string> kTopKeys = {"name",     "domain",  "grid",   "boundary",
                                           "equation", "initial", "solver", "time",
                                           "output",   "exact",   "verify",  "train",
                                           "particles"};
// Keys written one level too high: suggest where they belong.
const Hints kTopHints = {{"x", "domain.x"},
                         {"y", "domain.y"},
                         {"nx", "grid.nx"},
                         {"ny", "grid.ny"},
                         {"type", "equation.type"},
                         {"drift", "equation.drift"},
                         {"diffusion", "equation.diffusion"},
                         {"D", "equation.diffusion.D"},
                         {"schedule", "equation.schedule"},
                         {"tau", "equation.tau"},
                         {"method", "solver.method"},
                         {"scheme", "solver.scheme"},
                         {"integrator", "solver.integrator"},
                         {"dt", "solver.dt"},
                         {"cfl", "solver.cfl"},
                         {"t_end", "time.t_end"},
                         {"output_every", "time.output_every"},
                         {"dir", "output.dir"},
                         {"formats", "output.formats"}};
const Hints kEquationHints = {{"D", "diffusion.D"},
                              {"C", "drift.C"},
                              {"U", "drift.U"},
                              {"fx", "drift.fx"},
                              {"fy", "drift.fy"},
                              {"beta_min", "schedule.beta_min"},
                              {"beta_max", "schedule.beta_max"},
                              {"sigma_min", "schedule.sigma_min"},
                              {"sigma_max", "schedule.sigma_max"}};

// The equation and density types a case may name (docs/reference.md §1, §2).
const std::vector<std::string> kEquationTypes = {"fokker_planck", "heat", "bgk",
                                                 "reverse_fokker_planck"};
const std::vector<std::string> kDensityTypes = {"gaussian",   "mixture",      "moons",
                                                "swiss_roll", "checkerboard", "image"};
// Initial blocks only: a previous run's last snapshot, and (reverse runs with an exact score)
// the exact forward density at T.
const std::vector<std::string> kInitialOnlyTypes = {"from_run", "forward_solution"};
const std::vector<std::string> kScoreTypes = {"exact", "tabulated", "hdf5", "learned"};
const std::vector<std::string> kFormats = {"hdf5", "vtk", "png"};

// The keys each equation type takes (docs/reference.md §1); a new type adds its row here and a reader below.
std::vector<std::string> equation_keys(const std::string& type) {
  if (type == "fokker_planck") return {"type", "drift", "diffusion", "schedule"};
  if (type == "heat") return {"type", "diffusion"};
  if (type == "reverse_fokker_planck") return {"type", "forward", "T", "lambda", "score"};
  return {"type", "tau", "equilibrium"};  // bgk
}

std::vector<std::string> drift_keys(const std::string& type) {
  if (type == "linear") return {"type", "C"};
  if (type == "potential") return {"type", "U"};
  return {"type", "fx", "fy"};  // expression
}

std::vector<std::string> schedule_keys(const std::string& type) {
  if (type == "vp" || type == "subvp") return {"type", "beta_min", "beta_max"};
  if (type == "ve") return {"type", "sigma_min", "sigma_max"};
  return {"type"};  // constant
}

// The keys of each sampled toy density (docs/reference.md §2, solver/data_density.hpp).
std::vector<std::string> toy_density_keys(const std::string& type) {
  const std::vector<std::string> deposit = {"seed", "samples", "bandwidth"};
  std::vector<std::string> keys = {"type"};
  if (type == "image")
    keys.insert(keys.end(), {"path", "extent", "invert"});
  else if (type == "checkerboard")
    keys.insert(keys.end(), {"scale", "center"});
  else  // moons, swiss_roll
    keys.insert(keys.end(), {"noise", "scale", "center"});
  keys.insert(keys.end(), deposit.begin(), deposit.end());
  return keys;
}

// "[[1, 2], [2, 1]]" as a message shows a matrix.
std::string mat_text(const Mat2& m) {
  return fmt::format("[[{}, {}], [{}, {}]]", number_text(m(0, 0)), number_text(m(0, 1)),
                     number_text(m(1, 0)), number_text(m(1, 1)));
}

// A symmetric 2×2 matrix whose eigenvalues are > 0 (spd) or ≥ 0 up to rounding (psd).
Mat2 read_sym_matrix(const CaseItem& it, bool definite) {
  const char* expected = definite ? kExpectSpd : kExpectPsd;
  const Mat2 m = read_mat2(it, expected);
  const double scale = std::max(1.0, m.cwiseAbs().maxCoeff());
  if (std::abs(m(0, 1) - m(1, 0)) > 1e-12 * scale)
    it.fail(fmt::format("expected {}, got {}, which is not symmetric", expected, mat_text(m)));
  // Eigenvalues of a symmetric 2×2 matrix in closed form: mid ± sqrt(((a − c)/2)² + b²).
  const double mid = 0.5 * (m(0, 0) + m(1, 1));
  const double rad = std::hypot(0.5 * (m(0, 0) - m(1, 1)), m(0, 1));
  const double lo = mid - rad, hi = mid + rad;
  if (definite ? !(lo > 0) : !(lo >= -1e-12 * scale))
    it.fail(fmt::format("expected {}, got {}, whose eigenvalues are {:.6g} and {:.6g}", expected,
                        mat_text(m), lo, hi));
  return m;
}

// A few cell centres of the case's grid, spread over the domain: where a coefficient is
// evaluated first. 7 per direction (fewer on a coarser grid), the boundary cells included.
std::vector<Vec2> sample_centres(const CaseSpec& c) {
  std::vector<Vec2> pts;
  for (int a = 0; a <= 6; ++a)
    for (int b = 0; b <= 6; ++b) {
      const int i = a * (c.nx - 1) / 6, j = b * (c.ny - 1) / 6;
      pts.emplace_back(c.x0 + (i + 0.5) * (c.x1 - c.x0) / c.nx,
                       c.y0 + (j + 0.5) * (c.y1 - c.y0) / c.ny);
    }
  return pts;
}

// One value muparser's comma operator can hide: "x^2, y^2" evaluates to y² alone.
void check_single_value(const CaseItem& it, const mu::Parser& p, const std::string& expected,
                        const std::string& text) {
  if (const int n = p.GetNumResults(); n > 1)
    it.fail(fmt::format("expected {} (one value), got '{}', a comma-separated list of {} values",
                        expected, shorten(text), n));
}

// The expression is finite at the sample_centres (t = 0): "1/0" or "sqrt(-1)" is an input error
// found here, with its key, and not a numerical failure of the run.
void check_finite(const CaseItem& it, mu::Parser& p, std::vector<double>& values,
                  const CaseSpec& c, const std::string& text) {
  for (const Vec2& q : sample_centres(c)) {
    values.assign(values.size(), 0.0);
    values[0] = q[0];
    values[1] = q[1];
    const double v = p.Eval();
    if (!std::isfinite(v))
      it.fail(fmt::format("expected an expression that is finite on the domain, got '{}', which "
                          "is {} at the cell centre (x, y) = ({:.6g}, {:.6g})",
                          shorten(text), std::isnan(v) ? "not a number" : "infinite", q[0], q[1]));
  }
}

// An expression muparser compiles with exactly these variables (x, y first; docs/reference.md §1
// drift), one value, finite on the case's grid.
std::string read_expression(const CaseItem& it, const std::vector<std::string>& vars,
                            const CaseSpec& c) {
  const std::string expected = "an expression in " + join_names(vars);
  const std::string text = read_string(it, expected);
  std::vector<double> values(vars.size(), 0.0);
  mu::Parser p;
  try {
    for (std::size_t k = 0; k < vars.size(); ++k) p.DefineVar(vars[k], &values[k]);
    p.SetExpr(text);
    p.Eval();  // muparser parses lazily, on the first evaluation
    check_single_value(it, p, expected, text);
    check_finite(it, p, values, c, text);
  } catch (const mu::Parser::exception_type& e) {
    std::string msg = shorten(e.GetMsg());
    while (!msg.empty() && (msg.back() == '.' || msg.back() == ' ')) msg.pop_back();
    if (msg.find("position") == std::string::npos && e.GetPos() >= 0)
      msg += fmt::format(" at position {}", e.GetPos());
    it.fail(fmt::format("expected {}, got '{}' (muparser: {})", expected, shorten(text), msg));
  }
  return text;
}

// An entry of a 2×2 matrix given as a YAML scalar: a number, or text (an expression).
bool matrix_has_text(const CaseItem& it) {
  if (!it.node.IsSequence() || it.node.size() != 2) return false;
  for (int r = 0; r < 2; ++r) {
    const YAML::Node row = it.node[r];
    if (!row.IsSequence() || row.size() != 2) return false;
    for (int c = 0; c < 2; ++c) {
      double v = 0.0;
      if (row[c].IsScalar() && !number_parse(row[c].Scalar(), v)) return true;
    }
  }
  return false;
}

// equation.diffusion.D: a constant symmetric PSD matrix, or (when an entry is text) a matrix of
// expressions in x, y, t whose off-diagonal entries are the same expression. Positive
// semi-definiteness of a space-dependent D is checked at every face when the operator is built.
void read_diffusion_matrix(const CaseItem& it, EquationSpec& eq, const CaseSpec& c) {
  if (!matrix_has_text(it)) {
    eq.D = read_sym_matrix(it, false);
    eq.D_expr = {};
    return;
  }
  const std::vector<std::string> vars = {"x", "y", "t"};
  auto entry = [&](int r, int col) {
    const CaseItem e{it.source, it.node[r][col], fmt::format("{}[{}][{}]", it.key, r, col),
                     it.node, {}};
    return read_expression(e, vars, c);
  };
  const std::string xy = entry(0, 1), yx = entry(1, 0);
  auto strip = [](std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char ch) { return std::isspace(ch); }),
            s.end());
    return s;
  };
  if (strip(xy) != strip(yx))
    it.fail(fmt::format("expected a symmetric matrix, got the off-diagonal entries '{}' and '{}', "
                        "which differ (write the same expression in both)",
                        shorten(xy), shorten(yx)));
  eq.D_expr = {entry(0, 0), xy, entry(1, 1)};
}

double read_positive(const CaseItem& it) {
  return read_number(it, kExpectPositive, [](double v) { return v > 0; });
}

// An input file's path as given and resolved: a relative path is relative to the case file's
// folder (so a case and its data travel together); the spec keeps the absolute path, so the
// resolved echo (stored in result.h5) reads the same file from anywhere.
std::pair<std::string, std::string> input_path(const CaseItem& it, std::string_view what) {
  const std::string given = read_string(it, what);
  std::filesystem::path p(given);
  if (p.is_relative()) p = std::filesystem::path(it.source->file()).parent_path() / p;
  return {given, std::filesystem::absolute(p).lexically_normal().string()};
}

// An input file's absolute path (see input_path). Whether it exists is checked when the run
// reads it (io/problem_inputs.cpp): a reverse case may be loaded before its forward run exists.
std::string read_input_file(const CaseItem& it, std::string_view what) {
  return input_path(it, what).second;
}

// [[x0, x1], [y0, y1]], each interval increasing.
Extent read_extent(const CaseItem& it) {
  const Mat2 m = read_mat2(it, kExpectExtent);
  if (!(m(0, 0) < m(0, 1)) || !(m(1, 0) < m(1, 1))) it.fail_expected(kExpectExtent);
  return {m(0, 0), m(0, 1), m(1, 0), m(1, 1)};
}

// The picture of an image density, read now so that a bad file is an error naming its key
// (paths as input_path says).
void read_picture(const CaseItem& path, DensitySpec& d) {
  const auto [given, resolved] = input_path(path, "the path of a PNG picture");
  d.path = resolved;
  const VtkIoModule& vtk = vtk_io("density type image (a PNG picture)");
  try {
    d.image = vtk.read_grey_png(d.path);
  } catch (const std::runtime_error& e) {
    path.fail(fmt::format("cannot read the picture '{}' ({}): {}", given, d.path, e.what()));
  }
  if (!(image_mass(*d.image, d.invert) > 0.0))
    path.fail(fmt::format(
        "the picture '{}' holds no mass: every pixel is {} or transparent (bright pixels are "
        "dense, dark ones with invert: true)",
        given, d.invert ? "white" : "black"));
}

// moons, swiss_roll, checkerboard, image: the sampler's keys and the deposit's.
DensitySpec read_toy_density(const CaseBlock& b, const std::string& type, const Extent& domain) {
  DensitySpec d;
  d.type = type;
  b.keys_allowed(toy_density_keys(type), "a " + type + " density");
  if (const CaseItem v = b.get("seed"); v.present())
    d.seed = static_cast<std::uint64_t>(
        read_integer(v, "an integer ≥ 0", 0, std::numeric_limits<long long>::max()));
  if (const CaseItem v = b.get("samples"); v.present())
    d.samples = static_cast<std::uint64_t>(
        read_integer(v, fmt::format("an integer from 1 to {}", kSamplesMax), 1, kSamplesMax));
  if (const CaseItem v = b.get("bandwidth"); v.present()) d.bandwidth = read_positive(v);
  if (type == "image") {
    d.extent = domain;
    if (const CaseItem v = b.get("extent"); v.present()) d.extent = read_extent(v);
    if (const CaseItem v = b.get("invert"); v.present()) d.invert = read_bool(v);
    read_picture(b.required("path", "the path of a PNG picture"), d);
    return d;
  }
  if (type != "checkerboard") {
    d.noise = default_noise(type);
    if (const CaseItem v = b.get("noise"); v.present())
      d.noise = read_number(v, "a number ≥ 0", [](double x) { return x >= 0; });
  }
  if (const CaseItem v = b.get("scale"); v.present()) d.scale = read_positive(v);
  if (const CaseItem v = b.get("center"); v.present()) d.center = read_vec2(v, kExpectPoint);
  return d;
}

// A density block (docs/reference.md §2): gaussian {mean, cov}, mixture {weights, means, covs} or a sampled
// toy density; as an initial block (`initial`) also from_run {path} and forward_solution.
// `domain` is an image's extent when the block gives none.
DensitySpec read_density(const CaseItem& it, const Extent& domain, bool initial = false) {
  const CaseBlock b(
      it, "a density block such as {type: gaussian, mean: [0, 0], cov: [[1, 0], [0, 1]]}");
  DensitySpec d;
  const CaseItem type = b.get("type");
  std::vector<std::string> types = kDensityTypes;
  if (initial) types.insert(types.end(), kInitialOnlyTypes.begin(), kInitialOnlyTypes.end());
  d.type = type.present() ? read_choice(type, types) : "gaussian";
  if (d.type == "from_run") {
    b.keys_allowed({"type", "path"}, "a from_run block");
    d.path = read_input_file(b.required("path", "a result.h5 file"), "a result.h5 file");
    return d;
  }
  if (d.type == "forward_solution") {
    b.keys_allowed({"type"}, "a forward_solution block");
    return d;
  }
  if (d.type != "gaussian" && d.type != "mixture") return read_toy_density(b, d.type, domain);
  if (d.type == "gaussian") {
    b.keys_allowed({"type", "mean", "cov"}, "a gaussian density");
    const CaseItem mean = b.get("mean"), cov = b.get("cov");
    d.weights = {1.0};
    d.means = {mean.present() ? read_vec2(mean, kExpectPoint) : Vec2(Vec2::Zero())};
    d.covs = {cov.present() ? read_sym_matrix(cov, true) : Mat2(Mat2::Identity())};
    return d;
  }
  b.keys_allowed({"type", "weights", "means", "covs"}, "a mixture density");
  const char* expect_means = "a non-empty list of points [[x, y], ...]";
  const CaseItem means = b.required("means", expect_means);
  const auto mean_items = read_list(means, expect_means);
  if (mean_items.empty()) means.fail_expected(expect_means);
  const std::size_t n = mean_items.size();
  d.means.clear();
  for (const auto& m : mean_items) d.means.push_back(read_vec2(m, kExpectPoint));

  const CaseItem covs = b.required("covs", "a list of covariance matrices, one per mean");
  const auto cov_items = read_list(covs, "a list of covariance matrices, one per mean");
  if (cov_items.size() != n)
    covs.fail(
        fmt::format("expected {} covariance matrices, one per mean, got {}", n, cov_items.size()));
  d.covs.clear();
  for (const auto& c : cov_items) d.covs.push_back(read_sym_matrix(c, true));

  const CaseItem weights = b.get("weights");
  d.weights.assign(n, 1.0 / static_cast<double>(n));  // default: equal weights
  if (weights.present()) {
    const auto w_items = read_list(weights, "a list of weights ≥ 0 summing to 1");
    if (w_items.size() != n)
      weights.fail(fmt::format("expected {} weights, one per mean, got {}", n, w_items.size()));
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
      d.weights[k] = read_number(w_items[k], "a weight ≥ 0", [](double v) { return v >= 0; });
      sum += d.weights[k];
    }
    if (std::abs(sum - 1.0) > 1e-9)
      weights.fail(fmt::format("expected weights summing to 1 (within 1e-9), got {} summing to {}",
                               describe_yaml(weights.node), number_text(sum)));
  }
  return d;
}

DriftSpec read_drift(const CaseItem& it, const CaseSpec& c) {
  const CaseBlock b(it, "a drift block such as {type: linear, C: [[1, 0], [0, 1]]}");
  DriftSpec f;
  const CaseItem type = b.get("type");
  if (type.present()) f.type = read_choice(type, {"linear", "potential", "expression"});
  b.keys_allowed(drift_keys(f.type), "a " + f.type + " drift");
  if (f.type == "linear") {
    if (const CaseItem c = b.get("C"); c.present()) f.C = read_mat2(c, kExpectMatrix);
  } else if (f.type == "potential") {
    f.U = read_expression(b.required("U", "an expression in x, y"), {"x", "y"}, c);
  } else {
    f.fx = read_expression(b.required("fx", "an expression in x, y, t"), {"x", "y", "t"}, c);
    f.fy = read_expression(b.required("fy", "an expression in x, y, t"), {"x", "y", "t"}, c);
  }
  return f;
}

// Noise schedules of Song et al. 2021 (docs/reference.md §1): constant, vp, subvp, ve.
ScheduleSpec read_schedule(const CaseItem& it) {
  const CaseBlock b(it, "a schedule block such as {type: vp, beta_min: 0.1, beta_max: 20}");
  ScheduleSpec s;
  const CaseItem type = b.get("type");
  if (type.present()) s.type = read_choice(type, {"constant", "vp", "subvp", "ve"});
  b.keys_allowed(schedule_keys(s.type), "a " + s.type + " schedule");
  if (s.type == "vp" || s.type == "subvp") {
    if (const CaseItem v = b.get("beta_min"); v.present()) s.beta_min = read_positive(v);
    const CaseItem hi = b.get("beta_max");
    if (hi.present()) s.beta_max = read_number(hi, kExpectPositive);
    if (!(s.beta_max >= s.beta_min)) {
      const std::string expected = "a number ≥ beta_min = " + number_text(s.beta_min);
      if (hi.present()) hi.fail_expected(expected);
      b.get("beta_min")
          .fail(fmt::format("expected a number ≤ beta_max = {} (the default), got {}",
                            number_text(s.beta_max), number_text(s.beta_min)));
    }
  } else if (s.type == "ve") {
    if (const CaseItem v = b.get("sigma_min"); v.present()) s.sigma_min = read_positive(v);
    const CaseItem hi = b.get("sigma_max");
    if (hi.present()) s.sigma_max = read_number(hi, kExpectPositive);
    if (!(s.sigma_max > s.sigma_min)) {
      const std::string expected = "a number > sigma_min = " + number_text(s.sigma_min);
      if (hi.present()) hi.fail_expected(expected);
      b.get("sigma_min")
          .fail(fmt::format("expected a number < sigma_max = {} (the default), got {}",
                            number_text(s.sigma_max), number_text(s.sigma_min)));
    }
  }
  return s;
}

// equation.score (docs/reference.md §4): exact {data}, tabulated {path, data?}, hdf5 {path, data?}.
ScoreSpec read_score(const CaseItem& it, const Extent& domain) {
  const CaseBlock b(it, "a score block such as {type: exact, data: {type: gaussian}}");
  ScoreSpec s;
  s.type = read_choice(b.required("type", "one of " + join_names(kScoreTypes)), kScoreTypes);
  if (s.type == "exact") {
    b.keys_allowed({"type", "data"}, "an exact score");
    s.data = read_density(b.required("data", "the data density block the forward run starts from"),
                          domain);
    s.has_data = true;
    return s;
  }
  if (s.type == "learned") {
    b.keys_allowed({"type", "path", "data", "time_nodes", "t_min"}, "a learned score");
    if (const CaseItem k = b.get("time_nodes"); k.present())
      s.time_nodes = static_cast<int>(read_integer(k, "an integer from 2 to 10000", 2, 10000));
    if (const CaseItem t = b.get("t_min"); t.present()) s.t_min = read_number(t, kExpectPositive);
  } else {
    b.keys_allowed({"type", "path", "data"}, "a " + s.type + " score");
  }
  const char* what = s.type == "tabulated" ? "a forward run's result.h5"
                     : s.type == "hdf5"    ? "an HDF5 score file"
                                           : "a TorchScript module (.pt)";
  s.path = read_input_file(b.required("path", what), what);
  if (const CaseItem d = b.get("data"); d.present()) {
    s.data = read_density(d, domain);
    s.has_data = true;
  }
  return s;
}

// The coefficients of a fokker_planck block (its drift, diffusion, schedule): of the equation
// itself, or of a reverse equation's `forward` block. `c` holds the domain and grid read so far.
void read_coefficients(const CaseBlock& b, EquationSpec& eq, const CaseSpec& c) {
  if (const CaseItem d = b.get("drift"); d.present()) eq.drift = read_drift(d, c);
  if (const CaseItem d = b.get("diffusion"); d.present()) {
    const CaseBlock db(d, "a diffusion block {D: [[a, b], [b, c]]}");
    db.keys_allowed({"D"}, "a diffusion block");
    if (const CaseItem m = db.get("D"); m.present()) read_diffusion_matrix(m, eq, c);
  }
  if (const CaseItem s = b.get("schedule"); s.present()) eq.schedule = read_schedule(s);
}

void read_reverse(const CaseBlock& b, EquationSpec& eq, const CaseSpec& c) {
  const Extent domain{c.x0, c.x1, c.y0, c.y1};
  const char* expected = "the forward block {drift: ..., diffusion: ..., schedule: ...}";
  const CaseBlock fb(b.required("forward", expected), expected);
  fb.keys_allowed({"drift", "diffusion", "schedule"}, "the forward block", kEquationHints);
  read_coefficients(fb, eq, c);
  eq.T = read_positive(b.required("T", "the forward horizon T > 0"));
  if (const CaseItem l = b.get("lambda"); l.present())
    eq.lambda = read_number(l, "a number ≥ 0", [](double v) { return v >= 0; });
  eq.score =
      read_score(b.required("score", "a score block such as {type: exact, data: ...}"), domain);
}

// `c` holds the domain and grid read so far.
EquationSpec read_equation(const CaseItem& it, const CaseSpec& c) {
  const Extent domain{c.x0, c.x1, c.y0, c.y1};
  const CaseBlock b(it, "an equation block such as {type: fokker_planck, drift: {type: linear}}");
  EquationSpec eq;
  eq.type = read_choice(b.required("type", "one of " + join_names(kEquationTypes)), kEquationTypes);
  b.keys_allowed(equation_keys(eq.type), "a " + eq.type + " equation", kEquationHints);
  if (eq.type == "reverse_fokker_planck") {
    read_reverse(b, eq, c);
    return eq;
  }
  read_coefficients(b, eq, c);
  if (const CaseItem t = b.get("tau"); t.present()) eq.tau = read_positive(t);
  if (const CaseItem e = b.get("equilibrium"); e.present())
    eq.equilibrium = read_density(e, domain);
  return eq;
}

void read_solver(const CaseItem& it, SolverSpec& s) {
  const CaseBlock b(it, "a solver block such as {method: finite_volume, scheme: muscl}");
  b.keys_allowed(
      {"method", "scheme", "integrator", "dt", "cfl", "fftw_planning", "dealias", "tolerance",
       "linear_solver", "max_steps", "allow_unstable"},
      "the solver block");
  if (const CaseItem v = b.get("method"); v.present())
    s.method = read_choice(v, {"finite_volume", "spectral"});
  if (const CaseItem v = b.get("scheme"); v.present())
    s.scheme = read_choice(v, flux_scheme_names());
  if (const CaseItem v = b.get("integrator"); v.present())
    s.integrator = read_choice(v, integrator_names());
  if (const CaseItem v = b.get("dt"); v.present()) {
    if (v.node.IsScalar() && v.node.Scalar() == "auto")
      s.dt.reset();
    else
      s.dt = read_number(v, "a number > 0 or auto", [](double x) { return x > 0; });
  }
  if (const CaseItem v = b.get("cfl"); v.present()) s.cfl = read_positive(v);
  if (const CaseItem v = b.get("fftw_planning"); v.present())
    s.fftw_planning = read_choice(v, {"measure", "estimate"});
  if (const CaseItem v = b.get("dealias"); v.present()) s.dealias = read_bool(v);
  if (const CaseItem v = b.get("tolerance"); v.present())
    s.tolerance = read_number(v, "a number in [1e-15, 1e-2]",
                              [](double x) { return x >= 1e-15 && x <= 1e-2; });
  if (const CaseItem v = b.get("linear_solver"); v.present())
    s.linear_solver = read_choice(v, linear_solver_names());
  if (const CaseItem v = b.get("max_steps"); v.present())
    s.max_steps = read_number(v, "a number ≥ 1", [](double x) { return x >= 1; });
  if (const CaseItem v = b.get("allow_unstable"); v.present()) s.allow_unstable = read_bool(v);
}

void read_verify(const CaseItem& it, VerifySpec& v) {
  const CaseBlock b(it, "a verify block such as {refine: space, levels: [32, 64, 128]}");
  b.keys_allowed({"refine", "levels", "expected_order", "tolerance"}, "the verify block");
  v.present = true;
  if (const CaseItem r = b.get("refine"); r.present())
    v.refine = read_choice(r, {"space", "time", "both"});
  if (const CaseItem l = b.get("levels"); l.present()) {
    const char* expected = "at least 2 increasing grid sizes ≥ 4, such as [32, 64, 128]";
    const auto items = read_list(l, expected);
    v.levels.clear();
    for (const auto& e : items)
      v.levels.push_back(static_cast<int>(read_integer(e, kExpectGridSize, 4, kGridSizeMax)));
    if (v.levels.size() < 2 ||
        !std::is_sorted(v.levels.begin(), v.levels.end(), [](int a, int b) { return a <= b; }))
      l.fail_expected(expected);
  }
  if (const CaseItem e = b.get("expected_order"); e.present()) v.expected_order = read_positive(e);
  if (const CaseItem t = b.get("tolerance"); t.present())
    v.tolerance = read_number(t, "a number ≥ 0", [](double x) { return x >= 0; });
}

// train (docs/reference.md §4): {hidden, iterations, batch, learning_rate, t_min, seed}.
void read_train(const CaseItem& it, TrainSpec& t) {
  const CaseBlock b(it, "a train block such as {hidden: [128, 128, 128], iterations: 3000}");
  b.keys_allowed({"hidden", "iterations", "batch", "learning_rate", "t_min", "seed"},
                 "the train block");
  t.present = true;
  if (const CaseItem h = b.get("hidden"); h.present()) {
    const char* expected = "1 to 8 layer widths from 1 to 4096, such as [128, 128, 128]";
    const auto items = read_list(h, expected);
    if (items.empty() || items.size() > 8) h.fail_expected(expected);
    t.hidden.clear();
    for (const auto& e : items)
      t.hidden.push_back(static_cast<int>(read_integer(e, "a layer width from 1 to 4096", 1, 4096)));
  }
  if (const CaseItem n = b.get("iterations"); n.present())
    t.iterations = static_cast<int>(read_integer(n, "an integer from 1 to 10000000", 1, 10'000'000));
  if (const CaseItem n = b.get("batch"); n.present())
    t.batch = static_cast<int>(read_integer(n, "an integer from 1 to 1000000", 1, 1'000'000));
  if (const CaseItem r = b.get("learning_rate"); r.present()) t.learning_rate = read_positive(r);
  if (const CaseItem m = b.get("t_min"); m.present()) t.t_min = read_positive(m);
  if (const CaseItem s = b.get("seed"); s.present())
    t.seed = static_cast<std::uint64_t>(
        read_integer(s, "an integer ≥ 0", 0, std::numeric_limits<long long>::max()));
}

// Bytes per particle of `fplab sample`: its position, the stage buffers of a two-stage scheme
// (six arrays) and its alive flag.
constexpr double kParticleBytes = 8 * sizeof(double) + 1;
constexpr long long kParticlesMax = 1'000'000'000;

double physical_memory_bytes();

void read_particles(const CaseItem& it, ParticleSpec& p) {
  const CaseBlock b(it, "a particles block such as {n: 100000, seed: 0, scheme: auto}");
  b.keys_allowed({"n", "seed", "scheme", "flow", "dt", "store", "bandwidth"},
                 "the particles block");
  if (const CaseItem v = b.get("n"); v.present()) {
    p.n = static_cast<std::uint64_t>(
        read_integer(v, "an integer from 1 to 1000000000", 1, kParticlesMax));
    constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
    const double need = kParticleBytes * static_cast<double>(p.n);
    if (const double have = physical_memory_bytes(); have > 0 && need > have)
      v.fail(fmt::format("{} particles need {:.1f} GiB, this machine has {:.1f} GiB; use fewer",
                         p.n, need / GiB, have / GiB));
  }
  if (const CaseItem v = b.get("seed"); v.present())
    p.seed = static_cast<std::uint64_t>(
        read_integer(v, "an integer ≥ 0", 0, std::numeric_limits<long long>::max()));
  if (const CaseItem v = b.get("scheme"); v.present())
    p.scheme = read_choice(v, {"auto", "euler_maruyama", "weak2", "heun", "rk4"});
  if (const CaseItem v = b.get("flow"); v.present()) p.flow = read_choice(v, {"auto", "sde", "ode"});
  if (const CaseItem v = b.get("dt"); v.present()) {
    if (v.node.IsScalar() && v.node.Scalar() == "auto")
      p.dt.reset();
    else
      p.dt = read_number(v, "a number > 0 or auto", [](double x) { return x > 0; });
  }
  if (const CaseItem v = b.get("store"); v.present())
    p.store = static_cast<std::uint64_t>(read_integer(v, "an integer ≥ 0", 0, kParticlesMax));
  p.store = std::min(p.store, p.n);
  if (const CaseItem v = b.get("bandwidth"); v.present())
    p.bandwidth = read_number(v, "a number ≥ 0 (0: a histogram)", [](double x) { return x >= 0; });
}

void read_domain(const CaseBlock& b, CaseSpec& c) {
  const char* expected = "a block {x: [a, b], y: [c, d]}";
  const CaseBlock d(b.required("domain", expected), expected);
  d.keys_allowed({"x", "y"}, "the domain block");
  const CaseItem x = d.required("x", kExpectInterval), y = d.required("y", kExpectInterval);
  const Vec2 xs = read_vec2(x, kExpectInterval), ys = read_vec2(y, kExpectInterval);
  if (!(xs[0] < xs[1])) x.fail_expected(kExpectInterval);
  if (!(ys[0] < ys[1])) y.fail_expected(kExpectInterval);
  c.x0 = xs[0], c.x1 = xs[1], c.y0 = ys[0], c.y1 = ys[1];
}

// The machine's memory in bytes (0 when unknown).
double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

// Refuses a grid whose fewest arrays (kGridArraysMin) already exceed the machine's memory.
void check_grid_memory(const CaseItem& grid, const CaseSpec& c) {
  constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
  const double need = kGridArraysMin * sizeof(double) * static_cast<double>(c.nx) * c.ny;
  const double have = physical_memory_bytes();
  if (have > 0 && need > have)
    grid.fail(fmt::format(
        "{} × {} cells need at least {:.1f} GiB ({} arrays of 8·nx·ny bytes), this machine has "
        "{:.1f} GiB; use a coarser grid",
        c.nx, c.ny, need / GiB, kGridArraysMin, have / GiB));
}

void read_grid(const CaseBlock& b, CaseSpec& c) {
  const char* expected = "a block {nx: cells in x, ny: cells in y}";
  const CaseBlock g(b.required("grid", expected), expected);
  g.keys_allowed({"nx", "ny"}, "the grid block");
  c.nx = static_cast<int>(
      read_integer(g.required("nx", kExpectGridSize), kExpectGridSize, 4, kGridSizeMax));
  c.ny = static_cast<int>(
      read_integer(g.required("ny", kExpectGridSize), kExpectGridSize, 4, kGridSizeMax));
  check_grid_memory(g.get("nx"), c);
}

// After the equation: a reverse run's time τ stays in [0, T].
void read_time(const CaseBlock& b, CaseSpec& c) {
  const char* expected = "a block {t_end: T, output_every: dt_out}";
  const CaseBlock t(b.required("time", expected), expected);
  t.keys_allowed({"t_end", "output_every"}, "the time block");
  c.time.t_end = read_positive(t.required("t_end", kExpectPositive));
  c.time.output_every = c.time.t_end / 10;
  if (const CaseItem o = t.get("output_every"); o.present()) c.time.output_every = read_positive(o);
  // The reverse time τ runs in [0, T]: beyond T the forward time T − τ would be negative.
  const double tol = 1e-12 * c.equation.T;
  if (c.equation.type == "reverse_fokker_planck" && c.time.t_end > c.equation.T + tol)
    t.get("t_end").fail(fmt::format(
        "expected a number ≤ equation.T = {} (the reverse time runs in [0, T]), got {}",
        number_text(c.equation.T), number_text(c.time.t_end)));
}

void read_output(const CaseBlock& b, CaseSpec& c) {
  c.output.dir = "out/" + c.name;
  const CaseItem o = b.get("output");
  if (!o.present()) return;
  const CaseBlock ob(o, "a block {dir: folder, formats: [hdf5, vtk, png]}");
  ob.keys_allowed({"dir", "formats", "store_score", "store_current", "max_snapshots"},
                  "the output block");
  if (const CaseItem v = ob.get("store_score"); v.present()) c.output.store_score = read_bool(v);
  if (const CaseItem v = ob.get("store_current"); v.present())
    c.output.store_current = read_bool(v);
  if (const CaseItem v = ob.get("max_snapshots"); v.present())
    c.output.max_snapshots = read_number(v, "a number ≥ 1", [](double x) { return x >= 1; });
  if (const CaseItem d = ob.get("dir"); d.present()) c.output.dir = read_string(d, "a folder");
  if (const CaseItem f = ob.get("formats"); f.present()) {
    c.output.formats.clear();
    for (const auto& e : read_list(f, "a list from hdf5, vtk, png")) {
      if (e.node.IsScalar() && (e.node.Scalar() == "csv" || e.node.Scalar() == "json"))
        e.fail(fmt::format(
            "expected one of hdf5, vtk, png, got '{}' (csv and json are always written)",
            e.node.Scalar()));
      const std::string name = read_choice(e, kFormats);
      if (!c.output.has(name)) c.output.formats.push_back(name);
    }
  }
}

// forward_solution starts need a closed-form forward density at T.
void check_initial(const CaseBlock& b, const CaseSpec& c) {
  const ScoreSpec& score = c.equation.score;
  if (c.initial.type == "forward_solution" &&
      (c.equation.type != "reverse_fokker_planck" ||
       (score.type != "exact" && !(score.has_data && score.data.is_gaussian_mixture()))))
    b.get("initial").fail(
        "type forward_solution (the exact forward density at T) needs a reverse_fokker_planck "
        "equation whose score has a gaussian or mixture data block");
}

CaseSpec read_case(const CaseSource& src, const YAML::Node& root, const std::string& default_name) {
  const CaseItem top{&src, root, "", YAML::Node(), YAML::Node()};
  const CaseBlock b(top, "a case made of keys such as name, domain, grid, equation, initial, time");
  b.keys_allowed(kTopKeys, "a case file", kTopHints);
  CaseSpec c;
  c.name = default_name;
  if (const CaseItem n = b.get("name"); n.present()) {
    c.name = read_string(n, "a name");
    if (c.name.size() > kNameBytesMax)
      n.fail(fmt::format("expected a name of at most {} bytes (it names the output folder), got "
                         "'{}' of {} bytes",
                         kNameBytesMax, shorten(c.name), c.name.size()));
  }
  read_domain(b, c);
  read_grid(b, c);
  if (const CaseItem v = b.get("boundary"); v.present())
    c.boundary = read_choice(v, boundary_names());
  const Extent domain{c.x0, c.x1, c.y0, c.y1};
  c.equation = read_equation(b.required("equation", "an equation block with a type"), c);
  c.initial = read_density(b.required("initial", "a density block such as {type: gaussian}"),
                           domain, true);
  if (const CaseItem s = b.get("solver"); s.present()) read_solver(s, c.solver);
  read_time(b, c);
  check_initial(b, c);
  read_output(b, c);
  if (const CaseItem e = b.get("exact"); e.present()) c.exact = read_choice(e, {"auto", "none"});
  if (const CaseItem v = b.get("verify"); v.present()) read_verify(v, c.verify);
  if (const CaseItem p = b.get("particles"); p.present()) read_particles(p, c.particles);
  c.particles.store = std::min(c.particles.store, c.particles.n);
  if (const CaseItem t = b.get("train"); t.present()) {
    read_train(t, c.train);
    if (c.equation.type == "reverse_fokker_planck" && !(c.train.t_min < c.equation.T))
      t.fail(fmt::format("t_min = {} must be below equation.T = {}", number_text(c.train.t_min),
                         number_text(c.equation.T)));
  }
  return c;
}

// What a path that is not a regular file is, in a message.
std::string file_kind(std::filesystem::file_type t) {
  switch (t) {
    case std::filesystem::file_type::directory: return "directory";
    case std::filesystem::file_type::fifo: return "named pipe";
    case std::filesystem::file_type::character:
    case std::filesystem::file_type::block: return "device";
    case std::filesystem::file_type::socket: return "socket";
    default: return "special file";
  }
}

// ---- echo ----

void emit_number(YAML::Emitter& e, double v) { e << number_text(v); }

void emit_vec2(YAML::Emitter& e, const Vec2& v) {
  e << YAML::Flow << YAML::BeginSeq;
  emit_number(e, v[0]);
  emit_number(e, v[1]);
  e << YAML::EndSeq;
}

void emit_mat2(YAML::Emitter& e, const Mat2& m) {
  e << YAML::Flow << YAML::BeginSeq;
  for (int r = 0; r < 2; ++r) emit_vec2(e, Vec2(m(r, 0), m(r, 1)));
  e << YAML::EndSeq;
}

// The keys of a sampled toy density, in the order toy_density_keys lists them.
void emit_toy_density(YAML::Emitter& e, const DensitySpec& d) {
  for (const auto& k : toy_density_keys(d.type)) {
    if (k == "type" || (k == "extent" && !d.extent)) continue;  // no extent: the domain's
    e << YAML::Key << k << YAML::Value;
    if (k == "path") {
      e << YAML::DoubleQuoted << d.path;
    } else if (k == "extent") {
      const Extent x = *d.extent;
      emit_mat2(e, (Mat2() << x.x0, x.x1, x.y0, x.y1).finished());
    } else if (k == "invert") {
      e << YAML::TrueFalseBool << d.invert;
    } else if (k == "noise") {
      emit_number(e, d.noise.value_or(default_noise(d.type)));
    } else if (k == "scale") {
      emit_number(e, d.scale);
    } else if (k == "center") {
      emit_vec2(e, d.center);
    } else if (k == "seed") {
      e << std::to_string(d.seed);
    } else if (k == "samples") {
      e << std::to_string(d.samples);
    } else {  // bandwidth
      emit_number(e, d.bandwidth);
    }
  }
}

void emit_density(YAML::Emitter& e, const DensitySpec& d) {
  e << YAML::BeginMap << YAML::Key << "type" << YAML::Value << d.type;
  if (d.is_sampled_toy()) {
    emit_toy_density(e, d);
  } else if (d.type == "from_run") {
    e << YAML::Key << "path" << YAML::Value << YAML::DoubleQuoted << d.path;
  } else if (d.type == "forward_solution") {
  } else if (d.type == "gaussian") {
    e << YAML::Key << "mean" << YAML::Value;
    emit_vec2(e, d.means.empty() ? Vec2(Vec2::Zero()) : d.means[0]);
    e << YAML::Key << "cov" << YAML::Value;
    emit_mat2(e, d.covs.empty() ? Mat2(Mat2::Identity()) : d.covs[0]);
  } else {
    e << YAML::Key << "weights" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const double w : d.weights) emit_number(e, w);
    e << YAML::EndSeq << YAML::Key << "means" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& m : d.means) emit_vec2(e, m);
    e << YAML::EndSeq << YAML::Key << "covs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& c : d.covs) emit_mat2(e, c);
    e << YAML::EndSeq;
  }
  e << YAML::EndMap;
}

void emit_drift(YAML::Emitter& e, const DriftSpec& f) {
  e << YAML::Key << "drift" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "type" << YAML::Value << f.type;
  if (f.type == "linear") {
    e << YAML::Key << "C" << YAML::Value;
    emit_mat2(e, f.C);
  } else if (f.type == "potential") {
    e << YAML::Key << "U" << YAML::Value << YAML::DoubleQuoted << f.U;
  } else {
    e << YAML::Key << "fx" << YAML::Value << YAML::DoubleQuoted << f.fx;
    e << YAML::Key << "fy" << YAML::Value << YAML::DoubleQuoted << f.fy;
  }
  e << YAML::EndMap;
}

void emit_schedule(YAML::Emitter& e, const ScheduleSpec& s) {
  e << YAML::Key << "schedule" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "type" << YAML::Value << s.type;
  if (s.type == "vp" || s.type == "subvp") {
    e << YAML::Key << "beta_min" << YAML::Value << number_text(s.beta_min);
    e << YAML::Key << "beta_max" << YAML::Value << number_text(s.beta_max);
  } else if (s.type == "ve") {
    e << YAML::Key << "sigma_min" << YAML::Value << number_text(s.sigma_min);
    e << YAML::Key << "sigma_max" << YAML::Value << number_text(s.sigma_max);
  }
  e << YAML::EndMap;
}

void emit_diffusion(YAML::Emitter& e, const EquationSpec& q) {
  e << YAML::Key << "diffusion" << YAML::Value << YAML::BeginMap << YAML::Key << "D" << YAML::Value;
  if (q.D_varies()) {
    const std::string* d = q.D_expr.data();
    e << YAML::Flow << YAML::BeginSeq;
    e << YAML::Flow << YAML::BeginSeq << YAML::DoubleQuoted << d[0] << YAML::DoubleQuoted << d[1]
      << YAML::EndSeq;
    e << YAML::Flow << YAML::BeginSeq << YAML::DoubleQuoted << d[1] << YAML::DoubleQuoted << d[2]
      << YAML::EndSeq;
    e << YAML::EndSeq;
  } else {
    emit_mat2(e, q.D);
  }
  e << YAML::EndMap;
}

void emit_reverse(YAML::Emitter& e, const EquationSpec& q) {
  e << YAML::Key << "forward" << YAML::Value << YAML::BeginMap;
  emit_drift(e, q.drift);
  emit_diffusion(e, q);
  emit_schedule(e, q.schedule);
  e << YAML::EndMap;
  e << YAML::Key << "T" << YAML::Value << number_text(q.T);
  e << YAML::Key << "lambda" << YAML::Value << number_text(q.lambda);
  e << YAML::Key << "score" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "type" << YAML::Value << q.score.type;
  if (!q.score.path.empty())
    e << YAML::Key << "path" << YAML::Value << YAML::DoubleQuoted << q.score.path;
  if (q.score.time_nodes > 0) e << YAML::Key << "time_nodes" << YAML::Value << q.score.time_nodes;
  if (q.score.t_min > 0) e << YAML::Key << "t_min" << YAML::Value << number_text(q.score.t_min);
  if (q.score.has_data) {
    e << YAML::Key << "data" << YAML::Value;
    emit_density(e, q.score.data);
  }
  e << YAML::EndMap;
}

void emit_equation(YAML::Emitter& e, const EquationSpec& q) {
  e << YAML::BeginMap << YAML::Key << "type" << YAML::Value << q.type;
  const auto keys = equation_keys(q.type);
  const auto has = [&](const char* k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  if (has("forward")) emit_reverse(e, q);
  if (has("drift")) emit_drift(e, q.drift);
  if (has("diffusion")) emit_diffusion(e, q);
  if (has("schedule")) emit_schedule(e, q.schedule);
  if (has("tau")) e << YAML::Key << "tau" << YAML::Value << number_text(q.tau);
  if (has("equilibrium")) {
    e << YAML::Key << "equilibrium" << YAML::Value;
    emit_density(e, q.equilibrium);
  }
  e << YAML::EndMap;
}

}  // namespace

// The 1-based line of the `---` that starts the second document: the first one after content;
// 0 when there is none (yaml-cpp then saw documents in text it could not read).
int second_document_line(const std::string& text) {
  std::istringstream in(text);
  bool content = false;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.rfind("---", 0) == 0 && content) return n;
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#' && line.rfind("---", 0) != 0)
      content = true;
  }
  return 0;
}

namespace {

// Parses without building anything: counts documents (yaml-cpp's parser events, no nodes).
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Whether the text holds more than one document. Not YAML::LoadAll: yaml-cpp 0.7's loop over
// documents never ends on some malformed text (",# # n", found by fuzz/fuzz_case_file), so
// at most two documents are asked for.
bool has_second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  int documents = 0;
  while (documents < 2 && parser.HandleNextDocument(counter)) ++documents;
  return documents > 1;
}

}  // namespace

// The one YAML document of a case file; InputError "file:line: invalid YAML: ..." otherwise.
YAML::Node load_document(const std::string& text, const std::string& source_name) {
  YAML::Node root;
  bool second = false;
  try {
    root = YAML::Load(text);
    second = has_second_document(text);
  } catch (const YAML::DeepRecursion& e) {
    throw InputError(fmt::format("{}:{}: invalid YAML: the values are nested too deeply",
                                 source_name, e.mark.line + 1));
  } catch (const YAML::Exception& e) {
    if (e.mark.line >= 0)
      throw InputError(fmt::format("{}:{}: invalid YAML: {}", source_name, e.mark.line + 1, e.msg));
    throw InputError(fmt::format("{}: invalid YAML: {}", source_name, e.msg));
  }
  if (second) {
    const int line = second_document_line(text);
    if (line == 0)
      throw InputError(fmt::format(
          "{}: invalid YAML: the text does not read as one mapping of keys (a stray character "
          "such as ',' or ']' at the start of a line?)", source_name));
    throw InputError(fmt::format(
        "{}:{}: a second YAML document starts here (after ---), but a case file holds one",
        source_name, line));
  }
  return root;
}

CaseSpec parse_case(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides) {
  YAML::Node root = load_document(yaml_text, source_name);
  std::vector<CaseOverride> ovs;
  for (const auto& s : overrides) ovs.push_back(override_parse(s));
  const CaseSource src(source_name, ovs);
  // Before anything reads a value: aliases, UTF-8, quotes; and where each key came from.
  std::map<std::string, std::string> where;
  check_case_values(src, root, "", yaml_text, where);
  for (const auto& o : ovs) check_case_values(src, o.value, o.key, o.value_text, where);
  if (!ovs.empty()) {
    if (root.IsNull()) root.reset(YAML::Node(YAML::NodeType::Map));  // an empty file
    if (root.IsMap())  // otherwise read_case reports what the file holds
      for (const auto& o : ovs) override_apply(o, root);
  }
  std::string stem = std::filesystem::path(source_name).stem().string();
  CaseSpec c = read_case(src, root, stem.empty() ? std::string("case") : stem);
  c.source_path = source_name;
  c.key_where = std::move(where);
  c.resolved_yaml = case_to_yaml(c);
  return c;
}

CaseSpec load_case_file(const std::string& path, const std::vector<std::string>& overrides) {
  // Checked before opening: opening a named pipe waits for a writer, a device never ends.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw InputError(fmt::format("case file '{}' is not a regular file (it is a {})", shorten(path),
                                 file_kind(status.type())));
  std::ifstream in(path, std::ios::binary);
  if (!std::filesystem::is_regular_file(status) || !in)
    throw InputError(fmt::format("cannot open case file '{}'", shorten(path)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(fmt::format("cannot read case file '{}'", path));
  return parse_case(text.str(), path, overrides);
}

namespace {

void emit_solver(YAML::Emitter& e, const SolverSpec& s) {
  e << YAML::Key << "solver" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "method" << YAML::Value << s.method;
  e << YAML::Key << "scheme" << YAML::Value << s.scheme;
  e << YAML::Key << "integrator" << YAML::Value << s.integrator;
  e << YAML::Key << "dt" << YAML::Value << (s.dt ? number_text(*s.dt) : std::string("auto"));
  e << YAML::Key << "cfl" << YAML::Value << number_text(s.cfl);
  e << YAML::Key << "fftw_planning" << YAML::Value << s.fftw_planning;
  e << YAML::Key << "dealias" << YAML::Value << YAML::TrueFalseBool << s.dealias;
  e << YAML::Key << "tolerance" << YAML::Value << number_text(s.tolerance);
  e << YAML::Key << "linear_solver" << YAML::Value << s.linear_solver;
  e << YAML::Key << "max_steps" << YAML::Value << number_text(s.max_steps);
  e << YAML::Key << "allow_unstable" << YAML::Value << YAML::TrueFalseBool << s.allow_unstable;
  e << YAML::EndMap;
}

// The time and output blocks.
void emit_run(YAML::Emitter& e, const CaseSpec& c) {
  e << YAML::Key << "time" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "t_end" << YAML::Value << number_text(c.time.t_end);
  e << YAML::Key << "output_every" << YAML::Value << number_text(c.time.output_every);
  e << YAML::EndMap;

  e << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "dir" << YAML::Value << c.output.dir;
  e << YAML::Key << "formats" << YAML::Value << YAML::Flow << c.output.formats;
  e << YAML::Key << "store_score" << YAML::Value << YAML::TrueFalseBool << c.output.store_score;
  e << YAML::Key << "store_current" << YAML::Value << YAML::TrueFalseBool
    << c.output.store_current;
  e << YAML::Key << "max_snapshots" << YAML::Value << number_text(c.output.max_snapshots);
  e << YAML::EndMap;
}

// The optional verify and train blocks, and the particles block.
void emit_extras(YAML::Emitter& e, const CaseSpec& c) {
  if (c.verify.present) {
    const auto& v = c.verify;
    e << YAML::Key << "verify" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "refine" << YAML::Value << v.refine;
    e << YAML::Key << "levels" << YAML::Value << YAML::Flow << v.levels;
    e << YAML::Key << "expected_order" << YAML::Value << number_text(v.expected_order);
    e << YAML::Key << "tolerance" << YAML::Value << number_text(v.tolerance);
    e << YAML::EndMap;
  }
  if (c.train.present) {
    const auto& t = c.train;
    e << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "hidden" << YAML::Value << YAML::Flow << t.hidden;
    e << YAML::Key << "iterations" << YAML::Value << t.iterations;
    e << YAML::Key << "batch" << YAML::Value << t.batch;
    e << YAML::Key << "learning_rate" << YAML::Value << number_text(t.learning_rate);
    e << YAML::Key << "t_min" << YAML::Value << number_text(t.t_min);
    e << YAML::Key << "seed" << YAML::Value << t.seed;
    e << YAML::EndMap;
  }
  {
    const auto& p = c.particles;
    e << YAML::Key << "particles" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "n" << YAML::Value << p.n << YAML::Key << "seed" << YAML::Value << p.seed;
    e << YAML::Key << "scheme" << YAML::Value << p.scheme;
    e << YAML::Key << "flow" << YAML::Value << p.flow;
    e << YAML::Key << "dt" << YAML::Value << (p.dt ? number_text(*p.dt) : std::string("auto"));
    e << YAML::Key << "store" << YAML::Value << p.store;
    e << YAML::Key << "bandwidth" << YAML::Value << number_text(p.bandwidth);
    e << YAML::EndMap;
  }
}

}  // namespace

std::string case_to_yaml(const CaseSpec& c) {
  YAML::Emitter e;
  e.SetIndent(2);
  e << YAML::Comment(
      "fplab resolved case: every key with its value (defaults filled, --set applied)");
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << c.name;

  e << YAML::Key << "domain" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "x" << YAML::Value;
  emit_vec2(e, Vec2(c.x0, c.x1));
  e << YAML::Key << "y" << YAML::Value;
  emit_vec2(e, Vec2(c.y0, c.y1));
  e << YAML::EndMap;

  e << YAML::Key << "grid" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "nx" << YAML::Value << c.nx << YAML::Key << "ny" << YAML::Value << c.ny;
  e << YAML::EndMap;
  e << YAML::Key << "boundary" << YAML::Value << c.boundary;

  e << YAML::Key << "equation" << YAML::Value;
  emit_equation(e, c.equation);
  e << YAML::Key << "initial" << YAML::Value;
  emit_density(e, c.initial);

  emit_solver(e, c.solver);
  emit_run(e, c);
  e << YAML::Key << "exact" << YAML::Value << c.exact;
  emit_extras(e, c);
  e << YAML::EndMap;
  if (!e.good()) throw std::logic_error("case_to_yaml: " + e.GetLastError());
  return std::string(e.c_str()) + "\n";
}

}  // namespace fplab
