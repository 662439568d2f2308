// Cost of one spectral time step (Fourier pseudo-spectral Ornstein–Uhlenbeck, etdrk4 / if_rk4)
// against the cost of the FFTW transforms that step executes, at 256² … 2048² (issue #4: the
// ratio must stay ≤ 1.3 at 1024², i.e. everything but the FFTs costs at most 30 % on top).
//
// Sample runs:
//   bench_spectral                                   # all sizes; step_vs_fft rows hold the ratio
//   bench_spectral --benchmark_filter=step_vs_fft    # only the interleaved ratio measurement
// The program re-executes itself with OMP_PROC_BIND=close (and OMP_PLACES=cores) unless they are
// set: unpinned 2-thread FFTW was up to 4× slower (PLATFORM.md). FFTW_MEASURE plans are cached as
// wisdom under $XDG_CACHE_HOME/fplab (the first run at 2048² spends a while planning).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/equations/equation.hpp"
#include "solver/spectral/spectral_operator.hpp"
#include "solver/time/exponential.hpp"

namespace {

using fplab::AlignedVector;

// The OU case of cases/ou_spectral.yaml (f = −x, D = I, N((1.5, −1), 0.25 I)) at n × n.
struct Setup {
  fplab::CaseSpec spec;
  fplab::Grid2D grid;
  std::unique_ptr<fplab::Equation> eq;
  std::unique_ptr<fplab::FourierOperator> op;
  std::vector<double> u0;
  double dt = 0.0;
  // Buffers for the transform-only measurement: real and coefficient arrays like the step's.
  AlignedVector real_a, real_b, real_c, coef_a, coef_b;

  explicit Setup(int n) {
    spec.x0 = spec.y0 = -9.0;
    spec.x1 = spec.y1 = 9.0;
    spec.nx = spec.ny = n;
    spec.boundary = "periodic";
    spec.equation.type = "fokker_planck";
    spec.initial.means = {fplab::Vec2(1.5, -1.0)};
    spec.initial.covs = {0.25 * fplab::Mat2::Identity()};
    spec.solver.method = "spectral";
    grid = {n, n, spec.x0, spec.x1, spec.y0, spec.y1};
    eq = fplab::make_equation(spec);
    fplab::SpectralOptions opt;
    opt.planning = fplab::FftwPlanning::measure;
    opt.linear_exact = true;
    op = std::make_unique<fplab::FourierOperator>(*eq, grid, opt);
    u0.resize(grid.size());
    fplab::mixture_from_spec(spec.initial).point_values(grid, u0);
    dt = 0.4 * op->max_stable_dt(0.0);
    real_a.assign(grid.size(), 0.0);
    real_b.assign(grid.size(), 0.0);
    real_c.assign(grid.size(), 0.0);
    coef_a.assign(op->coefficient_size(), 0.0);
    coef_b.assign(op->coefficient_size(), 0.0);
    for (std::size_t k = 0; k < grid.size(); ++k) real_a[k] = u0[k];
  }

  // The FFTW work of one etdrk4 or if_rk4 step, on the same plans: v = T u (1 r2c that keeps
  // its input), N(u) from values (2 r2c of scratch products), three N(stage) (c2r + 2 scratch
  // r2c each), u = T⁻¹ v_new (1 c2r): 9 r2c + 4 c2r. Inputs that a transform destroys are
  // refreshed untimed before it, so every transform sees realistic data. Returns the seconds
  // spent inside FFTW.
  double transforms() {
    using Clock = std::chrono::steady_clock;
    auto& tr = op->transform();
    double sec = 0.0;
    auto timed = [&](auto f) {
      const auto t0 = Clock::now();
      f();
      sec += std::chrono::duration<double>(Clock::now() - t0).count();
    };
    timed([&] { tr.execute_r2c(real_a.data(), coef_a.data()); });
    for (int k = 0; k < 8; ++k) {
      real_c = real_a;
      timed([&] { tr.execute_r2c_scratch(real_c.data(), coef_a.data()); });
    }
    for (int k = 0; k < 4; ++k) {
      coef_b = coef_a;
      timed([&] { tr.execute_c2r(coef_b.data(), real_b.data()); });
    }
    return sec;
  }
};

Setup& setup(int n) {
  static std::map<int, std::unique_ptr<Setup>> cache;
  auto& s = cache[n];
  if (!s) s = std::make_unique<Setup>(n);
  return *s;
}

void set_cells(benchmark::State& state, const Setup& s) {
  state.counters["cells/s"] =
      benchmark::Counter(double(s.grid.size()) * state.iterations(), benchmark::Counter::kIsRate);
}

void bench_step(benchmark::State& state, const char* name) {
  Setup& s = setup(static_cast<int>(state.range(0)));
  auto integ = fplab::make_exponential_integrator(name);
  integ->init(*s.op);
  std::vector<double> u = s.u0;
  double t = 0.0;
  for (auto _ : state) {
    integ->step(*s.op, t, s.dt, u);
    t += s.dt;
    benchmark::DoNotOptimize(u.data());
  }
  set_cells(state, s);
}

void step_etdrk4(benchmark::State& state) { bench_step(state, "etdrk4"); }
void step_if_rk4(benchmark::State& state) { bench_step(state, "if_rk4"); }

void fft_per_step(benchmark::State& state) {
  Setup& s = setup(static_cast<int>(state.range(0)));
  for (auto _ : state) state.SetIterationTime(s.transforms());
  set_cells(state, s);
}

// Step and transforms interleaved in one loop, so both see the same memory bandwidth and the
// same neighbours on the shared machine (bandwidth drifts by up to 1.7×): each iteration yields
// one ratio, and the median ratio is the figure of merit (ratio_best: best step / best FFT set).
// ratio_in_step divides the step by the FFTW time measured inside that very step.
void step_vs_fft(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  Setup& s = setup(static_cast<int>(state.range(0)));
  auto integ = fplab::make_exponential_integrator("etdrk4");
  integ->init(*s.op);
  auto& tr = s.op->transform();
  std::vector<double> u = s.u0;
  std::vector<double> step_s, fft_s, inside_s, ratio, ratio_inside;
  step_s.reserve(1 << 16);
  fft_s.reserve(1 << 16);
  inside_s.reserve(1 << 16);
  long transforms_per_step = 0;
  double t = 0.0;
  tr.set_timing(true);
  for (auto _ : state) {
    tr.reset_timing();
    const auto t0 = Clock::now();
    integ->step(*s.op, t, s.dt, u);
    const auto t1 = Clock::now();
    const double inside = tr.transform_seconds();
    transforms_per_step = tr.transform_count();
    tr.set_timing(false);
    const double fft = s.transforms();
    tr.set_timing(true);
    t += s.dt;
    if (step_s.size() < step_s.capacity()) {
      step_s.push_back(std::chrono::duration<double>(t1 - t0).count());
      fft_s.push_back(fft);
      inside_s.push_back(inside);
    }
    benchmark::DoNotOptimize(u.data());
  }
  tr.set_timing(false);
  for (std::size_t k = 0; k < step_s.size(); ++k) {
    ratio.push_back(step_s[k] / fft_s[k]);
    ratio_inside.push_back(step_s[k] / inside_s[k]);
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  state.counters["step_ms"] = 1e3 * median(step_s);
  state.counters["fft_ms"] = 1e3 * median(fft_s);
  state.counters["ratio"] = median(ratio);
  state.counters["ratio_best"] = *std::min_element(step_s.begin(), step_s.end()) /
                                 *std::min_element(fft_s.begin(), fft_s.end());
  // The same split inside the step itself: time in FFTW during the step (its own 13 transforms,
  // in the cache state the step leaves them) against the whole step.
  state.counters["fft_in_step_ms"] = 1e3 * median(inside_s);
  state.counters["ratio_in_step"] = median(ratio_inside);
  state.counters["transforms"] = double(transforms_per_step);
}

const std::vector<long> sizes{256, 512, 1024, 2048};

void sized(benchmark::internal::Benchmark* b) {
  for (long n : sizes) b->Arg(n);
  b->Unit(benchmark::kMillisecond);
}

BENCHMARK(step_etdrk4)->Apply(sized)->UseRealTime();
BENCHMARK(step_if_rk4)->Apply(sized)->UseRealTime();
BENCHMARK(fft_per_step)->Apply(sized)->UseManualTime();
BENCHMARK(step_vs_fft)->Apply(sized)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // OpenMP reads its environment when the runtime loads, so pinning needs a fresh process.
  if (!std::getenv("OMP_PROC_BIND")) {
    setenv("OMP_PROC_BIND", "close", 1);
    if (!std::getenv("OMP_PLACES")) setenv("OMP_PLACES", "cores", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then run unpinned
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
