// The implicit integrators' linear solves (solver/time/linear_solve.hpp): BiCGSTAB meets its
// residual tolerance and matches SparseLU, whole runs with either agree to the tolerance and
// conserve mass (to round-off, as LU), a time-dependent A is followed, steps with BiCGSTAB do not
// allocate, the automatic rule, and failures.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/density.hpp"
#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/errors.hpp"
#include "solver/simulation.hpp"
#include "solver/time/integrator.hpp"
#include "solver/time/linear_solve.hpp"

// Counts calls of malloc (Eigen's and operator new's) while g_count_mallocs is set: this
// executable's malloc is found before glibc's and forwards to it. Not under AddressSanitizer
// (scripts/setup.sh sanitize), whose own malloc this would replace: the allocation test is then
// left out of that build (the normal suite runs it).
#if !defined(__SANITIZE_ADDRESS__)
#define FPLAB_COUNT_MALLOCS 1
extern "C" void* __libc_malloc(std::size_t size);
namespace {
constinit std::atomic<bool> g_count_mallocs{false};
constinit std::atomic<long> g_mallocs{0};
}  // namespace
extern "C" void* malloc(std::size_t size) noexcept {
  if (g_count_mallocs.load(std::memory_order_relaxed))
    g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
#endif

namespace {

using fplab::LinearSolver;

fplab::CaseSpec load(const std::string& file, const std::vector<std::string>& sets = {}) {
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

fplab::Grid2D grid_of(const fplab::CaseSpec& c) { return {c.nx, c.ny, c.x0, c.x1, c.y0, c.y1}; }

double value_of(const fplab::DiagnosticRow& row, const std::string& name) {
  for (const auto& [k, v] : row)
    if (k == name) return v;
  return std::nan("");
}

double l1(const std::vector<double>& a) {
  double s = 0.0;
  for (double v : a) s += std::abs(v);
  return s;
}

double l1_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += std::abs(a[k] - b[k]);
  return s;
}

// The rotating-drift case of cases/implicit_large_dt.yaml (non-symmetric A) on a small grid.
fplab::CaseSpec rotating(const std::string& integrator, const std::string& linear_solver,
                         std::vector<std::string> more = {}) {
  std::vector<std::string> sets{"grid={nx: 48, ny: 40}", "solver.integrator=" + integrator,
                                "solver.linear_solver=" + linear_solver, "time.t_end=0.5",
                                "time.output_every=0.25"};
  sets.insert(sets.end(), more.begin(), more.end());
  return load("cases/implicit_large_dt.yaml", sets);
}

fplab::SimulationResult run(const fplab::CaseSpec& c) {
  fplab::SimulationOptions opts;
  opts.progress = false;
  return fplab::simulate(c, {}, opts);
}

}  // namespace

TEST_CASE("linear solvers: solver.linear_solver names, and auto's rule") {
  CHECK(fplab::linear_solver_names() == std::vector<std::string>{"auto", "lu", "bicgstab"});
  for (const auto& n : fplab::linear_solver_names())
    CHECK(fplab::linear_solver_name(fplab::linear_solver_from_name(n)) == n);
  CHECK_THROWS_AS(fplab::linear_solver_from_name("gmres"), fplab::InputError);
  // A fixed matrix: factorised on small grids; iterated on large ones (up to 512² factorised
  // after all when the first solves take many iterations); always iterated when the matrix
  // changes every step (a numeric factorisation per step).
  CHECK(fplab::automatic_linear_solver(64 * 64, false) == LinearSolver::lu);
  CHECK(fplab::automatic_linear_solver(128 * 128, false) == LinearSolver::lu);
  CHECK(fplab::automatic_linear_solver(256 * 256, false) == LinearSolver::bicgstab);
  CHECK(fplab::automatic_linear_solver(1024 * 1024, false) == LinearSolver::bicgstab);
  CHECK(fplab::automatic_linear_solver(64 * 64, true) == LinearSolver::bicgstab);
  CHECK(fplab::auto_lu_iterations(128 * 128) == 0.0);
  CHECK(fplab::auto_lu_iterations(256 * 256) > 0.0);
  CHECK(std::isfinite(fplab::auto_lu_iterations(512 * 512)));
  CHECK(std::isinf(fplab::auto_lu_iterations(1024 * 1024)));
}

TEST_CASE("linear solvers: auto factorises a fixed A after three solves that took many iterations") {
  // 160² = 25600 unknowns: auto starts with BiCGSTAB; at 20× the explicit step it converges in a
  // few iterations and stays; at 1000× it takes many more, and the fourth solve is LU's.
  const auto c = load("cases/ou_gaussian.yaml",
                      {"grid={nx: 160, ny: 160}", "solver.scheme=chang_cooper"});
  const auto eq = fplab::make_equation(c);
  const auto op = fplab::make_operator(c, *eq, grid_of(c));
  const std::size_t n = op->size();
  std::vector<double> u(n), b(n), x(n);
  fplab::initial_density(c, grid_of(c), u, fplab::Sampling::cell_average);
  fplab::SparseMatrix A;
  op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
  for (const double ratio : {20.0, 1000.0}) {
    CAPTURE(ratio);
    const double dt = ratio * 0.4 * op->max_stable_dt(0.0);
    fplab::ShiftedSolver s;
    s.init(A, false, LinearSolver::automatic, 1e-10);
    REQUIRE(s.method() == LinearSolver::bicgstab);
    double its = 0.0;
    for (int k = 0; k < 3; ++k) {
      x = u;
      s.solve(0.0, 0.5 * dt, u, x);
      its += s.last_iterations();
    }
    MESSAGE("mean iterations " << its / 3 << ", auto's bound " << fplab::auto_lu_iterations(n));
    CHECK(s.method() == (its / 3 > fplab::auto_lu_iterations(n) ? LinearSolver::lu
                                                                 : LinearSolver::bicgstab));
    CHECK(s.method() == (ratio > 100.0 ? LinearSolver::lu : LinearSolver::bicgstab));
    std::vector<double> x_lu(n);
    fplab::ShiftedSolver lu;
    lu.init(A, false, LinearSolver::lu, 1e-10);
    lu.solve(0.0, 0.5 * dt, u, x_lu);
    x = u;
    s.solve(0.0, 0.5 * dt, u, x);
    CHECK(l1_diff(x, x_lu) <= 2e-10 * l1(u));
  }
}

TEST_CASE("linear solvers: one BiCGSTAB solve meets its residual tolerance and matches SparseLU") {
  const auto c = load("cases/implicit_large_dt.yaml", {"grid={nx: 40, ny: 36}"});
  const auto eq = fplab::make_equation(c);
  const auto op = fplab::make_operator(c, *eq, grid_of(c));
  const std::size_t n = op->size();
  std::vector<double> u(n), b(n);
  for (std::size_t k = 0; k < n; ++k) u[k] = 1.0 + std::sin(0.37 * double(k));
  fplab::SparseMatrix A;
  op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
  for (const double c_dt : {1e-3, 0.05, 1.0}) {  // 2× to 2000× the explicit step
    for (const double tol : {1e-8, 1e-12}) {
      CAPTURE(c_dt);
      CAPTURE(tol);
      fplab::ShiftedSolver lu, it;
      lu.init(A, false, LinearSolver::lu, tol);
      it.init(A, false, LinearSolver::bicgstab, tol);
      CHECK(lu.method() == LinearSolver::lu);
      CHECK(it.method() == LinearSolver::bicgstab);
      std::vector<double> x_lu(n), x_it(u);  // the iterative solve starts from u
      lu.solve(0.0, c_dt, u, x_lu);
      it.solve(0.0, c_dt, u, x_it);
      CHECK(it.last_iterations() > 0);
      // ‖u − (I − cA) x‖₁ ≤ tol ‖u‖₁.
      const Eigen::Map<const Eigen::VectorXd> xv(x_it.data(), static_cast<Eigen::Index>(n));
      const Eigen::VectorXd ax = A * xv;
      double res = 0.0;
      for (std::size_t k = 0; k < n; ++k)
        res += std::abs(u[k] - (x_it[k] - c_dt * ax[static_cast<Eigen::Index>(k)]));
      MESSAGE("iterations " << it.last_iterations() << ", residual/‖u‖ " << res / l1(u)
                            << ", |x − x_LU|/‖x‖ " << l1_diff(x_it, x_lu) / l1(x_lu));
      CHECK(res <= tol * l1(u));
      // (I − cA)⁻¹ is a 1-norm contraction here, so x is within the residual of LU's x.
      CHECK(l1_diff(x_it, x_lu) <= 2.0 * tol * l1(u));
    }
  }
}

TEST_CASE("linear solvers: every implicit integrator's run with bicgstab matches lu, mass kept") {
  // Rotating drift at cfl 8 (20× the explicit step) and at dt = 0.05 (250×), fixed A; the IMEX
  // integrator on upwind fluxes (its drift explicit, so at the explicit drift bound).
  struct Case {
    std::string integrator;
    std::vector<std::string> sets;
  };
  const Case cases[] = {{"backward_euler", {}},
                        {"crank_nicolson", {}},
                        {"crank_nicolson", {"solver.dt=0.05"}},
                        {"bdf2", {}},
                        {"imex_ars222", {"solver.scheme=upwind", "solver.cfl=0.4"}}};
  for (const auto& k : cases) {
    CAPTURE(k.integrator);
    CAPTURE(k.sets.size());
    const auto lu = run(rotating(k.integrator, "lu", k.sets));
    const auto it = run(rotating(k.integrator, "bicgstab", k.sets));
    const double tol = 1e-10;  // solver.tolerance's default
    const double diff = l1_diff(it.final_density, lu.final_density) / l1(lu.final_density);
    const double mass_lu = value_of(lu.final_row, "mass"), mass_it = value_of(it.final_row, "mass");
    MESSAGE(k.integrator << ": " << it.steps << " steps, relative L1 difference " << diff
                         << ", mass − 1: lu " << mass_lu - 1 << ", bicgstab " << mass_it - 1);
    CHECK(it.steps == lu.steps);
    // Each step's solve is within tol of LU's (a 1-norm contraction): at most steps·tol apart.
    CHECK(diff <= double(it.steps) * tol);
    // Mass: within the tolerance by the residual, to round-off by the correction onto it.
    CHECK(std::abs(mass_it - 1.0) < 1e-12);
    CHECK(std::abs(mass_lu - 1.0) < 1e-12);
    // And a tighter solver.tolerance brings the two closer.
    const auto tight = run(rotating(k.integrator, "bicgstab", [&] {
      auto s = k.sets;
      s.push_back("solver.tolerance=1e-14");
      return s;
    }()));
    const double diff_tight =
        l1_diff(tight.final_density, lu.final_density) / l1(lu.final_density);
    CHECK(diff_tight <= double(it.steps) * 1e-14 + 1e-13);
  }
}

TEST_CASE("linear solvers: a time-dependent A (VP schedule) with bicgstab matches lu") {
  // A(t) changes every step: LU re-factorises numerically, BiCGSTAB refreshes its row copy.
  auto base = load("cases/vp_schedule.yaml",
                   {"grid={nx: 40, ny: 40}", "solver.scheme=chang_cooper",
                    "solver.integrator=crank_nicolson", "solver.cfl=8", "time.output_every=0.5"});
  auto lu = base, it = base;
  lu.solver.linear_solver = "lu";
  it.solver.linear_solver = "bicgstab";
  const auto rl = run(lu), ri = run(it);
  const double diff = l1_diff(ri.final_density, rl.final_density) / l1(rl.final_density);
  const double mass_lu = value_of(rl.final_row, "mass"), mass_it = value_of(ri.final_row, "mass");
  MESSAGE(ri.steps << " steps, relative L1 difference " << diff << ", mass − 1: lu "
                   << mass_lu - 1 << ", bicgstab " << mass_it - 1);
  CHECK(ri.steps == rl.steps);
  CHECK(diff <= double(ri.steps) * 1e-10);
  CHECK(std::abs(mass_it - mass_lu) < 1e-12);  // the case's own mass (its walls cut the tails)
  // auto takes bicgstab for a time-dependent A, whatever the grid: the same result.
  base.solver.linear_solver = "auto";
  CHECK(l1_diff(run(base).final_density, ri.final_density) == 0.0);
}

#if FPLAB_COUNT_MALLOCS
TEST_CASE("linear solvers: implicit steps with bicgstab do not allocate") {
  // Large enough that the loops run on OpenMP threads (warmed up by the first steps).
  for (const std::string integrator : {"backward_euler", "crank_nicolson", "bdf2"}) {
    for (const bool varies : {false, true}) {
      CAPTURE(integrator);
      CAPTURE(varies);
      auto c = load("cases/ou_gaussian.yaml",
                    {"grid={nx: 160, ny: 160}", "solver.scheme=chang_cooper",
                     "solver.integrator=" + integrator, "solver.linear_solver=bicgstab",
                     std::string("equation.schedule={type: ") + (varies ? "vp" : "constant") +
                         "}"});
      auto pb = fplab::make_problem(c);
      std::vector<double> u(pb.grid.size());
      fplab::initial_state(c, pb, {}, u);
      pb.op->begin(u, 0.0);
      pb.integrator->init(*pb.op);
      const double dt = 8.0 * pb.op->max_stable_dt(0.0);
      double t = 0.0;
      for (int k = 0; k < 3; ++k, t += dt) pb.integrator->step(*pb.op, t, dt, u);
      g_mallocs = 0;
      g_count_mallocs = true;
      for (int k = 0; k < 3; ++k, t += dt) pb.integrator->step(*pb.op, t, dt, u);
      g_count_mallocs = false;
      CHECK(g_mallocs.load() == 0);
    }
  }
}
#endif

TEST_CASE("linear solvers: a BiCGSTAB failure is an error with bicgstab, a factorisation with auto") {
  // I − cA singular (A = diag(1, −1), c = 1): BiCGSTAB cannot reach the tolerance; auto turns
  // to SparseLU, which reports the singular system.
  fplab::SparseMatrix A(2, 2);
  A.insert(0, 0) = 1.0;
  A.insert(1, 1) = -1.0;
  A.makeCompressed();
  const std::vector<double> r{1.0, 1.0};
  std::vector<double> x{0.0, 0.0};
  fplab::ShiftedSolver it, automatic;
  it.init(A, false, LinearSolver::bicgstab, 1e-10);
  CHECK_THROWS_WITH_AS(it.solve(0.0, 1.0, r, x), doctest::Contains("solver.linear_solver: lu"),
                       fplab::NumericalError);
  automatic.init(A, true, LinearSolver::automatic, 1e-10);
  CHECK(automatic.method() == LinearSolver::bicgstab);
  CHECK_THROWS_WITH_AS(automatic.solve(0.0, 1.0, r, x), doctest::Contains("singular"),
                       fplab::NumericalError);
  CHECK(automatic.method() == LinearSolver::lu);
  // A regular system after the switch: solved by LU.
  fplab::ShiftedSolver fallback;
  fallback.init(A, true, LinearSolver::automatic, 1e-10);
  x = {0.0, 0.0};
  fallback.solve(0.0, 0.5, r, x);  // diag(0.5, 1.5): BiCGSTAB converges, no switch
  CHECK(fallback.method() == LinearSolver::bicgstab);
  CHECK(x[0] == doctest::Approx(2.0));
  CHECK(x[1] == doctest::Approx(1.0 / 1.5));
}
