// Cost of a reverse Fokker–Planck stage per score source against a forward stage of the same case
// (targets: exact ≤ 1.5×, tabulated ≤ 2×, learned with time_nodes ≤ 3×), at 128² and 512², in
// one run. The learned sources are there when libtorch is (fplab_learned). The case is
// the round trip of cases/mixture_reverse_exact.yaml: a three-Gaussian mixture under OU, λ = 1,
// MUSCL fluxes. A forward stage reuses its steady face drifts; a reverse stage recomputes them
// (the score changes with time), so each reverse stage is taken at a new time.
//
// Sample runs:
//   OMP_PROC_BIND=true bench_reverse
//   OMP_PROC_BIND=true bench_reverse --benchmark_filter=512
// Counters: cell_updates_per_s; ratio (the ratio/* benchmarks): a reverse stage's time over a
// forward stage's, measured in interleaved blocks; the table at the end lists the ratios.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/problem.hpp"
#include "solver/score/grid_score.hpp"
#include "solver/simulation.hpp"
#ifdef FPLAB_BENCH_LEARNED  // built with libtorch: the learned score too
#include <filesystem>

#include "solver/learned/learned_score.hpp"
#include "solver/learned/train_score.hpp"
#endif

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

#ifdef FPLAB_BENCH_LEARNED
// A network as `fplab train-score` builds it (3 × 128 SiLU; one iteration, since the cost of an
// evaluation does not depend on the weights), evaluated per stage ("learned") or tabulated on
// the grid at 41 times ("learned_nodes", the case key time_nodes: 41).
std::shared_ptr<const fplab::ScoreField> learned_score(int n, bool nodes) {
  static std::shared_ptr<const fplab::ScoreField> net;
  if (!net) {
    fplab::CaseSpec c = reverse_case(n);
    c.train.iterations = 1;
    const std::string path =
        (std::filesystem::temp_directory_path() / "fplab_bench_score.pt").string();
    fplab::train_score(c, path, {});
    net = fplab::load_learned_score(path, 0.0);
  }
  if (!nodes) return net;
  const fplab::CaseSpec c = reverse_case(n);
  const fplab::Grid2D g{c.nx, c.ny, c.x0, c.x1, c.y0, c.y1};
  return std::make_shared<fplab::GridScore>(
      fplab::tabulate_score(*net, g, fplab::score_time_nodes(c.equation.T, 41)), "learned");
}
#endif

// A problem of the benchmark case, ready to take stages: source "forward", "exact" or "tabulated".
struct StageRig {
  fplab::CaseSpec spec;
  fplab::ProblemInputs in;
  fplab::Problem pb;
  std::vector<double> u, out;
  bool forward;
  double t = 0.5;

  StageRig(const std::string& source, int n)
      : spec(source == "forward" ? forward_case(n) : reverse_case(n)),
        in(inputs(source, n)),
        pb(fplab::make_problem(spec, in)),
        u(pb.grid.size()),
        out(pb.grid.size()),
        forward(source == "forward") {
    fplab::initial_state(spec, pb, in, u);
  }
  static fplab::ProblemInputs inputs(const std::string& source, int n) {
    fplab::ProblemInputs in;
    if (source == "tabulated") in.score = tabulated_score(n);
#ifdef FPLAB_BENCH_LEARNED
    if (source == "learned" || source == "learned_nodes")
      in.score = learned_score(n, source == "learned_nodes");
#endif
    return in;
  }
  // One explicit right-hand side; a reverse stage is taken at a new time (its drift is
  // recomputed at every new time, as in a run).
  void stage() {
    pb.op->explicit_rhs(u, t, out);
    if (!forward) t += 1e-9;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
};

void stage(benchmark::State& state, const std::string& source) {
  StageRig rig(source, static_cast<int>(state.range(0)));
  for (auto _ : state) rig.stage();
  state.counters["cell_updates_per_s"] = benchmark::Counter(
      double(rig.pb.grid.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// The ratio measured in pairs: each iteration times a block of forward stages and a block of
// reverse stages back to back, so that the machine's slow drifts (other load, clock) fall on
// both; the counter is the median of the blocks' ratios. This is the figure issue #9's targets
// are checked against.
void stage_ratio(benchmark::State& state, const std::string& source) {
  const int n = static_cast<int>(state.range(0));
  StageRig fwd("forward", n), rev(source, n);
  // ~16 stages at 512², 256 at 128²; one for a network evaluated at every stage (~0.1–1 s).
  const int block = source == "learned" ? 1 : std::max(1, (1 << 22) / (n * n));
  auto time_block = [&](StageRig& rig) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < block; ++k) rig.stage();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> ratios;
  for (auto _ : state) {
    const double f = time_block(fwd), r = time_block(rev);
    ratios.push_back(r / f);
    state.SetIterationTime(f + r);
  }
  std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
  state.counters["ratio"] = ratios[ratios.size() / 2];
}

// The score sources compared with a forward stage, and the targets they are held to.
const std::vector<std::pair<std::string, std::string>> kTargets = {
    {"exact", "target ≤ 1.5×"},
    {"tabulated", "target ≤ 2×"},
    {"learned_nodes", "target ≤ 3×"},
    {"learned", "no target: a network call per stage"}};

// Collects the ratio counters, to print them after the usual table.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (r.run_type == Run::RT_Iteration && r.counters.count("ratio"))
        ratios_[r.benchmark_name()] = r.counters.at("ratio");
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    fmt::print("\nreverse stage / forward stage (same case, same size; median of paired blocks):\n");
    for (const int n : {128, 512})
      for (const auto& [src, target] : kTargets) {
        const std::string prefix = fmt::format("ratio/{}/{}/", src, n);
        const auto r = ratios_.lower_bound(prefix);
        if (r != ratios_.end() && r->first.starts_with(prefix))
          fmt::print("  {:>4}²  {:<13}  {:.2f}×  ({})\n", n, src, r->second, target);
      }
  }

 private:
  std::map<std::string, double> ratios_;
};

}  // namespace

int main(int argc, char** argv) {
  for (const char* src : {"forward", "exact", "tabulated"})
    benchmark::RegisterBenchmark((std::string("stage/") + src).c_str(), stage, std::string(src))
        ->Arg(128)->Arg(512)->Unit(benchmark::kMicrosecond)->UseRealTime();
  std::vector<std::string> sources = {"exact", "tabulated"};
#ifdef FPLAB_BENCH_LEARNED
  sources.insert(sources.end(), {"learned_nodes", "learned"});
#endif
  for (const auto& src : sources)
    benchmark::RegisterBenchmark(("ratio/" + src).c_str(), stage_ratio, src)
        ->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(3.0);
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
