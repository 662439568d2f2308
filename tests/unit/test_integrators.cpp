// Time integrators: the registry, and every registered explicit method's order of accuracy on
// linear ODEs with exact solutions (a new registration is tested automatically).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "solver/errors.hpp"
#include "solver/time/explicit_rk.hpp"
#include "solver/time/rkl2.hpp"
#include "solver/time/integrator.hpp"
#include "solver/time/tableaux.hpp"

namespace {

// du_k/dt = −a_k (1 + t) u_k: non-autonomous, so the stage times c_i are exercised too.
// Exact: u_k(t) = u_k(0) exp(−a_k (t + t²/2)).
class OdeDecay final : public fplab::SpatialOperator {
 public:
  explicit OdeDecay(std::vector<double> a) : a_(std::move(a)) {}
  std::size_t size() const override { return a_.size(); }
  void explicit_rhs(std::span<const double> u, double t, std::span<double> out) override {
    for (std::size_t k = 0; k < a_.size(); ++k) out[k] = -a_[k] * (1.0 + t) * u[k];
  }
  double exact(std::size_t k, double u0, double t) const {
    return u0 * std::exp(-a_[k] * (t + 0.5 * t * t));
  }

 private:
  std::vector<double> a_;
};

// du/dt = p t^{p−1}: u(t) = t^p. A method of order p integrates this quadrature exactly.
class OdeMonomial final : public fplab::SpatialOperator {
 public:
  explicit OdeMonomial(int p) : p_(p) {}
  std::size_t size() const override { return 1; }
  void explicit_rhs(std::span<const double>, double t, std::span<double> out) override {
    out[0] = p_ * std::pow(t, p_ - 1);
  }

 private:
  int p_;
};

// Integrators that step only a particular kind of operator (the spectral exponential ones)
// refuse others in init() with an InputError; the generic tests here skip them.
bool steps_any_operator(const std::string& name) {
  OdeMonomial probe(1);
  try {
    fplab::make_integrator(name)->init(probe);
    return true;
  } catch (const fplab::InputError&) {
    return false;
  }
}

// Max error at t_end after `steps` equal steps.
double decay_error(const std::string& name, int steps) {
  OdeDecay op({0.5, 1.0, 2.0, 3.0});
  std::vector<double> u0{1.0, -0.7, 0.4, 2.0};
  auto u = u0;
  const auto integrator = fplab::make_integrator(name);
  integrator->init(op);
  const double t_end = 1.0, dt = t_end / steps;
  for (int n = 0; n < steps; ++n) integrator->step(op, n * dt, dt, u);
  double err = 0.0;
  for (std::size_t k = 0; k < u.size(); ++k)
    err = std::max(err, std::abs(u[k] - op.exact(k, u0[k], t_end)));
  return err;
}

}  // namespace

TEST_CASE("integrator registry: built-ins present, unknown names rejected with the valid list") {
  const auto names = fplab::integrator_names();
  for (const std::string expected : {"euler", "ssprk3", "rk4"})
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  for (const auto& name : names) {
    const auto integrator = fplab::make_integrator(name);
    CHECK(integrator->name() == name);
  }
  CHECK(fplab::make_integrator("euler")->order() == 1);
  CHECK(fplab::make_integrator("ssprk3")->order() == 3);
  CHECK(fplab::make_integrator("rk4")->order() == 4);
  try {
    fplab::make_integrator("rk5");
    FAIL("make_integrator accepted an unknown name");
  } catch (const fplab::InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("rk5") != std::string::npos);
    for (const auto& name : names) CHECK(msg.find(name) != std::string::npos);
  }
}

TEST_CASE("register_integrator: a new tableau becomes a named method of its own order") {
  // Heun's method (explicit trapezoidal rule), order 2: one line of data plus a registration.
  static constexpr fplab::ButcherTableau<2> heun{
      "heun_for_test", 2, {{{0.0, 0.0}, {1.0, 0.0}}}, {0.5, 0.5}, {0.0, 1.0}};
  static_assert(fplab::tableau_is_consistent(heun));
  fplab::register_integrator("heun_for_test",
                             [] { return std::make_unique<fplab::IntegratorExplicitRK>(heun); });
  const auto names = fplab::integrator_names();
  CHECK(std::find(names.begin(), names.end(), "heun_for_test") != names.end());
  const auto integrator = fplab::make_integrator("heun_for_test");
  CHECK(integrator->name() == "heun_for_test");
  CHECK(std::abs(std::log2(decay_error("heun_for_test", 40) / decay_error("heun_for_test", 80)) -
                 2.0) < 0.1);
}

TEST_CASE("a registered factory may itself call make_integrator (no registry deadlock)") {
  // A wrapper that renames another method: its factory re-enters the registry.
  struct Renamed final : fplab::TimeIntegrator {
    std::unique_ptr<fplab::TimeIntegrator> inner = fplab::make_integrator("rk4");
    std::string name() const override { return "rk4_renamed_for_test"; }
    int order() const override { return inner->order(); }
    bool is_explicit() const override { return inner->is_explicit(); }
    void init(fplab::SpatialOperator& op) override { inner->init(op); }
    void step(fplab::SpatialOperator& op, double t, double dt, std::span<double> u) override {
      inner->step(op, t, dt, u);
    }
  };
  fplab::register_integrator("rk4_renamed_for_test", [] { return std::make_unique<Renamed>(); });
  const auto integrator = fplab::make_integrator("rk4_renamed_for_test");
  CHECK(integrator->order() == 4);
  CHECK(decay_error("rk4_renamed_for_test", 40) == decay_error("rk4", 40));
}

TEST_CASE("every registered explicit integrator shows its design order on du/dt = −a(1+t)u") {
  std::vector<std::string> tested;
  for (const auto& name : fplab::integrator_names()) {
    const auto probe = fplab::make_integrator(name);
    if (!probe->is_explicit() || !steps_any_operator(name)) continue;
    CAPTURE(name);
    tested.push_back(name);
    const double e1 = decay_error(name, 20), e2 = decay_error(name, 40), e3 = decay_error(name, 80);
    const double order = std::log2(e2 / e3);
    MESSAGE(name << ": errors " << e1 << " " << e2 << " " << e3 << ", observed order "
                 << std::log2(e1 / e2) << " " << order);
    CHECK(std::abs(order - probe->order()) < 0.1);
  }
  for (const std::string name : {"euler", "ssprk3", "rk4"})
    CHECK(std::find(tested.begin(), tested.end(), name) != tested.end());
}

TEST_CASE("an order-p integrator integrates du/dt = p t^{p-1} exactly (its quadrature order)") {
  for (const auto& name : fplab::integrator_names()) {
    const auto integrator = fplab::make_integrator(name);
    if (!integrator->is_explicit() || !steps_any_operator(name)) continue;
    CAPTURE(name);
    const int p = integrator->order();
    OdeMonomial op(p);
    integrator->init(op);
    std::vector<double> u{std::pow(0.3, p)};
    const double dt = 0.45;
    integrator->step(op, 0.3, dt, u);
    CHECK(u[0] == doctest::Approx(std::pow(0.3 + dt, p)).epsilon(1e-13));
  }
}

namespace {

// The 1D heat equation u_t = u_xx on (0, 1), u = 0 at both ends, by second differences on m
// interior points: forward Euler is stable for dt ≤ h²/2, the bound rkl2 super-steps.
class Heat1D final : public fplab::SpatialOperator {
 public:
  explicit Heat1D(int m) : m_(m), h_(1.0 / (m + 1)) {}
  std::size_t size() const override { return static_cast<std::size_t>(m_); }
  void explicit_rhs(std::span<const double> u, double, std::span<double> out) override {
    for (int k = 0; k < m_; ++k) {
      const double left = k > 0 ? u[k - 1] : 0.0, right = k + 1 < m_ ? u[k + 1] : 0.0;
      out[k] = (left - 2.0 * u[k] + right) / (h_ * h_);
    }
  }
  double max_stable_dt(double) const override { return 0.5 * h_ * h_; }
  double x(int k) const { return (k + 1) * h_; }
  // The discrete decay rate of the mode sin(πx): (4/h²) sin²(πh/2).
  double rate() const { return 4.0 / (h_ * h_) * std::pow(std::sin(0.5 * M_PI * h_), 2); }

 private:
  int m_;
  double h_;
};

// Max error against the discrete mode's exact decay after stepping sin(πx) to t_end.
double rkl2_mode_error(Heat1D& op, double dt, double t_end, int* stages = nullptr) {
  fplab::IntegratorRKL2 rkl2;
  rkl2.init(op);
  std::vector<double> u(op.size());
  for (std::size_t k = 0; k < u.size(); ++k) u[k] = std::sin(M_PI * op.x(static_cast<int>(k)));
  const int steps = static_cast<int>(std::lround(t_end / dt));
  for (int n = 0; n < steps; ++n) rkl2.step(op, n * dt, dt, u);
  if (stages) *stages = rkl2.last_stages();
  double err = 0.0;
  for (std::size_t k = 0; k < u.size(); ++k)
    err = std::max(err, std::abs(u[k] - std::exp(-op.rate() * t_end) *
                                            std::sin(M_PI * op.x(static_cast<int>(k)))));
  return err;
}

}  // namespace

TEST_CASE("rkl2: s stages reach (s² + s − 2)/4 explicit steps, second order, stable at 10×") {
  CHECK(fplab::IntegratorRKL2::stages_for(1.0, 1.0) == 2);
  CHECK(fplab::IntegratorRKL2::stages_for(1.0001, 1.0) == 3);
  CHECK(fplab::IntegratorRKL2::stages_for(10.0, 1.0) == 6);  // 36 + 6 − 2 = 40 = 4 · 10
  CHECK(fplab::IntegratorRKL2::stages_for(1.0, INFINITY) == 2);
  CHECK_THROWS_AS(fplab::IntegratorRKL2::stages_for(1e7, 1.0), fplab::InputError);

  Heat1D op(63);
  const double dt_explicit = op.max_stable_dt(0.0);
  // 10× the explicit step: 6 stages, and every mode (the stiffest decays e^{−4/h² dt}) stays
  // bounded: noise in all 63 modes does not grow over 200 steps.
  {
    fplab::IntegratorRKL2 rkl2;
    rkl2.init(op);
    std::vector<double> u(op.size());
    for (std::size_t k = 0; k < u.size(); ++k) u[k] = (k % 2 ? 1.0 : -1.0) * (1.0 + 0.1 * (k % 7));
    const double max0 = *std::max_element(u.begin(), u.end());
    for (int n = 0; n < 200; ++n) rkl2.step(op, n * 10 * dt_explicit, 10 * dt_explicit, u);
    CHECK(rkl2.last_stages() == 6);
    for (const double v : u) CHECK(std::abs(v) <= max0);
  }
  // Second order in dt for the smooth mode at t = 0.05, with dt at 20, 10 and 5 times the
  // explicit step (9, 6 and 4 stages: the error constant moves with s, the order holds).
  double previous = 0.0;
  for (const int steps : {20, 40, 80}) {
    int s = 0;
    const double err = rkl2_mode_error(op, 0.05 / steps, 0.05, &s);
    MESSAGE(steps << " steps of " << 0.05 / steps / dt_explicit << " explicit steps, " << s
                  << " stages: error " << err);
    if (previous > 0) CHECK(std::log2(previous / err) > 1.8);
    previous = err;
  }
}
