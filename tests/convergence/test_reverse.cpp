// The reverse Fokker–Planck equation carries the forward solution back to the data (docs/reference.md §1, §4),
// with thresholds from an independent calibration: the exact score from the exact forward density
// at T (q(τ) = p(T − τ) for every λ), the prior N(0, I) as a start (an L1 contraction), a score
// tabulated from a forward run's result.h5, the spectral method, and implicit integrators.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "io/problem_inputs.hpp"
#include "io/writers.hpp"
#include "solver/density.hpp"
#include "solver/equations/fokker_planck.hpp"
#include "solver/gaussian_flow.hpp"
#include "solver/simulation.hpp"
#include "tests/write_run.hpp"

namespace {

namespace fs = std::filesystem;

fplab::CaseSpec load(const std::vector<std::string>& sets = {}) {
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/cases/mixture_reverse_exact.yaml",
                               sets);
}

double value_of(const fplab::DiagnosticRow& row, const std::string& name) {
  for (const auto& [k, v] : row)
    if (k == name) return v;
  return std::nan("");
}

// The largest change of the mass over a run's snapshots (the grid's initial mass is not exactly
// 1: the exact forward density at T has tails beyond the domain).
class MassDrift final : public fplab::OutputSink {
 public:
  void begin(const fplab::RunInfo&) override {}
  void write(const fplab::Snapshot& s) override {
    for (const auto& [k, v] : *s.diagnostics)
      if (k == "mass") {
        if (s.index == 0) m0_ = v;
        drift_ = std::max(drift_, std::abs(v - m0_));
      }
  }
  void end(const fplab::RunSummary&) override {}
  double drift() const { return drift_; }

 private:
  double m0_ = 0.0, drift_ = 0.0;
};

struct Run {
  fplab::SimulationResult result;
  double mass_drift = 0.0;
};

Run run(const fplab::CaseSpec& c, fplab::ProblemInputs in = {}) {
  fplab::SimulationOptions quiet;
  quiet.progress = false;
  MassDrift mass;
  fplab::OutputSink* sinks[] = {&mass};
  Run r{fplab::simulate(c, sinks, quiet, std::move(in))};
  r.mass_drift = mass.drift();
  return r;
}

// ∫|a − b| of two densities on the case's grid.
double l1_between(const fplab::CaseSpec& c, const std::vector<double>& a,
                  const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += std::abs(a[k] - b[k]);
  return s * (c.x1 - c.x0) / c.nx * (c.y1 - c.y0) / c.ny;
}

}  // namespace

TEST_CASE("exact score from the exact forward density at T: L1 < 1e-2 at 128² for λ = 0, 0.5, 1") {
  for (const std::string lambda : {"0", "0.5", "1"}) {
    CAPTURE(lambda);
    const auto [r, mass_drift] = run(load({"equation.lambda=" + lambda}));
    const double l1 = value_of(r.final_row, "l1_error");
    MESSAGE("λ = " << lambda << ": L1 to the data " << value_of(r.final_row, "l1_to_data")
                   << ", mass " << value_of(r.final_row, "mass") << ", min "
                   << value_of(r.final_row, "min"));
    CHECK(l1 < 1e-2);
    CHECK(value_of(r.final_row, "l1_to_data") == doctest::Approx(l1).epsilon(1e-12));
    CHECK(mass_drift < 1e-12);                   // conservative fluxes
    CHECK(value_of(r.final_row, "min") >= 0.0);  // MUSCL + SSPRK3: positive
  }
}

TEST_CASE("from the prior N(0, I): L1(q(T), data) ≤ L1(N(0, I), p(T)) + discretisation, T = 2, 4") {
  for (const double T : {2.0, 4.0}) {
    CAPTURE(T);
    const std::string t = std::to_string(T);
    const auto exact_start =
        load({"equation.T=" + t, "time.t_end=" + t, "time.output_every=" + t});
    // The discretisation error of this grid and T: the run whose exact solution is known.
    const auto disc = run(exact_start).result;
    const double e_disc = value_of(disc.final_row, "l1_error");
    // L1(N(0, I), p(T)) on the grid, then the same reverse run from N(0, I).
    auto prior_case = load({"equation.T=" + t, "time.t_end=" + t, "time.output_every=" + t,
                            "initial={type: gaussian, mean: [0, 0], cov: [[1, 0], [0, 1]]}"});
    const fplab::Grid2D g{prior_case.nx, prior_case.ny, prior_case.x0, prior_case.x1,
                          prior_case.y0, prior_case.y1};
    std::vector<double> prior(g.size()), pT(g.size());
    fplab::initial_density(prior_case, g, prior, fplab::Sampling::cell_average);
    const fplab::FokkerPlanck fwd(prior_case.equation, fplab::DensitySpec{}, false);
    fwd.linear_flow()
        ->evolve(fplab::mixture_from_spec(prior_case.equation.score.data), T)
        .cell_averages(g, pT);
    const double gap = l1_between(prior_case, prior, pT);
    const auto [r, mass_drift] = run(prior_case);
    const double l1 = value_of(r.final_row, "l1_to_data");
    MESSAGE("T = " << T << ": L1(N(0,I), p(T)) = " << gap << ", L1(q(T), data) = " << l1
                   << ", discretisation " << e_disc);
    CHECK(l1 <= gap + e_disc);
    CHECK(mass_drift < 1e-12);
    CHECK(value_of(r.final_row, "min") >= 0.0);
  }
}

TEST_CASE("tabulated score from a forward run's result.h5: L1 to the data < 3e-2 at 128², λ = 1") {
  const fs::path dir = fs::temp_directory_path() / "fplab_reverse_tabulated";
  fs::remove_all(dir);
  // The forward run of the same data on the same grid, a snapshot every 0.05.
  auto fwd = load();
  fwd.equation.type = "fokker_planck";
  fwd.initial = fwd.equation.score.data;
  fwd.time.output_every = 0.05;
  fwd.output.dir = (dir / "forward").string();
  fwd.output.formats = {"hdf5"};
  fwd.exact = "none";
  fwd.resolved_yaml = "name: forward\n";
  fplab_test::run_with_writers(fwd);
  const std::string h5 = (dir / "forward" / "result.h5").string();
  auto rev = load({"equation.lambda=1"});
  rev.equation.score = fplab::ScoreSpec{"tabulated", false, {}, h5};
  rev.initial.type = "from_run";
  rev.initial.path = h5;
  const auto [r, mass_drift] = run(rev, fplab::load_problem_inputs(rev));
  const double l1 = value_of(r.final_row, "l1_to_data");
  MESSAGE("tabulated, λ = 1: L1 to the data " << l1);
  CHECK(l1 < 3e-2);
  CHECK(mass_drift < 1e-12);
}

TEST_CASE("spectral (Fourier) reverse run with the exact score on a periodic box") {
  // The box is wide enough that the density is negligible where the drift jumps across the
  // periodic seam; etdrk4 takes the diffusion λ D exactly and the score-driven drift explicitly.
  const auto c = load({"solver.method=spectral", "solver.integrator=etdrk4", "boundary=periodic",
                       "domain={x: [-8, 8], y: [-8, 8]}", "grid={nx: 64, ny: 64}",
                       "solver.cfl=0.5"});
  const auto [r, mass_drift] = run(c);
  const double l1 = value_of(r.final_row, "l1_error");
  MESSAGE("spectral 64², λ = 1: L1 " << l1);
  CHECK(l1 < 1e-4);
  CHECK(mass_drift < 1e-12);  // the divergence form keeps the zero mode
}

TEST_CASE("implicit and IMEX integrators on the reverse equation (affine for a given score)") {
  struct Combo {
    std::string scheme, integrator, cfl;
    double l1_max;
  };
  // Steps several times the explicit bound: the assembled operator follows the score in time.
  // Backward Euler with upwind fluxes is first order in space and time (L1 ≈ 0.17 here) but an
  // M-matrix step: positive at any dt.
  const Combo combos[] = {{"chang_cooper", "crank_nicolson", "4", 2e-2},
                          {"upwind", "backward_euler", "4", 0.25},
                          {"muscl", "imex_ars222", "0.8", 2.5e-2}};
  for (const auto& cb : combos) {
    CAPTURE(cb.integrator);
    const auto c = load({"grid={nx: 64, ny: 64}", "solver.scheme=" + cb.scheme,
                         "solver.integrator=" + cb.integrator, "solver.cfl=" + cb.cfl});
    const auto [r, mass_drift] = run(c);
    const double l1 = value_of(r.final_row, "l1_error");
    MESSAGE(cb.scheme << " + " << cb.integrator << " at 64²: L1 " << l1 << " in " << r.steps
                      << " steps");
    CHECK(l1 < cb.l1_max);
    CHECK(mass_drift < 1e-11);
    if (cb.integrator == "backward_euler") CHECK(value_of(r.final_row, "min") >= 0.0);
  }
}
