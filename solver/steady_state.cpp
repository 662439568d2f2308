// Direct steady states (see steady_state.hpp).
#include "solver/steady_state.hpp"

#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <random>

#include "solver/errors.hpp"
#include "solver/wall_clock.hpp"

namespace fplab {
namespace {

using LU = Eigen::SparseLU<SparseMatrix, Eigen::NaturalOrdering<int>>;

using Permutation = Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int>;

// P M Pᵀ for M = A with row c replaced by s e_cᵀ (its other entries kept as explicit zeros; the
// diagonal exists structurally in every assembled operator), cell k becoming unknown P(k): built
// column by column in one pass (Eigen's generic sparse permutation product took 70 ms at 256²).
SparseMatrix pinned_permuted(const SparseMatrix& A, int c, double s, const Permutation& P) {
  const Eigen::Index n = A.rows();
  std::vector<int> from_new(static_cast<std::size_t>(n));
  for (Eigen::Index k = 0; k < n; ++k) from_new[static_cast<std::size_t>(P.indices()[k])] = static_cast<int>(k);
  SparseMatrix M(n, n);
  M.reserve(A.nonZeros());
  std::vector<std::pair<int, double>> column;
  for (Eigen::Index j = 0; j < n; ++j) {
    const int col = from_new[static_cast<std::size_t>(j)];
    column.clear();
    for (SparseMatrix::InnerIterator it(A, col); it; ++it) {
      const double v = it.row() == c ? (col == c ? s : 0.0) : it.value();
      column.emplace_back(P.indices()[it.row()], v);
    }
    std::sort(column.begin(), column.end());
    M.startVec(j);
    for (const auto& [row, v] : column) M.insertBack(row, j) = v;
  }
  M.finalize();
  return M;
}

// max_i |A_ii|: the pinned row's scale, so the replaced equation is as large as its neighbours.
double diagonal_scale(const SparseMatrix& A) {
  double s = 0.0;
  for (Eigen::Index k = 0; k < A.outerSize(); ++k) s = std::max(s, std::abs(A.coeff(k, k)));
  return s > 0.0 ? s : 1.0;
}

// ‖A‖∞: the largest absolute row sum.
double norm_inf(const SparseMatrix& A) {
  std::vector<double> rows(static_cast<std::size_t>(A.rows()), 0.0);
  for (Eigen::Index col = 0; col < A.outerSize(); ++col)
    for (SparseMatrix::InnerIterator it(A, col); it; ++it)
      rows[static_cast<std::size_t>(it.row())] += std::abs(it.value());
  return *std::max_element(rows.begin(), rows.end());
}

int argmax(std::span<const double> v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

// The fixed pseudo-random probe z of the estimate, uniform in [−1, 1].
void fill_probe(Eigen::Ref<Eigen::VectorXd> z) {
  std::mt19937_64 gen(20261203);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (Eigen::Index i = 0; i < z.size(); ++i) z[i] = u(gen);
}

// A second null vector of A makes the pinned matrix M singular; round-off may hide that from the
// pivots, not from ‖M⁻¹‖: ‖M⁻¹ z‖/‖z‖ for a fixed pseudo-random z (a lower bound of ‖M⁻¹‖, close
// to it for a generic z) times ‖M‖ estimates the condition number, ~10⁴–10⁷ for a well-posed
// problem on 64²–1024² and ~1/ε when the null space has more than one dimension. The solve of
// z goes through the factors together with the steady state's (one pass, two columns).
// x = M⁻¹ z.
void check_unique(const SparseMatrix& M, Eigen::Ref<const Eigen::VectorXd> z,
                  Eigen::Ref<const Eigen::VectorXd> x) {
  const double kappa = norm_inf(M) * x.cwiseAbs().maxCoeff() / z.cwiseAbs().maxCoeff();
  if (!(kappa < 1e12))
    throw NumericalError(fmt::format(
        "the steady state is not unique: the generator's null space has more than one "
        "dimension (condition number of the pinned system ~{:.1e}), as when the diffusion misses "
        "a direction the drift does not mix",
        kappa));
}

// Nested dissection of the nx × ny grid (George 1973): a block's two halves come first (each
// ordered so, recursively) and the line of cells between them last; a periodic grid puts its
// first column and row last of all (they carry the wrap's couplings). Eliminating in that order
// keeps the fill of a 2D grid to O(n log n): 4.7M non-zeros in L and U at 256², against 6.2M
// with SparseLU's own COLAMD ordering, and a 27 % faster factorisation.
void dissect(const Grid2D& g, int i0, int i1, int j0, int j1, std::vector<int>& order) {
  const int w = i1 - i0, h = j1 - j0;
  if (w <= 0 || h <= 0) return;
  if (w * h <= 4) {
    for (int j = j0; j < j1; ++j)
      for (int i = i0; i < i1; ++i) order.push_back(static_cast<int>(g.index(i, j)));
    return;
  }
  if (w >= h) {
    const int m = i0 + w / 2;
    dissect(g, i0, m, j0, j1, order);
    dissect(g, m + 1, i1, j0, j1, order);
    for (int j = j0; j < j1; ++j) order.push_back(static_cast<int>(g.index(m, j)));
  } else {
    const int m = j0 + h / 2;
    dissect(g, i0, i1, j0, m, order);
    dissect(g, i0, i1, m + 1, j1, order);
    for (int i = i0; i < i1; ++i) order.push_back(static_cast<int>(g.index(i, m)));
  }
}

Permutation nested_dissection(const Grid2D& g, bool periodic) {
  std::vector<int> order;
  order.reserve(g.size());
  const int first = periodic ? 1 : 0;
  dissect(g, first, g.nx, first, g.ny, order);
  if (periodic) {
    for (int i = 1; i < g.nx; ++i) order.push_back(static_cast<int>(g.index(i, 0)));
    for (int j = 0; j < g.ny; ++j) order.push_back(static_cast<int>(g.index(0, j)));
  }
  // P maps old index → new position: (P x)[k] = x[order[k]].
  Permutation P(static_cast<int>(g.size()));
  for (std::size_t k = 0; k < order.size(); ++k) P.indices()[order[k]] = static_cast<int>(k);
  return P;
}

// One pinned solve: p with A p = 0 off row c and p_c = 1, scaled to ∫p = 1.
Eigen::VectorXd pinned_solve(const SparseMatrix& A, int c, const Grid2D& g, bool periodic,
                             SteadyState& out) {
  const double s = diagonal_scale(A);
  const auto P = nested_dissection(g, periodic);
  const auto t0 = Clock::now();
  const SparseMatrix M = pinned_permuted(A, c, s, P);
  LU lu;
  lu.analyzePattern(M);
  lu.factorize(M);
  out.factorise_seconds += seconds_since(t0);
  if (lu.info() != Eigen::Success)
    throw NumericalError(
        "the steady state is not unique: the generator's null space has more than one dimension "
        "(the sparse LU found the pinned system singular), as when the diffusion misses a "
        "direction the drift does not mix");
  out.lu_nonzeros = static_cast<std::size_t>(lu.nnzL() + lu.nnzU());
  Eigen::MatrixXd B = Eigen::MatrixXd::Zero(A.rows(), 2);  // P s e_c, and the probe z
  B(P.indices()[c], 0) = s;
  fill_probe(B.col(1));
  const Eigen::MatrixXd X = lu.solve(B);
  check_unique(M, B.col(1), X.col(1));
  Eigen::VectorXd p = P.transpose() * X.col(0);
  const double mass = p.sum() * g.cell_area();
  if (!std::isfinite(mass) || !(std::abs(mass) > 0.0))
    throw NumericalError("the steady state is not finite: the pinned system is singular to "
                         "working precision (the generator's null space is not one-dimensional)");
  p /= mass;
  ++out.solves;
  out.pinned = c;
  return p;
}

}  // namespace

SteadyState solve_steady_state(SpatialOperator& op, const Grid2D& g,
                               std::span<const double> guess, bool periodic) {
  if (const auto why = op.assembly_unavailable(ImplicitPart::whole); !why.empty())
    throw InputError(why);
  SteadyState out;
  const auto t0 = Clock::now();
  SparseMatrix A;
  std::vector<double> b(g.size());
  op.assemble(ImplicitPart::whole, 0.0, A, b);
  out.assemble_seconds = seconds_since(t0);
  // An affine part (a source) would make the problem A p = −b, not a null space.
  if (*std::max_element(b.begin(), b.end(), [](double x, double y) {
        return std::abs(x) < std::abs(y);
      }) != 0.0)
    throw InputError("the operator has a source term (b ≠ 0): its steady state is not a null "
                     "vector");
  Eigen::VectorXd p = pinned_solve(A, argmax(guess), g, periodic, out);
  // Pinned where p is tiny, the replaced equation carried little weight: pin again at the peak.
  const int peak = static_cast<int>(std::max_element(p.data(), p.data() + p.size()) - p.data());
  if (p[out.pinned] < 1e-3 * p[peak]) p = pinned_solve(A, peak, g, periodic, out);

  const Eigen::VectorXd r = A * p;
  out.residual = r.cwiseAbs().sum() * g.cell_area();
  out.residual_relative = r.cwiseAbs().maxCoeff() / (norm_inf(A) * p.cwiseAbs().maxCoeff());
  // The pinned equation holds too when the columns of A sum to zero (mass conservation): a
  // larger residual means the factorisation lost the solution to round-off.
  if (!(out.residual_relative <= 1e-8))
    throw NumericalError(fmt::format(
        "the steady state could not be solved accurately: it leaves a relative residual {:.3g}",
        out.residual_relative));
  out.density.assign(p.data(), p.data() + p.size());
  return out;
}

}  // namespace fplab
