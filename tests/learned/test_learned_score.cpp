// Learned scores (docs/reference.md §4 `learned`): TorchScript models scripted in PyTorch (make_models.py,
// run by the CTest fixture before these tests) load, evaluate to the closed form they encode,
// respect t_min, tabulate at time nodes, fail with exit-2/3 errors naming the file, and a
// reverse run with one goes through the plain fplab (handed to fplab-torch).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../e2e/e2e_support.hpp"
#include "io/problem_inputs.hpp"
#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "solver/learned/learned_score.hpp"

namespace {

using fplab::InputError;
using fplab::NumericalError;
namespace fs = std::filesystem;

std::string model(const std::string& name) { return std::string(FPLAB_MODELS_DIR) + "/" + name + ".pt"; }

// The score the gauss models encode: data N((1, −0.5), 0.25 I) under OU at time t.
void closed_form(double x, double y, double t, double& sx, double& sy) {
  const double v = 1.0 - 0.75 * std::exp(-2.0 * t);
  sx = -(x - 1.0 * std::exp(-t)) / v;
  sy = -(y + 0.5 * std::exp(-t)) / v;
}

// Largest |s − closed form| / max(1, |closed form|) over a few points at time t (evaluated at
// t_eval by the closed form).
double worst_error(const fplab::ScoreField& s, double t, double t_eval) {
  const std::vector<double> xs = {-3.0, 0.0, 1.0, 2.5, -1.2}, ys = {2.0, 0.0, -0.5, -3.0, 0.7};
  std::vector<double> sx(xs.size()), sy(xs.size());
  s.eval(xs, ys, t, sx, sy);
  double worst = 0.0;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    double ex, ey;
    closed_form(xs[k], ys[k], t_eval, ex, ey);
    worst = std::max(worst, std::hypot(sx[k] - ex, sy[k] - ey) / std::max(1.0, std::hypot(ex, ey)));
  }
  return worst;
}

}  // namespace

TEST_CASE("learned score: PyTorch-scripted models load, float64 and float32 give the closed form") {
  const auto s64 = fplab::load_learned_score(model("gauss64"), 0.0);
  const auto s32 = fplab::load_learned_score(model("gauss32"), 0.0);
  CHECK(s64->describe().find("float64") != std::string::npos);
  CHECK(s32->describe().find("float32") != std::string::npos);
  for (const double t : {0.01, 0.3, 1.0, 2.0}) {
    CHECK(worst_error(*s64, t, t) < 1e-13);
    CHECK(worst_error(*s32, t, t) < 1e-5);
  }
  // At fixed points (the operator's path), only the wanted component written.
  fplab::PointSet pts = fplab::lattice_points({5, 3, -2.0, -1.0, 1.0, 1.0});
  auto at = s64->at_points(pts);
  std::vector<double> sx(pts.size(), 7.0);
  at->eval(0.5, sx, {});
  for (std::size_t k = 0; k < pts.size(); ++k) {
    double ex, ey;
    closed_form(pts.x[k], pts.y[k], 0.5, ex, ey);
    CHECK(sx[k] == doctest::Approx(ex).epsilon(1e-13));
  }
}

TEST_CASE("learned score: evaluated at max(t, t_min): the case's, the model's, else 1e-3") {
  const auto stored = fplab::load_learned_score(model("gauss_tmin"), 0.0);  // t_min 0.05 inside
  CHECK(worst_error(*stored, 0.0, 0.05) < 1e-13);
  CHECK(worst_error(*stored, 0.5, 0.5) < 1e-13);
  const auto fallback = fplab::load_learned_score(model("gauss64"), 0.0);
  CHECK(worst_error(*fallback, 0.0, fplab::kDefaultScoreTMin) < 1e-13);
  const auto given = fplab::load_learned_score(model("gauss_tmin"), 0.2);  // the case's wins
  CHECK(worst_error(*given, 0.1, 0.2) < 1e-13);
}

TEST_CASE("learned score: bad networks are input errors naming the file, NaN is numerical") {
  const fs::path dir = fplab_e2e::scratch("learned_bad");
  const std::string text = (dir / "not_a_model.pt").string();
  std::ofstream(text) << "this is not TorchScript\n";
  CHECK_THROWS_WITH_AS(fplab::load_learned_score(text, 0.0), doctest::Contains(text.c_str()), InputError);
  CHECK_THROWS_WITH_AS(fplab::load_learned_score((dir / "missing.pt").string(), 0.0),
                       doctest::Contains("missing.pt"), InputError);
  CHECK_THROWS_WITH_AS(fplab::load_learned_score(model("one_argument"), 0.0),
                       doctest::Contains("forward takes 1 argument"), InputError);
  CHECK_THROWS_WITH_AS(fplab::load_learned_score(model("wrong_shape"), 0.0),
                       doctest::Contains("expected [4, 2]"), InputError);
  CHECK_THROWS_WITH_AS(fplab::load_learned_score(model("not_finite"), 0.0),
                       doctest::Contains("non-finite"), NumericalError);
}

namespace {

// A reverse case with the gauss64 model, from the prior N(0, I) back to the data.
std::string learned_case(const fs::path& dir, const std::string& score_extra) {
  const fs::path p = dir / "case.yaml";
  std::ofstream(p) << "name: learned_gauss\n"
                      "domain: {x: [-6, 6], y: [-6, 6]}\n"
                      "grid: {nx: 48, ny: 48}\n"
                      "equation:\n"
                      "  type: reverse_fokker_planck\n"
                      "  forward: {drift: {type: linear, C: [[1, 0], [0, 1]]}}\n"
                      "  T: 2\n"
                      "  lambda: 1\n"
                      "  score: {type: learned, path: " << model("gauss64") << score_extra
                   << ", data: {type: gaussian, mean: [1.0, -0.5], cov: [[0.25, 0], [0, 0.25]]}}\n"
                      "initial: {type: gaussian, mean: [0, 0], cov: [[1, 0], [0, 1]]}\n"
                      "time: {t_end: 2, output_every: 1}\n"
                      "output: {dir: " << (dir / "out").string() << ", formats: [hdf5]}\n";
  return p.string();
}

// The reverse run's score_error series (summary.json: reverse.score_error.value).
std::vector<double> summary_score_error(const fs::path& dir) {
  const auto j = nlohmann::json::parse(fplab_e2e::slurp(dir / "out" / "summary.json"));
  return j.at("reverse").at("score_error").at("value").get<std::vector<double>>();
}

double summary_l1_to_data(const fs::path& dir) {
  const std::string s = fplab_e2e::slurp(dir / "out" / "summary.json");
  const auto k = s.find("\"l1_to_data\"");
  REQUIRE(k != std::string::npos);
  return std::stod(s.substr(s.find(':', k) + 1));
}

}  // namespace

TEST_CASE("learned score: the plain fplab hands a learned case to fplab-torch, the run lands") {
  const fs::path dir = fplab_e2e::scratch("learned_run");
  const auto r = fplab_e2e::run_fplab("run " + learned_case(dir, "") + " --quiet", dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const double l1 = summary_l1_to_data(dir);
  CHECK(l1 < 0.04);  // the exact score on this grid: discretisation error only
  // The network is the closed form, so its measured score error is round-off at τ = 0 and 1;
  // at τ = T (t = 0) it is evaluated at t_min = 1e-3 instead, which the error shows.
  const auto err = summary_score_error(dir);
  REQUIRE(err.size() == 3);
  CHECK(err[0] < 1e-10);
  CHECK(err[1] < 1e-10);
  CHECK(err[2] > 1e-3);
  CHECK(err[2] < 1e-2);
  const auto result = fplab::open_result((dir / "out" / "result.h5").string());
  CHECK(std::count(result.fields.begin(), result.fields.end(), "score_error") == 1);
  // time_nodes: the network tabulated at 41 times; the round trip moves by little, and the
  // score error at the cell centres (the table's nodes) is the cubic Hermite one in time.
  const fs::path dir2 = fplab_e2e::scratch("learned_run_nodes");
  const auto r2 = fplab_e2e::run_fplab("run " + learned_case(dir2, ", time_nodes: 41") + " --quiet", dir2);
  REQUIRE(r2.exit_code == 0);
  CHECK(std::abs(summary_l1_to_data(dir2) - l1) < 2e-3);
  const auto err2 = summary_score_error(dir2);
  MESSAGE("time_nodes 41 on 48²: score error " << err2[0] << ", " << err2[1] << ", " << err2[2]);
  CHECK(err2[1] < 1e-4);
  CHECK(std::abs(err2[2] - err[2]) < 1e-4);
}

TEST_CASE("learned score: a NaN network is exit 3, a bad key exit 2, naming the file") {
  const fs::path dir = fplab_e2e::scratch("learned_errors");
  std::string c = learned_case(dir, "");
  const auto nan_run = fplab_e2e::run_fplab(
      "run " + c + " --quiet --set equation.score.path=" + model("not_finite"), dir);
  CHECK(nan_run.exit_code == 3);
  CHECK(nan_run.err.find("not_finite.pt") != std::string::npos);
  const auto bad_nodes =
      fplab_e2e::run_fplab("run " + c + " --quiet --set equation.score.time_nodes=1", dir);
  CHECK(bad_nodes.exit_code == 2);
  CHECK(bad_nodes.err.find("time_nodes") != std::string::npos);
}

TEST_CASE("learned score: the plain fplab does not link libtorch (its start stays fast)") {
  const fs::path dir = fplab_e2e::scratch("learned_link");
  const std::string cmd = std::string("ldd ") + FPLAB_BINARY + " > " + (dir / "ldd.txt").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string libs = fplab_e2e::slurp(dir / "ldd.txt");
  CHECK(libs.find("libc.so") != std::string::npos);  // ldd listed the libraries
  CHECK(libs.find("libtorch") == std::string::npos);
}

namespace {

// A short training case on the three-Gaussian mixture (a few seconds).
std::string training_case(const fs::path& dir, int iterations) {
  const fs::path p = dir / "train.yaml";
  std::ofstream(p) << "name: train_small\n"
                      "domain: {x: [-6, 6], y: [-6, 6]}\n"
                      "grid: {nx: 32, ny: 32}\n"
                      "equation:\n"
                      "  type: reverse_fokker_planck\n"
                      "  forward: {drift: {type: linear, C: [[1, 0], [0, 1]]}}\n"
                      "  T: 2\n"
                      "  score:\n"
                      "    type: exact\n"
                      "    data: {type: mixture, weights: [0.5, 0.5], means: [[-1.5, 0], [1.5, 0.5]],\n"
                      "           covs: [[[0.3, 0.1], [0.1, 0.2]], [[0.25, 0], [0, 0.25]]]}\n"
                      "train: {hidden: [32, 32], iterations: " << iterations
                   << ", batch: 64, learning_rate: 0.003, t_min: 0.002, seed: 5}\n"
                      "initial: {type: forward_solution}\n"
                      "time: {t_end: 2, output_every: 1}\n";
  return p.string();
}

}  // namespace

TEST_CASE("train-score: deterministic for a seed, its model loads in Python with the same outputs") {
  const fs::path dir = fplab_e2e::scratch("train_score");
  const std::string c = training_case(dir, 60);
  const auto a = fplab_e2e::run_fplab("train-score " + c + " -q -o " + (dir / "a.pt").string(), dir);
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK(a.out.find("score error") != std::string::npos);  // the data is a mixture
  const auto b = fplab_e2e::run_fplab("train-score " + c + " -q -o " + (dir / "b.pt").string(), dir);
  REQUIRE(b.exit_code == 0);
  const std::string la = fplab_e2e::slurp(dir / "a_loss.csv"), lb = fplab_e2e::slurp(dir / "b_loss.csv");
  CHECK(std::count(la.begin(), la.end(), '\n') == 61);  // header + 60 iterations
  CHECK(la == lb);
  // Python reads the TorchScript fplab wrote; fplab and Python agree to 1e-6.
  const std::string py = std::string(FPLAB_SYSTEM_PYTHON) + " " + FPLAB_SOURCE_DIR +
                         "/tests/learned/check_trained_model.py " + (dir / "a.pt").string() +
                         " > " + (dir / "py.txt").string();
  REQUIRE(std::system(py.c_str()) == 0);
  std::istringstream lines(fplab_e2e::slurp(dir / "py.txt"));
  const auto net = fplab::load_learned_score((dir / "a.pt").string(), 0.0);
  CHECK(net->describe().find("t_min 0.002") != std::string::npos);  // stored in the model
  int compared = 0;
  double x, y, t, sx, sy;
  while (lines >> x >> y >> t >> sx >> sy) {
    double ox, oy;
    net->eval(std::span<const double>(&x, 1), std::span<const double>(&y, 1), t,
              std::span<double>(&ox, 1), std::span<double>(&oy, 1));
    CHECK(ox == doctest::Approx(sx).epsilon(1e-6));
    CHECK(oy == doctest::Approx(sy).epsilon(1e-6));
    ++compared;
  }
  CHECK(compared == 4);
}

TEST_CASE("train-score: bad train values and cases it cannot train on are exit 2 naming the key") {
  const fs::path dir = fplab_e2e::scratch("train_bad");
  const std::string c = training_case(dir, 10);
  const auto lr = fplab_e2e::run_fplab("train-score " + c + " -q --set train.learning_rate=-1", dir);
  CHECK(lr.exit_code == 2);
  CHECK(lr.err.find("train.learning_rate") != std::string::npos);
  const auto hidden = fplab_e2e::run_fplab("train-score " + c + " -q --set train.hidden=[]", dir);
  CHECK(hidden.exit_code == 2);
  CHECK(hidden.err.find("train.hidden") != std::string::npos);
  const auto ou = fplab_e2e::run_fplab("train-score cases/ou_gaussian.yaml -q", dir);
  CHECK(ou.exit_code == 2);
  CHECK(ou.err.find("equation.type") != std::string::npos);
}

TEST_CASE("learned score: fplab sample hands a learned case to fplab-torch and its particles land") {
  // λ = 1: the reverse SDE from the prior N(0, I), the network scoring every particle (the
  // probability-flow ODE would carry the prior's offset from p(T), ~0.1 in L1, to the end).
  const fs::path dir = fplab_e2e::scratch("learned_sample");
  const auto r = fplab_e2e::run_fplab(
      "sample " + learned_case(dir, "") +
          " --quiet --set 'particles={n: 50000, dt: 0.02}' -o " +
          (dir / "out").string(),
      dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string summary = fplab_e2e::slurp(dir / "out" / "summary.json");
  CHECK(summary.find("\"scheme\": \"weak2\"") != std::string::npos);
  const double l1 = summary_l1_to_data(dir);
  MESSAGE("learned reverse SDE, 5e4 particles on 48²: l1_to_data " << l1);
  CHECK(l1 < 0.08);  // the histogram's sampling error at this n is ~0.05
}
