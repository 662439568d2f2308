// Fourier pseudo-spectral and cosine spectral operators (see spectral_operator.hpp).
#include "solver/spectral/spectral_operator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "solver/errors.hpp"
#include "solver/non_finite_drift.hpp"

namespace fplab {
namespace {

bool aligned(std::span<const double> s) { return fftw_aligned(s.data()); }

// Runs `then` over [0, size) in blocks of `block` doubles, in parallel.
void apply_blocks(BlockUpdate then, std::size_t size, std::size_t block) {
  if (!then) return;
  const long blocks = static_cast<long>((size + block - 1) / block);
#pragma omp parallel for schedule(static) if (static_cast <long>(size) > omp_min_work)
  for (long b = 0; b < blocks; ++b)
    then(static_cast<std::size_t>(b) * block,
         std::min(size, static_cast<std::size_t>(b + 1) * block));
}

// Relaxation rate 1/τ, or 0 without relaxation.
double relaxation_rate(const Equation& eq) {
  if (!eq.has_relaxation()) return 0.0;
  const double tau = eq.relaxation_time();
  if (!(tau > 0) || !std::isfinite(tau))
    throw InputError(fmt::format("equation.tau: expected a positive number, got {}", tau));
  return 1.0 / tau;
}

// p_eq/τ at the cell centres (the BGK source), to be transformed by the caller: spectral values
// are point values (docs/reference.md §2), and cell averages would bias p_eq by h²∇²p_eq/24.
std::vector<double> relaxation_source_values(const Equation& eq, const Grid2D& g) {
  if (!eq.has_equilibrium())
    throw InputError(
        "equation: a relaxation term needs an equilibrium density (equation.equilibrium)");
  std::vector<double> p_eq(g.size());
  eq.equilibrium(g, p_eq, Sampling::point);
  const double r = relaxation_rate(eq);
  for (double& x : p_eq) x *= r;
  return p_eq;
}

}  // namespace

// ============================================================ Fourier (periodic)

FourierOperator::FourierOperator(const Equation& eq, const Grid2D& g, const SpectralOptions& opt)
    : eq_(eq), g_(g), tr_(g, opt.planning), opt_(opt), linear_exact_(opt.linear_exact) {
  const std::size_t n = tr_.real_size(), m = tr_.coefficient_size(), nc = tr_.complex_size();
  kind_ = eq.has_drift()        ? NonlinearKind::general
          : eq.has_relaxation() ? NonlinearKind::constant
                                : NonlinearKind::none;
  linear_varies_ = eq.has_diffusion() && eq.diffusion_depends_on_time();

  // Λ at t = 0: −(Kxx kx² + 2Kxy kx ky + Kyy ky²) − 1/τ; the cross term uses the Nyquist-free
  // wave numbers so that λ(k) = λ(−k) and coefficient vectors stay Hermitian.
  Mat2 K;
  double relax = 0.0;
  linear_at(0.0, K, relax);
  lambda_.resize(nc);
  const int nk = tr_.nkx();
  const auto kx = tr_.kx(), ky = tr_.ky(), kxo = tr_.kx_odd(), kyo = tr_.ky_odd();
  for (int j = 0; j < tr_.ny(); ++j)
    for (int i = 0; i < nk; ++i)
      lambda_[static_cast<std::size_t>(j) * nk + i] =
          -(K(0, 0) * kx[i] * kx[i] + 2.0 * K(0, 1) * kxo[i] * kyo[j] + K(1, 1) * ky[j] * ky[j]) -
          relax;

  // 2/3 rule: keep |m| ≤ n/3 in each direction.
  mask_x_.assign(nk, 1.0);
  mask_y_.assign(tr_.ny(), 1.0);
  if (opt.dealias) {
    for (int i = 0; i < nk; ++i)
      if (3 * i > tr_.nx()) mask_x_[i] = 0.0;
    for (int j = 0; j < tr_.ny(); ++j) {
      const int mj = j <= tr_.ny() / 2 ? j : tr_.ny() - j;
      if (3 * mj > tr_.ny()) mask_y_[j] = 0.0;
    }
  }

  work_fx_.assign(n, 0.0);
  work_fy_.assign(n, 0.0);
  work_c_.assign(m, 0.0);
  work_out_.assign(m, 0.0);
  rhs_v_.assign(m, 0.0);
  rhs_n_.assign(m, 0.0);
  if (eq.has_relaxation()) {
    has_source_ = true;
    source_.assign(m, 0.0);
    tr_.forward(relaxation_source_values(eq, g), source_);
  }
  if (eq.has_drift()) {
    fx_.assign(n, 0.0);
    fy_.assign(n, 0.0);
    drift_nodes_ = eq.drift_at(lattice_points({g.nx, g.ny, g.xc(0), g.yc(0), g.dx(), g.dy()}));
    refresh_drift(0.0);
    // A drift like f = −x jumps across the periodic seam: the jump then dwarfs the largest
    // difference between neighbouring cells.
    double step = 0.0, jump = 0.0;
    for (const auto* f : {&fx_, &fy_})
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const double here = (*f)[g.index(i, j)];
          const double right = (*f)[g.index((i + 1) % g.nx, j)];
          const double up = (*f)[g.index(i, (j + 1) % g.ny)];
          const double dx = std::abs(right - here), dy = std::abs(up - here);
          if (i + 1 < g.nx)
            step = std::max(step, dx);
          else
            jump = std::max(jump, dx);
          if (j + 1 < g.ny)
            step = std::max(step, dy);
          else
            jump = std::max(jump, dy);
        }
    drift_periodic_ = jump <= 4.0 * step + 1e-12 * (fmax_x_ + fmax_y_);
  }
}

void FourierOperator::linear_at(double t, Mat2& K, double& relax) const {
  K = eq_.has_diffusion() ? eq_.diffusion(t) : Mat2::Zero();
  relax = relaxation_rate(eq_);
}

void FourierOperator::refresh_drift(double t) const {
  if (!eq_.has_drift()) return;
  if (!eq_.drift_depends_on_time() && !std::isnan(drift_t_)) return;
  if (t == drift_t_) return;
  // All nodes in one batch (the equation parallelises it).
  drift_nodes_->eval(t, fx_, fy_);
  double mx = 0.0, my = 0.0;
  for (int j = 0; j < g_.ny; ++j)
    for (int i = 0; i < g_.nx; ++i) {
      const std::size_t q = g_.index(i, j);
      if (!std::isfinite(fx_[q]) || !std::isfinite(fy_[q]))
        throw NonFiniteDrift(std::isfinite(fx_[q]) ? 1 : 0, g_.xc(i), g_.yc(j), t);
      mx = std::max(mx, std::abs(fx_[q]));
      my = std::max(my, std::abs(fy_[q]));
    }
  fmax_x_ = mx;
  fmax_y_ = my;
  drift_t_ = t;

  // Affine? Fit A, b through three cells and check every cell to round-off.
  const Vec2 f00(fx_[0], fy_[0]);
  const std::size_t qx = g_.index(g_.nx - 1, 0), qy = g_.index(0, g_.ny - 1);
  drift_A_.col(0) = (Vec2(fx_[qx], fy_[qx]) - f00) / (g_.xc(g_.nx - 1) - g_.xc(0));
  drift_A_.col(1) = (Vec2(fx_[qy], fy_[qy]) - f00) / (g_.yc(g_.ny - 1) - g_.yc(0));
  drift_b_ = f00 - drift_A_ * Vec2(g_.xc(0), g_.yc(0));
  const double tol = 1e-13 * (mx + my);
  bool affine = true;
  for (int j = 0; j < g_.ny && affine; ++j)
    for (int i = 0; i < g_.nx; ++i) {
      const Vec2 f = drift_A_ * Vec2(g_.xc(i), g_.yc(j)) + drift_b_;
      const std::size_t q = g_.index(i, j);
      if (std::abs(f.x() - fx_[q]) > tol || std::abs(f.y() - fy_[q]) > tol) {
        affine = false;
        break;
      }
    }
  drift_affine_ = affine;
}

void FourierOperator::drift_products(const double* p, double t) {
  refresh_drift(t);
  const long n = static_cast<long>(tr_.real_size());
  double* wx = work_fx_.data();
  double* wy = work_fy_.data();
  if (drift_affine_) {
    const int nx = g_.nx, ny = g_.ny;
    const double a00 = drift_A_(0, 0), a01 = drift_A_(0, 1), a10 = drift_A_(1, 0),
                 a11 = drift_A_(1, 1);
    const double x0 = g_.xc(0), dx = g_.dx();
#pragma omp parallel for schedule(static) if (n > omp_min_work)
    for (int j = 0; j < ny; ++j) {
      const double y = g_.yc(j);
      const double cx = a01 * y + drift_b_.x(), cy = a11 * y + drift_b_.y();
      const std::size_t row = static_cast<std::size_t>(j) * nx;
      for (int i = 0; i < nx; ++i) {
        const double x = x0 + i * dx, pq = p[row + i];  // read first: p may be work_fx
        wy[row + i] = (a10 * x + cy) * pq;
        wx[row + i] = (a00 * x + cx) * pq;
      }
    }
    return;
  }
  const double* fx = fx_.data();
  const double* fy = fy_.data();
#pragma omp parallel for schedule(static) if (n > omp_min_work)
  for (long q = 0; q < n; ++q) {
    const double pq = p[q];  // read first: p may be work_fx
    wy[q] = fy[q] * pq;
    wx[q] = fx[q] * pq;
  }
}

void FourierOperator::drift_divergence(double* out, BlockUpdate then) {
  tr_.execute_r2c_scratch(work_fx_.data(), out);  // the products are scratch: may be destroyed
  tr_.execute_r2c_scratch(work_fy_.data(), work_c_.data());
  // The r2c outputs are unnormalised: fold 1/(nx·ny) into the wave numbers.
  const double s = 1.0 / static_cast<double>(tr_.real_size());
  const int nk = tr_.nkx(), ny = tr_.ny();
  const double* kxo = tr_.kx_odd().data();
  const double* kyo = tr_.ky_odd().data();
  const double* mx = mask_x_.data();
  const double* my = mask_y_.data();
  const double* fy = work_c_.data();
  const double* src = has_source_ ? source_.data() : nullptr;
#pragma omp parallel for schedule(static) if (long(ny) * nk > omp_min_work)
  for (int j = 0; j < ny; ++j) {
    const double kyj = s * kyo[j], myj = my[j];
    const std::size_t row = 2 * static_cast<std::size_t>(j) * nk;
    for (int i = 0; i < nk; ++i) {
      const std::size_t q = row + 2 * static_cast<std::size_t>(i);
      const double kxi = s * kxo[i], w = mx[i] * myj;
      // −i (kx F̂x + ky F̂y) = (kx Im F̂x + ky Im F̂y) − i (kx Re F̂x + ky Re F̂y)
      const double ar = kxi * out[q] + kyj * fy[q];
      const double ai = kxi * out[q + 1] + kyj * fy[q + 1];
      out[q] = w * ai;
      out[q + 1] = -w * ar;
    }
    if (src)
      for (int i = 0; i < 2 * nk; ++i) out[row + i] += src[row + i];
    if (then) then(row, row + 2 * static_cast<std::size_t>(nk));  // the row is still in cache
  }
}

void FourierOperator::nonlinear_fixed(std::span<double> out, BlockUpdate then) {
  if (kind_ == NonlinearKind::constant)
    std::copy(source_.begin(), source_.end(), out.begin());
  else
    std::fill(out.begin(), out.end(), 0.0);
  apply_blocks(then, out.size(), 2 * static_cast<std::size_t>(tr_.nkx()));
}

void FourierOperator::to_coefficients(std::span<const double> u, std::span<double> out) {
  if (kind_ == NonlinearKind::general && !drift_periodic_ && !edge_checked_) {
    // The drift is applied as if periodic: warn once when the density is not negligible at the
    // box's edge, where this non-periodic drift (e.g. f = −x) jumps.
    edge_checked_ = true;
    double inner = 0.0, edge = 0.0;
    for (int j = 0; j < g_.ny; ++j)
      for (int i = 0; i < g_.nx; ++i) {
        const double a = std::abs(u[g_.index(i, j)]);
        inner = std::max(inner, a);
        if (i == 0 || j == 0 || i == g_.nx - 1 || j == g_.ny - 1) edge = std::max(edge, a);
      }
    if (inner > 0 && edge > 1e-8 * inner)
      spdlog::warn(
          "the density at the edge of the periodic box is {:.2g} of its maximum while "
          "the drift is not periodic: enlarge the domain (the spectral method treats "
          "the drift as periodic)",
          edge / inner);
  }
  tr_.forward(u, out);
}

void FourierOperator::from_coefficients(std::span<double> v, std::span<double> out) {
  tr_.backward(v, out);
}

void FourierOperator::nonlinear_coefficients(std::span<double> v, double t, std::span<double> out,
                                             BlockUpdate then) {
  if (kind_ != NonlinearKind::general) {
    nonlinear_fixed(out, then);
    return;
  }
  // p = F⁻¹v straight into work_fx (the products are then formed in place).
  if (aligned(v)) {
    tr_.execute_c2r(v.data(), work_fx_.data());
  } else {
    std::copy(v.begin(), v.end(), work_c_.begin());
    tr_.execute_c2r(work_c_.data(), work_fx_.data());
  }
  drift_products(work_fx_.data(), t);
  if (aligned(out)) {
    drift_divergence(out.data(), then);
  } else {
    drift_divergence(work_out_.data(), {});
    std::copy(work_out_.begin(), work_out_.end(), out.begin());
    apply_blocks(then, out.size(), 2 * static_cast<std::size_t>(tr_.nkx()));
  }
}

void FourierOperator::nonlinear_from_values(std::span<const double> u, double t,
                                            std::span<double> out, BlockUpdate then) {
  if (kind_ != NonlinearKind::general) {
    nonlinear_fixed(out, then);
    return;
  }
  drift_products(u.data(), t);
  if (aligned(out)) {
    drift_divergence(out.data(), then);
  } else {
    drift_divergence(work_out_.data(), {});
    std::copy(work_out_.begin(), work_out_.end(), out.begin());
    apply_blocks(then, out.size(), 2 * static_cast<std::size_t>(tr_.nkx()));
  }
}

void FourierOperator::explicit_rhs(std::span<const double> u, double t, std::span<double> out) {
  to_coefficients(u, rhs_v_);
  nonlinear_from_values(u, t, rhs_n_);
  // rhs = Λ(t) v + N, with Λ(t) formed on the fly so that a diffusion schedule is honoured.
  Mat2 K;
  double relax = 0.0;
  linear_at(t, K, relax);
  const int nk = tr_.nkx(), ny = tr_.ny();
  const double *kx = tr_.kx().data(), *ky = tr_.ky().data();
  const double *kxo = tr_.kx_odd().data(), *kyo = tr_.ky_odd().data();
  double* rn = rhs_n_.data();
  const double* rv = rhs_v_.data();
#pragma omp parallel for schedule(static) if (long(ny) * nk > omp_min_work)
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nk; ++i) {
      const double lam =
          -(K(0, 0) * kx[i] * kx[i] + 2.0 * K(0, 1) * kxo[i] * kyo[j] + K(1, 1) * ky[j] * ky[j]) -
          relax;
      const std::size_t q = 2 * (static_cast<std::size_t>(j) * nk + i);
      rn[q] += lam * rv[q];
      rn[q + 1] += lam * rv[q + 1];
    }
  from_coefficients(rhs_n_, out);
}

double FourierOperator::max_stable_dt(double t) const {
  // Spectral radius of the explicit part: the drift moves the highest mode at |f| k_max; the
  // linear part adds max|λ| unless it is integrated exactly.
  double rho = 0.0;
  if (eq_.has_drift()) {
    refresh_drift(t);
    rho += fmax_x_ * tr_.kx_max() + fmax_y_ * tr_.ky_max();
  }
  if (!linear_exact_) {
    Mat2 K;
    double relax = 0.0;
    linear_at(t, K, relax);
    const double kx = tr_.kx_max(), ky = tr_.ky_max();
    rho += K(0, 0) * kx * kx + 2.0 * std::abs(K(0, 1)) * kx * ky + K(1, 1) * ky * ky + relax;
  }
  return rho > 0 ? 1.0 / rho : std::numeric_limits<double>::infinity();
}

// ============================================================ cosine (zero-flux walls)

CosineOperator::CosineOperator(const Equation& eq, const Grid2D& g, const SpectralOptions& opt)
    : eq_(eq), tr_(g, opt.planning), linear_exact_(opt.linear_exact) {
  if (eq.has_drift())
    throw InputError(
        "solver.method: spectral with boundary: zero_flux handles heat and bgk only (a drift "
        "makes the zero-flux wall condition non-diagonal in the cosine basis); use boundary: "
        "periodic on a box where the density is negligible at the edges, or solver.method: "
        "finite_volume");
  if (eq.has_diffusion())
    for (double t : {0.0, 1.0})
      if (eq.diffusion(t)(0, 1) != 0.0)
        throw InputError(
            "solver.method: spectral with boundary: zero_flux needs a diagonal diffusion matrix "
            "(D_xy = 0: with a cross term the wall condition n·D∇p = 0 is not the cosine "
            "basis' one); use boundary: periodic or solver.method: finite_volume");
  kind_ = eq.has_relaxation() ? NonlinearKind::constant : NonlinearKind::none;
  linear_varies_ = eq.has_diffusion() && eq.diffusion_depends_on_time();
  Mat2 K;
  double relax = 0.0;
  linear_at(0.0, K, relax);
  const std::size_t m = tr_.coefficient_size();
  lambda_.resize(m);
  const auto kx = tr_.kx(), ky = tr_.ky();
  for (int j = 0; j < tr_.ny(); ++j)
    for (int i = 0; i < tr_.nx(); ++i)
      lambda_[static_cast<std::size_t>(j) * tr_.nx() + i] =
          -(K(0, 0) * kx[i] * kx[i] + K(1, 1) * ky[j] * ky[j]) - relax;
  rhs_v_.assign(m, 0.0);
  if (eq.has_relaxation()) {
    source_.assign(m, 0.0);
    tr_.forward(relaxation_source_values(eq, g), source_);
  }
}

void CosineOperator::linear_at(double t, Mat2& K, double& relax) const {
  K = eq_.has_diffusion() ? eq_.diffusion(t) : Mat2::Zero();
  relax = relaxation_rate(eq_);
}

void CosineOperator::to_coefficients(std::span<const double> u, std::span<double> out) {
  tr_.forward(u, out);
}

void CosineOperator::from_coefficients(std::span<double> v, std::span<double> out) {
  tr_.backward(v, out);
}

void CosineOperator::nonlinear_coefficients(std::span<double> /*v*/, double t,
                                            std::span<double> out, BlockUpdate then) {
  nonlinear_from_values({}, t, out, then);
}

void CosineOperator::nonlinear_from_values(std::span<const double> /*u*/, double /*t*/,
                                           std::span<double> out, BlockUpdate then) {
  if (kind_ == NonlinearKind::constant)
    std::copy(source_.begin(), source_.end(), out.begin());
  else
    std::fill(out.begin(), out.end(), 0.0);
  apply_blocks(then, out.size(), static_cast<std::size_t>(tr_.nx()));
}

void CosineOperator::explicit_rhs(std::span<const double> u, double t, std::span<double> out) {
  tr_.forward(u, rhs_v_);
  Mat2 K;
  double relax = 0.0;
  linear_at(t, K, relax);
  const int nx = tr_.nx(), ny = tr_.ny();
  const double *kx = tr_.kx().data(), *ky = tr_.ky().data();
  double* v = rhs_v_.data();
  const double* src = kind_ == NonlinearKind::constant ? source_.data() : nullptr;
#pragma omp parallel for schedule(static) if (long(ny) * nx > omp_min_work)
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const std::size_t q = static_cast<std::size_t>(j) * nx + i;
      v[q] *= -(K(0, 0) * kx[i] * kx[i] + K(1, 1) * ky[j] * ky[j]) - relax;
      if (src) v[q] += src[q];
    }
  tr_.backward(rhs_v_, out);
}

double CosineOperator::max_stable_dt(double t) const {
  if (linear_exact_) return std::numeric_limits<double>::infinity();
  Mat2 K;
  double relax = 0.0;
  linear_at(t, K, relax);
  const double rho =
      K(0, 0) * tr_.kx_max() * tr_.kx_max() + K(1, 1) * tr_.ky_max() * tr_.ky_max() + relax;
  return rho > 0 ? 1.0 / rho : std::numeric_limits<double>::infinity();
}

// ============================================================ factories

std::unique_ptr<DiagonalSplitOperator> make_spectral_operator(const Equation& eq, const Grid2D& g,
                                                              const std::string& boundary,
                                                              const SpectralOptions& opt) {
  if (boundary == "periodic") return std::make_unique<FourierOperator>(eq, g, opt);
  if (boundary == "zero_flux") return std::make_unique<CosineOperator>(eq, g, opt);
  throw InputError("boundary: '" + boundary +
                   "' is not available with solver.method: spectral; use periodic (Fourier) or "
                   "zero_flux (cosine, heat and bgk), or solver.method: finite_volume");
}

std::unique_ptr<SpatialOperator> make_spectral_operator(const CaseSpec& spec, const Equation& eq,
                                                        const Grid2D& g, bool linear_exact) {
  if (eq.has_variable_diffusion())
    throw InputError(
        "equation.diffusion.D: a space-dependent diffusion D(x) multiplies p in physical space "
        "and is not diagonal in Fourier or cosine modes, so the spectral method cannot take it; "
        "use solver.method: finite_volume");
  SpectralOptions opt;
  opt.planning = fftw_planning_from_name(spec.solver.fftw_planning);
  opt.dealias = spec.solver.dealias;
  opt.linear_exact = linear_exact;
  return make_spectral_operator(eq, g, spec.boundary, opt);  // make_problem names the file
}

}  // namespace fplab
