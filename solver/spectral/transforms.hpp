// Fourier (periodic box) and cosine (zero-flux walls) transforms of point values at the cell
// centres x_i = x0 + (i + ½)dx, with their wave numbers (Trefethen, Spectral Methods in MATLAB,
// ch. 3; Boyd, Chebyshev and Fourier Spectral Methods, 2nd ed., ch. 9 for the cosine basis).
// Plans are made once (RAII) and reused; nothing here allocates after construction.
#pragma once
#include <chrono>
#include <cstddef>
#include <span>

#include "solver/grid.hpp"
#include "solver/spectral/fftw.hpp"

namespace fplab {

// Fourier series on the periodic box: u(x_i, y_j) = Σ_{m,n} v_{mn} e^{i(k_m(x_i−x0') +
// k_n(y_j−y0'))} with k_m = 2πm/Lx (m = 0..nx/2 stored, the rest by Hermitian symmetry) and x0' =
// x0 + dx/2. Coefficients are stored as FFTW's r2c layout, ny rows × (nx/2+1) complex numbers, each
// complex number as (re, im): coefficient_size() doubles. Coefficients are normalised (the forward
// transform divides by nx·ny) so that backward(forward(u)) = u.
class FourierTransform2D {
 public:
  FourierTransform2D(const Grid2D& g, FftwPlanning planning);

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  int nkx() const { return nx_ / 2 + 1; }  // complex coefficients per row
  std::size_t complex_size() const { return static_cast<std::size_t>(ny_) * nkx(); }
  std::size_t coefficient_size() const { return 2 * complex_size(); }  // doubles
  std::size_t real_size() const { return static_cast<std::size_t>(nx_) * ny_; }

  // Wave numbers of column i < nkx() and row j < ny(). The *_odd ones are zero at the Nyquist
  // mode of an even grid: an odd derivative of that mode (a real ±1 zigzag) is not representable,
  // and zeroing it keeps the coefficients Hermitian (Trefethen 2000, ch. 3).
  std::span<const double> kx() const { return kx_; }
  std::span<const double> ky() const { return ky_; }
  std::span<const double> kx_odd() const { return kx_odd_; }
  std::span<const double> ky_odd() const { return ky_odd_; }
  double kx_max() const;  // largest |k_x| on the grid: π/dx
  double ky_max() const;

  // out = normalised coefficients of u. u may have any alignment.
  void forward(std::span<const double> u, std::span<double> out);
  // out = point values of coefficients v. v is DESTROYED (FFTW's multi-dimensional c2r overwrites
  // its input); any alignment.
  void backward(std::span<double> v, std::span<double> out);

  // Unnormalised transforms on fftw_malloc-aligned arrays (the hot path: no copies).
  void execute_r2c(const double* in, double* out) const;
  void execute_c2r(double* in, double* out) const;  // destroys in
  // r2c that may overwrite `in` (scratch data): faster, FFTW skips a copy of the input.
  void execute_r2c_scratch(double* in, double* out) const;

  // Spectral derivatives of point values (u any alignment): out = ∂x u, ∂y u.
  void derivative_x(std::span<const double> u, std::span<double> out);
  void derivative_y(std::span<const double> u, std::span<double> out);

  // Wall time inside FFTW (every transform this object executes) since reset_timing(), counted
  // only while timing is on (off by default). Benchmarks use it to split a step's cost.
  void set_timing(bool on) { timing_ = on; }
  void reset_timing() const { timed_seconds_ = 0.0, timed_count_ = 0; }
  double transform_seconds() const { return timed_seconds_; }
  long transform_count() const { return timed_count_; }

 private:
  using Clock = std::chrono::steady_clock;
  void derivative(std::span<const double> u, bool along_x, std::span<double> out);
  void count_time(Clock::time_point t0) const;

  int nx_, ny_;
  AlignedVector kx_, ky_, kx_odd_, ky_odd_;
  AlignedVector real_work_, coef_work_;  // staging for arrays that are not SIMD-aligned
  FftwPlan r2c_, r2c_scratch_, c2r_;
  bool timing_ = false;
  mutable double timed_seconds_ = 0.0;
  mutable long timed_count_ = 0;
};

// Cosine series for zero-flux (Neumann) walls: u(x_i, y_j) = Σ_{m,n} a_m a_n c_{mn}
// cos(k_m(x_i − x0)) cos(k_n(y_j − y0)) with k_m = πm/Lx, m = 0..nx−1, a_0 = 1, a_m = 2 (m ≥ 1):
// FFTW's REDFT10 (DCT-II) forward and REDFT01 (DCT-III) backward, which sample exactly at the
// cell centres. Coefficients are real, ny × nx, normalised by 1/(4·nx·ny).
class CosineTransform2D {
 public:
  CosineTransform2D(const Grid2D& g, FftwPlanning planning);

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  std::size_t coefficient_size() const { return static_cast<std::size_t>(nx_) * ny_; }
  std::span<const double> kx() const { return kx_; }
  std::span<const double> ky() const { return ky_; }
  double kx_max() const { return kx_.back(); }
  double ky_max() const { return ky_.back(); }

  void forward(std::span<const double> u, std::span<double> out);
  void backward(std::span<double> v, std::span<double> out);  // v is left unchanged

 private:
  int nx_, ny_;
  AlignedVector kx_, ky_;
  AlignedVector in_work_, out_work_;
  FftwPlan dct2_, dct3_;
};

}  // namespace fplab
