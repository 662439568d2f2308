// Decay-rate fits (solver/decay_rate.hpp) on synthetic series, the theoretical rates a case
// spec gives, summary.json's decay_rate_* keys, and the plots that draw fits and theory.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "io/summary_writer.hpp"
#include "solver/convergence.hpp"
#include "solver/decay_rate.hpp"
#include "tests/display_required.hpp"
#include "viz/plot_series.hpp"

namespace fs = std::filesystem;
using namespace fplab;

namespace {

// t = 0, dt, ..., n·dt and v = a·exp(−rate·t).
struct Series {
  std::vector<double> t, v;
};
Series exponential(int n, double dt, double a, double rate) {
  Series s;
  for (int k = 0; k <= n; ++k) {
    s.t.push_back(k * dt);
    s.v.push_back(a * std::exp(-rate * k * dt));
  }
  return s;
}

// The OU case of cases/ou_gaussian.yaml as code: C = D = I, start N((1.5, −1), 0.25 I).
CaseSpec ou_case() {
  CaseSpec c;
  c.equation.type = "fokker_planck";
  c.initial.means = {Vec2(1.5, -1.0)};
  c.initial.covs = {0.25 * Mat2::Identity()};
  return c;
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("fplab_decay_" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("decay fit: an exact exponential gives its rate, stderr at round-off, the window") {
  const Series s = exponential(20, 0.1, 2.5, 2.0);  // t ∈ [0, 2]
  const auto fit = decay_rate_fit(s.t, s.v);
  REQUIRE(fit);
  CHECK(fit->rate == doctest::Approx(2.0).epsilon(1e-12));
  CHECK(fit->rate_stderr < 1e-12);
  CHECK(fit->t_from == doctest::Approx(0.4));  // the first 20 % left out
  CHECK(fit->t_to == doctest::Approx(2.0));
  CHECK(fit->points == 17);
  CHECK(fit->value_at(1.0) == doctest::Approx(2.5 * std::exp(-2.0)).epsilon(1e-12));
}

TEST_CASE("decay fit: on noisy data the standard error covers the true rate") {
  // log v = log a − rate·t + ε, ε ~ N(0, 0.05²): |fit − rate| < 2 stderr about 95 % of the time.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.05);
  int covered = 0;
  constexpr int kTrials = 400;
  for (int trial = 0; trial < kTrials; ++trial) {
    Series s = exponential(40, 0.05, 1.0, 1.3);
    for (double& v : s.v) v *= std::exp(noise(rng));
    const auto fit = decay_rate_fit(s.t, s.v);
    REQUIRE(fit);
    CHECK(fit->rate_stderr > 0.005);
    CHECK(fit->rate_stderr < 0.05);
    covered += std::abs(fit->rate - 1.3) < 2.0 * fit->rate_stderr;
  }
  MESSAGE("covered " << covered << " of " << kTrials);
  CHECK(covered > 0.9 * kTrials);
  CHECK(covered < kTrials);  // a standard error that always covers is too large
}

TEST_CASE("decay fit: too few points give no rate, and round-off or NaN end the window") {
  // 4 snapshots: after the first 20 % three remain, fewer than the 4 needed.
  const Series short_run = exponential(3, 0.1, 1.0, 1.0);
  CHECK_FALSE(decay_rate_fit(short_run.t, short_run.v));
  CHECK(decay_rate_fit(short_run.t, short_run.v, {.skip_fraction = 0.0}));
  CHECK_FALSE(decay_rate_fit(std::vector<double>{}, std::vector<double>{}));

  // A series at round-off from t = 1 on (then noise around 1e-17): the fit stops before it.
  Series s = exponential(20, 0.1, 1.0, 3.0);
  for (std::size_t k = 10; k < s.v.size(); ++k) s.v[k] = (k % 2 ? 1e-17 : 0.0);
  const auto fit = decay_rate_fit(s.t, s.v);
  REQUIRE(fit);
  CHECK(fit->t_to == doctest::Approx(0.9));
  CHECK(fit->rate == doctest::Approx(3.0).epsilon(1e-12));
  s.v[6] = std::nan("");
  CHECK_FALSE(decay_rate_fit(s.t, s.v));  // 0.4, 0.5: two points before the NaN

  // Already at round-off after the transient: nothing to fit.
  Series flat = exponential(20, 0.1, 1.0, 80.0);
  CHECK_FALSE(decay_rate_fit(flat.t, flat.v));
}

TEST_CASE("decay theory: OU Bakry–Émery rates, BGK 1/τ, none where the theory gives nothing") {
  const CaseSpec ou = ou_case();
  REQUIRE(decay_rate_theory(ou, "rel_entropy"));
  CHECK(decay_rate_theory(ou, "rel_entropy")->rate == 2.0);
  CHECK(decay_rate_theory(ou, "rel_entropy")->source == "Bakry–Émery");
  CHECK(decay_rate_theory(ou, "fisher_rel")->rate == 2.0);
  CHECK(decay_rate_theory(ou, "l1_to_eq")->rate == 1.0);
  CHECK_FALSE(decay_rate_theory(ou, "l1_error"));

  CaseSpec stiffer = ou;  // C = 3I, D = 2I: equilibrium N(0, 2/3 I), rates 2c and c
  stiffer.equation.drift.C = 3.0 * Mat2::Identity();
  stiffer.equation.D = 2.0 * Mat2::Identity();
  CHECK(decay_rate_theory(stiffer, "rel_entropy")->rate == 6.0);
  CHECK(decay_rate_theory(stiffer, "l1_to_eq")->rate == 3.0);

  CaseSpec centred = ou;  // no first Hermite mode: the bound is not the rate
  centred.initial.means = {Vec2::Zero()};
  CHECK(decay_rate_theories(centred).empty());
  CaseSpec rotating = ou;
  rotating.equation.drift.C(0, 1) = 1.0;
  CHECK(decay_rate_theories(rotating).empty());
  CaseSpec vp = ou;
  vp.equation.schedule.type = "vp";
  CHECK(decay_rate_theories(vp).empty());
  CaseSpec absorbing = ou;
  absorbing.boundary = "dirichlet";
  CHECK(decay_rate_theories(absorbing).empty());

  CaseSpec bgk;
  bgk.equation.type = "bgk";
  bgk.equation.tau = 0.5;
  REQUIRE(decay_rate_theory(bgk, "l1_to_eq"));
  CHECK(decay_rate_theory(bgk, "l1_to_eq")->rate == 2.0);
  CHECK_FALSE(decay_rate_theory(bgk, "rel_entropy"));
  CaseSpec heat;
  heat.equation.type = "heat";
  CHECK(decay_rate_theories(heat).empty());
}

TEST_CASE("summary.json: decay_rate_* with rate, stderr, window and theory, null when too short") {
  const Scratch scratch;
  const CaseSpec spec = ou_case();
  Grid2D g;
  g.nx = g.ny = 4;
  RunInfo info;
  info.spec = &spec;
  info.grid = g;
  info.output_dir = scratch.dir.string();
  info.diagnostic_names = {"mass", "rel_entropy", "l1_to_eq"};
  const std::vector<double> density(g.size(), 1.0 / 144.0);
  const auto run = [&](int outputs) {
    SummaryWriter w;
    w.begin(info);
    for (int k = 0; k < outputs; ++k) {
      const double t = 0.1 * k;
      const DiagnosticRow row{
          {"mass", 1.0}, {"rel_entropy", 1.6 * std::exp(-2 * t)}, {"l1_to_eq", std::exp(-t)}};
      Snapshot snap;
      snap.index = k;
      snap.t = t;
      snap.density = density;
      snap.diagnostics = &row;
      w.write(snap);
    }
    w.end(RunSummary{});
    std::ifstream f(scratch.dir / "summary.json");
    return nlohmann::json::parse(f);
  };
  const auto j = run(11);
  const auto& h = j.at("decay_rate_rel_entropy");
  CHECK(h.at("rate").get<double>() == doctest::Approx(2.0).epsilon(1e-10));
  CHECK(h.at("stderr").get<double>() < 1e-10);
  CHECK(h.at("t_from").get<double>() == doctest::Approx(0.2));
  CHECK(h.at("t_to").get<double>() == doctest::Approx(1.0));
  CHECK(h.at("points").get<int>() == 9);
  CHECK(h.at("theory").at("rate").get<double>() == 2.0);
  CHECK(j.at("decay_rate_l1_to_eq").at("rate").get<double>() == doctest::Approx(1.0));
  CHECK_FALSE(j.contains("decay_rate_fisher_rel"));  // not a diagnostic of this run
  const auto short_run = run(4);
  CHECK(short_run.at("decay_rate_rel_entropy").is_null());
}

TEST_CASE("plots: rel_entropy.png and l1_to_eq.png with fitted and theoretical rates") {
  FPLAB_REQUIRE_DISPLAY();
  const Scratch scratch;
  // The exact OU relative entropy, Fisher information and an L1 distance ∝ e^{−t}.
  std::vector<double> t;
  std::map<std::string, std::vector<double>> columns;
  for (int k = 0; k <= 40; ++k) {
    const double s = 0.1 * k, e = std::exp(-2 * s), lam = 1 - 0.75 * e;
    t.push_back(s);
    columns["rel_entropy"].push_back(0.5 * (3.25 * e + 2 * (lam - 1 - std::log(lam))));
    columns["fisher_rel"].push_back(3.25 * e + 2 * (lam - 2 + 1 / lam));
    columns["l1_to_eq"].push_back(1.44 * std::exp(-s) * (1 + 0.3 * e));
  }
  const auto written = viz::plot_diagnostics(t, columns, "ou_check", scratch.dir.string(),
                                             decay_rate_theories(ou_case()));
  CHECK(written.size() == 2);
  CHECK(fs::exists(scratch.dir / "rel_entropy.png"));
  CHECK(fs::exists(scratch.dir / "l1_to_eq.png"));
  if (std::getenv("FPLAB_KEEP_TEST_OUTPUT"))  // to look at them
    for (const auto& p : written)
      fs::copy_file(p, fs::temp_directory_path() / fs::path(p).filename(),
                    fs::copy_options::overwrite_existing);
}

TEST_CASE("plots: the convergence plot of a refinement study") {
  FPLAB_REQUIRE_DISPLAY();
  const Scratch scratch;
  CaseSpec spec;
  spec.name = "conv_check";
  ConvergenceStudy s;
  s.refine = "space";
  for (int n : {32, 64, 128}) {
    ConvergenceLevel lv;
    lv.nx = lv.ny = n;
    lv.l1 = 3.0 / (n * n);
    lv.l2 = 2.0 / (n * n);
    lv.linf = 5.0 / std::pow(n, 1.5);
    s.levels.push_back(lv);
  }
  s.order_l1 = {2.0, 2.0};
  s.order_l2 = {2.0, 2.0};
  s.order_linf = {1.5, 1.5};
  const fs::path png = scratch.dir / "convergence.png";
  plot_convergence_png(spec, s, 2.0, png.string());
  CHECK(fs::exists(png));
  if (std::getenv("FPLAB_KEEP_TEST_OUTPUT"))
    fs::copy_file(png, fs::temp_directory_path() / "convergence_check.png",
                  fs::copy_options::overwrite_existing);
}
