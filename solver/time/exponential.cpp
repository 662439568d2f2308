// etdrk4, if_rk4 and exact integrators on a DiagonalSplitOperator (see exponential.hpp).
// Each step: v = T u; stages in coefficient space; u = T⁻¹ v_new. Each stage update is handed to
// the N evaluation before it (BlockUpdate) and runs on every block of N as soon as it is finished,
// while it is still in cache: a step streams little besides its transforms. The weights depend on
// h and are cached for the two most recent step sizes (the regular dt and the step that lands on
// an output time), in storage sized once in init(): steps never allocate.
#include "solver/time/exponential.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "solver/errors.hpp"
#include "solver/diagonal_split_operator.hpp"
#include "solver/aligned_vector.hpp"

namespace fplab {
namespace {

using Kind = DiagonalSplitOperator::NonlinearKind;

// h(e^{z/2} − 1)/z without cancellation.
double weight_q(double z, double h) { return z == 0.0 ? 0.5 * h : h * std::expm1(0.5 * z) / z; }

// h(e^z − 1)/z = h φ₁(z).
double weight_phi1(double z, double h) { return z == 0.0 ? h : h * std::expm1(z) / z; }

// Weights for the step h, for the two most recent h (least recently used slot refilled).
// Each slot holds two interleaved arrays so every stage streams only what it reads.
// Steps equal up to rounding share a slot: the driver's last step before an output, t_out − t,
// differs from dt by a few ulps in alternating directions (a 32² run to t = 1 with dt = 0.02 made
// four such h and refilled its weights six times, a third of its run time); weights for h and
// h(1 ± 1e-14) differ by ~1e-14 relative, far below the method's error.
class WeightCache {
 public:
  struct Slot {
    double h = std::numeric_limits<double>::quiet_NaN();
    std::uint64_t used = 0;
    std::vector<double> a, b;
  };
  void resize(std::size_t a_size, std::size_t b_size) {
    for (auto& s : slots_) {
      s.h = std::numeric_limits<double>::quiet_NaN();
      s.a.assign(a_size, 0.0);
      s.b.assign(b_size, 0.0);
    }
  }
  template <class Fill>
  const Slot& get(double h, Fill fill) {
    ++clock_;
    for (auto& s : slots_)
      if (std::abs(s.h - h) <= 1e-14 * std::abs(h)) {
        s.used = clock_;
        return s;
      }
    Slot& s = slots_[0].used <= slots_[1].used ? slots_[0] : slots_[1];
    fill(h, s);
    s.h = h;
    s.used = clock_;
    return s;
  }

 private:
  Slot slots_[2];
  std::uint64_t clock_ = 0;
};

// Shared set-up: the operator check, buffers, and the Λ-groups loop.
class ExponentialBase : public TimeIntegrator {
 public:
  bool is_explicit() const override { return true; }
  Needs needs() const override { return Needs::diagonal_split; }

  void init(SpatialOperator& op) override {
    auto* d = dynamic_cast<DiagonalSplitOperator*>(&op);
    if (!d) throw InputError("solver.integrator: " + name() + " needs solver.method: spectral");
    if (d->linear_depends_on_time())
      throw InputError("solver.integrator: " + name() +
                       " needs a diffusion constant in time (equation.schedule: constant); with a "
                       "schedule use an explicit integrator (rk4, ssprk3) or solver.method: "
                       "finite_volume");
    check_kind(d->nonlinear_kind());
    op_ = d;
    base_ = &op;
    d->set_linear_exact(true);
    lambda_ = d->linear_diagonal();
    stride_ = d->coefficient_stride();
    size_ = d->coefficient_size();
    if (stride_ != 1 && stride_ != 2)
      throw std::logic_error("exponential integrators support coefficient strides 1 and 2");
    if (lambda_.size() * stride_ != size_)
      throw std::logic_error("linear_diagonal() does not match coefficient_size()");
    allocate();
  }

 protected:
  virtual void check_kind(Kind) const {}
  virtual void allocate() = 0;

  DiagonalSplitOperator& checked(SpatialOperator& op) const {
    if (&op != base_)
      throw std::logic_error("integrator " + name() + ": step() on an operator init() did not see");
    return *op_;
  }

  // f(g, k0, S) on the groups of the doubles [begin, end), serially (the caller's thread).
  template <class F>
  void for_range(std::size_t begin, std::size_t end, F& f) const {
    if (stride_ == 2) {
      for (long g = static_cast<long>(begin / 2); g < static_cast<long>(end / 2); ++g)
        f(g, 2 * g, std::integral_constant<int, 2>{});
    } else {
      for (long g = static_cast<long>(begin); g < static_cast<long>(end); ++g)
        f(g, g, std::integral_constant<int, 1>{});
    }
  }
  // The stage kernel f as the BlockUpdate an operator runs on each block of N it finishes.
  template <class F>
  auto fused(F& f) const {
    return [this, &f](std::size_t begin, std::size_t end) { for_range(begin, end, f); };
  }

  // f(g, k0, S): g a Λ-group, k0 its first double, S doubles in it; OpenMP over groups.
  template <class F>
  void for_groups(F f) const {
    const long groups = static_cast<long>(lambda_.size());
    if (stride_ == 2) {
#pragma omp parallel for schedule(static) if (2 * groups > omp_min_work)
      for (long g = 0; g < groups; ++g) f(g, 2 * g, std::integral_constant<int, 2>{});
    } else {
#pragma omp parallel for schedule(static) if (groups > omp_min_work)
      for (long g = 0; g < groups; ++g) f(g, g, std::integral_constant<int, 1>{});
    }
  }

  DiagonalSplitOperator* op_ = nullptr;
  const SpatialOperator* base_ = nullptr;
  std::span<const double> lambda_;
  int stride_ = 1;
  std::size_t size_ = 0;
  WeightCache cache_;
};

// ------------------------------------------------------------------ etdrk4

class IntegratorEtdrk4 final : public ExponentialBase {
 public:
  std::string name() const override { return "etdrk4"; }
  int order() const override { return 4; }

  void step(SpatialOperator& sop, double t, double h, std::span<double> u) override {
    auto& op = checked(sop);
    const auto& w = cache_.get(h, [this](double hh, WeightCache::Slot& s) { fill(hh, s); });
    const double* A = w.a.data();  // (e2, q) per group
    const double* B = w.b.data();  // (e, f1, f2, f3) per group
    double *v = v_.data(), *nv = nv_.data(), *s = s_.data();
    double *na = na_.data(), *nb = nb_.data(), *nc = nc_.data();

    op.to_coefficients(u, v_);
    if (op.nonlinear_kind() == Kind::none) {
      for_groups([&](long g, long k0, auto S) {
        for (int r = 0; r < S; ++r) s[k0 + r] = B[4 * g] * v[k0 + r];
      });
      op.from_coefficients(s_, u);
      return;
    }
    // Each stage runs fused into the N evaluation before it (on each block of N as it is
    // finished), and writes the scratch s, which the next N evaluation consumes (destroys).
    // a = e2 v + q N(v)
    auto stage_a = [&](long g, long k0, auto S) {
      const double e2 = A[2 * g], q = A[2 * g + 1];
      for (int r = 0; r < S; ++r) s[k0 + r] = e2 * v[k0 + r] + q * nv[k0 + r];
    };
    // b = e2 v + q N(a)
    auto stage_b = [&](long g, long k0, auto S) {
      const double e2 = A[2 * g], q = A[2 * g + 1];
      for (int r = 0; r < S; ++r) s[k0 + r] = e2 * v[k0 + r] + q * na[k0 + r];
    };
    // c = e2 a + q (2 N(b) − N(v)) = e2² v + q (e2 − 1) N(v) + 2q N(b): a substituted, so that
    // it need not be kept (one array less to stream).
    auto stage_c = [&](long g, long k0, auto S) {
      const double e2 = A[2 * g], q = A[2 * g + 1];
      const double cv = e2 * e2, cn = q * (e2 - 1.0), cb = 2.0 * q;
      for (int r = 0; r < S; ++r) s[k0 + r] = cv * v[k0 + r] + cn * nv[k0 + r] + cb * nb[k0 + r];
    };
    // v_new = e v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
    auto stage_new = [&](long g, long k0, auto S) {
      const double e = B[4 * g], f1 = B[4 * g + 1], f2 = B[4 * g + 2], f3 = B[4 * g + 3];
      for (int r = 0; r < S; ++r) {
        const long k = k0 + r;
        s[k] = e * v[k] + f1 * nv[k] + 2.0 * f2 * (na[k] + nb[k]) + f3 * nc[k];
      }
    };
    op.nonlinear_from_values(u, t, nv_, fused(stage_a));
    op.nonlinear_coefficients(s_, t + 0.5 * h, na_, fused(stage_b));
    op.nonlinear_coefficients(s_, t + 0.5 * h, nb_, fused(stage_c));
    op.nonlinear_coefficients(s_, t + h, nc_, fused(stage_new));
    op.from_coefficients(s_, u);
  }

 private:
  void allocate() override {
    for (auto* b : {&v_, &nv_, &s_, &na_, &nb_, &nc_}) b->assign(size_, 0.0);
    cache_.resize(2 * lambda_.size(), 4 * lambda_.size());
  }
  void fill(double h, WeightCache::Slot& s) const {
    const long groups = static_cast<long>(lambda_.size());
    const double* lam = lambda_.data();
    double *a = s.a.data(), *b = s.b.data();
#pragma omp parallel for schedule(static) if (groups > 4096)
    for (long g = 0; g < groups; ++g) {
      const Etdrk4Weights w = etdrk4_weights(lam[g], h);
      a[2 * g] = w.e2;
      a[2 * g + 1] = w.q;
      b[4 * g] = w.e;
      b[4 * g + 1] = w.f1;
      b[4 * g + 2] = w.f2;
      b[4 * g + 3] = w.f3;
    }
  }

  AlignedVector v_, nv_, s_, na_, nb_, nc_;
};

// ------------------------------------------------------------------ if_rk4

class IntegratorIfRk4 final : public ExponentialBase {
 public:
  std::string name() const override { return "if_rk4"; }
  int order() const override { return 4; }

  void step(SpatialOperator& sop, double t, double h, std::span<double> u) override {
    auto& op = checked(sop);
    const auto& w = cache_.get(h, [this](double hh, WeightCache::Slot& s) { fill(hh, s); });
    const double* A = w.a.data();  // (e2, e) per group
    double *v = v_.data(), *s = s_.data();
    double *k1 = k1_.data(), *k2 = k2_.data(), *k3 = k3_.data(), *k4 = k4_.data();
    const double h2 = 0.5 * h, h6 = h / 6.0;

    op.to_coefficients(u, v_);
    if (op.nonlinear_kind() == Kind::none) {
      for_groups([&](long g, long k0, auto S) {
        for (int r = 0; r < S; ++r) s[k0 + r] = A[2 * g + 1] * v[k0 + r];
      });
      op.from_coefficients(s_, u);
      return;
    }
    // Stages fused into the N evaluations before them, as in etdrk4.
    auto stage_a = [&](long g, long k0, auto S) {  // a = e2 (v + h/2 k1)
      for (int r = 0; r < S; ++r) s[k0 + r] = A[2 * g] * (v[k0 + r] + h2 * k1[k0 + r]);
    };
    auto stage_b = [&](long g, long k0, auto S) {  // b = e2 v + h/2 k2
      for (int r = 0; r < S; ++r) s[k0 + r] = A[2 * g] * v[k0 + r] + h2 * k2[k0 + r];
    };
    auto stage_c = [&](long g, long k0, auto S) {  // c = e v + h e2 k3
      for (int r = 0; r < S; ++r) s[k0 + r] = A[2 * g + 1] * v[k0 + r] + h * A[2 * g] * k3[k0 + r];
    };
    auto stage_new = [&](long g, long k0, auto S) {  // e v + h/6 (e k1 + 2 e2 (k2 + k3) + k4)
      const double e2 = A[2 * g], e = A[2 * g + 1];
      for (int r = 0; r < S; ++r) {
        const long k = k0 + r;
        s[k] = e * v[k] + h6 * (e * k1[k] + 2.0 * e2 * (k2[k] + k3[k]) + k4[k]);
      }
    };
    op.nonlinear_from_values(u, t, k1_, fused(stage_a));
    op.nonlinear_coefficients(s_, t + h2, k2_, fused(stage_b));
    op.nonlinear_coefficients(s_, t + h2, k3_, fused(stage_c));
    op.nonlinear_coefficients(s_, t + h, k4_, fused(stage_new));
    op.from_coefficients(s_, u);
  }

 private:
  void allocate() override {
    for (auto* b : {&v_, &s_, &k1_, &k2_, &k3_, &k4_}) b->assign(size_, 0.0);
    cache_.resize(2 * lambda_.size(), 0);
  }
  void fill(double h, WeightCache::Slot& s) const {
    const long groups = static_cast<long>(lambda_.size());
    const double* lam = lambda_.data();
    double* a = s.a.data();
#pragma omp parallel for schedule(static) if (groups > 4096)
    for (long g = 0; g < groups; ++g) {
      const double e2 = std::exp(0.5 * h * lam[g]);
      a[2 * g] = e2;
      a[2 * g + 1] = std::exp(h * lam[g]);
    }
  }

  AlignedVector v_, s_, k1_, k2_, k3_, k4_;
};

// ------------------------------------------------------------------ exact

class IntegratorExact final : public ExponentialBase {
 public:
  std::string name() const override { return "exact"; }
  int order() const override { return kExactInTime; }
  bool is_explicit() const override { return false; }

  void step(SpatialOperator& sop, double t, double h, std::span<double> u) override {
    auto& op = checked(sop);
    const auto& w = cache_.get(h, [this](double hh, WeightCache::Slot& s) { fill(hh, s); });
    const double* A = w.a.data();  // (e, h φ₁) per group
    double *v = v_.data(), *n = n_.data();
    op.to_coefficients(u, v_);
    if (op.nonlinear_kind() == Kind::constant) {
      op.nonlinear_from_values(u, t, n_);
      for_groups([&](long g, long k0, auto S) {
        for (int r = 0; r < S; ++r) v[k0 + r] = A[2 * g] * v[k0 + r] + A[2 * g + 1] * n[k0 + r];
      });
    } else {
      for_groups([&](long g, long k0, auto S) {
        for (int r = 0; r < S; ++r) v[k0 + r] *= A[2 * g];
      });
    }
    op.from_coefficients(v_, u);
  }

 private:
  void check_kind(Kind k) const override {
    if (k == Kind::general)
      throw InputError(
          "integrator exact solves equations without drift only (heat, bgk: linear with constant "
          "coefficients); for fokker_planck use solver.integrator: etdrk4 or if_rk4");
  }
  void allocate() override {
    v_.assign(size_, 0.0);
    n_.assign(size_, 0.0);
    cache_.resize(2 * lambda_.size(), 0);
  }
  void fill(double h, WeightCache::Slot& s) const {
    const long groups = static_cast<long>(lambda_.size());
    const double* lam = lambda_.data();
    double* a = s.a.data();
#pragma omp parallel for schedule(static) if (groups > 4096)
    for (long g = 0; g < groups; ++g) {
      const double z = h * lam[g];
      a[2 * g] = std::exp(z);
      a[2 * g + 1] = weight_phi1(z, h);
    }
  }

  AlignedVector v_, n_;
};

// The contour mean of Kassam & Trefethen (2005, §3): φ(z) ≈ Re mean_j φ(z + e^{iθ_j}) over
// θ_j = π(j − ½)/M, j = 1..M on the upper half circle (the lower half mirrors it for real z).
template <class F>
double contour_mean(double z, F f) {
  constexpr int M = 32;
  double sum = 0.0;
  for (int j = 1; j <= M; ++j) {
    const std::complex<double> r = std::polar(1.0, std::numbers::pi * (j - 0.5) / M);
    sum += f(z + r).real();
  }
  return sum / M;
}

}  // namespace

Etdrk4Weights etdrk4_weights_contour(double lambda, double h) {
  using C = std::complex<double>;
  const double z = h * lambda;
  Etdrk4Weights w;
  w.e2 = std::exp(0.5 * z);
  w.e = std::exp(z);
  w.q = h * contour_mean(z, [](C x) { return (std::exp(0.5 * x) - 1.0) / x; });
  w.f1 = h * contour_mean(z, [](C x) {
           return (-4.0 - x + std::exp(x) * (4.0 - 3.0 * x + x * x)) / (x * x * x);
         });
  w.f2 = h * contour_mean(z, [](C x) { return (2.0 + x + std::exp(x) * (x - 2.0)) / (x * x * x); });
  w.f3 = h * contour_mean(z, [](C x) {
           return (-4.0 - 3.0 * x - x * x + std::exp(x) * (4.0 - x)) / (x * x * x);
         });
  return w;
}

Etdrk4Weights etdrk4_weights(double lambda, double h) {
  const double z = h * lambda;
  if (std::abs(z) < 1.0) {
    // Near z = 0 the closed forms lose digits to cancellation (terms O(1), result O(z³)/z³).
    Etdrk4Weights w = etdrk4_weights_contour(lambda, h);
    w.q = weight_q(z, h);
    return w;
  }
  Etdrk4Weights w;
  w.e2 = std::exp(0.5 * z);
  w.e = w.e2 * w.e2;
  w.q = weight_q(z, h);
  const double z3 = z * z * z;
  w.f1 = h * (-4.0 - z + w.e * (4.0 - 3.0 * z + z * z)) / z3;
  w.f2 = h * (2.0 + z + w.e * (z - 2.0)) / z3;
  w.f3 = h * (-4.0 - 3.0 * z - z * z + w.e * (4.0 - z)) / z3;
  return w;
}

std::vector<std::string> exponential_integrator_names() { return {"etdrk4", "if_rk4", "exact"}; }

std::unique_ptr<TimeIntegrator> make_exponential_integrator(const std::string& name) {
  if (name == "etdrk4") return std::make_unique<IntegratorEtdrk4>();
  if (name == "if_rk4") return std::make_unique<IntegratorIfRk4>();
  if (name == "exact") return std::make_unique<IntegratorExact>();
  throw InputError("solver.integrator: '" + name + "' is not an exponential integrator");
}

void register_exponential_integrators(const IntegratorRegistrar& add) {
  for (const auto& name : exponential_integrator_names())
    add(name, [name] { return make_exponential_integrator(name); });
}

}  // namespace fplab
