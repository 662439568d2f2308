// Particle throughput of `fplab sample` (target: forward Euler–Maruyama on OU at ≥ 50 M
// particle-steps/s on 2 threads), per scheme, against two ceilings measured in the same run:
//   rng    the random numbers alone: one Philox4x32 draw and one Box–Muller pair per particle
//          added into x, y — what every SDE step must pay whatever the drift;
//   triad  STREAM's triad a = b + h c over arrays as large as the particles' positions: the
//          memory bandwidth, reported in particle-step units (a step reads and writes x and y,
//          32 bytes a particle; the triad moves 24 bytes an element).
// The case: OU (f = −x, D = I) on [−6, 6]² with zero-flux walls (reflection), from
// N((1.5, −1), 0.25 I); the probability-flow ODE (heun, rk4) uses the exact score of that
// Gaussian's evolution. 2²⁰ particles: 16 MiB of positions, far beyond the caches.
//
// Sample run (the README's figures):
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=true build/bench/bench_particles
// Counters: particle_steps_per_s; ratio: a scheme's rate over the rng and triad ceilings, printed
// in the table at the end.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/equations/equation.hpp"
#include "solver/particles/particle_dynamics.hpp"
#include "solver/particles/particle_random.hpp"
#include "solver/particles/particle_stepper.hpp"
#include "solver/random.hpp"

namespace {

constexpr std::size_t kParticles = std::size_t{1} << 20;
constexpr double kDt = 1e-3;

std::map<std::string, double>& rates() {
  static std::map<std::string, double> r;
  return r;
}

fplab::CaseSpec ou_case(const std::string& flow) {
  fplab::CaseSpec c;  // defaults: OU (C = D = I, constant schedule) on [−6, 6]², zero flux
  c.initial.type = "gaussian";
  c.initial.means = {fplab::Vec2(1.5, -1.0)};
  c.initial.covs = {0.25 * fplab::Mat2::Identity()};
  c.time.t_end = 1.0;
  c.particles.flow = flow;
  return c;
}

// Exact draws from the start N((1.5, −1), 0.25 I), outside the timing.
fplab::Particles start_particles() {
  fplab::Particles p(kParticles);
  for (std::size_t k = 0; k < p.size(); ++k) {
    const auto w = fplab::particle_words(7, k, 0, fplab::Purpose::initial);
    const auto z = fplab::random::normal_pair(w[0], w[1]);
    p.x[k] = 1.5 + 0.5 * z.x;
    p.y[k] = -1.0 + 0.5 * z.y;
  }
  return p;
}

// Records the rate of a timed loop (wall clock, all threads) for the counter and the ratio table.
void finish(benchmark::State& state, const std::string& name, double particle_steps,
            std::chrono::steady_clock::time_point t0) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rates()[name] = particle_steps / seconds;
  state.counters["particle_steps_per_s"] =
      benchmark::Counter(particle_steps, benchmark::Counter::kIsRate);
  state.counters["threads"] = omp_get_max_threads();
  state.SetLabel(name);
}

void BM_scheme(benchmark::State& state, std::string scheme, std::string flow) {
  fplab::CaseSpec c = ou_case(flow);
  c.particles.scheme = scheme;
  const auto eq = fplab::make_equation(c);
  fplab::ParticleModel model = fplab::make_particle_model(c, *eq);
  const fplab::Grid2D g{c.nx, c.ny, c.x0, c.x1, c.y0, c.y1};
  fplab::ParticleStepper stepper(*model.dynamics, model.scheme, fplab::wall_of(c.boundary), g,
                                 c.particles.seed, kParticles);
  fplab::Particles p = start_particles();
  std::uint64_t step = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    stepper.step(p, static_cast<double>(step) * kDt, kDt, step);
    ++step;
    benchmark::ClobberMemory();
  }
  finish(state, scheme + " (" + flow + ")", static_cast<double>(step * kParticles), t0);
}

// The random numbers of an SDE step alone: Philox4x32 + Box–Muller, added into the positions.
void BM_rng_ceiling(benchmark::State& state) {
  fplab::Particles p = start_particles();
  const auto n = static_cast<std::int64_t>(p.size());
  std::uint64_t step = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (std::int64_t k = 0; k < n; ++k) {
      const auto z = fplab::noise_normals(0, static_cast<std::uint64_t>(k), step);
      p.x[k] += 1e-3 * z.x;
      p.y[k] += 1e-3 * z.y;
    }
    ++step;
    benchmark::ClobberMemory();
  }
  finish(state, "rng", static_cast<double>(step * kParticles), t0);
}

// STREAM triad over 2 × 2²⁰ elements (x and y together), converted to particle-steps at 32 bytes
// each (read x, y; write x, y) from its 24 bytes an element.
void BM_triad_ceiling(benchmark::State& state) {
  const auto n = static_cast<std::int64_t>(2 * kParticles);
  std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
  std::uint64_t sweeps = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
#pragma omp parallel for simd schedule(static)
    for (std::int64_t k = 0; k < n; ++k) a[k] = b[k] + 1e-3 * c[k];
    ++sweeps;
    benchmark::ClobberMemory();
  }
  // 24 bytes an element moved by the triad, 32 a particle-step.
  finish(state, "triad", static_cast<double>(sweeps) * static_cast<double>(n) * 24.0 / 32.0, t0);
}

BENCHMARK_CAPTURE(BM_scheme, euler_maruyama, "euler_maruyama", "sde")
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_scheme, weak2, "weak2", "sde")
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_scheme, heun_ode, "heun", "ode")
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_scheme, rk4_ode, "rk4", "ode")
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_rng_ceiling)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_triad_ceiling)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void print_ratios() {
  const auto& r = rates();
  if (!r.count("rng") || !r.count("triad")) return;
  fmt::print("\n{:<24} {:>12} {:>10} {:>10}\n", "scheme", "M steps/s", "/ rng", "/ triad");
  for (const auto& [name, rate] : r)
    if (name != "rng" && name != "triad")
      fmt::print("{:<24} {:>12.1f} {:>10.2f} {:>10.2f}\n", name, rate / 1e6, rate / r.at("rng"),
                 rate / r.at("triad"));
  fmt::print("{:<24} {:>12.1f}\n{:<24} {:>12.1f}\n", "rng ceiling", r.at("rng") / 1e6,
             "triad ceiling", r.at("triad") / 1e6);
  if (r.count("euler_maruyama (sde)"))
    fmt::print("euler_maruyama on OU: {:.1f} M particle-steps/s on {} threads (target ≥ 50)\n",
               r.at("euler_maruyama (sde)") / 1e6, omp_get_max_threads());
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
