// The linear solves of the implicit and IMEX integrators: x = (I − c A)⁻¹ r, with A the assembled
// sparse operator (its values may change with t on a fixed pattern) and c > 0 the step's
// coefficient (h, h/2, γh, ...). Two methods, chosen by solver.linear_solver (docs/reference.md
// §2):
//   lu       — Eigen::SparseLU of I − cA. The two most recently used factorisations are kept,
//              keyed by c and by A's values: a fixed step reuses one for the whole run, the
//              shorter step that lands on an output time costs one more; an A that changes
//              with t is re-factorised numerically at every new t (the symbolic analysis of the
//              first is reused). Fill-in makes it superlinear: 1024² holds ~154M non-zeros.
//   bicgstab — BiCGSTAB (van der Vorst 1992) right-preconditioned by the diagonal of I − cA
//              (Jacobi), started from the x it is given (the integrators pass the last step's
//              solution; extrapolating from the last two saved under 10% of the iterations at
//              256²–1024², not worth a vector), on preallocated vectors, with OpenMP
//              row-parallel products over a row-major copy of A (sparse_rows.hpp). Eigen's
//              IncompleteLUT as preconditioner cut the iterations but its serial triangular
//              solves made every solve slower than Jacobi's at 512² and 1024². It stops when
//              ‖r − (I − cA) x‖₁ ≤ tolerance · ‖r‖₁ (solver.tolerance, see linear_solve.cpp);
//              the iterate is then corrected onto the exact solution's mass (to round-off).
//   auto     — from bench_implicit's measurements (README, "Benchmarks"): for an A that changes
//              with t, bicgstab (a numeric factorisation per step costs tens of solves); for a
//              fixed A, lu up to 128² unknowns, else bicgstab — up to 512², lu from the fourth
//              solve on when the first three took more than auto_lu_iterations(n) iterations on
//              average. When BiCGSTAB fails to converge, auto factorises (lu) from then on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/operator.hpp"
#include "solver/time/sparse_rows.hpp"

namespace fplab {

enum class LinearSolver { automatic, lu, bicgstab };

// The names of solver.linear_solver: auto, lu, bicgstab.
const std::vector<std::string>& linear_solver_names();
LinearSolver linear_solver_from_name(const std::string& name);  // InputError if unknown
std::string linear_solver_name(LinearSolver s);

// What auto starts with for I − cA of n unknowns whose values do (varies) or do not change with t.
LinearSolver automatic_linear_solver(std::size_t n, bool varies);
// For a fixed A of n unknowns: the mean iterations of BiCGSTAB's first solves above which auto
// factorises instead (0: at once; ∞: never).
double auto_lu_iterations(std::size_t n);

class ShiftedSolver {
 public:
  ShiftedSolver();
  ~ShiftedSolver();
  ShiftedSolver(const ShiftedSolver&) = delete;
  ShiftedSolver& operator=(const ShiftedSolver&) = delete;

  // A: the assembled matrix with a structural diagonal, kept by reference (its values may change
  // between solves: call values_changed()); varies: whether they will.
  void init(const SparseMatrix& A, bool varies, LinearSolver choice, double tolerance);
  // A's values changed (same pattern).
  void values_changed();
  // x = (I − cA)⁻¹ r. On entry x holds the initial guess of the iterative solve; r and x may not
  // alias. t is only named in error messages. Does not allocate with bicgstab.
  void solve(double t, double c, std::span<const double> r, std::span<double> x);

  LinearSolver method() const { return method_; }  // lu or bicgstab (what auto chose)
  int last_iterations() const { return iterations_; }  // of the last solve (0 with lu)
  std::uint64_t total_iterations() const { return total_iterations_; }

 private:
  struct Factors;  // the LU factorisations (Eigen::SparseLU), made on first use
  void solve_lu(double t, double c, std::span<const double> r, std::span<double> x);
  bool solve_bicgstab(double c, std::span<const double> r, std::span<double> x);
  bool iterate(double c, std::span<const double> r, std::span<double> x);
  void drop_iterative();  // to lu: frees the iterative solve's storage
  // y = (I − cA) x on the row-major copy; returns Σ w_i y_i (w may be null: 0).
  double apply(double c, const double* x, double* y, const double* w) const;

  const SparseMatrix* A_ = nullptr;
  std::size_t n_ = 0;
  bool varies_ = false;
  LinearSolver choice_ = LinearSolver::automatic, method_ = LinearSolver::lu;
  double tol_ = 1e-10;
  std::vector<Eigen::Index> diag_;  // position of A_ii in A's values
  std::uint64_t version_ = 0;       // counts values_changed()
  std::unique_ptr<Factors> factors_;
  // bicgstab: A by rows, where each of A's values goes in it (only when A varies),
  // 1/(1 − c a_ii), A's column sums.
  RowMajorMatrix rows_;
  std::vector<Eigen::Index> to_row_;
  std::vector<double> dinv_, colsum_;
  double dinv_c_ = 0.0;
  std::uint64_t dinv_version_ = ~std::uint64_t{0};
  std::vector<double> res_, shadow_, p_, v_, y_, z_, t_;
  int iterations_ = 0;
  std::uint64_t total_iterations_ = 0;
  bool probing_ = false;  // auto: the first solves decide between bicgstab and lu
  int probe_solves_ = 0;
  std::uint64_t probe_iterations_ = 0;
};

}  // namespace fplab
