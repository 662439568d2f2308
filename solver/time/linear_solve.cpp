// x = (I − cA)⁻¹ r by SparseLU or Jacobi-preconditioned BiCGSTAB (see linear_solve.hpp).
//
// The iterative solve's tolerance is solver.tolerance (default 1e-10) on the relative residual in
// the 1-norm, ‖r − (I − cA) x‖₁ ≤ tol ‖r‖₁. Why that norm and that size:
//  - mass: Σ_i ((I − cA) x)_i = wᵀx with w the column sums of I − cA (all 1 for a conservative
//    A), so the iterate's mass misses the exact solution's by Σ residual ≤ tol ‖r‖₁ — tol times
//    the mass for a density — before the correction in solve_bicgstab takes it to round-off;
//  - accuracy: (I − cA)⁻¹ is a 1-norm contraction for the dissipative operators assembled here
//    (chang_cooper and upwind give column-diagonally dominant M-matrices), so a step's solve
//    error is ≤ tol ‖u‖₁ and n steps add at most n·tol: 1e-7 of the solution after 10⁴ steps at
//    the default, below the time error of the second-order schemes at the steps an implicit
//    integrator is run with (dt ≳ 10× the explicit bound; tests/convergence/test_orders.cpp
//    sees their design orders with bicgstab at 40 to 160 steps on 32²). Cases that want more
//    lower solver.tolerance (down to 1e-15).
#include "solver/time/linear_solve.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "solver/errors.hpp"

namespace fplab {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// BiCGSTAB iterations before a solve is declared failed (bench_implicit: 3 to 45 at 256²–1024²
// for CN steps of 20× the explicit bound to dt = 0.01).
constexpr int kMaxIterations = 2000;

// auto for a time-independent A (bench_implicit's table in the README, "Benchmarks"): up to
// kAutoLuCells unknowns LU at once (a factorisation of 128² takes ~0.15 s, a solve costs what
// BiCGSTAB's does, and LU's does not grow with dt); above, BiCGSTAB, whose first
// kAutoProbeSolves solves decide: more than kAutoLuIterations iterations per solve and auto
// factorises, up to kAutoIterateCells; beyond that never (1024²'s factors hold ~154M
// non-zeros, 1.8 GB, and take 15–50 s here: more memory than a default should claim).
// kAutoLuIterations: at 256²–1024² an LU solve costs 14–17 BiCGSTAB iterations and the factorisation, spread over a
// run of 100 steps, another 5–7, nearly independent of the size.
constexpr std::size_t kAutoLuCells = 128 * 128;
constexpr std::size_t kAutoIterateCells = 512 * 512;
constexpr double kAutoLuIterations = 20.0;
constexpr int kAutoProbeSolves = 3;

}  // namespace

const std::vector<std::string>& linear_solver_names() {
  static const std::vector<std::string> names{"auto", "lu", "bicgstab"};
  return names;
}

LinearSolver linear_solver_from_name(const std::string& name) {
  if (name == "auto") return LinearSolver::automatic;
  if (name == "lu") return LinearSolver::lu;
  if (name == "bicgstab") return LinearSolver::bicgstab;
  throw InputError("solver.linear_solver: expected one of auto, lu, bicgstab, got '" + name +
                   "'");
}

std::string linear_solver_name(LinearSolver s) {
  switch (s) {
    case LinearSolver::automatic:
      return "auto";
    case LinearSolver::lu:
      return "lu";
    case LinearSolver::bicgstab:
      return "bicgstab";
  }
  return "auto";
}

double auto_lu_iterations(std::size_t n) {
  if (n <= kAutoLuCells) return 0.0;
  if (n > kAutoIterateCells) return std::numeric_limits<double>::infinity();
  return kAutoLuIterations;
}

LinearSolver automatic_linear_solver(std::size_t n, bool varies) {
  return !varies && auto_lu_iterations(n) == 0.0 ? LinearSolver::lu : LinearSolver::bicgstab;
}

// The two most recently used factorisations of I − cA, keyed by c and A's values (version).
struct ShiftedSolver::Factors {
  struct Factor {
    std::unique_ptr<Eigen::SparseLU<SparseMatrix>> lu;
    double c = kNaN;
    std::uint64_t version = 0, used = 0;
  };
  SparseMatrix M;  // I − cA, A's pattern (the diagonal is structural)
  Factor cache[2];
  std::uint64_t clock = 0;
};

ShiftedSolver::ShiftedSolver() = default;
ShiftedSolver::~ShiftedSolver() = default;

void ShiftedSolver::init(const SparseMatrix& A, bool varies, LinearSolver choice,
                         double tolerance) {
  A_ = &A;
  n_ = static_cast<std::size_t>(A.rows());
  varies_ = varies;
  choice_ = choice;
  tol_ = tolerance;
  version_ = 0;
  iterations_ = 0;
  total_iterations_ = 0;
  diag_.assign(n_, -1);
  for (Eigen::Index col = 0; col < A.outerSize(); ++col)
    for (auto k = A.outerIndexPtr()[col]; k < A.outerIndexPtr()[col + 1]; ++k)
      if (A.innerIndexPtr()[k] == col) diag_[static_cast<std::size_t>(col)] = k;
  for (auto d : diag_)
    if (d < 0) throw std::logic_error("assembled operator without a structural diagonal");
  method_ = choice == LinearSolver::automatic ? automatic_linear_solver(n_, varies) : choice;
  probing_ = choice == LinearSolver::automatic && !varies && method_ == LinearSolver::bicgstab &&
             std::isfinite(auto_lu_iterations(n_));
  probe_solves_ = 0;
  probe_iterations_ = 0;
  factors_.reset();
  rows_ = RowMajorMatrix();
  to_row_.clear();
  for (auto* v : {&dinv_, &colsum_, &res_, &shadow_, &p_, &v_, &y_, &z_, &t_}) v->clear();
  if (method_ == LinearSolver::lu) return;

  rows_ = A;  // a transposing copy: every stored entry, explicit zeros included
  if (rows_.nonZeros() != A.nonZeros())
    throw std::logic_error("ShiftedSolver: the row-major copy lost entries");
  if (varies) {  // where each column-major value goes, to refresh the copy without allocating
    to_row_.resize(static_cast<std::size_t>(A.nonZeros()));
    std::vector<Eigen::Index> next(rows_.outerIndexPtr(), rows_.outerIndexPtr() + n_);
    for (Eigen::Index col = 0; col < A.outerSize(); ++col)
      for (auto k = A.outerIndexPtr()[col]; k < A.outerIndexPtr()[col + 1]; ++k)
        to_row_[static_cast<std::size_t>(k)] = next[static_cast<std::size_t>(A.innerIndexPtr()[k])]++;
  }
  for (auto* v : {&dinv_, &colsum_, &res_, &shadow_, &p_, &v_, &y_, &z_, &t_}) v->assign(n_, 0.0);
  dinv_version_ = ~std::uint64_t{0};
}

void ShiftedSolver::values_changed() {
  ++version_;
  if (method_ != LinearSolver::bicgstab) return;
  const double* a = A_->valuePtr();
  double* w = rows_.valuePtr();
  const auto nnz = static_cast<std::ptrdiff_t>(to_row_.size());
#pragma omp parallel for schedule(static) if (nnz >= kRowsParallelMin)
  for (std::ptrdiff_t k = 0; k < nnz; ++k) w[to_row_[static_cast<std::size_t>(k)]] = a[k];
}

void ShiftedSolver::solve(double t, double c, std::span<const double> r, std::span<double> x) {
  if (r.size() != n_ || x.size() != n_) throw std::logic_error("ShiftedSolver: wrong sizes");
  if (method_ == LinearSolver::lu) return solve_lu(t, c, r, x);
  if (solve_bicgstab(c, r, x)) {
    if (probing_ && ++probe_solves_ <= kAutoProbeSolves) {
      probe_iterations_ += static_cast<std::uint64_t>(iterations_);
      if (probe_solves_ < kAutoProbeSolves) return;
      probing_ = false;
      const double mean = double(probe_iterations_) / kAutoProbeSolves;
      if (mean <= auto_lu_iterations(n_)) return;
      spdlog::info(
          "solver.linear_solver auto: BiCGSTAB took {:.0f} iterations per solve, more than the "
          "{:.0f} that make SparseLU cheaper at {} unknowns; factorising from here on",
          mean, auto_lu_iterations(n_), n_);
      drop_iterative();
    }
    return;
  }
  const std::string why = fmt::format(
      "BiCGSTAB did not reach solver.tolerance = {:.3g} within {} iterations at t = {:.6g} "
      "(I - {:.4g}·A)",
      tol_, kMaxIterations, t, c);
  if (choice_ == LinearSolver::bicgstab)
    throw NumericalError(why + "; use solver.linear_solver: lu, or a smaller solver.dt");
  spdlog::warn("{}; factorising (SparseLU) from here on", why);
  drop_iterative();
  solve_lu(t, c, r, x);
}

void ShiftedSolver::drop_iterative() {
  method_ = LinearSolver::lu;
  probing_ = false;
  for (auto* v : {&dinv_, &colsum_, &res_, &shadow_, &p_, &v_, &y_, &z_, &t_})
    *v = std::vector<double>();
  rows_ = RowMajorMatrix();
  to_row_ = std::vector<Eigen::Index>();
}

void ShiftedSolver::solve_lu(double t, double c, std::span<const double> r,
                             std::span<double> x) {
  iterations_ = 0;
  if (!factors_) {
    factors_ = std::make_unique<Factors>();
    factors_->M = *A_;
  }
  Factors& fs = *factors_;
  ++fs.clock;
  Factors::Factor* f = nullptr;
  // A landing step whose h differs from the regular one by round-off (t_out − t after 99 steps
  // of 0.01) reuses its factorisation: the solve then differs by ~1e-12 relative, far below
  // any time error, where a new factorisation would cost 50 s and 2 GB at 1024².
  for (auto& g : fs.cache)
    if (g.lu && std::abs(g.c - c) <= 1e-12 * c && g.version == version_) f = &g;
  if (!f) {
    f = fs.cache[0].used <= fs.cache[1].used ? &fs.cache[0] : &fs.cache[1];  // least recent
    const double* a = A_->valuePtr();
    double* m = fs.M.valuePtr();
    for (Eigen::Index k = 0; k < A_->nonZeros(); ++k) m[k] = -c * a[k];
    for (auto d : diag_) m[d] += 1.0;
    if (!f->lu) {
      f->lu = std::make_unique<Eigen::SparseLU<SparseMatrix>>();
      f->lu->analyzePattern(fs.M);  // symbolic: once per slot, valid for every later M
    }
    f->lu->factorize(fs.M);
    if (f->lu->info() != Eigen::Success)
      throw NumericalError(fmt::format("the implicit system I - {:.4g}·A is singular at t = {:.6g}: {}",
                                       c, t, f->lu->lastErrorMessage()));
    f->c = c;
    f->version = version_;
  }
  f->used = fs.clock;
  const Eigen::Map<const Eigen::VectorXd> rv(r.data(), static_cast<Eigen::Index>(n_));
  Eigen::Map<Eigen::VectorXd> xv(x.data(), static_cast<Eigen::Index>(n_));
  xv = f->lu->solve(rv);  // Eigen's supernodal solve allocates a work vector per call
  if (f->lu->info() != Eigen::Success)
    throw NumericalError(fmt::format("the implicit solve failed at t = {:.6g}", t));
}

double ShiftedSolver::apply(double c, const double* x, double* y, const double* w) const {
  const auto n = static_cast<std::ptrdiff_t>(n_);
  return blocked_sums<1>(n, [&](std::ptrdiff_t lo, std::ptrdiff_t hi, std::array<double, 1>& s) {
    for (std::ptrdiff_t i = lo; i < hi; ++i) {
      y[i] = x[i] - c * row_product(rows_, i, x);
      if (w) s[0] += w[i] * y[i];
    }
  })[0];
}

// The iterate of BiCGSTAB, corrected onto the mass the exact solution has: with w = (I − cA)ᵀ1
// (w_j = 1 − c Σ_i A_ij), every solution of (I − cA) x = r has wᵀx = Σ_i r_i — for a conservative
// A (zero column sums) Σx = Σr, the mass the step should keep. The iterate misses it by
// Σ residual, ≤ tol ‖r‖₁; x_i += θ |x_i| with θ = (Σr − wᵀx)/(wᵀ|x|) restores it to round-off,
// keeps every sign (positivity of chang_cooper + backward_euler) and changes x by |θ| ‖x‖₁,
// within the tolerance. Mass is then conserved as with LU, whatever solver.tolerance.
bool ShiftedSolver::solve_bicgstab(double c, std::span<const double> r, std::span<double> x) {
  const auto n = static_cast<std::ptrdiff_t>(n_);
  if (dinv_c_ != c || dinv_version_ != version_) {  // 1/(1 − c a_ii); Σ_i a_ij
    const double* a = A_->valuePtr();
    const auto* outer = A_->outerIndexPtr();
    const Eigen::Index* diag = diag_.data();
    double *dinv = dinv_.data(), *colsum = colsum_.data();
#pragma omp parallel for schedule(static) if (n >= kRowsParallelMin)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const double d = 1.0 - c * a[diag[i]];
      dinv[i] = d != 0.0 ? 1.0 / d : 1.0;
      double sum = 0.0;
      for (auto k = outer[i]; k < outer[i + 1]; ++k) sum += a[k];
      colsum[i] = sum;
    }
    dinv_c_ = c;
    dinv_version_ = version_;
  }
  if (!iterate(c, r, x)) return false;
  const double* colsum = colsum_.data();
  double* xv = x.data();
  const auto m = blocked_sums<3>(n, [&](std::ptrdiff_t lo, std::ptrdiff_t hi,
                                        std::array<double, 3>& s) {
    for (std::ptrdiff_t i = lo; i < hi; ++i) {
      const double w = 1.0 - c * colsum[i];
      s[0] += r[static_cast<std::size_t>(i)];
      s[1] += w * xv[i];
      s[2] += w * std::abs(xv[i]);
    }
  });
  const double theta = (m[0] - m[1]) / m[2];
  if (std::isfinite(theta) && std::abs(theta) < 1e-3) {
#pragma omp parallel for schedule(static) if (n >= kRowsParallelMin)
    for (std::ptrdiff_t i = 0; i < n; ++i) xv[i] += theta * std::abs(xv[i]);
  }
  return true;
}

// Right-preconditioned BiCGSTAB (van der Vorst 1992; Saad, Iterative Methods, Alg. 7.7 with
// K = diag(I − cA)), each line of the algorithm fused into one pass over the vectors:
//   res = r − M x, r̂ = res, p = v = 0, ρ = α = ω = 1
//   repeat: ρ' = (r̂, res), β = (ρ'/ρ)(α/ω), p = res + β(p − ω v), y = K⁻¹p, v = M y,
//           α = ρ'/(r̂, v), s = res − α v, z = K⁻¹s, t = M z, ω = (t, s)/(t, t),
//           x += α y + ω z, res = s − ω t.
// Returns false when it did not converge within kMaxIterations.
bool ShiftedSolver::iterate(double c, std::span<const double> r, std::span<double> x) {
  const auto n = static_cast<std::ptrdiff_t>(n_);
  double *res = res_.data(), *sh = shadow_.data(), *p = p_.data(), *v = v_.data(),
         *y = y_.data(), *z = z_.data(), *tv = t_.data(), *xv = x.data();
  const double *rv = r.data(), *dinv = dinv_.data();
  using Sums1 = std::array<double, 1>;
  using Sums2 = std::array<double, 2>;
  using Sums3 = std::array<double, 3>;
  iterations_ = 0;

  // res = r − M x, r̂ = res, p = v = 0; returns {‖r‖₁, ‖res‖₁, (r̂, res)}.
  auto restart = [&] {
    apply(c, xv, tv, nullptr);
    return blocked_sums<3>(n, [&](std::ptrdiff_t lo, std::ptrdiff_t hi, Sums3& s) {
      for (std::ptrdiff_t i = lo; i < hi; ++i) {
        res[i] = rv[i] - tv[i];
        sh[i] = res[i];
        p[i] = v[i] = 0.0;
        s[0] += std::abs(rv[i]);
        s[1] += std::abs(res[i]);
        s[2] += res[i] * res[i];
      }
    });
  };
  Sums3 start = restart();
  if (start[0] == 0.0) {
    std::fill(x.begin(), x.end(), 0.0);
    return true;
  }
  const double target = tol_ * start[0];
  if (start[1] <= target) return true;
  constexpr double kEps2 = std::numeric_limits<double>::epsilon() *
                           std::numeric_limits<double>::epsilon();
  double shadow_sq = start[2], rho = start[2], rho_prev = 1.0, alpha = 1.0, omega = 1.0;
  int restarts = 0;
  while (iterations_ < kMaxIterations) {
    ++iterations_;
    ++total_iterations_;
    const double beta = (rho / rho_prev) * (alpha / omega);
#pragma omp parallel for schedule(static) if (n >= kRowsParallelMin)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      p[i] = res[i] + beta * (p[i] - omega * v[i]);
      y[i] = dinv[i] * p[i];
    }
    alpha = rho / apply(c, y, v, sh);  // v = M y, α = ρ/(r̂, v)
    if (!std::isfinite(alpha)) return false;
    const double s_norm = blocked_sums<1>(n, [&](std::ptrdiff_t lo, std::ptrdiff_t hi, Sums1& s) {
      for (std::ptrdiff_t i = lo; i < hi; ++i) {
        res[i] -= alpha * v[i];  // s
        z[i] = dinv[i] * res[i];
        s[0] += std::abs(res[i]);
      }
    })[0];
    if (s_norm <= target) {
#pragma omp parallel for schedule(static) if (n >= kRowsParallelMin)
      for (std::ptrdiff_t i = 0; i < n; ++i) xv[i] += alpha * y[i];
      return true;
    }
    const Sums2 ts = blocked_sums<2>(n, [&](std::ptrdiff_t lo, std::ptrdiff_t hi, Sums2& s) {
      for (std::ptrdiff_t i = lo; i < hi; ++i) {
        tv[i] = z[i] - c * row_product(rows_, i, z);  // t = M z
        s[0] += tv[i] * res[i];
        s[1] += tv[i] * tv[i];
      }
    });
    omega = ts[1] > 0.0 ? ts[0] / ts[1] : 0.0;
    const Sums2 next = blocked_sums<2>(n, [&](std::ptrdiff_t lo, std::ptrdiff_t hi, Sums2& s) {
      for (std::ptrdiff_t i = lo; i < hi; ++i) {
        xv[i] += alpha * y[i] + omega * z[i];
        res[i] -= omega * tv[i];
        s[0] += std::abs(res[i]);
        s[1] += sh[i] * res[i];
      }
    });
    if (!std::isfinite(next[0])) return false;
    if (next[0] <= target) return true;
    rho_prev = rho;
    rho = next[1];
    // Breakdown, (r̂, res) or ω vanishing (Eigen's test): restart from the true residual.
    if (omega == 0.0 || std::abs(rho) < kEps2 * shadow_sq) {
      if (++restarts > 20) return false;
      start = restart();
      if (start[1] <= target) return true;
      shadow_sq = rho = start[2];
      rho_prev = alpha = omega = 1.0;
    }
  }
  return false;
}

}  // namespace fplab
