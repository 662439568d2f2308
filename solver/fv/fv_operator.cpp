// Finite-volume operator for ∂t p = −∇·(f p) + ∇·(K(t)∇p) + (p_eq − p)/τ in conservative flux
// form on the cell-centred grid (LeVeque, "Finite Volume Methods for Hyperbolic Problems", 2002,
// ch. 4 and 6 for the drift fluxes; second-order diffusion fluxes with cross terms).
//
// Every face flux (drift − diffusion) is computed once, stored, then subtracted from one cell and
// added to the other, so the discrete mass Σ p_ij dx dy changes only by round-off; zero_flux
// walls carry no flux, a periodic wall's two copies are the same stored number, and the flux
// through an absorbing (dirichlet) wall leaves the domain and is booked as outflow().
#include "solver/fv/fv_operator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "solver/errors.hpp"
#include "solver/fv/boundary.hpp"
#include "solver/fv/flux_scheme.hpp"

namespace fplab {
namespace {

constexpr int kGhost = 2;  // ghost layers: MUSCL reads two cells on each side of a face
// Below 128² cells a right-hand side costs well under a millisecond: a thread team's fork and six
// barriers gain little there on an idle machine and lose badly on an oversubscribed one (a 64²
// unit test went from 1.9 s serial to 13 s on 2 threads at load 10).
constexpr std::size_t kParallelMinCells = 16384;

// Terms of the right-hand side, so that IMEX can take the drift explicitly and the rest
// implicitly, and assembly can probe exactly the part it is asked for.
enum Term : unsigned { kDrift = 1u, kDiffusion = 2u, kRelaxation = 4u, kAll = 7u };

class FVOperator final : public SpatialOperator {
 public:
  FVOperator(const Equation& eq, const Grid2D& g, BoundaryKind boundary,
             std::unique_ptr<FluxScheme> scheme);

  std::size_t size() const override { return g_.size(); }
  void explicit_rhs(std::span<const double> u, double t, std::span<double> out) override;
  double max_stable_dt(double t) const override;
  void begin(std::span<const double> u0, double t0) override;
  void accept_step(std::span<const double> u, double t, double dt) override;

  std::string assembly_unavailable(ImplicitPart part) const override;
  void assemble(ImplicitPart part, double t, SparseMatrix& A, std::span<double> b) override;
  bool assembly_depends_on_time(ImplicitPart part) const override;
  void nonstiff_rhs(std::span<const double> u, double t, std::span<double> out) override;
  double max_stable_dt_nonstiff(double t) const override;
  bool has_outflow() const override { return dirichlet_; }
  double outflow() const override { return outflow_; }

 private:
  // Padded (ghost-celled) buffers: cell (i, j), i ∈ [−2, nx+2), j ∈ [−2, ny+2).
  std::size_t pidx(int i, int j) const {
    return static_cast<std::size_t>(j + kGhost) * px_ + static_cast<std::size_t>(i + kGhost);
  }
  void fill_ghosts(double* b) const;  // call inside a parallel region (orphaned omp for)
  void make_face_evaluators();
  void refresh_drift(double t) const;
  void potential_face_drifts(double t) const;
  double max_outflow_rate() const;
  double mass_of(std::span<const double> u) const;
  // The terms `terms` (a Term mask) of the right-hand side; no side effects.
  void rhs(std::span<const double> u, double t, std::span<double> out, unsigned terms);
  double stable_dt(double t, unsigned terms) const;
  static unsigned terms_of(ImplicitPart part) {
    return part == ImplicitPart::whole ? kAll : (kDiffusion | kRelaxation);
  }

  const Equation& eq_;  // must outlive the operator (the driver owns both)
  Grid2D g_;
  BoundaryKind boundary_;
  std::unique_ptr<FluxScheme> scheme_;
  int nx_, ny_, px_, py_;
  double dx_, dy_;
  bool periodic_, dirichlet_;
  double ghost_sign_;  // +1 even reflection (zero_flux), −1 odd (dirichlet: wall value 0)
  bool has_drift_, has_diffusion_, drift_varies_;
  bool combined_;       // the scheme returns drift + normal diffusion (chang_cooper)
  bool use_potential_;  // face drifts −ΔU/h from the equation's potential (combined_ only)
  // Absorbing walls: mass that has left, and the mass at the last accepted step (set by the
  // first right-hand side, which every integrator evaluates at the step's start state).
  double outflow_ = 0.0, mass_prev_ = 0.0;
  bool mass_set_ = false;
  double inv_tau_ = 0.0;  // 1/τ, 0 without relaxation
  std::vector<double> p_eq_;

  std::vector<double> pad_;        // the state with ghost cells
  std::vector<double> dxp_, dyp_;  // centred ∂x p, ∂y p per cell (cross diffusion only), padded
  std::vector<double> fx_;         // x-face fluxes, face i of row j at j (nx+1) + i, i ∈ [0, nx]
  std::vector<double> fy_;         // y-face fluxes, face j of column i at j nx + i, j ∈ [0, ny]

  // Face-centre normal drift velocities, same layout as fx_/fy_, and the largest drift outflow
  // rate of a cell, Σ_faces max(f·n_out, 0)/h. A cache refreshed when t changes (drift depending
  // on time) or once (steady drift); mutable because max_stable_dt(t) is const.
  mutable std::vector<double> vx_, vy_;
  mutable double v_time_ = std::numeric_limits<double>::quiet_NaN();
  mutable bool v_valid_ = false;
  mutable double max_outflow_ = 0.0;  // of the cached velocities, when outflow_valid_
  mutable bool outflow_valid_ = false;
  // The equation's drift at the x- and y-face centres (made once; see make_face_evaluators).
  mutable std::unique_ptr<FieldAtPoints> drift_xf_, drift_yf_;

  // Assembly by probing (see assemble): per part, the colouring period in x and y and, for every
  // colour and row, the index of that row's entry in A's value array (−1: no entry).
  struct Probing {
    int mx = 0, my = 0;
    std::vector<std::ptrdiff_t> slot;  // colour-major: slot[c · N + row]
    std::ptrdiff_t nnz = 0;
  };
  Probing probing_[2];
  std::vector<double> probe_, probe_out_;
};

FVOperator::FVOperator(const Equation& eq, const Grid2D& g, BoundaryKind boundary,
                       std::unique_ptr<FluxScheme> scheme)
    : eq_(eq),
      g_(g),
      boundary_(boundary),
      scheme_(std::move(scheme)),
      nx_(g.nx),
      ny_(g.ny),
      px_(g.nx + 2 * kGhost),
      py_(g.ny + 2 * kGhost),
      dx_(g.dx()),
      dy_(g.dy()),
      periodic_(boundary == BoundaryKind::periodic),
      dirichlet_(boundary == BoundaryKind::dirichlet),
      ghost_sign_(boundary == BoundaryKind::dirichlet ? -1.0 : 1.0),
      has_drift_(eq.has_drift()),
      has_diffusion_(eq.has_diffusion()),
      drift_varies_(eq.drift_depends_on_time()),
      combined_(scheme_->includes_diffusion()),
      use_potential_(combined_ && eq.has_drift() && eq.has_potential()) {
  if (nx_ < 2 || ny_ < 2)
    throw InputError(
        "the finite-volume method needs at least 2 cells in each direction (got nx = " +
        std::to_string(nx_) + ", ny = " + std::to_string(ny_) + ")");
  if (!(dx_ > 0.0) || !(dy_ > 0.0))
    throw InputError("the domain must have positive extent in x and y");
  if (eq.has_relaxation()) {
    const double tau = eq.relaxation_time();
    if (!(tau > 0.0)) throw InputError("the relaxation time tau must be positive");
    if (!eq.has_equilibrium())
      throw InputError("equation '" + eq.name() +
                       "' relaxes towards an equilibrium it does not define");
    inv_tau_ = 1.0 / tau;
    p_eq_.resize(g.size());
    eq.equilibrium(g, p_eq_, Sampling::cell_average);  // FV unknowns are cell averages
  }
  pad_.assign(static_cast<std::size_t>(px_) * py_, 0.0);
  if (has_diffusion_) {
    // K(t) = d(t) D may vanish at t = 0 (subvp) and not later: keep the cross buffers always.
    dxp_.assign(pad_.size(), 0.0);
    dyp_.assign(pad_.size(), 0.0);
  }
  fx_.assign(static_cast<std::size_t>(nx_ + 1) * ny_, 0.0);
  fy_.assign(static_cast<std::size_t>(nx_) * (ny_ + 1), 0.0);
  vx_.assign(fx_.size(), 0.0);
  vy_.assign(fy_.size(), 0.0);
  if (has_drift_) make_face_evaluators();
  refresh_drift(0.0);
}

// Face-centre points of the normal velocities, in the layout of vx_ and vy_: x-faces
// (x_{i−½}, y_j), i ∈ [0, nx]; y-faces (x_i, y_{j−½}), j ∈ [0, ny], with a periodic top face at y0
// (it is the bottom face's image). Both are lattices except the periodic y-faces, which say so,
// so that a score can exploit the structure.
void FVOperator::make_face_evaluators() {
  drift_xf_ = eq_.drift_at(lattice_points({nx_ + 1, ny_, g_.x0, g_.yc(0), dx_, dy_}));
  PointSet yf = lattice_points({nx_, ny_ + 1, g_.xc(0), g_.y0, dx_, dy_});
  if (periodic_) {
    std::fill(yf.y.end() - nx_, yf.y.end(), g_.y0);
    yf.lattice.reset();
  }
  drift_yf_ = eq_.drift_at(std::move(yf));
}

void FVOperator::refresh_drift(double t) const {
  if (!has_drift_) return;
  if (v_valid_ && (!drift_varies_ || t == v_time_)) return;
  // All faces of a direction in one batch (the equation parallelises it); only the normal
  // component is asked for.
  drift_xf_->eval(t, vx_, {});
  drift_yf_->eval(t, {}, vy_);
  if (use_potential_) potential_face_drifts(t);
  // No flux crosses a zero-flux wall; a periodic wall is one face, seen from x0 (resp. y0).
  // Absorbing walls keep f·n at the wall face centre (there is no cell outside).
  for (int j = 0; j < ny_; ++j) {
    double* v = vx_.data() + static_cast<std::size_t>(j) * (nx_ + 1);
    if (periodic_)
      v[nx_] = v[0];
    else if (!dirichlet_)
      v[0] = v[nx_] = 0.0;
  }
  if (!periodic_ && !dirichlet_) {
    std::fill(vy_.begin(), vy_.begin() + nx_, 0.0);
    std::fill(vy_.end() - nx_, vy_.end(), 0.0);
  }
  outflow_valid_ = false;  // computed when a stable dt is asked for, not every stage
  v_time_ = t;
  v_valid_ = true;
}

// Exponential fitting wants v = −(U_R − U_L)/h across an interior face (then e^{−U/K} at the
// cell centres has zero flux exactly); the face-centre f·n of other schemes agrees to O(h²).
void FVOperator::potential_face_drifts(double t) const {
  for (int j = 0; j < ny_; ++j) {
    double* v = vx_.data() + static_cast<std::size_t>(j) * (nx_ + 1);
    const double y = g_.yc(j);
    for (int i = 0; i <= nx_; ++i)
      if (periodic_ || (i > 0 && i < nx_))
        v[i] = -(eq_.potential(g_.xc(i), y, t) - eq_.potential(g_.xc(i - 1), y, t)) / dx_;
  }
  for (int j = 0; j <= ny_; ++j) {
    if (!periodic_ && (j == 0 || j == ny_)) continue;
    double* v = vy_.data() + static_cast<std::size_t>(j) * nx_;
    const int je = periodic_ && j == ny_ ? 0 : j;
    for (int i = 0; i < nx_; ++i)
      v[i] = -(eq_.potential(g_.xc(i), g_.yc(je), t) - eq_.potential(g_.xc(i), g_.yc(je - 1), t)) /
             dy_;
  }
}

void FVOperator::fill_ghosts(double* b) const {
  // Rows first (interior columns), then columns over every row, so the corners are filled too
  // (the periodic cross-diffusion stencil of a corner face reads them). Mirrors are even for
  // zero_flux and odd for dirichlet (the linear interpolant through a ghost and its mirror
  // vanishes on the wall, so a reconstruction reading them sees the wall value 0).
  const double s = ghost_sign_;
#pragma omp for schedule(static)
  for (int i = 0; i < nx_; ++i)
    for (int k = 1; k <= kGhost; ++k) {
      b[pidx(i, -k)] = periodic_ ? b[pidx(i, ny_ - k)] : s * b[pidx(i, k - 1)];
      b[pidx(i, ny_ - 1 + k)] = periodic_ ? b[pidx(i, k - 1)] : s * b[pidx(i, ny_ - k)];
    }
#pragma omp for schedule(static)
  for (int j = -kGhost; j < ny_ + kGhost; ++j)
    for (int k = 1; k <= kGhost; ++k) {
      b[pidx(-k, j)] = periodic_ ? b[pidx(nx_ - k, j)] : s * b[pidx(k - 1, j)];
      b[pidx(nx_ - 1 + k, j)] = periodic_ ? b[pidx(k - 1, j)] : s * b[pidx(nx_ - k, j)];
    }
}

void FVOperator::explicit_rhs(std::span<const double> u, double t, std::span<double> out) {
  if (dirichlet_ && !mass_set_) begin(u, t);  // a caller that skipped begin(): u starts
  rhs(u, t, out, kAll);
}

void FVOperator::nonstiff_rhs(std::span<const double> u, double t, std::span<double> out) {
  if (dirichlet_ && !mass_set_) begin(u, t);
  rhs(u, t, out, kDrift);
}

void FVOperator::begin(std::span<const double> u0, double /*t0*/) {
  if (!dirichlet_) return;
  mass_prev_ = mass_of(u0);  // the reference of the outflow booked by accept_step
  mass_set_ = true;
}

void FVOperator::rhs(std::span<const double> u, double t, std::span<double> out, unsigned terms) {
  refresh_drift(t);
  const bool with_drift = terms & kDrift, with_diffusion = terms & kDiffusion;
  const Mat2 K = has_diffusion_ && with_diffusion ? eq_.diffusion(t) : Mat2::Zero();
  const double kxx = K(0, 0), kyy = K(1, 1), kxy = 0.5 * (K(0, 1) + K(1, 0));
  const bool cross = kxy != 0.0;
  const bool diffuse = kxx != 0.0 || kyy != 0.0 || cross;
  // Normal diffusion handled by the operator (0 when the scheme includes it; cross terms are
  // always the operator's centred flux, added on top of an exponentially fitted one).
  const double dxx = combined_ ? 0.0 : kxx, dyy = combined_ ? 0.0 : kyy;
  // A combined (exponentially fitted) scheme carries the drift and the normal diffusion in one
  // flux; assembly only asks for both or neither (assembly_unavailable refuses the split).
  const bool scheme_flux = with_drift && (has_drift_ || combined_);
  const double kwall_x = kxx, kwall_y = kyy;  // 0 when diffusion is not asked for
  const double wall_drift = with_drift ? 1.0 : 0.0;

  double* pad = pad_.data();
  double* dxp = dxp_.data();
  double* dyp = dyp_.data();
  const double* up = u.data();
  double* o = out.data();
  const int nxf = nx_ + 1;
  // Faces computed from the stencil: a zero-flux wall carries none, a periodic one is computed
  // once at the low side and copied to the high side.
  const int f_begin = periodic_ ? 0 : 1;
  const int fx_end = nx_, fy_end = ny_;

#pragma omp parallel if (g_.size() >= kParallelMinCells)
  {
#pragma omp for schedule(static)
    for (int j = 0; j < ny_; ++j)
      std::copy(up + static_cast<std::size_t>(j) * nx_, up + static_cast<std::size_t>(j + 1) * nx_,
                pad + pidx(0, j));
    fill_ghosts(pad);

    if (cross) {
      // Centred ∂x p, ∂y p per cell; one-sided on the cells next to a zero-flux wall (the
      // mirrored ghost would halve them). Face-averaged below for the tangential derivative.
#pragma omp for schedule(static)
      for (int j = 0; j < ny_; ++j)
        for (int i = 0; i < nx_; ++i) {
          const std::size_t c = pidx(i, j);
          if (periodic_ || (i > 0 && i < nx_ - 1))
            dxp[c] = (pad[c + 1] - pad[c - 1]) / (2 * dx_);
          else
            dxp[c] = i == 0 ? (pad[c + 1] - pad[c]) / dx_ : (pad[c] - pad[c - 1]) / dx_;
          if (periodic_ || (j > 0 && j < ny_ - 1))
            dyp[c] = (pad[c + px_] - pad[c - px_]) / (2 * dy_);
          else
            dyp[c] = j == 0 ? (pad[c + px_] - pad[c]) / dy_ : (pad[c] - pad[c - px_]) / dy_;
        }
      fill_ghosts(dxp);
      fill_ghosts(dyp);
    }

    // x-faces, one row at a time: F = drift flux − (K_xx ∂x p + K_xy ∂y p) at face i − ½.
#pragma omp for schedule(static)
    for (int j = 0; j < ny_; ++j) {
      double* F = fx_.data() + static_cast<std::size_t>(j) * nxf;
      const double* row = pad + pidx(0, j);
      const int n = fx_end - f_begin;
      const double* v = vx_.data() + static_cast<std::size_t>(j) * nxf;
      if (scheme_flux) {
        const FaceLine line{row + f_begin - 2,
                            row + f_begin - 1,
                            row + f_begin,
                            row + f_begin + 1,
                            v + f_begin,
                            n,
                            kxx,
                            dx_};
        scheme_->flux_line(line, F + f_begin);
      } else {
        std::fill(F + f_begin, F + fx_end, 0.0);
      }
      if (diffuse) {
        const double* dy_row = dyp + pidx(0, j);
        for (int f = f_begin; f < fx_end; ++f) {
          double flux = dxx * (row[f] - row[f - 1]) / dx_;
          if (cross) flux += kxy * 0.5 * (dy_row[f - 1] + dy_row[f]);
          F[f] -= flux;
        }
      }
      if (periodic_) {
        F[nx_] = F[0];
      } else if (dirichlet_) {
        // Absorbing walls: outside density 0 upwinded, normal diffusion −K (0 − p)/(h/2); the
        // tangential derivative of p vanishes along the wall (p = 0 there), so no cross flux.
        F[0] = wall_drift * std::min(v[0], 0.0) * row[0] - 2.0 * kwall_x * row[0] / dx_;
        F[nx_] = wall_drift * std::max(v[nx_], 0.0) * row[nx_ - 1] +
                 2.0 * kwall_x * row[nx_ - 1] / dx_;
      } else {
        F[0] = F[nx_] = 0.0;
      }
    }

    // y-faces, one face row at a time: G = drift flux − (K_xy ∂x p + K_yy ∂y p) at face j − ½.
#pragma omp for schedule(static)
    for (int j = f_begin; j < fy_end; ++j) {
      double* G = fy_.data() + static_cast<std::size_t>(j) * nx_;
      const double* lo = pad + pidx(0, j - 1);
      const double* hi = pad + pidx(0, j);
      if (scheme_flux) {
        const FaceLine line{pad + pidx(0, j - 2),
                            lo,
                            hi,
                            pad + pidx(0, j + 1),
                            vy_.data() + static_cast<std::size_t>(j) * nx_,
                            nx_,
                            kyy,
                            dy_};
        scheme_->flux_line(line, G);
      } else {
        std::fill(G, G + nx_, 0.0);
      }
      if (diffuse) {
        const double* dx_lo = dxp + pidx(0, j - 1);
        const double* dx_hi = dxp + pidx(0, j);
        for (int i = 0; i < nx_; ++i) {
          double flux = dyy * (hi[i] - lo[i]) / dy_;
          if (cross) flux += kxy * 0.5 * (dx_lo[i] + dx_hi[i]);
          G[i] -= flux;
        }
      }
    }
#pragma omp for schedule(static)
    for (int i = 0; i < nx_; ++i) {
      double* G = fy_.data();
      const std::size_t top = static_cast<std::size_t>(ny_) * nx_ + i;
      if (periodic_) {
        G[top] = G[i];
      } else if (dirichlet_) {  // as the x walls above
        const double p_lo = pad[pidx(i, 0)], p_hi = pad[pidx(i, ny_ - 1)];
        G[i] = wall_drift * std::min(vy_[i], 0.0) * p_lo - 2.0 * kwall_y * p_lo / dy_;
        G[top] = wall_drift * std::max(vy_[top], 0.0) * p_hi + 2.0 * kwall_y * p_hi / dy_;
      } else {
        G[i] = G[top] = 0.0;
      }
    }

    // Conservative update: each stored face flux leaves one cell and enters its neighbour.
    const double* peq = p_eq_.empty() || !(terms & kRelaxation) ? nullptr : p_eq_.data();
    const double inv_tau = inv_tau_;
#pragma omp for schedule(static)
    for (int j = 0; j < ny_; ++j) {
      const double* F = fx_.data() + static_cast<std::size_t>(j) * nxf;
      const double* G_lo = fy_.data() + static_cast<std::size_t>(j) * nx_;
      const double* G_hi = G_lo + nx_;
      const std::size_t r = static_cast<std::size_t>(j) * nx_;
      for (int i = 0; i < nx_; ++i) {
        double v = -(F[i + 1] - F[i]) / dx_ - (G_hi[i] - G_lo[i]) / dy_;
        if (peq) v += (peq[r + i] - up[r + i]) * inv_tau;
        o[r + i] = v;
      }
    }
  }
}

// Forward Euler stability of the combined scheme, written u' = u + dt L u:
//  - drift: a cell loses at most outflow_factor · Σ_faces max(f·n_out, 0)/h · p per unit time
//    (upwind sends its own value p out, a limited MUSCL face value is ≤ 2p), so with every other
//    contribution non-negative u' ≥ p (1 − dt · rate) (LeVeque 2002, ch. 6);
//  - diffusion: the 5-point part takes 2 K_xx/dx² + 2 K_yy/dy² from the cell's own value
//    (the classical dt ≤ h²/(4K) for K = I), and the cross stencil's symbol is
//    −2 K_xy sin θx sin θy/(dx dy), adding at most |K_xy|/(dx dy) to the rate (for K_xy ≠ 0 the
//    bound is a von Neumann L² bound, the stencil is no longer positive);
//  - relaxation: 1/τ;
//  - dirichlet walls: a cell next to one loses 2K/h² through it (the wall value 0 sits h/2
//    away), so the diffusion part becomes 3K_xx/dx² + 3K_yy/dy² (drift through the wall is
//    upwinded and counted in the outflow rate);
//  - chang_cooper: a cell loses (K/h²) B(∓Pe) through each face, and B(−Pe) ≤ max(Pe, 0) + 1,
//    so its loss rate is at most the drift outflow rate + 2K/h² per direction: the same bound
//    keeps it positive at any cell Péclet number (it is sharp for Pe → 0 and Pe → ∞).
// dt_max = 1 / (outflow_factor · max_cells(drift outflow rate) + c K_xx/dx² + c K_yy/dy²
//               + |K_xy|/(dx dy) + 1/τ),   c = 2 (3 with dirichlet walls),
// so u' ≥ 0 under dt ≤ dt_max for upwind and muscl with diagonal K. SSP Runge–Kutta methods
// (ssprk3) inherit it, rk4 is stable under it. Central drift fluxes have purely imaginary
// eigenvalues of modulus ≤ max|f|/h: stable under this dt with ssprk3 or rk4, never with euler
// unless diffusion dominates. The driver multiplies dt_max by solver.cfl.
double FVOperator::max_stable_dt(double t) const { return stable_dt(t, kAll); }

// IMEX: the drift alone (diffusion and relaxation are implicit).
double FVOperator::max_stable_dt_nonstiff(double t) const { return stable_dt(t, kDrift); }

// Largest outflow rate of a cell, Σ_faces max(f·n_out, 0)/h: what forward Euler must not exceed.
double FVOperator::max_outflow_rate() const {
  if (outflow_valid_) return max_outflow_;
  double worst = 0.0;
#pragma omp parallel for reduction(max : worst) schedule(static) if (g_.size() >= kParallelMinCells)
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const double* vx = vx_.data() + static_cast<std::size_t>(j) * (nx_ + 1);
      const double out_x = std::max(vx[i + 1], 0.0) - std::min(vx[i], 0.0);
      const double out_y = std::max(vy_[static_cast<std::size_t>(j + 1) * nx_ + i], 0.0) -
                           std::min(vy_[static_cast<std::size_t>(j) * nx_ + i], 0.0);
      worst = std::max(worst, out_x / dx_ + out_y / dy_);
    }
  max_outflow_ = worst;
  outflow_valid_ = true;
  return worst;
}

double FVOperator::stable_dt(double t, unsigned terms) const {
  refresh_drift(t);
  double rate = (terms & kDrift ? scheme_->outflow_factor() * max_outflow_rate() : 0.0) +
                (terms & kRelaxation ? inv_tau_ : 0.0);
  if (has_diffusion_ && (terms & kDiffusion)) {
    const Mat2 K = eq_.diffusion(t);
    const double c = dirichlet_ ? 3.0 : 2.0;
    rate += c * K(0, 0) / (dx_ * dx_) + c * K(1, 1) / (dy_ * dy_) +
            std::abs(0.5 * (K(0, 1) + K(1, 0))) / (dx_ * dy_);
  }
  return rate > 0.0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
}

double FVOperator::mass_of(std::span<const double> u) const {
  double s = 0.0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (u.size() >= kParallelMinCells)
  for (std::size_t k = 0; k < u.size(); ++k) s += u[k];
  return s * g_.cell_area();
}

// The interior fluxes cancel pairwise, so the step's mass change is exactly (to round-off) the
// wall fluxes of every stage weighted by the integrator's tableau: booking the mass difference
// is the exact budget for any integrator, and mass + outflow telescopes to the initial mass.
void FVOperator::accept_step(std::span<const double> u, double /*t*/, double /*dt*/) {
  if (!dirichlet_) return;
  const double m = mass_of(u);
  if (mass_set_) outflow_ += mass_prev_ - m;
  mass_prev_ = m;
  mass_set_ = true;
}

std::string FVOperator::assembly_unavailable(ImplicitPart part) const {
  if (part == ImplicitPart::whole && has_drift_ && !scheme_->is_linear())
    return "the " + scheme_->name() +
           " flux is nonlinear (limited), so the operator cannot be assembled for an implicit "
           "integrator; use solver.scheme: chang_cooper, upwind or central, or the IMEX "
           "integrator imex_ars222 (drift explicit)";
  if (part == ImplicitPart::stiff && combined_ && has_drift_)
    return "the " + scheme_->name() +
           " flux fuses drift and diffusion, so IMEX cannot take one explicitly and the other "
           "implicitly; use backward_euler, crank_nicolson or bdf2 with it, or an IMEX "
           "integrator with solver.scheme: upwind, central or muscl";
  return {};
}

bool FVOperator::assembly_depends_on_time(ImplicitPart part) const {
  const bool drift = part == ImplicitPart::whole && drift_varies_;
  return drift || eq_.diffusion_depends_on_time();
}

// Assembly by probing the right-hand side itself (Curtis, Powell & Reid 1974 column grouping):
// the part is affine, F(u) = A u + b, and row r of A couples cell r only to cells within one
// cell of it (two-point fluxes; cross diffusion reaches the diagonal neighbours). Cells of one
// colour — equal (i mod mx, j mod my) with mx, my ≥ 3 chosen so that no two of them are within
// one cell of each other, periodic wrap included — have disjoint stencils, so one evaluation of
// F(e_colour) − b gives every column of that colour: 1 + mx·my evaluations for all of A, and A
// is exactly the matrix explicit_rhs applies (no second discretisation to keep consistent).
void FVOperator::assemble(ImplicitPart part, double t, SparseMatrix& A, std::span<double> b) {
  if (const auto why = assembly_unavailable(part); !why.empty()) throw InputError(why);
  const unsigned terms = terms_of(part);
  const std::size_t N = g_.size();
  if (b.size() != N) throw std::logic_error("FVOperator::assemble: b has the wrong size");
  Probing& pr = probing_[part == ImplicitPart::whole ? 0 : 1];
  probe_.resize(N);
  probe_out_.resize(N);
  const bool cross = has_diffusion_ && (terms & kDiffusion) && eq_.has_cross_diffusion();
  // Structural reach of a row: the 5-point stencil, plus the corners when D has a cross term
  // (D is constant and d(t) only scales it, so the pattern holds at every time).
  auto in_stencil = [&](int di, int dj) { return di == 0 || dj == 0 || cross; };
  auto wrap = [](int i, int n) { return (i % n + n) % n; };

  const bool first = A.rows() != static_cast<Eigen::Index>(N) || pr.slot.empty();
  if (first) {
    // Colouring period: ≥ 3, and with periodic wrap the last partial block must also keep
    // same-coloured cells ≥ 3 apart (n mod m = 0 or ≥ 3); m = n always works.
    auto period = [&](int n) {
      if (!periodic_) return std::min(3, n);
      for (int m = 3; m < n; ++m)
        if (n % m == 0 || n % m >= 3) return m;
      return n;
    };
    pr.mx = period(nx_);
    pr.my = period(ny_);
    std::vector<Eigen::Triplet<double>> pattern;
    pattern.reserve(N * (cross ? 9 : 5));
    for (int j = 0; j < ny_; ++j)
      for (int i = 0; i < nx_; ++i)
        for (int dj = -1; dj <= 1; ++dj)
          for (int di = -1; di <= 1; ++di) {
            if (!in_stencil(di, dj)) continue;
            int ii = i + di, jj = j + dj;
            if (periodic_) {
              ii = wrap(ii, nx_);
              jj = wrap(jj, ny_);
            } else if (ii < 0 || ii >= nx_ || jj < 0 || jj >= ny_) {
              continue;
            }
            pattern.emplace_back(static_cast<int>(g_.index(i, j)),
                                 static_cast<int>(g_.index(ii, jj)), 0.0);
          }
    A.resize(static_cast<Eigen::Index>(N), static_cast<Eigen::Index>(N));
    A.setFromTriplets(pattern.begin(), pattern.end());  // duplicates (tiny periodic grids) merge
    A.makeCompressed();
    const int colours = pr.mx * pr.my;
    pr.slot.assign(static_cast<std::size_t>(colours) * N, -1);
    pr.nnz = A.nonZeros();
    // slot[colour][row]: the entry (row, col) with col the row's stencil cell of that colour.
    for (Eigen::Index col = 0; col < A.outerSize(); ++col) {
      const int ci = static_cast<int>(col % nx_), cj = static_cast<int>(col / nx_);
      const int colour = (cj % pr.my) * pr.mx + ci % pr.mx;
      for (auto k = A.outerIndexPtr()[col]; k < A.outerIndexPtr()[col + 1]; ++k)
        pr.slot[static_cast<std::size_t>(colour) * N + A.innerIndexPtr()[k]] = k;
    }
  }
  if (A.nonZeros() != pr.nnz)
    throw std::logic_error("FVOperator::assemble: A is not the matrix of an earlier call");

  std::fill(probe_.begin(), probe_.end(), 0.0);
  rhs(probe_, t, b, terms);  // b = F(0)
  double* values = A.valuePtr();
  std::fill(values, values + A.nonZeros(), 0.0);
  double scale = 0.0;  // for the stencil check below
  for (int cy = 0; cy < pr.my; ++cy)
    for (int cx = 0; cx < pr.mx; ++cx) {
      const int colour = cy * pr.mx + cx;
      for (int j = 0; j < ny_; ++j)
        for (int i = 0; i < nx_; ++i)
          probe_[g_.index(i, j)] = (i % pr.mx == cx && j % pr.my == cy) ? 1.0 : 0.0;
      rhs(probe_, t, probe_out_, terms);
      const std::ptrdiff_t* slot = pr.slot.data() + static_cast<std::size_t>(colour) * N;
      double stray = 0.0;
      for (std::size_t r = 0; r < N; ++r) {
        const double a = probe_out_[r] - b[r];
        scale = std::max(scale, std::abs(a));
        if (slot[r] >= 0)
          values[slot[r]] = a;
        else
          stray = std::max(stray, std::abs(a));
      }
      // A coupling outside the declared stencil means the colouring would mix columns.
      if (stray > 1e-12 * std::max(scale, 1.0))
        throw std::logic_error("FVOperator::assemble: the operator reaches beyond its stencil");
    }
}

}  // namespace

std::unique_ptr<SpatialOperator> make_fv_operator(const Equation& eq, const Grid2D& g,
                                                  const std::string& boundary,
                                                  const std::string& scheme) {
  const BoundaryKind b = boundary_from_name(boundary);
  return std::make_unique<FVOperator>(eq, g, b, make_flux_scheme(scheme));
}

}  // namespace fplab
