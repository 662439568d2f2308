// What grid values mean (docs/reference.md §2, issue #4): finite volumes start from and compare with cell
// averages, spectral runs with point values at the cell centres; sampling_of is the one mapping.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/density.hpp"
#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/simulation.hpp"

using namespace fplab;

namespace {

CaseSpec load(const std::string& file, const std::vector<std::string>& sets = {}) {
  return load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

Grid2D grid_of(const CaseSpec& c) { return {c.nx, c.ny, c.x0, c.x1, c.y0, c.y1}; }

double max_abs_diff(std::span<const double> a, std::span<const double> b) {
  double m = 0;
  for (std::size_t k = 0; k < a.size(); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

// Keeps the first snapshot's density and exact solution (t = 0).
struct FirstSnapshot : OutputSink {
  std::vector<double> density, exact;
  Sampling sampling = Sampling::cell_average;
  void begin(const RunInfo& info) override { sampling = info.sampling; }
  void write(const Snapshot& s) override {
    if (s.index != 0) return;
    density.assign(s.density.begin(), s.density.end());
    const auto e = s.field("exact");
    exact.assign(e.begin(), e.end());
  }
  void end(const RunSummary&) override {}
};

FirstSnapshot first_snapshot(const CaseSpec& c) {
  FirstSnapshot first;
  OutputSink* sinks[] = {&first};
  SimulationOptions quiet;
  quiet.progress = false;
  (void)simulate(c, sinks, quiet);
  return first;
}

}  // namespace

TEST_CASE("sampling_of: spectral → point values, finite_volume → cell averages") {
  CaseSpec c;
  c.solver.method = "spectral";
  CHECK(sampling_of(c) == Sampling::point);
  c.solver.method = "finite_volume";
  CHECK(sampling_of(c) == Sampling::cell_average);
  CHECK(sampling_name(Sampling::point) == "point");
  CHECK(sampling_name(Sampling::cell_average) == "cell_average");
}

TEST_CASE("scheme_of and method_label name the spectral basis, the FV flux otherwise") {
  CaseSpec c;
  c.solver.method = "finite_volume";
  c.solver.scheme = "chang_cooper";
  CHECK(scheme_of(c) == "chang_cooper");
  CHECK(method_label(c) == "finite_volume / chang_cooper");
  c.solver.method = "spectral";
  c.boundary = "periodic";
  CHECK(scheme_of(c) == "fourier");
  CHECK(method_label(c) == "spectral (Fourier)");
  c.boundary = "zero_flux";
  CHECK(scheme_of(c) == "cosine");
  CHECK(method_label(c) == "spectral (cosine)");
}

TEST_CASE("the initial state of a spectral run is point values, of an FV run cell averages") {
  const std::vector<std::string> small{"grid.nx=32", "grid.ny=32", "time.t_end=0.05",
                                       "time.output_every=0.05"};
  SUBCASE("spectral: GaussianMixture::point_values, and so is the exact solution at t = 0") {
    auto sets = small;
    sets.emplace_back("solver.fftw_planning=estimate");
    const auto c = load("cases/ou_spectral.yaml", sets);
    const auto g = grid_of(c);
    std::vector<double> pts(g.size()), avg(g.size());
    mixture_from_spec(c.initial).point_values(g, pts);
    mixture_from_spec(c.initial).cell_averages(g, avg);
    const auto first = first_snapshot(c);
    CHECK(first.sampling == Sampling::point);
    CHECK(max_abs_diff(first.density, pts) <= 1e-15);
    CHECK(max_abs_diff(first.exact, pts) <= 1e-15);
    CHECK(max_abs_diff(pts, avg) > 1e-3);  // the test tells the two apart at this resolution
  }
  SUBCASE("finite volume: GaussianMixture::cell_averages") {
    const auto c = load("cases/ou_gaussian.yaml", small);
    const auto g = grid_of(c);
    std::vector<double> avg(g.size());
    mixture_from_spec(c.initial).cell_averages(g, avg);
    const auto first = first_snapshot(c);
    CHECK(first.sampling == Sampling::cell_average);
    CHECK(max_abs_diff(first.density, avg) <= 1e-15);
    CHECK(max_abs_diff(first.exact, avg) <= 1e-15);
  }
}

TEST_CASE("equilibria and exact solutions sample point values on request") {
  CaseSpec c = load("cases/ou_gaussian.yaml", {"grid.nx=40", "grid.ny=40"});
  const Grid2D g = grid_of(c);
  std::vector<double> p(g.size()), ref(g.size());
  // OU: N(0, I) at the centres.
  make_equation(c)->equilibrium(g, p, Sampling::point);
  GaussianMixture{{1.0}, {Vec2::Zero()}, {Mat2::Identity()}}.point_values(g, ref);
  CHECK(max_abs_diff(p, ref) < 1e-15);
  // Potential U = |x|²/2, D = 2I: e^{−U/2} at the centres, normalised by the midpoint mass.
  c.equation.drift.type = "potential";
  c.equation.drift.U = "0.5*(x^2 + y^2)";
  c.equation.D = 2 * Mat2::Identity();
  make_equation(c)->equilibrium(g, p, Sampling::point);
  GaussianMixture{{1.0}, {Vec2::Zero()}, {2 * Mat2::Identity()}}.point_values(g, ref);
  double mass = 0;
  for (double v : ref) mass += v * g.cell_area();
  for (double& v : ref) v /= mass;
  CHECK(max_abs_diff(p, ref) < 1e-14);
  // BGK: p₀ and p_eq both as point values, so p(0) = p₀ and p(∞) = p_eq at the centres.
  c.equation.type = "bgk";
  c.equation.tau = 0.5;
  const auto bgk = make_equation(c);
  std::vector<double> p0(g.size()), peq(g.size());
  initial_density(c, g, p0, Sampling::point);
  bgk->equilibrium(g, peq, Sampling::point);
  mixture_from_spec(c.initial).point_values(g, ref);
  CHECK(max_abs_diff(p0, ref) == 0.0);
  bgk->exact(g, 0.0, p, Sampling::point);
  CHECK(max_abs_diff(p, p0) < 1e-15);
  bgk->exact(g, 40.0, p, Sampling::point);
  CHECK(max_abs_diff(p, peq) < 1e-15);
}
