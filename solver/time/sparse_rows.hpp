// Row-major sparse matrix–vector products and reductions, OpenMP-parallel over rows: what expm's
// Taylor series and the implicit integrators' BiCGSTAB (linear_solve.cpp) are made of. Sums are
// taken over a fixed number of row blocks and added in block order, so that results do not depend
// on the number of threads. Nothing here allocates.
#pragma once
#include <Eigen/SparseCore>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>

namespace fplab {

// Row-major storage: a product runs its rows in parallel, each a short gather.
using RowMajorMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// Shorter loops run serially: a thread team costs more than the work.
inline constexpr std::ptrdiff_t kRowsParallelMin = 16384;

// (A x)_i of a compressed row-major A.
inline double row_product(const RowMajorMatrix& A, std::ptrdiff_t i, const double* x) {
  const auto* outer = A.outerIndexPtr();
  const auto* inner = A.innerIndexPtr();
  const double* a = A.valuePtr();
  double s = 0.0;
  for (auto k = outer[i]; k < outer[i + 1]; ++k) s += a[k] * x[inner[k]];
  return s;
}

// y = A x (x and y may not alias).
inline void spmv(const RowMajorMatrix& A, std::span<const double> x, std::span<double> y) {
  const auto n = static_cast<std::ptrdiff_t>(y.size());
#pragma omp parallel for schedule(static) if (n >= kRowsParallelMin)
  for (std::ptrdiff_t i = 0; i < n; ++i) y[i] = row_product(A, i, x.data());
}

// max_i |x_i|.
inline double norm_inf(std::span<const double> x) {
  double m = 0.0;
  const auto n = static_cast<std::ptrdiff_t>(x.size());
#pragma omp parallel for reduction(max : m) schedule(static) if (n >= kRowsParallelMin)
  for (std::ptrdiff_t k = 0; k < n; ++k) m = std::max(m, std::abs(x[k]));
  return m;
}

// Runs body(lo, hi, sums) on the rows [lo, hi) of kSumBlocks fixed blocks of [0, n), in parallel,
// each adding its share to K sums; returns the K totals, the blocks' shares added in block order.
inline constexpr int kSumBlocks = 64;
template <int K, class Body>
std::array<double, K> blocked_sums(std::ptrdiff_t n, Body&& body) {
  std::array<std::array<double, K>, kSumBlocks> part;
#pragma omp parallel for schedule(static) if (n >= kRowsParallelMin)
  for (int blk = 0; blk < kSumBlocks; ++blk) {
    std::array<double, K> s{};
    body(n * blk / kSumBlocks, n * (blk + 1) / kSumBlocks, s);
    part[static_cast<std::size_t>(blk)] = s;
  }
  std::array<double, K> total{};
  for (const auto& p : part)
    for (std::size_t j = 0; j < static_cast<std::size_t>(K); ++j) total[j] += p[j];
  return total;
}

}  // namespace fplab
