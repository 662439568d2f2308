// Cost of a reverse Fokker–Planck stage per score source against a forward stage of the same case
// (issue #9 targets: exact ≤ 1.5×, tabulated ≤ 2×), at 128² and 512², in one run. The case is
// the round trip of cases/mixture_reverse_exact.yaml: a three-Gaussian mixture under OU, λ = 1,
// MUSCL fluxes. A forward stage reuses its steady face drifts; a reverse stage recomputes them
// (the score changes with time), so each reverse stage is taken at a new time.
//
// Sample runs:
//   OMP_PROC_BIND=true bench_reverse
//   OMP_PROC_BIND=true bench_reverse --benchmark_filter=512
// Counters: cell_updates_per_s; the table at the end: each reverse stage's time over the forward
// stage's at the same size.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/problem.hpp"
#include "solver/score/grid_score.hpp"
#include "solver/simulation.hpp"

namespace {

fplab::DensitySpec mixture_data() {
  fplab::DensitySpec d;
  d.type = "mixture";
  d.weights = {0.3, 0.3, 0.4};
  d.means = {fplab::Vec2(-2.0, 1.0), fplab::Vec2(2.0, 1.5), fplab::Vec2(0.0, -2.0)};
  fplab::Mat2 a, b, c;
  a << 0.3, 0.1, 0.1, 0.2;
  b << 0.25, 0, 0, 0.25;
  c << 0.4, -0.1, -0.1, 0.2;
  d.covs = {a, b, c};
  return d;
}

fplab::CaseSpec forward_case(int n) {
  fplab::CaseSpec c;  // defaults: OU (C = D = I, constant schedule) on [−6, 6]², zero flux
  c.nx = c.ny = n;
  c.solver.scheme = "muscl";
  c.initial = mixture_data();
  c.time.t_end = 2.0;
  c.time.output_every = 0.05;
  return c;
}

fplab::CaseSpec reverse_case(int n) {
  fplab::CaseSpec c = forward_case(n);
  c.equation.type = "reverse_fokker_planck";
  c.equation.T = 2.0;
  c.equation.lambda = 1.0;
  c.equation.score.has_data = true;
  c.equation.score.data = mixture_data();
  c.initial = fplab::DensitySpec{};  // the prior N(0, I)
  return c;
}

// The score of a forward run tabulated in memory (what a `tabulated` source reads from result.h5).
class ScoreRecorder final : public fplab::OutputSink {
 public:
  void begin(const fplab::RunInfo& info) override {
    g_ = info.grid;
    table_ = {g_.nx, g_.ny, g_.xc(0), g_.yc(0), g_.dx(), g_.dy(), {}, {}, {}};
  }
  void write(const fplab::Snapshot& s) override {
    std::vector<double> sx(g_.size()), sy(g_.size());
    fplab::score_from_density(g_, s.density, sx, sy);
    table_.times.push_back(s.t);
    table_.sx.insert(table_.sx.end(), sx.begin(), sx.end());
    table_.sy.insert(table_.sy.end(), sy.begin(), sy.end());
  }
  void end(const fplab::RunSummary&) override {}
  fplab::ScoreTable table_;

 private:
  fplab::Grid2D g_;
};

std::shared_ptr<const fplab::ScoreField> tabulated_score(int n) {
  static std::map<int, std::shared_ptr<const fplab::ScoreField>> cache;
  if (!cache[n]) {
    ScoreRecorder rec;
    fplab::OutputSink* sinks[] = {&rec};
    fplab::SimulationOptions quiet;
    quiet.progress = false;
    fplab::simulate(forward_case(n), sinks, quiet);
    cache[n] = std::make_shared<fplab::GridScore>(rec.table_, "tabulated in memory");
  }
  return cache[n];
}

// One explicit right-hand side of the problem; `moving`: each at a new time.
void stage(benchmark::State& state, const std::string& source) {
  const int n = static_cast<int>(state.range(0));
  fplab::ProblemInputs in;
  const bool forward = source == "forward";
  if (source == "tabulated") in.score = tabulated_score(n);
  const fplab::CaseSpec c = forward ? forward_case(n) : reverse_case(n);
  fplab::Problem pb = fplab::make_problem(c, in);
  std::vector<double> u(pb.grid.size()), out(pb.grid.size());
  fplab::initial_state(c, pb, in, u);
  double t = 0.5;
  for (auto _ : state) {
    pb.op->explicit_rhs(u, t, out);
    if (!forward) t += 1e-9;  // the reverse drift is recomputed at every new time
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["cell_updates_per_s"] =
      benchmark::Counter(double(pb.grid.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// Collects each run's real time per iteration, to print the ratios after the usual table.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (r.run_type == Run::RT_Iteration)
        seconds_[r.benchmark_name()] = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    fmt::print("\nreverse stage / forward stage (same case, same size):\n");
    for (const int n : {128, 512}) {
      const auto f = seconds_.find(fmt::format("stage/forward/{}/real_time", n));
      if (f == seconds_.end()) continue;
      for (const char* src : {"exact", "tabulated"}) {
        const auto r = seconds_.find(fmt::format("stage/{}/{}/real_time", src, n));
        if (r != seconds_.end())
          fmt::print("  {:>4}²  {:<9}  {:.2f}×\n", n, src, r->second / f->second);
      }
    }
  }

 private:
  std::map<std::string, double> seconds_;
};

}  // namespace

int main(int argc, char** argv) {
  for (const char* src : {"forward", "exact", "tabulated"})
    benchmark::RegisterBenchmark((std::string("stage/") + src).c_str(), stage, std::string(src))
        ->Arg(128)->Arg(512)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
