// Explicit finite-volume stage throughput per flux scheme at 256² to 2048², with two
// references measured in the same run: one explicit_rhs evaluation of the OU operator (drift +
// diffusion, zero-flux walls) against
//  - plain/<scheme>: the same face flux in the plainest fused loop (interior cells only, the
//    drift −x computed on the fly, each face computed from both sides, no walls), what a
//    hand-written kernel for this one problem reaches;
//  - triad: a STREAM-style a = b + s·c over the state, the memory-bandwidth ceiling;
//  - stage_variable_D/<scheme>: the same OU stage with D written as expressions ("1", "0", "1"),
//    which takes the space-dependent path (K and the Itô drift per face, stored velocities):
//    its time over stage/<scheme> is the price of D(x) (the face values, once, not counted);
//  - stage_expression_drift/<scheme>: the OU drift written as expressions ("-x", "-y"), whose
//    face velocities are stored as any non-linear drift's are: the fairer reference for D(x),
//    whose drift (with the Itô term) is stored too.
//
// Sample runs:
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=true bench_fv
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=true bench_fv --benchmark_filter=1024
// Counters: cell_updates_per_s (cells / time of one stage); for the triad, bytes_per_s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/fv/flux_scheme.hpp"
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

enum class Variant { ou, variable_D, expression_drift };

void stage(benchmark::State& state, const std::string& scheme, Variant variant) {
  const int n = static_cast<int>(state.range(0));
  auto c = ou_case(n, scheme);
  if (variant == Variant::variable_D) c.equation.D_expr = {"1", "0", "1"};
  if (variant == Variant::expression_drift) {
    c.equation.drift.type = "expression";
    c.equation.drift.fx = "-x";
    c.equation.drift.fy = "-y";
  }
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

// The plain fused loop of one face flux F(v, LL, L, R, RR, w) − (R − L)/h on OU (f = −x, D = I,
// [−6, 6]²): every interior cell computes its four faces itself.
template <class Flux>
void plain_loop(const std::vector<double>& u, std::vector<double>& out, int n, const double* wx,
                const double* wy, Flux flux) {
  const double h = 12.0 / n, inv_h = 1.0 / h, x0 = -6.0;
#pragma omp parallel for schedule(static)
  for (int j = 2; j < n - 2; ++j) {
    const double* p = u.data() + static_cast<std::size_t>(j) * n;
    const double* wxr = wx + static_cast<std::size_t>(j) * (n + 1);
    const double* wyr = wy + static_cast<std::size_t>(j) * n;
    const double vy_lo = -(x0 + j * h), vy_hi = -(x0 + (j + 1) * h);
    double* o = out.data() + static_cast<std::size_t>(j) * n;
#pragma omp simd
    for (int i = 2; i < n - 2; ++i) {
      const double F_lo = flux(-(x0 + i * h), p[i - 2], p[i - 1], p[i], p[i + 1], wxr[i]);
      const double F_hi = flux(-(x0 + (i + 1) * h), p[i - 1], p[i], p[i + 1], p[i + 2], wxr[i + 1]);
      const double G_lo = flux(vy_lo, p[i - 2 * n], p[i - n], p[i], p[i + n], wyr[i]);
      const double G_hi = flux(vy_hi, p[i - n], p[i], p[i + n], p[i + 2 * n], wyr[i + n]);
      o[i] = -(F_hi - F_lo) * inv_h - (G_hi - G_lo) * inv_h;
    }
  }
}

void plain(benchmark::State& state, const std::string& scheme) {
  const int n = static_cast<int>(state.range(0));
  const double h = 12.0 / n;
  std::vector<double> u(static_cast<std::size_t>(n) * n), out(u.size());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const double x = -6.0 + (i + 0.5) * h - 1.5, y = -6.0 + (j + 0.5) * h + 1.0;
      u[static_cast<std::size_t>(j) * n + i] = std::exp(-2.0 * (x * x + y * y));
    }
  // Bernoulli weights B(|Pe|) of the faces (Pe = v h, K = 1), stored as the operator stores them.
  std::vector<double> wx(static_cast<std::size_t>(n + 1) * n), wy(wx.size());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= n; ++i) {
      wx[static_cast<std::size_t>(j) * (n + 1) + i] = fplab::bernoulli(std::abs((-6.0 + i * h) * h));
      wy[static_cast<std::size_t>(i) * n + j] = fplab::bernoulli(std::abs((-6.0 + i * h) * h));
    }
  const double c = 1.0 / h;
  auto run = [&](auto flux) {
    for (auto _ : state) {
      plain_loop(u, out, n, wx.data(), wy.data(), flux);
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  };
  auto van_leer = [](double a, double b) { return a * b > 0.0 ? 2.0 * a * b / (a + b) : 0.0; };
  if (scheme == "upwind")
    run([=](double v, double, double L, double R, double, double) {
      return std::max(v, 0.0) * L + std::min(v, 0.0) * R - c * (R - L);
    });
  else if (scheme == "central")
    run([=](double v, double, double L, double R, double, double) {
      return 0.5 * v * (L + R) - c * (R - L);
    });
  else if (scheme == "muscl")
    run([=](double v, double LL, double L, double R, double RR, double) {
      const double pl = L + 0.5 * van_leer(L - LL, R - L), pr = R - 0.5 * van_leer(R - L, RR - R);
      return std::max(v, 0.0) * pl + std::min(v, 0.0) * pr - c * (R - L);
    });
  else  // chang_cooper: (K/h)[B(−Pe) L − B(Pe) R], B(−|Pe|) = B(|Pe|) + |Pe|
    run([=](double v, double, double L, double R, double, double w) {
      const double pe = v * h, big = w + std::abs(pe);
      return c * ((pe >= 0.0 ? big : w) * L - (pe >= 0.0 ? w : big) * R);
    });
  state.counters["cell_updates_per_s"] =
      benchmark::Counter(double(u.size()), benchmark::Counter::kIsIterationInvariantRate);
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
  for (const auto& scheme : fplab::flux_scheme_names()) {
    benchmark::RegisterBenchmark(("stage/" + scheme).c_str(), stage, scheme, Variant::ou)
        ->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("stage_expression_drift/" + scheme).c_str(), stage, scheme,
                                 Variant::expression_drift)
        ->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("stage_variable_D/" + scheme).c_str(), stage, scheme,
                                 Variant::variable_D)
        ->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("plain/" + scheme).c_str(), plain, scheme)
        ->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark("triad", triad)
      ->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
