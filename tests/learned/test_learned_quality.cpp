// Learned-score quality (issue: learned scores): a network trained by `fplab train-score` in the
// test (about a minute on 2 cores) on the three-Gaussian mixture under OU matches the exact score
// (p-weighted relative L2 error below 0.15 for t ∈ [0.1, T]), and the reverse run with it,
// started from the exact p(T), lands within L1 0.1 of the data.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>
#include <string>

#include "../e2e/e2e_support.hpp"
#include "solver/density.hpp"
#include "solver/equations/fokker_planck.hpp"
#include "solver/learned/learned_score.hpp"
#include "solver/score/exact_score.hpp"

namespace fs = std::filesystem;

namespace {

const char* kMixtureCase =
    "name: mixture_learned\n"
    "domain: {x: [-6, 6], y: [-6, 6]}\n"
    "grid: {nx: 64, ny: 64}\n"
    "equation:\n"
    "  type: reverse_fokker_planck\n"
    "  forward: {drift: {type: linear, C: [[1, 0], [0, 1]]}}\n"
    "  T: 2\n"
    "  lambda: 1\n"
    "  score:\n"
    "    type: learned\n"
    "    path: score.pt\n"
    "    time_nodes: 41\n"
    "    data:\n"
    "      type: mixture\n"
    "      weights: [0.3, 0.3, 0.4]\n"
    "      means: [[-2.0, 1.0], [2.0, 1.5], [0.0, -2.0]]\n"
    "      covs: [[[0.3, 0.1], [0.1, 0.2]], [[0.25, 0], [0, 0.25]], [[0.4, -0.1], [-0.1, 0.2]]]\n"
    "initial: {type: forward_solution}\n"
    "time: {t_end: 2, output_every: 0.5}\n"
    "output: {dir: out, formats: [hdf5]}\n"
    "train: {hidden: [128, 128, 128], iterations: 3000, batch: 256, learning_rate: 0.002, seed: 1}\n";

}  // namespace

TEST_CASE("learned score trained in a minute: score error < 0.15 on [0.1, T], reverse L1 < 0.1") {
  const fs::path dir = fplab_e2e::scratch("learned_quality");
  const std::string c = (dir / "case.yaml").string();
  std::ofstream(c) << kMixtureCase;
  const auto trained = fplab_e2e::run_fplab("train-score " + c + " -q -o " + (dir / "score.pt").string(), dir);
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
  MESSAGE(trained.out);
  // The p-weighted relative L2 error against the exact score of the forward mixture.
  fplab::EquationSpec eq;
  eq.type = "reverse_fokker_planck";
  const fplab::FokkerPlanck forward(eq, fplab::DensitySpec{}, false);
  const fplab::GaussianMixture data{
      {0.3, 0.3, 0.4},
      {fplab::Vec2(-2.0, 1.0), fplab::Vec2(2.0, 1.5), fplab::Vec2(0.0, -2.0)},
      {(fplab::Mat2() << 0.3, 0.1, 0.1, 0.2).finished(), 0.25 * fplab::Mat2::Identity(),
       (fplab::Mat2() << 0.4, -0.1, -0.1, 0.2).finished()}};
  const fplab::ExactScore exact(*forward.linear_flow(), data);
  const auto net = fplab::load_learned_score((dir / "score.pt").string(), 0.0);
  for (const double t : {0.1, 0.2, 0.5, 1.0, 2.0}) {
    const double err = fplab::score_relative_error(*net, exact, t, 20000, 11);
    CAPTURE(t);
    CHECK(err < 0.15);
  }
  // The reverse run from the exact forward density at T, with the network at 41 time nodes.
  const auto run = fplab_e2e::run_fplab("run " + c + " -q -o " + (dir / "out").string(), dir);
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(fplab_e2e::slurp(dir / "out" / "summary.json"));
  const double l1 = summary.at("final").at("l1_to_data").get<double>();
  MESSAGE("l1_to_data " << l1);
  CHECK(l1 < 0.1);
  // The run's own score_error (cell-centre quadrature of the tabulated network) agrees with the
  // Monte Carlo estimate above at the forward times t = T − τ it was measured at (t ≥ 0.5).
  const auto& measured = summary.at("reverse").at("score_error");
  const auto ts = measured.at("t").get<std::vector<double>>();
  const auto values = measured.at("value").get<std::vector<double>>();
  REQUIRE(ts.size() == 5);
  for (std::size_t k = 0; k + 1 < ts.size(); ++k) {
    const double mc = fplab::score_relative_error(*net, exact, ts[k], 20000, 11);
    CAPTURE(ts[k]);
    MESSAGE("t = " << ts[k] << ": score_error " << values[k] << " (Monte Carlo " << mc << ")");
    CHECK(values[k] == doctest::Approx(mc).epsilon(0.25));  // two estimators, ~5% MC noise
  }
}
