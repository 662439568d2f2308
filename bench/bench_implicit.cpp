// Implicit finite-volume integrators at 256², 512², 1024² (issue #3): the cost of assembling the
// operator as a sparse matrix (first call with its pattern, later calls values only), of the
// SparseLU factorisation of I − c·dt·A (symbolic analysis, numeric factorisation), and of one
// step of each implicit/IMEX integrator with solver.linear_solver auto after two warm-up steps
// (an LU factorisation cached, or BiCGSTAB warm-started) — each against one
// explicit stage (explicit_rhs) of the same operator measured in the same run, so that the
// ratio says how many explicit stages one implicit step costs.
//
// The linear solve (issue 12), at 128² to 1024²: the SparseLU factorisation of I − (dt/2)·A and
// one crank_nicolson solve with it, one Jacobi-preconditioned BiCGSTAB solve warm-started from
// the last step (time and iterations, at 20× the explicit step, dt = 0.01 and dt = 0.05), and
// the whole crank_nicolson run of ou_gaussian (chang_cooper) to t = 1 at dt = 0.01 with each
// solver.linear_solver, and what auto takes from those iterations. After the benchmarks it
// prints these as one markdown table (the README's).
//
// Sample runs:
//   OMP_PROC_BIND=true bench_implicit
//   OMP_PROC_BIND=true bench_implicit --benchmark_filter='/512'
//   OMP_PROC_BIND=true bench_implicit --benchmark_filter='assemble|solve|run'   # the table only
// The OU operator (f = −x, D = I, zero-flux walls): chang_cooper for the fully implicit ones,
// upwind for IMEX (which keeps the drift explicit and so cannot use the fused exponential flux).
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <Eigen/SparseLU>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/problem.hpp"
#include "solver/simulation.hpp"
#include "solver/time/integrator.hpp"
#include "solver/time/linear_solve.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The table printed after the benchmarks: cells[n][column], filled by the benchmarks that ran;
// with --benchmark_repetitions, each cell is the fastest repetition's (`time`).
std::map<int, std::map<std::string, std::string>> g_table;
std::map<int, std::map<std::string, double>> g_fastest;
void record(const benchmark::State& state, const std::string& column, double time,
            const std::string& text) {
  const int n = static_cast<int>(state.range(0));
  const auto it = g_fastest[n].find(column);
  if (it != g_fastest[n].end() && it->second <= time) return;
  g_fastest[n][column] = time;
  g_table[n][column] = text;
}
// BiCGSTAB's mean iterations per solve, by size and column: what auto decides on.
std::map<int, std::map<std::string, double>> g_iterations;

// The fixed step of the table's solves and runs.
constexpr double kTableDt = 0.01;

struct Setup {
  fplab::CaseSpec c;
  fplab::Problem pb;
  fplab::Grid2D g;
  fplab::SpatialOperator* op = nullptr;  // pb.op
  std::vector<double> u;
};

std::unique_ptr<Setup> ou_setup(int n, const std::string& scheme) {
  auto s = std::make_unique<Setup>();
  s->c.nx = s->c.ny = n;  // the CaseSpec defaults are the OU equation on [−6, 6]²
  s->c.solver.scheme = scheme;
  s->c.initial.means = {fplab::Vec2(1.5, -1.0)};
  s->c.initial.covs = {0.25 * fplab::Mat2::Identity()};
  s->pb = fplab::make_problem(s->c);
  s->g = s->pb.grid;
  s->op = s->pb.op.get();
  s->u.resize(s->g.size());
  fplab::initial_state(s->c, s->pb, {}, s->u);
  s->op->begin(s->u, 0.0);
  return s;
}

// The implicit step size the benchmarks use: 20× the explicit cfl-0.4 step.
double large_dt(const fplab::SpatialOperator& op) { return 8.0 * op.max_stable_dt(0.0); }

void explicit_stage(benchmark::State& state, const std::string& scheme) {
  auto s = ou_setup(static_cast<int>(state.range(0)), scheme);
  std::vector<double> out(s->u.size());
  for (auto _ : state) {
    s->op->explicit_rhs(s->u, 0.0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["cells"] = double(s->u.size());
}

void assemble_first(benchmark::State& state) {
  auto s = ou_setup(static_cast<int>(state.range(0)), "chang_cooper");
  std::vector<double> b(s->u.size());
  double seconds = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    fplab::SparseMatrix A;  // empty: pattern, colouring and values
    s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
    benchmark::DoNotOptimize(A.valuePtr());
    seconds += seconds_since(t0);
  }
  const double ms = 1e3 * seconds / double(state.iterations());
  record(state, "assemble_first", ms, fmt::format("{:.1f}", ms));
}

void assemble_values(benchmark::State& state) {
  auto s = ou_setup(static_cast<int>(state.range(0)), "chang_cooper");
  std::vector<double> b(s->u.size());
  fplab::SparseMatrix A;
  s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
  double seconds = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);  // what a schedule pays per step
    benchmark::DoNotOptimize(A.valuePtr());
    seconds += seconds_since(t0);
  }
  state.counters["nnz"] = double(A.nonZeros());
  const double ms = 1e3 * seconds / double(state.iterations());
  record(state, "assemble_values", ms, fmt::format("{:.1f}", ms));
}

// M = I − dt A for the benchmarks' dt.
fplab::SparseMatrix shifted(Setup& s) {
  std::vector<double> b(s.u.size());
  fplab::SparseMatrix A;
  s.op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
  fplab::SparseMatrix I(A.rows(), A.cols());
  I.setIdentity();
  fplab::SparseMatrix M = I - large_dt(*s.op) * A;
  M.makeCompressed();
  return M;
}

void factorise_symbolic(benchmark::State& state) {
  auto s = ou_setup(static_cast<int>(state.range(0)), "chang_cooper");
  const auto M = shifted(*s);
  for (auto _ : state) {
    Eigen::SparseLU<fplab::SparseMatrix> lu;
    lu.analyzePattern(M);
    benchmark::DoNotOptimize(&lu);
  }
}

void factorise_numeric(benchmark::State& state) {
  auto s = ou_setup(static_cast<int>(state.range(0)), "chang_cooper");
  const auto M = shifted(*s);
  Eigen::SparseLU<fplab::SparseMatrix> lu;
  lu.analyzePattern(M);
  for (auto _ : state) {
    lu.factorize(M);  // what a time-dependent operator pays per distinct (c, t)
    benchmark::DoNotOptimize(&lu);
  }
  state.counters["nnz_LU"] = double(lu.nnzL() + lu.nnzU());
}

void implicit_step(benchmark::State& state, const std::string& integrator_name,
                   const std::string& scheme) {
  auto s = ou_setup(static_cast<int>(state.range(0)), scheme);
  const auto integrator = fplab::make_integrator(integrator_name);
  integrator->init(*s->op);  // assembles
  const double dt = integrator->needs() == fplab::TimeIntegrator::Needs::stiff_assembly
                        ? 0.4 * s->op->max_stable_dt_nonstiff(0.0)
                        : large_dt(*s->op);
  double t = 0.0;
  // Two warm-up steps: factorisations are made and cached (bdf2 starts with backward Euler).
  for (int k = 0; k < 2; ++k, t += dt) integrator->step(*s->op, t, dt, s->u);
  for (auto _ : state) {
    integrator->step(*s->op, t, dt, s->u);
    t += dt;
    benchmark::DoNotOptimize(s->u.data());
  }
  state.counters["dt_over_explicit"] = dt / (0.4 * s->op->max_stable_dt(0.0));
}

// One crank_nicolson solve per iteration, (I − c A) x = u + c (A u + b) with c = dt/2, each from
// the last one's solution (u advances: the iterative solve is warm-started as in a run). The
// ShiftedSolver's set-up (LU: symbolic and numeric factorisation) is timed once, outside.
// dt ≤ 0: 20× the explicit step (large_dt).
void cn_solve(benchmark::State& state, fplab::LinearSolver method, double dt_asked,
              const std::string& column) {
  auto s = ou_setup(static_cast<int>(state.range(0)), "chang_cooper");
  std::vector<double> b(s->u.size()), f(s->u.size()), r(s->u.size());
  fplab::SparseMatrix A;
  s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
  const double dt = dt_asked > 0 ? dt_asked : large_dt(*s->op), c = 0.5 * dt;
  fplab::ShiftedSolver solver;
  solver.init(A, false, method, 1e-10);
  auto next_rhs = [&] {  // r = u + c F(u), F(u) = A u + b
    s->op->explicit_rhs(s->u, 0.0, f);
    for (std::size_t k = 0; k < r.size(); ++k) r[k] = s->u[k] + c * f[k];
  };
  next_rhs();
  const auto t0 = Clock::now();
  solver.solve(0.0, c, r, s->u);  // LU: factorises; BiCGSTAB: the first solve
  const double first = seconds_since(t0);
  next_rhs();
  const auto its0 = solver.total_iterations();
  double seconds = 0.0;
  for (auto _ : state) {
    const auto t1 = Clock::now();
    solver.solve(0.0, c, r, s->u);  // the solve alone, timed
    seconds += seconds_since(t1);
    state.PauseTiming();
    next_rhs();  // the next step's, untimed
    state.ResumeTiming();
  }
  const double its = double(solver.total_iterations() - its0) / double(state.iterations());
  const double ms = 1e3 * seconds / double(state.iterations());
  state.counters["dt_over_explicit"] = dt / (0.4 * s->op->max_stable_dt(0.0));
  if (method == fplab::LinearSolver::lu) {
    const double factorise = first - seconds / double(state.iterations());  // less one solve
    state.counters["factorise_s"] = factorise;
    record(state, "lu_factorise", factorise, fmt::format("{:.2f}", factorise));
    record(state, "lu_solve", ms, fmt::format("{:.1f}", ms));
  } else {
    state.counters["iterations"] = its;
    record(state, column, ms, fmt::format("{:.1f} ({:.0f})", ms, its));
    g_iterations[static_cast<int>(state.range(0))][column] = its;
  }
}

// The whole crank_nicolson run of ou_gaussian (chang_cooper) to t = 1 at dt = 0.01 — problem
// set-up, assembly, factorisation when LU, 100 steps, the final diagnostics — with one
// solver.linear_solver.
void cn_run(benchmark::State& state, const std::string& linear_solver) {
  fplab::CaseSpec c;
  c.nx = c.ny = static_cast<int>(state.range(0));
  c.solver.scheme = "chang_cooper";
  c.solver.integrator = "crank_nicolson";
  c.solver.dt = kTableDt;
  c.solver.linear_solver = linear_solver;
  c.initial.means = {fplab::Vec2(1.5, -1.0)};
  c.initial.covs = {0.25 * fplab::Mat2::Identity()};
  c.time.t_end = 1.0;
  c.time.output_every = 1.0;
  fplab::SimulationOptions opts;
  opts.progress = false;
  fplab::SimulationResult result;
  double seconds = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    result = fplab::simulate(c, {}, opts);
    seconds += seconds_since(t0);
  }
  auto value = [&](const std::string& name) {
    for (const auto& [k, v] : result.final_row)
      if (k == name) return v;
    return 0.0;
  };
  state.counters["steps"] = double(result.steps);
  state.counters["l1_error"] = value("l1_error");
  state.counters["mass_minus_1"] = value("mass") - 1.0;
  const double run_s = seconds / double(state.iterations());
  record(state, "run_" + linear_solver, run_s, fmt::format("{:.1f}", run_s));
  record(state, "run_" + linear_solver + "_err", 0.0,
         fmt::format("{:.3e} / {:.1e}", value("l1_error"), value("mass") - 1.0));
}

void print_table() {
  if (g_table.empty()) return;
  struct Column {
    const char* key;
    const char* head;
  };
  const Column columns[] = {
      {"assemble_first", "assemble first / values (ms)"},
      {"lu_factorise", "LU factorise (s)"},
      {"lu_solve", "LU solve (ms/step)"},
      {"bicgstab_20x", "BiCGSTAB solve, dt = 20× explicit (ms (its))"},
      {"bicgstab_0.01", "BiCGSTAB solve, dt = 0.01 (ms (its))"},
      {"bicgstab_0.05", "BiCGSTAB solve, dt = 0.05 (ms (its))"},
      {"run_lu", "CN run, lu (s)"},
      {"run_bicgstab", "CN run, bicgstab (s)"},
      {"auto", "auto picks at 20× / 0.01 / 0.05"},
      {"run_lu_err", "L1 error / mass − 1, lu"},
      {"run_bicgstab_err", "L1 error / mass − 1, bicgstab"},
  };
  std::printf("\n| cells |");
  for (const auto& c : columns) std::printf(" %s |", c.head);
  std::printf("\n|---|");
  for (std::size_t k = 0; k < std::size(columns); ++k) std::printf("---|");
  std::printf("\n");
  for (auto& [n, row] : g_table) {
    // What auto takes for a fixed A: lu at once, or bicgstab kept unless its first solves take
    // more than auto_lu_iterations(n) — decided on the iterations measured above.
    const auto cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    std::string picks;
    for (const char* col : {"bicgstab_20x", "bicgstab_0.01", "bicgstab_0.05"}) {
      const auto it = g_iterations[n].find(col);
      const bool lu = fplab::automatic_linear_solver(cells, false) == fplab::LinearSolver::lu ||
                      (it != g_iterations[n].end() && it->second > fplab::auto_lu_iterations(cells));
      picks += std::string(picks.empty() ? "" : " / ") +
               (it == g_iterations[n].end() && !lu ? "–" : (lu ? "lu" : "bicgstab"));
    }
    row["auto"] = picks;
    if (row.count("assemble_values"))
      row["assemble_first"] =
          (row.count("assemble_first") ? row["assemble_first"] : "–") + " / " +
          row["assemble_values"];
    std::printf("| %d² |", n);
    for (const auto& c : columns)
      std::printf(" %s |", row.count(c.key) ? row[c.key].c_str() : "–");
    std::printf("\n");
  }
  std::printf(
      "\nOne crank_nicolson solve (I − dt/2·A) x = r per step, warm-started from the last "
      "step, tolerance 1e-10; LU factorise: symbolic + numeric (dt = 0.01; its solve does not "
      "depend on dt). CN run: ou_gaussian (chang_cooper) to t = 1 at dt = 0.01 (100 steps), "
      "set-up included.\n");
}

}  // namespace

int main(int argc, char** argv) {
  auto sizes = [](benchmark::internal::Benchmark* b) {
    b->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
  };
  // One explicit stage of each operator used below: the unit of the ratios in the note.
  for (const std::string scheme : {"chang_cooper", "upwind"})
    sizes(benchmark::RegisterBenchmark(("explicit_stage/" + scheme).c_str(), explicit_stage,
                                       scheme));
  sizes(benchmark::RegisterBenchmark("assemble/first", assemble_first));
  sizes(benchmark::RegisterBenchmark("assemble/values", assemble_values));
  sizes(benchmark::RegisterBenchmark("factorise/symbolic", factorise_symbolic));
  sizes(benchmark::RegisterBenchmark("factorise/numeric", factorise_numeric));
  for (const std::string name : {"backward_euler", "crank_nicolson", "bdf2"})
    sizes(benchmark::RegisterBenchmark(("step/" + name).c_str(), implicit_step, name,
                                       std::string("chang_cooper")));
  // The README's thread table: crank_nicolson at 2048² too (auto iterates there: no factors).
  benchmark::RegisterBenchmark("step/crank_nicolson", implicit_step,
                               std::string("crank_nicolson"), std::string("chang_cooper"))
      ->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();
  sizes(benchmark::RegisterBenchmark("step/imex_ars222", implicit_step,
                                     std::string("imex_ars222"), std::string("upwind")));
  // The table: fixed iteration counts (an LU factorisation at 1024² takes about a minute).
  // 128² too: where auto factorises at once.
  auto table = [](benchmark::internal::Benchmark* b, int iterations) {
    b->Arg(128)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
    b->Iterations(iterations);
  };
  table(benchmark::RegisterBenchmark("solve/lu", cn_solve, fplab::LinearSolver::lu, kTableDt,
                                     std::string()),
        10);
  for (const double dt : {0.0, kTableDt, 0.05}) {
    const std::string col = dt > 0 ? fmt::format("bicgstab_{}", dt) : "bicgstab_20x";
    table(benchmark::RegisterBenchmark(("solve/" + col).c_str(), cn_solve,
                                       fplab::LinearSolver::bicgstab, dt, col),
          10);
  }
  for (const std::string ls : {"lu", "bicgstab"})
    table(benchmark::RegisterBenchmark(("run/crank_nicolson/" + ls).c_str(), cn_run, ls), 1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  print_table();
  benchmark::Shutdown();
  return 0;
}
