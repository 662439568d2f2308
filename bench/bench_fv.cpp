// Explicit finite-volume stage throughput per flux scheme at 256², 512², 1024² (issue #3), with a
// memory-bandwidth reference measured in the same run: one explicit_rhs evaluation of the OU
// operator (drift + diffusion, zero-flux walls) against a STREAM-style triad over the state.
//
// Sample runs:
//   OMP_PROC_BIND=true bench_fv
//   OMP_PROC_BIND=true bench_fv --benchmark_filter=muscl
// Counters: cell_updates_per_s (cells / time of one stage); for the triad, bytes_per_s.
// The ratio stage/triad (both per cell) says how far a stage is from the bandwidth ceiling.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/problem.hpp"

namespace {

fplab::CaseSpec ou_case(int n, const std::string& scheme) {
  fplab::CaseSpec c;  // the defaults are the OU equation: f = −x, D = I, on [−6, 6]²
  c.nx = c.ny = n;
  c.solver.scheme = scheme;
  c.initial.means = {fplab::Vec2(1.5, -1.0)};
  c.initial.covs = {0.25 * fplab::Mat2::Identity()};
  return c;
}

void stage(benchmark::State& state, const std::string& scheme) {
  const int n = static_cast<int>(state.range(0));
  const auto c = ou_case(n, scheme);
  const fplab::Problem pb = fplab::make_problem(c);
  const fplab::Grid2D& g = pb.grid;
  const auto& op = pb.op;
  std::vector<double> u(g.size()), out(g.size());
  fplab::initial_state(c, pb, {}, u);
  for (auto _ : state) {
    op->explicit_rhs(u, 0.0, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["cell_updates_per_s"] =
      benchmark::Counter(double(g.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// a = b + s·c over n² doubles: the memory-bandwidth ceiling a stage (reads u, writes out) faces.
void triad(benchmark::State& state) {
  const std::size_t size = static_cast<std::size_t>(state.range(0)) * state.range(0);
  std::vector<double> a(size), b(size, 1.0), c(size, 2.0);
  for (auto _ : state) {
#pragma omp parallel for
    for (std::size_t k = 0; k < size; ++k) a[k] = b[k] + 0.5 * c[k];
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.counters["cell_updates_per_s"] =
      benchmark::Counter(double(size), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_s"] = benchmark::Counter(
      3.0 * sizeof(double) * size, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& scheme : fplab::flux_scheme_names())
    benchmark::RegisterBenchmark(("stage/" + scheme).c_str(), stage, scheme)
        ->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("triad", triad)
      ->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
