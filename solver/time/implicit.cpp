// Implicit and IMEX integrators (see implicit.hpp).
#include "solver/time/implicit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "solver/errors.hpp"
#include "solver/time/linear_solve.hpp"

namespace fplab {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Solves (I − c A(t)) x = r for the operator's assembled part: assembles A(t), b(t) and hands
// the solve to a ShiftedSolver (solver/time/linear_solve.hpp: SparseLU or BiCGSTAB).
class ShiftedSystem {
 public:
  void init(SpatialOperator& op, ImplicitPart part, const std::string& integrator,
            LinearSolver choice, double tolerance) {
    if (const auto why = op.assembly_unavailable(part); !why.empty())
      throw InputError("solver.integrator: " + integrator + " cannot run here: " + why);
    op_ = &op;
    part_ = part;
    varies_ = op.assembly_depends_on_time(part);
    b_.assign(op.size(), 0.0);
    A_ = SparseMatrix();
    op.assemble(part, 0.0, A_, b_);
    t_A_ = 0.0;
    solver_.init(A_, varies_, choice, tolerance);
  }

  // A(t), b(t) current at t.
  void update(double t) {
    if (!varies_ || t == t_A_) return;
    op_->assemble(part_, t, A_, b_);
    t_A_ = t;
    solver_.values_changed();
  }
  const std::vector<double>& b() const { return b_; }
  const ShiftedSolver& solver() const { return solver_; }

  // x = (I − c A(t))⁻¹ r (update(t) first); x holds the iterative solve's initial guess on
  // entry. r and x may not alias.
  void solve(double t, double c, std::span<const double> r, std::span<double> x) {
    update(t);
    solver_.solve(t, c, r, x);
  }

 private:
  SpatialOperator* op_ = nullptr;
  ImplicitPart part_ = ImplicitPart::whole;
  bool varies_ = false;
  SparseMatrix A_;
  std::vector<double> b_;
  double t_A_ = kNaN;
  ShiftedSolver solver_;
};

// Implicit (needs() = assembly: all of F) and IMEX (stiff_assembly: diffusion and relaxation)
// integrators: one shifted system of the part they treat implicitly, plus work vectors.
class ImplicitBase : public TimeIntegrator {
 public:
  bool is_explicit() const override { return false; }
  Needs needs() const override { return Needs::assembly; }
  void set_tolerance(double tol) override { tol_ = tol; }
  void set_linear_solver(LinearSolver s) override { linear_solver_ = s; }
  void init(SpatialOperator& op) override {
    sys_.init(op, needs() == Needs::stiff_assembly ? ImplicitPart::stiff : ImplicitPart::whole,
              name(), linear_solver_, tol_);
    n_ = op.size();
    r_.assign(n_, 0.0);
    allocate();
  }

 protected:
  virtual void allocate() {}
  // u ← (I − h A(t+h))⁻¹ (u + h b(t+h)): backward Euler, also BDF2's starting step. Every solve
  // below writes into the state it starts from: the iterative solve is warm-started from the
  // last step's solution (or, in IMEX's first stage, from u).
  void backward_euler_step(double t, double h, std::span<double> u) {
    sys_.update(t + h);
    const double* b = sys_.b().data();
    for (std::size_t k = 0; k < n_; ++k) r_[k] = u[k] + h * b[k];
    sys_.solve(t + h, h, r_, u);
  }
  void check(SpatialOperator& op, std::span<double> u) const {
    if (u.size() != n_ || op.size() != n_)
      throw std::logic_error(name() + ": init() was not called for this operator");
  }
  ShiftedSystem sys_;
  std::size_t n_ = 0;
  std::vector<double> r_;
  double tol_ = 1e-10;
  LinearSolver linear_solver_ = LinearSolver::automatic;
};

// (I − h A(t+h)) u' = u + h b(t+h).
class IntegratorBackwardEuler final : public ImplicitBase {
 public:
  std::string name() const override { return "backward_euler"; }
  int order() const override { return 1; }
  void step(SpatialOperator& op, double t, double h, std::span<double> u) override {
    check(op, u);
    backward_euler_step(t, h, u);
  }
};

// (I − h/2 A(t+h)) u' = u + h/2 F(u, t) + h/2 b(t+h).
class IntegratorCrankNicolson final : public ImplicitBase {
 public:
  std::string name() const override { return "crank_nicolson"; }
  int order() const override { return 2; }
  void step(SpatialOperator& op, double t, double h, std::span<double> u) override {
    check(op, u);
    op.explicit_rhs(u, t, f_);  // = A(t) u + b(t): the part is the whole of F
    sys_.update(t + h);
    const double* b = sys_.b().data();
    for (std::size_t k = 0; k < n_; ++k) r_[k] = u[k] + 0.5 * h * (f_[k] + b[k]);
    sys_.solve(t + h, 0.5 * h, r_, u);
  }

 private:
  void allocate() override { f_.assign(n_, 0.0); }
  std::vector<double> f_;
};

// Variable-step BDF2 with ω = h_n / h_{n−1}:
//   u' − (1+ω)²/(1+2ω) u + ω²/(1+2ω) u_prev = (1+ω)/(1+2ω) h F(u', t+h).
// Zero-stable for ω < 1 + √2; the first step, a step after a ratio beyond that (the step after
// a short one that landed on an output time) or a call that does not continue the last one
// restarts with backward Euler — a bounded number of first-order local errors O(h²), so the
// global error stays O(h²).
class IntegratorBdf2 final : public ImplicitBase {
 public:
  std::string name() const override { return "bdf2"; }
  int order() const override { return 2; }
  void step(SpatialOperator& op, double t, double h, std::span<double> u) override {
    check(op, u);
    const double omega = h / h_prev_;
    const bool continues = std::abs(t - t_next_) <= 1e-12 * std::max(1.0, std::abs(t));
    const bool restart = !continues || !(omega > 0.0) || omega > 2.0;  // 2 < 1 + √2: a margin
    std::copy(u.begin(), u.end(), cur_.begin());
    if (restart) {
      backward_euler_step(t, h, u);
    } else {
      sys_.update(t + h);
      const double* b = sys_.b().data();
      const double den = 1.0 + 2.0 * omega;
      const double alpha = (1.0 + omega) * (1.0 + omega) / den, beta = omega * omega / den;
      const double c = h * (1.0 + omega) / den;
      for (std::size_t k = 0; k < n_; ++k) r_[k] = alpha * u[k] - beta * prev_[k] + c * b[k];
      sys_.solve(t + h, c, r_, u);
    }
    prev_.swap(cur_);  // u_prev ← the state this step started from
    h_prev_ = h;
    t_next_ = t + h;
  }
  IntegratorHistory history() const override { return {{h_prev_, t_next_}, {prev_}}; }
  void restore_history(const IntegratorHistory& h) override {
    if (h.scalars.size() != 2 || h.arrays.size() != 1 || h.arrays[0].size() != n_)
      throw std::logic_error("bdf2: the stored history does not fit this operator");
    h_prev_ = h.scalars[0];
    t_next_ = h.scalars[1];
    prev_ = h.arrays[0];
  }

 private:
  void allocate() override {
    prev_.assign(n_, 0.0);
    cur_.assign(n_, 0.0);
    h_prev_ = kNaN;
    t_next_ = kNaN;
  }
  std::vector<double> prev_, cur_;
  double h_prev_ = kNaN, t_next_ = kNaN;
};

// ARS(2,2,2) (Ascher, Ruuth & Spiteri 1997, §2.6), γ = 1 − 1/√2, δ = 1 − 1/(2γ):
//   explicit tableau c = (0, γ, 1), a21 = γ, a31 = δ, a32 = 1 − δ;
//   implicit tableau (stiffly accurate) a22 = γ, a32 = 1 − γ, a33 = γ; the step is the last stage.
// N = nonstiff_rhs (drift), S(u, t) = A(t) u + b(t) (diffusion, relaxation).
class IntegratorImexArs222 final : public ImplicitBase {
 public:
  std::string name() const override { return "imex_ars222"; }
  int order() const override { return 2; }
  Needs needs() const override { return Needs::stiff_assembly; }
  void step(SpatialOperator& op, double t, double h, std::span<double> u) override {
    check(op, u);
    const double g = 1.0 - 1.0 / std::sqrt(2.0), d = 1.0 - 1.0 / (2.0 * g);
    op.nonstiff_rhs(u, t, n1_);
    // Stage 2: (I − γh A(t+γh)) U2 = u + γh N1 + γh b(t+γh).
    sys_.update(t + g * h);
    const double* b = sys_.b().data();
    for (std::size_t k = 0; k < n_; ++k) r_[k] = u[k] + g * h * (n1_[k] + b[k]);
    std::copy(u.begin(), u.end(), u2_.begin());  // the initial guess
    sys_.solve(t + g * h, g * h, r_, u2_);
    // S(U2) = (U2 − u − γh N1)/(γh) recovered from the solve (no product with A).
    for (std::size_t k = 0; k < n_; ++k) s2_[k] = (u2_[k] - u[k] - g * h * n1_[k]) / (g * h);
    op.nonstiff_rhs(u2_, t + g * h, n2_);
    // Stage 3: (I − γh A(t+h)) U3 = u + h(δ N1 + (1−δ) N2) + (1−γ)h S2 + γh b(t+h); u' = U3.
    sys_.update(t + h);
    b = sys_.b().data();
    for (std::size_t k = 0; k < n_; ++k)
      r_[k] = u[k] + h * (d * n1_[k] + (1.0 - d) * n2_[k]) + (1.0 - g) * h * s2_[k] +
              g * h * b[k];
    sys_.solve(t + h, g * h, r_, u);
  }

 private:
  void allocate() override {
    for (auto* v : {&n1_, &n2_, &s2_, &u2_}) v->assign(n_, 0.0);
  }
  std::vector<double> n1_, n2_, s2_, u2_;
};

}  // namespace

void register_implicit_integrators(
    const std::function<void(const std::string&, IntegratorFactory)>& add) {
  add("backward_euler", [] { return std::make_unique<IntegratorBackwardEuler>(); });
  add("crank_nicolson", [] { return std::make_unique<IntegratorCrankNicolson>(); });
  add("bdf2", [] { return std::make_unique<IntegratorBdf2>(); });
  add("imex_ars222", [] { return std::make_unique<IntegratorImexArs222>(); });
}

}  // namespace fplab
