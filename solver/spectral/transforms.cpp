// Fourier and cosine transforms on the cell-centred grid (see transforms.hpp).
#include "solver/spectral/transforms.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "solver/errors.hpp"

namespace fplab {
namespace {

void require_grid(const Grid2D& g) {
  if (g.nx < 2 || g.ny < 2)
    throw InputError("grid: the spectral method needs at least 2 cells in each direction");
  if (!(g.x1 > g.x0) || !(g.y1 > g.y0))
    throw InputError("domain: the spectral method needs x1 > x0 and y1 > y0");
}

fftw_complex* as_complex(double* p) { return reinterpret_cast<fftw_complex*>(p); }

}  // namespace

// ---------------------------------------------------------------- Fourier

FourierTransform2D::FourierTransform2D(const Grid2D& g, FftwPlanning planning)
    : nx_(g.nx), ny_(g.ny) {
  require_grid(g);
  const double two_pi = 2.0 * std::numbers::pi;
  kx_.resize(nkx());
  kx_odd_.resize(nkx());
  for (int i = 0; i < nkx(); ++i) {
    kx_[i] = two_pi * i / (g.x1 - g.x0);
    kx_odd_[i] = (nx_ % 2 == 0 && i == nx_ / 2) ? 0.0 : kx_[i];
  }
  ky_.resize(ny_);
  ky_odd_.resize(ny_);
  for (int j = 0; j < ny_; ++j) {
    const int m = j <= ny_ / 2 ? j : j - ny_;  // FFT order: 0, 1, .., ny/2, −(ny/2−1), .., −1
    ky_[j] = two_pi * m / (g.y1 - g.y0);
    ky_odd_[j] = (ny_ % 2 == 0 && j == ny_ / 2) ? 0.0 : ky_[j];
  }
  real_work_.assign(real_size(), 0.0);
  coef_work_.assign(coefficient_size(), 0.0);
  // Plan on our own buffers (measuring overwrites them); executions pass other aligned arrays.
  r2c_ = plan_r2c_2d(ny_, nx_, real_work_.data(), as_complex(coef_work_.data()), planning);
  r2c_scratch_ =
      plan_r2c_2d(ny_, nx_, real_work_.data(), as_complex(coef_work_.data()), planning, true);
  c2r_ = plan_c2r_2d(ny_, nx_, as_complex(coef_work_.data()), real_work_.data(), planning);
}

double FourierTransform2D::kx_max() const { return std::abs(kx_[nkx() - 1]); }
double FourierTransform2D::ky_max() const { return std::abs(ky_[ny_ / 2]); }

void FourierTransform2D::execute_r2c(const double* in, double* out) const {
  const auto t0 = timing_ ? Clock::now() : Clock::time_point();
  // The plan preserves its input (FFTW's default for r2c), so the const_cast is only a formality.
  fftw_execute_dft_r2c(r2c_.get(), const_cast<double*>(in), as_complex(out));
  if (timing_) count_time(t0);
}

void FourierTransform2D::execute_r2c_scratch(double* in, double* out) const {
  const auto t0 = timing_ ? Clock::now() : Clock::time_point();
  fftw_execute_dft_r2c(r2c_scratch_.get(), in, as_complex(out));
  if (timing_) count_time(t0);
}

void FourierTransform2D::execute_c2r(double* in, double* out) const {
  const auto t0 = timing_ ? Clock::now() : Clock::time_point();
  fftw_execute_dft_c2r(c2r_.get(), as_complex(in), out);
  if (timing_) count_time(t0);
}

void FourierTransform2D::count_time(Clock::time_point t0) const {
  timed_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  ++timed_count_;
}

void FourierTransform2D::forward(std::span<const double> u, std::span<double> out) {
  const double s = 1.0 / static_cast<double>(real_size());
  const long n = static_cast<long>(real_size());
  if (fftw_aligned(u.data()) && fftw_aligned(out.data())) {
    execute_r2c(u.data(), out.data());
    const long m = static_cast<long>(coefficient_size());
#pragma omp parallel for if (m > omp_min_work)
    for (long q = 0; q < m; ++q) out[q] *= s;
    return;
  }
  // Scale while staging: one pass instead of two.
#pragma omp parallel for if (n > omp_min_work)
  for (long q = 0; q < n; ++q) real_work_[q] = s * u[q];
  if (fftw_aligned(out.data())) {
    execute_r2c_scratch(real_work_.data(), out.data());
  } else {
    execute_r2c_scratch(real_work_.data(), coef_work_.data());
    std::copy(coef_work_.begin(), coef_work_.end(), out.begin());
  }
}

void FourierTransform2D::backward(std::span<double> v, std::span<double> out) {
  double* in = v.data();
  if (!fftw_aligned(in)) {
    std::copy(v.begin(), v.end(), coef_work_.begin());
    in = coef_work_.data();
  }
  if (fftw_aligned(out.data())) {
    execute_c2r(in, out.data());
  } else {
    execute_c2r(in, real_work_.data());
    std::copy(real_work_.begin(), real_work_.end(), out.begin());
  }
}

void FourierTransform2D::derivative(std::span<const double> u, bool along_x,
                                    std::span<double> out) {
  forward(u, coef_work_);
  const int nk = nkx();
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nk; ++i) {
      const double k = along_x ? kx_odd_[i] : ky_odd_[j];
      double* c = &coef_work_[2 * (static_cast<std::size_t>(j) * nk + i)];
      const double re = c[0], im = c[1];
      c[0] = -k * im;  // i k (re + i im) = −k im + i k re
      c[1] = k * re;
    }
  execute_c2r(coef_work_.data(), real_work_.data());
  std::copy(real_work_.begin(), real_work_.end(), out.begin());
}

void FourierTransform2D::derivative_x(std::span<const double> u, std::span<double> out) {
  derivative(u, true, out);
}
void FourierTransform2D::derivative_y(std::span<const double> u, std::span<double> out) {
  derivative(u, false, out);
}

// ---------------------------------------------------------------- cosine

CosineTransform2D::CosineTransform2D(const Grid2D& g, FftwPlanning planning)
    : nx_(g.nx), ny_(g.ny) {
  require_grid(g);
  kx_.resize(nx_);
  ky_.resize(ny_);
  for (int i = 0; i < nx_; ++i) kx_[i] = std::numbers::pi * i / (g.x1 - g.x0);
  for (int j = 0; j < ny_; ++j) ky_[j] = std::numbers::pi * j / (g.y1 - g.y0);
  in_work_.assign(coefficient_size(), 0.0);
  out_work_.assign(coefficient_size(), 0.0);
  dct2_ = plan_r2r_2d(ny_, nx_, in_work_.data(), out_work_.data(), FFTW_REDFT10, FFTW_REDFT10,
                      planning);
  dct3_ = plan_r2r_2d(ny_, nx_, in_work_.data(), out_work_.data(), FFTW_REDFT01, FFTW_REDFT01,
                      planning);
}

void CosineTransform2D::forward(std::span<const double> u, std::span<double> out) {
  const double s = 1.0 / (4.0 * static_cast<double>(coefficient_size()));
  const long n = static_cast<long>(coefficient_size());
#pragma omp parallel for if (n > omp_min_work)
  for (long q = 0; q < n; ++q) in_work_[q] = s * u[q];
  fftw_execute_r2r(dct2_.get(), in_work_.data(), out_work_.data());
  std::copy(out_work_.begin(), out_work_.end(), out.begin());
}

void CosineTransform2D::backward(std::span<double> v, std::span<double> out) {
  std::copy(v.begin(), v.end(), in_work_.begin());
  fftw_execute_r2r(dct3_.get(), in_work_.data(), out_work_.data());
  std::copy(out_work_.begin(), out_work_.end(), out.begin());
}

}  // namespace fplab
