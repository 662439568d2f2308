// `fplab steady` at 256² and 1024² on the peer problem (2D OU on [−6, 6]², zero-flux walls,
// chang_cooper), against time stepping to the same state, measured in one run:
//   direct    solve_steady_case: assembly, pinned SparseLU, current and diagnostics (no files);
//   implicit  backward_euler at dt = 1 with its LU factorised once (the fastest time-stepped
//             route: the error shrinks by ≈ 1/(1 + dt) a step), from the case's initial
//             Gaussian until ‖A p‖₁ dx dy ≤ 1e-10;
//   explicit  ssprk3 at cfl 0.4 to the looser ‖A p‖₁ dx dy ≤ 1e-6 (256² only: at 1024² it takes
//             millions of steps).
// Counters: seconds per solve, steps of the time-stepped routes, L and U non-zeros, and the
// process's peak resident memory after the benchmark (monotonic: read it for the largest size
// run so far). The ratio table at the end divides each route's time by the direct solve's.
//
// Sample run (the README's figures):
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=true build/bench/bench_steady
// fplanck (its steady_state(), shift-invert ARPACK) took 0.85 s at 128² and 4.9 s at 256² on
// the same problem, build and solve, on the development machine.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/problem.hpp"
#include "solver/steady_run.hpp"
#include "solver/wall_clock.hpp"

namespace {

std::map<std::string, std::map<int, double>>& seconds() {
  static std::map<std::string, std::map<int, double>> s;
  return s;
}

fplab::CaseSpec ou_case(int n, const std::string& integrator) {
  fplab::CaseSpec c;  // the defaults: OU on [−6, 6]², zero-flux walls
  c.nx = c.ny = n;
  c.solver.scheme = "chang_cooper";
  c.solver.integrator = integrator;
  c.initial.means = {fplab::Vec2(1.5, -1.0)};
  c.initial.covs = {0.25 * fplab::Mat2::Identity()};
  return c;
}

void finish(benchmark::State& state, const std::string& route, double total, double runs) {
  const int n = static_cast<int>(state.range(0));
  seconds()[route][n] = total / runs;
  state.counters["seconds"] = total / runs;
  state.counters["peak_rss_mib"] = fplab::peak_resident_bytes() / (1024.0 * 1024.0);
  state.SetLabel(route);
}

void BM_direct(benchmark::State& state) {
  const fplab::CaseSpec c = ou_case(static_cast<int>(state.range(0)), "ssprk3");
  double total = 0.0, runs = 0.0;
  for (auto _ : state) {
    const auto t0 = fplab::Clock::now();
    const auto r = fplab::solve_steady_case(c, {}, "");
    total += fplab::seconds_since(t0);
    runs += 1.0;
    state.counters["lu_nonzeros"] = static_cast<double>(r.solve.lu_nonzeros);
    state.counters["residual"] = r.solve.residual;
  }
  finish(state, "direct", total, runs);
}

// Steps `integrator` at dt from the initial state until ‖F(p)‖₁ dx dy ≤ target; returns steps.
double step_to_residual(const fplab::CaseSpec& c, double dt, double target, double& seconds) {
  const auto t0 = fplab::Clock::now();
  fplab::Problem pb = fplab::make_problem(c);
  pb.integrator->init(*pb.op);
  std::vector<double> u(pb.grid.size()), f(pb.grid.size());
  fplab::initial_state(c, pb, {}, u);
  pb.op->begin(u, 0.0);
  double t = 0.0, steps = 0.0;
  for (;;) {
    pb.op->explicit_rhs(u, t, f);
    double r = 0.0;
    for (double v : f) r += std::abs(v);
    if (r * pb.grid.cell_area() <= target) break;
    for (int k = 0; k < 16; ++k) {  // check the residual every 16 steps (it costs a stage)
      pb.integrator->step(*pb.op, t, dt, u);
      t += dt;
      steps += 1.0;
    }
  }
  seconds = fplab::seconds_since(t0);
  return steps;
}

void BM_implicit(benchmark::State& state) {
  fplab::CaseSpec c = ou_case(static_cast<int>(state.range(0)), "backward_euler");
  c.solver.linear_solver = "lu";
  double total = 0.0, runs = 0.0;
  for (auto _ : state) {
    double s = 0.0;
    state.counters["steps"] = step_to_residual(c, 1.0, 1e-10, s);
    total += s;
    runs += 1.0;
  }
  finish(state, "implicit (backward_euler dt 1, to 1e-10)", total, runs);
}

void BM_explicit(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const fplab::CaseSpec c = ou_case(n, "ssprk3");
  fplab::Problem pb = fplab::make_problem(c);
  const double dt = 0.4 * pb.op->max_stable_dt(0.0);
  double total = 0.0, runs = 0.0;
  for (auto _ : state) {
    double s = 0.0;
    state.counters["steps"] = step_to_residual(c, dt, 1e-6, s);
    total += s;
    runs += 1.0;
  }
  finish(state, "explicit (ssprk3 cfl 0.4, to 1e-6)", total, runs);
}

BENCHMARK(BM_direct)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_implicit)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_explicit)->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(1);

void print_ratios() {
  const auto& s = seconds();
  if (!s.count("direct")) return;
  fmt::print("\n{:<44} {:>10} {:>10}\n", "route", "n", "s / direct");
  for (const auto& [route, by_n] : s)
    for (const auto& [n, sec] : by_n)
      if (s.at("direct").count(n))
        fmt::print("{:<44} {:>10} {:>10.1f}   ({:.3f} s)\n", route, n, sec / s.at("direct").at(n),
                   sec);
  if (s.at("direct").count(256))
    fmt::print("direct at 256²: {:.3f} s, {:.1f}x faster than fplanck's 4.9 s (target >= 10x)\n",
               s.at("direct").at(256), 4.9 / s.at("direct").at(256));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_ratios();
  return 0;
}
