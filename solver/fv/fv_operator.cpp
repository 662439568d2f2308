// Finite-volume operator for ∂t p = −∇·(f p) + ∇·(K(t)∇p) + (p_eq − p)/τ in conservative flux
// form on the cell-centred grid (LeVeque, "Finite Volume Methods for Hyperbolic Problems", 2002,
// ch. 4 and 6 for the drift fluxes; second-order diffusion fluxes with cross terms).
//
// Every face flux (drift − diffusion) is subtracted from one cell and added to the other, so the
// discrete mass Σ p_ij dx dy changes only by round-off; zero_flux walls carry no flux, a periodic
// wall's two sides are the same number, and the flux through an absorbing (dirichlet) wall leaves
// the domain and is booked as outflow().
//
// A stage is one fused sweep over the rows (rhs): each thread walks its block of rows, computing
// a row's x-face fluxes and the y-face row above it into small per-thread buffers (the face row
// below is the previous row's) and differencing them into the cell update at once. Nothing of
// grid size is written but the result, and a linear drift's face velocities are computed on the
// fly, so a stage streams little more than the state and the result (bench/bench_fv.cpp).
#include "solver/fv/fv_operator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>

#include <omp.h>

#include "solver/errors.hpp"
#include "solver/non_finite_drift.hpp"
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
  bool current(std::span<const double> u, double t, std::span<double> jx,
               std::span<double> jy) override;
  bool has_outflow() const override { return dirichlet_; }
  double outflow() const override { return outflow_; }
  void restore_outflow(double outflow) override { outflow_ = outflow; }

 private:
  // What a stage needs, fixed once per right-hand side (see stage_of).
  struct Stage {
    const double* u;
    double kxx, kyy, kxy;  // K(t) when diffusion is asked for, else 0 (space-dependent K: the
                           // largest |entry| over the faces)
    // Space-dependent K, per face in the layout of vx_/vy_ (null when K is constant or not
    // asked for): the normal entry kn[axis] and the cross entry kc[axis] of the faces of an axis.
    const double* kn[2];
    const double* kc[2];
    double dxx, dyy;       // the operator's normal diffusion (0 when the scheme includes it)
    bool cross, diffuse, scheme_flux;
    double wall_drift;            // 1 when drift is asked for (absorbing walls), else 0
    std::optional<Mat2> A;        // linear drift f = A x: face velocities on the fly
    bool weights;                 // FaceLine::w from wx_, wy_
    const double* peq;            // relaxation target, or null
  };
  // Per-thread rows of a fused stage, sized once (no allocation inside a step).
  struct RowScratch {
    std::vector<double> row;           // a cell row with two ghosts each side (nx + 4)
    std::vector<double> fx;            // the row's x-face fluxes (nx + 1)
    std::vector<double> g_lo, g_hi;    // the y-face fluxes below and above the row (nx)
    std::vector<double> t_lo, t_hi;    // ∂x p of the rows either side of a y-face (nx)
    std::vector<double> dyp;           // ∂y p along the row, one ghost each side (nx + 2)
  };

  // Threads of a parallel sweep: never more than there are per-thread buffers.
  int teams() const {
    return static_cast<int>(
        std::min<std::size_t>(scratch_.size(), static_cast<std::size_t>(omp_get_max_threads())));
  }
  void make_face_evaluators();
  struct Probing;
  void make_probing(bool cross, Probing& pr, SparseMatrix& A) const;
  void refresh_drift(double t) const;
  void refresh_diffusion(double t) const;
  void check_face_diffusion(int axis, std::size_t k, double knn, double kxy, double ktt,
                            double t) const;
  void check_face_drifts(double t) const;
  void refresh_weights(double t) const;
  bool peclet_unchanged(double t) const;
  void potential_face_drifts(double t) const;
  double max_outflow_rate(double t) const;
  double mass_of(std::span<const double> u) const;
  // The terms `terms` (a Term mask) of the right-hand side; no side effects.
  void rhs(std::span<const double> u, double t, std::span<double> out, unsigned terms);
  // The fused sweep over the rows: row_done(j, w) once row j's x-face fluxes (w.fx) and the
  // y-face rows below and above it (w.g_lo, w.g_hi) are in w.
  template <class RowDone>
  void sweep(const Stage& s, RowDone row_done);
  Stage stage_of(std::span<const double> u, double t, unsigned terms);
  void fill_ghost_rows(const double* u);
  const double* row_ptr(const Stage& s, int j) const;
  void set_velocities(const Stage& s, int axis, int line, int first, FaceLine& f) const;
  void line_fluxes(const Stage& s, FaceLine& line, const double* tan_lo,
                   const double* tan_hi, double k_op, const double* kc, double* out) const;
  double wall_knn(const Stage& s, int axis, std::size_t face) const;
  double wall_flux(const Stage& s, double v, double p, double knn, double h, bool high) const;
  void x_faces(const Stage& s, int j, RowScratch& w) const;
  void y_faces(const Stage& s, int jf, RowScratch& w, double* G) const;
  void x_derivative(const double* row, double* out) const;
  void y_derivative(const Stage& s, int j, double* out) const;
  void update_row(const Stage& s, int j, const RowScratch& w, double* out) const;
  double stable_dt(double t, unsigned terms) const;
  static unsigned terms_of(ImplicitPart part) {
    return part == ImplicitPart::whole ? kAll : (kDiffusion | kRelaxation);
  }

  const Equation& eq_;  // must outlive the operator (the driver owns both)
  Grid2D g_;
  BoundaryKind boundary_;
  std::unique_ptr<FluxScheme> scheme_;
  int nx_, ny_;
  double dx_, dy_;
  bool periodic_, dirichlet_;
  double ghost_sign_;  // +1 even reflection (zero_flux), −1 odd (dirichlet: wall value 0)
  bool variable_;  // K depends on x: per-face K, and the Itô drift −∇·K in the face velocities
  bool has_drift_, has_diffusion_, drift_varies_;
  bool combined_;       // the scheme returns drift + normal diffusion (chang_cooper)
  bool use_potential_;  // face drifts −ΔU/h from the equation's potential (combined_ only)
  bool use_weights_;    // the scheme stores per-face weights (scheme_->has_face_weights())
  bool linear_;         // f = A(t) x: face velocities computed where needed, never stored
  // Absorbing walls: mass that has left, and the mass at the last accepted step (set by the
  // first right-hand side, which every integrator evaluates at the step's start state).
  double outflow_ = 0.0, mass_prev_ = 0.0;
  bool mass_set_ = false;
  double inv_tau_ = 0.0;  // 1/τ, 0 without relaxation
  std::vector<double> p_eq_;

  mutable std::vector<RowScratch> scratch_;  // one per thread (also refresh_weights' buffers)
  std::vector<double> ghost_rows_;   // dirichlet: the odd mirrors of rows 1, 0, ny−1, ny−2

  // Face-centre normal drift velocities of a drift that is not linear: x-faces of row j at
  // j (nx+1) + i, i ∈ [0, nx]; y-face row j at j nx + i, j ∈ [0, ny]. A cache refreshed when t
  // changes (drift depending on time) or once (steady drift); mutable because max_stable_dt(t)
  // is const. Also the largest drift outflow rate of a cell, Σ_faces max(f·n_out, 0)/h, at
  // outflow_time_.
  mutable std::vector<double> vx_, vy_;
  mutable double v_time_ = std::numeric_limits<double>::quiet_NaN();
  mutable bool v_valid_ = false;
  mutable double max_outflow_ = 0.0, outflow_time_ = 0.0;
  mutable bool outflow_valid_ = false;
  // Face weights of the scheme (layout of vx_/vy_), valid while the cell Péclet numbers are those
  // of w_time_ (see peclet_unchanged).
  mutable std::vector<double> wx_, wy_;
  mutable double w_time_ = 0.0;
  mutable bool w_valid_ = false;
  mutable Mat2 w_K_ = Mat2::Zero(), w_A_ = Mat2::Zero();
  // The equation's drift at the x- and y-face centres (made once; see make_face_evaluators).
  mutable std::unique_ptr<FieldAtPoints> drift_xf_, drift_yf_;
  // A space-dependent K at the face centres (refreshed with the drift, whose Itô term −∇·K it
  // also makes): normal and cross entries in the layout of vx_/vy_, their largest values
  // (K_xx over x-faces, K_yy over y-faces, |K_xy| over both), and two face rows of scratch.
  PointSet xf_pts_, yf_pts_;
  mutable std::vector<double> kxn_, kxc_, kyn_, kyc_, k_tmp_, div_tmp_;
  mutable double k_max_[3] = {0.0, 0.0, 0.0};

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
      dx_(g.dx()),
      dy_(g.dy()),
      periodic_(boundary == BoundaryKind::periodic),
      dirichlet_(boundary == BoundaryKind::dirichlet),
      ghost_sign_(boundary == BoundaryKind::dirichlet ? -1.0 : 1.0),
      variable_(eq.has_variable_diffusion()),
      has_drift_(eq.has_drift() || variable_),
      has_diffusion_(eq.has_diffusion()),
      drift_varies_(eq.drift_depends_on_time() || (variable_ && eq.diffusion_depends_on_time())),
      combined_(scheme_->includes_diffusion()),
      use_potential_(combined_ && eq.has_drift() && eq.has_potential() && !variable_),
      use_weights_(scheme_->has_face_weights()),
      linear_(!variable_ && eq.has_drift() && eq.linear_drift(0.0).has_value()) {
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
  const std::size_t nxf = static_cast<std::size_t>(nx_) + 1, nxs = static_cast<std::size_t>(nx_);
  scratch_.resize(static_cast<std::size_t>(std::max(1, omp_get_max_threads())));
  for (RowScratch& w : scratch_) {
    w.row.assign(nxs + 2 * kGhost, 0.0);
    w.fx.assign(nxf, 0.0);
    w.g_lo.assign(nxs, 0.0);
    w.g_hi.assign(nxs, 0.0);
    w.t_lo.assign(nxs, 0.0);
    w.t_hi.assign(nxs, 0.0);
    w.dyp.assign(nxs + 2, 0.0);
  }
  if (dirichlet_) ghost_rows_.assign(4 * nxs, 0.0);
  if (has_drift_ && !linear_) {
    vx_.assign(nxf * ny_, 0.0);
    vy_.assign(nxs * (ny_ + 1), 0.0);
    if (variable_) {
      kxn_.assign(vx_.size(), 0.0);
      kxc_.assign(vx_.size(), 0.0);
      kyn_.assign(vy_.size(), 0.0);
      kyc_.assign(vy_.size(), 0.0);
      k_tmp_.assign(std::max(vx_.size(), vy_.size()), 0.0);
      div_tmp_.assign(k_tmp_.size(), 0.0);
    }
    make_face_evaluators();
    refresh_drift(0.0);
  }
  if (use_weights_) {
    wx_.assign(nxf * ny_, 1.0);
    wy_.assign(nxs * (ny_ + 1), 1.0);
  }
}

// Face-centre points of the normal velocities, in the layout of vx_ and vy_: x-faces
// (x_{i−½}, y_j), i ∈ [0, nx]; y-faces (x_i, y_{j−½}), j ∈ [0, ny], with a periodic top face at y0
// (it is the bottom face's image). Both are lattices except the periodic y-faces, which say so,
// so that a score can exploit the structure.
void FVOperator::make_face_evaluators() {
  xf_pts_ = lattice_points({nx_ + 1, ny_, g_.x0, g_.yc(0), dx_, dy_});
  yf_pts_ = lattice_points({nx_, ny_ + 1, g_.xc(0), g_.y0, dx_, dy_});
  if (periodic_) {
    std::fill(yf_pts_.y.end() - nx_, yf_pts_.y.end(), g_.y0);
    yf_pts_.lattice.reset();
  }
  drift_xf_ = eq_.drift_at(xf_pts_);
  drift_yf_ = eq_.drift_at(yf_pts_);
  if (!variable_) xf_pts_ = yf_pts_ = PointSet{};  // only a space-dependent K reads them again
}

void FVOperator::refresh_drift(double t) const {
  if (!has_drift_ || linear_) return;
  if (v_valid_ && (!drift_varies_ || t == v_time_)) return;
  // All faces of a direction in one batch (the equation parallelises it); only the normal
  // component is asked for.
  drift_xf_->eval(t, vx_, {});
  drift_yf_->eval(t, {}, vy_);
  if (use_potential_) potential_face_drifts(t);
  if (variable_) refresh_diffusion(t);
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
  check_face_drifts(t);
  v_time_ = t;
  v_valid_ = true;
}

// A face velocity that is not finite (f = 1/x on a face at x = 0, U = exp(1000 x)) would turn
// every later value into NaN: NonFiniteDrift names the face centre.
void FVOperator::check_face_drifts(double t) const {
  const std::size_t nxf = static_cast<std::size_t>(nx_) + 1;
  for (std::size_t k = 0; k < vx_.size(); ++k)
    if (!std::isfinite(vx_[k]))
      throw NonFiniteDrift(0, g_.x_edge(static_cast<int>(k % nxf)),
                           g_.yc(static_cast<int>(k / nxf)), t);
  for (std::size_t k = 0; k < vy_.size(); ++k)
    if (!std::isfinite(vy_[k]))
      throw NonFiniteDrift(1, g_.xc(static_cast<int>(k % nx_)),
                           g_.y_edge(static_cast<int>(k / nx_)), t);
}

// A space-dependent K at the face centres, checked positive semi-definite face by face, and its
// Itô term: the face velocities become (f − ∇·K)·n (equation.hpp, has_variable_diffusion).
void FVOperator::refresh_diffusion(double t) const {
  for (int axis = 0; axis < 2; ++axis) {
    const PointSet& pts = axis == 0 ? xf_pts_ : yf_pts_;
    const std::size_t n = pts.size();
    std::vector<double>& kn = axis == 0 ? kxn_ : kyn_;
    std::vector<double>& kc = axis == 0 ? kxc_ : kyc_;
    std::vector<double>& v = axis == 0 ? vx_ : vy_;
    const std::span<double> kt(k_tmp_.data(), n), div(div_tmp_.data(), n);
    Equation::DiffusionAtPoints out{};
    (axis == 0 ? out.kxx : out.kyy) = kn;
    (axis == 0 ? out.kyy : out.kxx) = kt;
    out.kxy = kc;
    (axis == 0 ? out.div_x : out.div_y) = div;
    eq_.diffusion_batch(pts.x, pts.y, t, out);
    double kmax = 0.0, cmax = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      check_face_diffusion(axis, k, kn[k], kc[k], kt[k], t);
      if (!std::isfinite(div[k]))
        throw InputError(fmt::format(
            "equation.diffusion.D: its divergence (the Itô drift ∇·D) is not finite at the face "
            "centre (x, y) = ({:.6g}, {:.6g}) (t = {:.6g})",
            pts.x[k], pts.y[k], t));
      v[k] -= div[k];
      kmax = std::max(kmax, kn[k]);
      cmax = std::max(cmax, std::abs(kc[k]));
    }
    k_max_[axis] = kmax;
    k_max_[2] = axis == 0 ? cmax : std::max(k_max_[2], cmax);
  }
}

// K at a face must be finite and symmetric positive semi-definite: K_nn, K_tt ≥ 0 and
// K_nn K_tt ≥ K_xy² (to rounding); an input error names the face centre otherwise.
void FVOperator::check_face_diffusion(int axis, std::size_t k, double knn, double kxy,
                                      double ktt, double t) const {
  const PointSet& pts = axis == 0 ? xf_pts_ : yf_pts_;
  const double kxx = axis == 0 ? knn : ktt, kyy = axis == 0 ? ktt : knn;
  const double scale = std::max({std::abs(kxx), std::abs(kyy), std::abs(kxy)});
  const double tol = 1e-12 * scale;
  if (std::isfinite(scale) && kxx >= -tol && kyy >= -tol && kxx * kyy - kxy * kxy >= -tol * scale)
    return;
  const double mid = 0.5 * (kxx + kyy), rad = std::hypot(0.5 * (kxx - kyy), kxy);
  throw InputError(fmt::format(
      "equation.diffusion.D: expected a symmetric positive semi-definite matrix at every face, "
      "got [[{:.6g}, {:.6g}], [{:.6g}, {:.6g}]] (eigenvalues {:.6g} and {:.6g}) at the face "
      "centre (x, y) = ({:.6g}, {:.6g}) (t = {:.6g})",
      kxx, kxy, kxy, kyy, mid - rad, mid + rad, pts.x[k], pts.y[k], t));
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

// The cell Péclet numbers v h/K_nn, and so the stored face weights, still hold at t when neither
// the drift nor K changes, or when a linear drift and K(t) = d(t) D scale by one factor (the VP
// schedule: a(t) = β/2, d(t) = β).
bool FVOperator::peclet_unchanged(double t) const {
  if (!has_drift_ || (!drift_varies_ && !eq_.diffusion_depends_on_time())) return true;
  if (variable_) return false;  // K(x, t) changes with t
  const std::optional<Mat2> A = eq_.linear_drift(t);
  if (!A) return false;
  const Mat2 K = eq_.diffusion(t);
  const double kn = w_K_.cwiseAbs().maxCoeff(), an = w_A_.cwiseAbs().maxCoeff();
  if (!(kn > 0.0) || !(an > 0.0)) return false;
  const double c = K.cwiseAbs().maxCoeff() / kn;
  return (K - c * w_K_).cwiseAbs().maxCoeff() <= 1e-14 * c * kn &&
         (*A - c * w_A_).cwiseAbs().maxCoeff() <= 1e-14 * c * an;
}

void FVOperator::refresh_weights(double t) const {
  if (!use_weights_) return;
  if (w_valid_ && (t == w_time_ || peclet_unchanged(t))) return;
  refresh_drift(t);
  const Mat2 K = has_diffusion_ && !variable_ ? eq_.diffusion(t) : Mat2::Zero();
  Stage s{};
  if (linear_) s.A = eq_.linear_drift(t);
  const int nxf = nx_ + 1;
#pragma omp parallel num_threads(teams()) if (g_.size() >= kParallelMinCells)
  {
    double* buf = scratch_[static_cast<std::size_t>(omp_get_thread_num())].fx.data();
    // The velocities of a face line, stored or computed into buf.
    auto line = [&](int axis, int j, int n) {
      FaceLine f{};
      set_velocities(s, axis, j, 0, f);
      if (f.v) return f.v;
      for (int i = 0; i < n; ++i) buf[i] = f.velocity(i);
      return static_cast<const double*>(buf);
    };
#pragma omp for schedule(static)
    for (int j = 0; j <= ny_; ++j) {
      const std::size_t rx = static_cast<std::size_t>(j) * nxf, ry = static_cast<std::size_t>(j) * nx_;
      if (j < ny_)
        scheme_->face_weights(line(0, j, nxf), nxf, K(0, 0), variable_ ? kxn_.data() + rx : nullptr,
                              dx_, wx_.data() + rx);
      scheme_->face_weights(line(1, j, nx_), nx_, K(1, 1), variable_ ? kyn_.data() + ry : nullptr,
                            dy_, wy_.data() + ry);
    }
  }
  w_K_ = K;
  w_A_ = eq_.linear_drift(t).value_or(Mat2::Zero());
  w_time_ = t;
  w_valid_ = true;
}

FVOperator::Stage FVOperator::stage_of(std::span<const double> u, double t, unsigned terms) {
  Stage s{};
  s.u = u.data();
  const bool with_drift = terms & kDrift, with_diffusion = terms & kDiffusion;
  if (variable_) refresh_drift(t);  // the face K (and the Itô drift) at t
  const bool variable = variable_ && with_diffusion;
  const Mat2 K = has_diffusion_ && with_diffusion && !variable_ ? eq_.diffusion(t) : Mat2::Zero();
  s.kxx = variable ? k_max_[0] : K(0, 0);
  s.kyy = variable ? k_max_[1] : K(1, 1);
  s.kxy = variable ? k_max_[2] : 0.5 * (K(0, 1) + K(1, 0));
  s.kn[0] = variable ? kxn_.data() : nullptr;
  s.kn[1] = variable ? kyn_.data() : nullptr;
  s.kc[0] = variable ? kxc_.data() : nullptr;
  s.kc[1] = variable ? kyc_.data() : nullptr;
  s.cross = s.kxy != 0.0;
  s.diffuse = s.kxx != 0.0 || s.kyy != 0.0 || s.cross;
  // Normal diffusion handled by the operator (0 when the scheme includes it; cross terms are
  // always the operator's centred flux, added on top of an exponentially fitted one).
  s.dxx = combined_ ? 0.0 : s.kxx;
  s.dyy = combined_ ? 0.0 : s.kyy;
  // A combined (exponentially fitted) scheme carries the drift and the normal diffusion in one
  // flux; assembly only asks for both or neither (assembly_unavailable refuses the split).
  s.scheme_flux = with_drift && (has_drift_ || combined_);
  s.wall_drift = with_drift ? 1.0 : 0.0;
  // A linear drift always (absorbing walls read it); stored velocities when the drift is asked for.
  if (linear_) s.A = eq_.linear_drift(t);
  else if (s.scheme_flux) refresh_drift(t);
  s.weights = s.scheme_flux && use_weights_;
  if (s.weights) refresh_weights(t);
  s.peq = p_eq_.empty() || !(terms & kRelaxation) ? nullptr : p_eq_.data();
  return s;
}

// Absorbing walls: the odd mirrors of rows 1, 0 (below the grid) and ny−1, ny−2 (above).
void FVOperator::fill_ghost_rows(const double* u) {
  const int src[4] = {1, 0, ny_ - 1, ny_ - 2};
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < nx_; ++i)
      ghost_rows_[static_cast<std::size_t>(k) * nx_ + i] =
          -u[static_cast<std::size_t>(src[k]) * nx_ + i];
}

// Row j ∈ [−2, ny + 2) of the state: wrapped (periodic), mirrored (zero_flux, even) or a stored
// odd mirror (dirichlet) outside the grid.
const double* FVOperator::row_ptr(const Stage& s, int j) const {
  if (j >= 0 && j < ny_) return s.u + static_cast<std::size_t>(j) * nx_;
  if (periodic_) return s.u + static_cast<std::size_t>((j + ny_) % ny_) * nx_;
  if (dirichlet_) {
    const int k = j < 0 ? j + 2 : j - ny_ + 2;  // −2, −1, ny, ny+1 → 0, 1, 2, 3
    return ghost_rows_.data() + static_cast<std::size_t>(k) * nx_;
  }
  return s.u + static_cast<std::size_t>(j < 0 ? -j - 1 : 2 * ny_ - 1 - j) * nx_;
}

// Normal velocities of a line of faces, from face `first` on: the x-faces of row `line` (axis
// 0, face i at x_{i−½}) or the y-face row `line` (axis 1, face i at x_i). A linear drift is affine
// along the line, so it is handed over as v0 + k dv and computed in the flux pass; any other
// drift is the stored row.
void FVOperator::set_velocities(const Stage& s, int axis, int line, int first,
                                FaceLine& f) const {
  if (!has_drift_) {  // no drift, no stored velocities (v0 = dv = 0)
    f.v = nullptr;
    f.v0 = f.dv = 0.0;
    return;
  }
  if (!s.A) {
    f.v = (axis == 0 ? vx_.data() + static_cast<std::size_t>(line) * (nx_ + 1)
                     : vy_.data() + static_cast<std::size_t>(line) * nx_) +
          first;
    return;
  }
  const Mat2& A = *s.A;
  const double x = (axis == 0 ? g_.x0 : g_.xc(0)) + first * dx_;
  const double y = axis == 0 ? g_.yc(0) + line * dy_ : g_.y0 + line * dy_;
  f.v = nullptr;
  f.v0 = A(axis, 0) * x + A(axis, 1) * y;
  f.dv = A(axis, 0) * dx_;
}

// Interior faces of one line, either axis: the scheme's flux minus the operator's diffusion flux
// k_op ∂n p + K_xy ∂τ p, with ∂τ p (tangential) averaged over the two cells of the face.
// A space-dependent K (line.Kn, kc per face) takes the same path with its face values.
void FVOperator::line_fluxes(const Stage& s, FaceLine& line, const double* tan_lo,
                             const double* tan_hi, double k_op, const double* kc,
                             double* out) const {
  const bool per_face = line.Kn && k_op != 0.0;  // the operator's normal flux, face by face
  line.c_diff = per_face ? 0.0 : k_op / line.h;
  line.Kd = per_face ? line.Kn : nullptr;
  const double *L = line.L, *R = line.R;
  if (s.scheme_flux) {
    scheme_->flux_line(line, out);
  } else if (per_face) {
    const double *Kd = line.Kd, inv_h = 1.0 / line.h;
#pragma omp simd
    for (int k = 0; k < line.n; ++k) out[k] = -Kd[k] * inv_h * (R[k] - L[k]);
  } else {
    const double c = line.c_diff;
#pragma omp simd
    for (int k = 0; k < line.n; ++k) out[k] = -c * (R[k] - L[k]);
  }
  if (!s.cross) return;
  if (kc) {
#pragma omp simd
    for (int k = 0; k < line.n; ++k) out[k] -= 0.5 * kc[k] * (tan_lo[k] + tan_hi[k]);
    return;
  }
  const double half_kxy = 0.5 * s.kxy;
#pragma omp simd
  for (int k = 0; k < line.n; ++k) out[k] -= half_kxy * (tan_lo[k] + tan_hi[k]);
}

// The normal K of wall face `face` (index in the layout of vx_/vy_) of an axis.
double FVOperator::wall_knn(const Stage& s, int axis, std::size_t face) const {
  if (s.kn[axis]) return s.kn[axis][face];
  return axis == 0 ? s.kxx : s.kyy;
}

// Flux through an absorbing wall from the cell next to it (value p), positive towards the high
// side: outside density 0 upwinded, normal diffusion −K (0 − p)/(h/2); the tangential derivative
// of p vanishes along the wall (p = 0 there), so no cross flux.
double FVOperator::wall_flux(const Stage& s, double v, double p, double knn, double h,
                             bool high) const {
  return high ? s.wall_drift * std::max(v, 0.0) * p + 2.0 * knn * p / h
              : s.wall_drift * std::min(v, 0.0) * p - 2.0 * knn * p / h;
}

// ∂x p along a row: centred, one-sided in the cells next to a non-periodic wall (a mirrored
// ghost would halve it), wrapped when periodic.
void FVOperator::x_derivative(const double* row, double* out) const {
  const double c = 0.5 / dx_;
#pragma omp simd
  for (int i = 1; i < nx_ - 1; ++i) out[i] = c * (row[i + 1] - row[i - 1]);
  if (periodic_) {
    out[0] = c * (row[1] - row[nx_ - 1]);
    out[nx_ - 1] = c * (row[0] - row[nx_ - 2]);
  } else {
    out[0] = (row[1] - row[0]) / dx_;
    out[nx_ - 1] = (row[nx_ - 1] - row[nx_ - 2]) / dx_;
  }
}

// ∂y p of the cells of row j, the same rule across rows; out[i + 1] for cell i, with the wrapped
// neighbours of the end cells at out[0] and out[nx + 1] (read by periodic wall faces only).
void FVOperator::y_derivative(const Stage& s, int j, double* out) const {
  const bool centred = periodic_ || (j > 0 && j < ny_ - 1);
  const double* lo = row_ptr(s, centred ? j - 1 : (j == 0 ? 0 : j - 1));
  const double* hi = row_ptr(s, centred ? j + 1 : (j == 0 ? 1 : j));
  const double c = centred ? 0.5 / dy_ : 1.0 / dy_;
#pragma omp simd
  for (int i = 0; i < nx_; ++i) out[i + 1] = c * (hi[i] - lo[i]);
  out[0] = out[nx_];
  out[nx_ + 1] = out[1];
}

// The x-face fluxes of row j into w.fx (face i at x_{i−½}, i ∈ [0, nx]).
void FVOperator::x_faces(const Stage& s, int j, RowScratch& w) const {
  const double* row = row_ptr(s, j);
  double* pr = w.row.data() + kGhost;  // pr[i] = p(i, j), i ∈ [−2, nx + 2)
  std::copy(row, row + nx_, pr);
  for (int k = 1; k <= kGhost; ++k) {
    pr[-k] = periodic_ ? row[nx_ - k] : ghost_sign_ * row[k - 1];
    pr[nx_ - 1 + k] = periodic_ ? row[k - 1] : ghost_sign_ * row[nx_ - k];
  }
  if (s.cross) y_derivative(s, j, w.dyp.data());
  const int f0 = periodic_ ? 0 : 1;  // a periodic wall is one face, computed at x0
  FaceLine line{pr + f0 - 2, pr + f0 - 1, pr + f0, pr + f0 + 1, nullptr};
  line.n = nx_ - f0;
  line.K = s.kxx;
  line.h = dx_;
  const std::size_t r = static_cast<std::size_t>(j) * (nx_ + 1);
  if (s.weights) line.w = wx_.data() + r + f0;
  if (s.kn[0]) line.Kn = s.kn[0] + r + f0;
  set_velocities(s, 0, j, f0, line);
  // Cells f − 1 and f of face f sit at dyp[f] and dyp[f + 1].
  line_fluxes(s, line, w.dyp.data() + f0, w.dyp.data() + f0 + 1, s.dxx,
              s.kc[0] ? s.kc[0] + r + f0 : nullptr, w.fx.data() + f0);
  double* F = w.fx.data();
  if (periodic_) {
    F[nx_] = F[0];
  } else if (dirichlet_) {
    FaceLine walls{};
    set_velocities(s, 0, j, 0, walls);
    F[0] = wall_flux(s, walls.velocity(0), row[0], wall_knn(s, 0, r), dx_, false);
    F[nx_] = wall_flux(s, walls.velocity(nx_), row[nx_ - 1], wall_knn(s, 0, r + nx_), dx_, true);
  } else {
    F[0] = F[nx_] = 0.0;
  }
}

// The y-face row jf (faces (x_i, y_{jf−½}), jf ∈ [0, ny]) into G.
void FVOperator::y_faces(const Stage& s, int jf, RowScratch& w, double* G) const {
  if (!periodic_ && (jf == 0 || jf == ny_)) {
    if (!dirichlet_) {
      std::fill_n(G, nx_, 0.0);
      return;
    }
    FaceLine walls{};
    set_velocities(s, 1, jf, 0, walls);
    const double* p = row_ptr(s, jf == 0 ? 0 : ny_ - 1);
    for (int i = 0; i < nx_; ++i)
      G[i] = wall_flux(s, walls.velocity(i), p[i],
                       wall_knn(s, 1, static_cast<std::size_t>(jf) * nx_ + i), dy_, jf == ny_);
    return;
  }
  const int je = jf == ny_ ? 0 : jf;  // the periodic top wall is the bottom one
  const double* lo = row_ptr(s, je - 1);
  const double* hi = row_ptr(s, je);
  if (s.cross) {
    x_derivative(lo, w.t_lo.data());
    x_derivative(hi, w.t_hi.data());
  }
  FaceLine line{row_ptr(s, je - 2), lo, hi, row_ptr(s, je + 1), nullptr};
  line.n = nx_;
  line.K = s.kyy;
  line.h = dy_;
  const std::size_t r = static_cast<std::size_t>(je) * nx_;
  if (s.weights) line.w = wy_.data() + r;
  if (s.kn[1]) line.Kn = s.kn[1] + r;
  set_velocities(s, 1, je, 0, line);
  line_fluxes(s, line, w.t_lo.data(), w.t_hi.data(), s.dyy, s.kc[1] ? s.kc[1] + r : nullptr, G);
}

// Conservative update of row j: each face flux leaves one cell and enters its neighbour.
void FVOperator::update_row(const Stage& s, int j, const RowScratch& w, double* out) const {
  const std::size_t r = static_cast<std::size_t>(j) * nx_;
  const double *F = w.fx.data(), *G_lo = w.g_lo.data(), *G_hi = w.g_hi.data();
  const double inv_dx = 1.0 / dx_, inv_dy = 1.0 / dy_;
  double* o = out + r;
  if (!s.peq) {
#pragma omp simd
    for (int i = 0; i < nx_; ++i) o[i] = -(F[i + 1] - F[i]) * inv_dx - (G_hi[i] - G_lo[i]) * inv_dy;
    return;
  }
  const double *pe = s.peq + r, *p = s.u + r;
#pragma omp simd
  for (int i = 0; i < nx_; ++i)
    o[i] = -(F[i + 1] - F[i]) * inv_dx - (G_hi[i] - G_lo[i]) * inv_dy + (pe[i] - p[i]) * inv_tau_;
}

// One fused sweep: each thread takes a block of rows, carrying the y-face row between two of its
// rows from one to the next (the face row at a block's edge is computed by both neighbours, the
// same number from the same code, so the fluxes still cancel pairwise).
template <class RowDone>
void FVOperator::sweep(const Stage& s, RowDone row_done) {
  if (dirichlet_) fill_ghost_rows(s.u);
#pragma omp parallel num_threads(teams()) if (g_.size() >= kParallelMinCells)
  {
    const int n_thr = omp_get_num_threads(), id = omp_get_thread_num();
    const int j0 = static_cast<int>(static_cast<long>(ny_) * id / n_thr);
    const int j1 = static_cast<int>(static_cast<long>(ny_) * (id + 1) / n_thr);
    RowScratch& w = scratch_[static_cast<std::size_t>(id)];
    if (j0 < j1) y_faces(s, j0, w, w.g_lo.data());
    for (int j = j0; j < j1; ++j) {
      y_faces(s, j + 1, w, w.g_hi.data());
      x_faces(s, j, w);
      row_done(j, w);
      std::swap(w.g_lo, w.g_hi);
    }
  }
}

void FVOperator::rhs(std::span<const double> u, double t, std::span<double> out, unsigned terms) {
  const Stage s = stage_of(u, t, terms);
  sweep(s, [&](int j, const RowScratch& w) { update_row(s, j, w, out.data()); });
}

// The face fluxes of drift and diffusion (relaxation moves no mass in space), averaged to the
// cell centres: J_x = (F_{i−½} + F_{i+½})/2, J_y = (G_{j−½} + G_{j+½})/2.
bool FVOperator::current(std::span<const double> u, double t, std::span<double> jx,
                         std::span<double> jy) {
  const Stage s = stage_of(u, t, kDrift | kDiffusion);
  sweep(s, [&](int j, const RowScratch& w) {
    const std::size_t r = static_cast<std::size_t>(j) * nx_;
    const double *F = w.fx.data(), *G_lo = w.g_lo.data(), *G_hi = w.g_hi.data();
#pragma omp simd
    for (int i = 0; i < nx_; ++i) {
      jx[r + i] = 0.5 * (F[i] + F[i + 1]);
      jy[r + i] = 0.5 * (G_lo[i] + G_hi[i]);
    }
  });
  return true;
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
// No flux crosses a zero-flux wall, and a periodic wall is one face, seen from its low side.
double FVOperator::max_outflow_rate(double t) const {
  if (!has_drift_) return 0.0;
  if (outflow_valid_ && (!drift_varies_ || t == outflow_time_)) return max_outflow_;
  refresh_drift(t);
  Stage s{};
  if (linear_) s.A = eq_.linear_drift(t);
  const bool walls = !periodic_ && !dirichlet_;  // zero-flux walls carry no velocity
  double worst = 0.0;
#pragma omp parallel for reduction(max : worst) schedule(static) if (g_.size() >= kParallelMinCells)
  for (int j = 0; j < ny_; ++j) {
    FaceLine x{}, lo{}, hi{};
    set_velocities(s, 0, j, 0, x);
    set_velocities(s, 1, j, 0, lo);
    set_velocities(s, 1, periodic_ && j + 1 == ny_ ? 0 : j + 1, 0, hi);
    const bool wall_lo = walls && j == 0, wall_hi = walls && j + 1 == ny_;
    for (int i = 0; i < nx_; ++i) {
      const double left = walls && i == 0 ? 0.0 : x.velocity(i);
      const double right = walls && i + 1 == nx_ ? 0.0 : x.velocity(periodic_ && i + 1 == nx_ ? 0 : i + 1);
      const double below = wall_lo ? 0.0 : lo.velocity(i), above = wall_hi ? 0.0 : hi.velocity(i);
      const double out_x = std::max(right, 0.0) - std::min(left, 0.0);
      const double out_y = std::max(above, 0.0) - std::min(below, 0.0);
      worst = std::max(worst, out_x / dx_ + out_y / dy_);
    }
  }
  max_outflow_ = worst;
  outflow_time_ = t;
  outflow_valid_ = true;
  return worst;
}

double FVOperator::stable_dt(double t, unsigned terms) const {
  double rate = (terms & kDrift ? scheme_->outflow_factor() * max_outflow_rate(t) : 0.0) +
                (terms & kRelaxation ? inv_tau_ : 0.0);
  if (has_diffusion_ && (terms & kDiffusion)) {
    // A space-dependent K: its largest face values bound a cell's loss rate the same way.
    if (variable_) refresh_drift(t);
    const Mat2 K = variable_ ? (Mat2() << k_max_[0], k_max_[2], k_max_[2], k_max_[1]).finished()
                             : eq_.diffusion(t);
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

// The sparsity pattern of an assembled part and its probing colours (see assemble): made once.
void FVOperator::make_probing(bool cross, Probing& pr, SparseMatrix& A) const {
  // Structural reach of a row: the 5-point stencil, plus the corners when D has a cross term
  // (the pattern holds at every time: d(t) only scales D, and a D(x) keeps its cross entry).
  auto in_stencil = [&](int di, int dj) { return di == 0 || dj == 0 || cross; };
  auto wrap = [](int i, int n) { return (i % n + n) % n; };
  const std::size_t N = g_.size();
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
  if (A.rows() != static_cast<Eigen::Index>(N) || pr.slot.empty()) make_probing(cross, pr, A);
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
