// Implicit and IMEX integrators (see implicit.hpp).
#include "solver/time/implicit.hpp"

#include <fmt/format.h>

#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>

#include "solver/errors.hpp"

namespace fplab {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Solves (I − c A(t)) x = r for the operator's assembled part. Keeps the two most recently used
// factorisations (keyed by c, and by t when A depends on time): a fixed step reuses one for the
// whole run; the shorter step that lands on an output time costs one more, kept for the next
// output time.
class ShiftedSystem {
 public:
  void init(SpatialOperator& op, ImplicitPart part, const std::string& integrator) {
    if (const auto why = op.assembly_unavailable(part); !why.empty())
      throw InputError("solver.integrator: " + integrator + " cannot run here: " + why);
    op_ = &op;
    part_ = part;
    varies_ = op.assembly_depends_on_time(part);
    n_ = op.size();
    b_.assign(n_, 0.0);
    A_ = SparseMatrix();
    op.assemble(part, 0.0, A_, b_);
    t_A_ = 0.0;
    M_ = A_;  // same pattern; values set per factorisation
    diag_.assign(n_, -1);
    for (Eigen::Index col = 0; col < A_.outerSize(); ++col)
      for (auto k = A_.outerIndexPtr()[col]; k < A_.outerIndexPtr()[col + 1]; ++k)
        if (A_.innerIndexPtr()[k] == col) diag_[static_cast<std::size_t>(col)] = k;
    for (auto d : diag_)
      if (d < 0) throw std::logic_error("assembled operator without a structural diagonal");
    for (auto& f : cache_) f = Factor{};
    clock_ = 0;
  }

  // A(t), b(t) current at t.
  void update(double t) {
    if (!varies_ || t == t_A_) return;
    op_->assemble(part_, t, A_, b_);
    t_A_ = t;
  }
  const std::vector<double>& b() const { return b_; }

  // x = (I − c A(t))⁻¹ r (update(t) first). r and x may not alias.
  void solve(double t, double c, std::span<const double> r, std::span<double> x) {
    update(t);
    Factor& f = factor_for(t, c);
    const Eigen::Map<const Eigen::VectorXd> rv(r.data(), static_cast<Eigen::Index>(n_));
    Eigen::Map<Eigen::VectorXd> xv(x.data(), static_cast<Eigen::Index>(n_));
    xv = f.lu->solve(rv);
    if (f.lu->info() != Eigen::Success)
      throw NumericalError(fmt::format("the implicit solve failed at t = {:.6g}", t));
  }

 private:
  struct Factor {
    std::unique_ptr<Eigen::SparseLU<SparseMatrix>> lu;
    double c = kNaN, t = kNaN;
    std::uint64_t used = 0;
  };

  Factor& factor_for(double t, double c) {
    const double key_t = varies_ ? t : 0.0;
    ++clock_;
    for (auto& f : cache_)
      if (f.lu && f.c == c && f.t == key_t) {
        f.used = clock_;
        return f;
      }
    Factor& f = cache_[0].used <= cache_[1].used ? cache_[0] : cache_[1];  // least recent
    // M = I − c A, same pattern as A (the diagonal is structural).
    const double* a = A_.valuePtr();
    double* m = M_.valuePtr();
    for (Eigen::Index k = 0; k < A_.nonZeros(); ++k) m[k] = -c * a[k];
    for (auto d : diag_) m[d] += 1.0;
    if (!f.lu) {
      f.lu = std::make_unique<Eigen::SparseLU<SparseMatrix>>();
      f.lu->analyzePattern(M_);  // symbolic: once per slot, valid for every later M
    }
    f.lu->factorize(M_);
    if (f.lu->info() != Eigen::Success)
      throw NumericalError(fmt::format(
          "the implicit system I - {:.4g}·A is singular at t = {:.6g}: {}", c, t,
          f.lu->lastErrorMessage()));
    f.c = c;
    f.t = key_t;
    f.used = clock_;
    return f;
  }

  SpatialOperator* op_ = nullptr;
  ImplicitPart part_ = ImplicitPart::whole;
  bool varies_ = false;
  std::size_t n_ = 0;
  SparseMatrix A_, M_;
  std::vector<double> b_;
  std::vector<Eigen::Index> diag_;
  double t_A_ = kNaN;
  Factor cache_[2];
  std::uint64_t clock_ = 0;
};

// Implicit (needs() = assembly: all of F) and IMEX (stiff_assembly: diffusion and relaxation)
// integrators: one shifted system of the part they treat implicitly, plus work vectors.
class ImplicitBase : public TimeIntegrator {
 public:
  bool is_explicit() const override { return false; }
  Needs needs() const override { return Needs::assembly; }
  void init(SpatialOperator& op) override {
    sys_.init(op, needs() == Needs::stiff_assembly ? ImplicitPart::stiff : ImplicitPart::whole,
              name());
    n_ = op.size();
    r_.assign(n_, 0.0);
    allocate();
  }

 protected:
  virtual void allocate() {}
  // u ← (I − h A(t+h))⁻¹ (u + h b(t+h)): backward Euler, also BDF2's starting step.
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
