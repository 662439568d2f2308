// Implicit finite-volume integrators at 256², 512², 1024² (issue #3): the cost of assembling the
// operator as a sparse matrix (first call with its pattern, later calls values only), of the
// SparseLU factorisation of I − c·dt·A (symbolic analysis, numeric factorisation), and of one
// step of each implicit/IMEX integrator once its factorisation is cached — each against one
// explicit stage (explicit_rhs) of the same operator measured in the same run, so that the
// ratio says how many explicit stages one implicit step costs.
//
// Sample runs:
//   OMP_PROC_BIND=true bench_implicit
//   OMP_PROC_BIND=true bench_implicit --benchmark_filter=/512
// The OU operator (f = −x, D = I, zero-flux walls): chang_cooper for the fully implicit ones,
// upwind for IMEX (which keeps the drift explicit and so cannot use the fused exponential flux).
#include <benchmark/benchmark.h>

#include <Eigen/SparseLU>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/problem.hpp"
#include "solver/time/integrator.hpp"

namespace {

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
  for (auto _ : state) {
    fplab::SparseMatrix A;  // empty: pattern, colouring and values
    s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
    benchmark::DoNotOptimize(A.valuePtr());
  }
}

void assemble_values(benchmark::State& state) {
  auto s = ou_setup(static_cast<int>(state.range(0)), "chang_cooper");
  std::vector<double> b(s->u.size());
  fplab::SparseMatrix A;
  s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);
  for (auto _ : state) {
    s->op->assemble(fplab::ImplicitPart::whole, 0.0, A, b);  // what a schedule pays per step
    benchmark::DoNotOptimize(A.valuePtr());
  }
  state.counters["nnz"] = double(A.nonZeros());
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
  sizes(benchmark::RegisterBenchmark("step/imex_ars222", implicit_step,
                                     std::string("imex_ars222"), std::string("upwind")));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
