// Implicit and IMEX integrators: the assembled operator is the one explicit_rhs applies (every
// scheme × boundary, cross diffusion, tiny periodic grids, schedules), every integrator that
// needs an assembly reaches its design order on a linear ODE (autonomous and not), chang_cooper +
// backward_euler stays positive and conservative at 20× the explicit step, and combinations that
// cannot be assembled are input errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/discretisation.hpp"
#include "solver/equations/equation.hpp"
#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"
#include "solver/simulation.hpp"
#include "solver/time/integrator.hpp"

namespace {

using fplab::ImplicitPart;
using fplab::TimeIntegrator;

fplab::CaseSpec load(const std::string& file, const std::vector<std::string>& sets = {}) {
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

fplab::Grid2D grid_of(const fplab::CaseSpec& c) { return {c.nx, c.ny, c.x0, c.x1, c.y0, c.y1}; }

double value_of(const fplab::DiagnosticRow& row, const std::string& name) {
  for (const auto& [k, v] : row)
    if (k == name) return v;
  return std::nan("");
}

// max_r |(A u + b)_r − F_part(u)_r| / max|F_part(u)| for a random u, at time t (after a first
// assembly at t = 0, so that later times reuse the pattern as the integrators do).
double assembly_mismatch(fplab::SpatialOperator& op, ImplicitPart part, double t,
                         std::mt19937& rng) {
  const std::size_t n = op.size();
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<double> u(n), b(n), f(n), g(n);
  for (double& v : u) v = uni(rng);
  op.begin(u, 0.0);
  fplab::SparseMatrix A;
  op.assemble(part, 0.0, A, b);
  if (t != 0.0) op.assemble(part, t, A, b);
  op.explicit_rhs(u, t, f);
  if (part == ImplicitPart::stiff) {  // F = N + S: S = F − nonstiff_rhs
    op.nonstiff_rhs(u, t, g);
    for (std::size_t k = 0; k < n; ++k) f[k] -= g[k];
  }
  const Eigen::Map<const Eigen::VectorXd> uv(u.data(), static_cast<Eigen::Index>(n));
  const Eigen::VectorXd au = A * uv;
  double worst = 0.0, scale = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    worst = std::max(worst, std::abs(au[static_cast<Eigen::Index>(k)] + b[k] - f[k]));
    scale = std::max(scale, std::abs(f[k]));
  }
  return worst / std::max(scale, 1e-300);
}

// du/dt = −a_k (1 + s t) (u_k − 1), split θ implicit (stiff) and 1 − θ explicit (nonstiff).
// Exact: u_k(t) = 1 + (u_k(0) − 1) exp(−a_k (t + s t²/2)). s = 0: time-independent A.
class LinearOde final : public fplab::SpatialOperator {
 public:
  LinearOde(std::vector<double> a, double s) : a_(std::move(a)), s_(s) {}
  std::size_t size() const override { return a_.size(); }
  void explicit_rhs(std::span<const double> u, double t, std::span<double> out) override {
    for (std::size_t k = 0; k < a_.size(); ++k) out[k] = rate(k, t) * (u[k] - 1.0);
  }
  std::string assembly_unavailable(ImplicitPart) const override { return {}; }
  void assemble(ImplicitPart part, double t, fplab::SparseMatrix& A,
                std::span<double> b) override {
    const double share = part == ImplicitPart::whole ? 1.0 : kTheta;
    const auto n = static_cast<Eigen::Index>(a_.size());
    if (A.rows() != n) {
      A.resize(n, n);
      for (Eigen::Index k = 0; k < n; ++k) A.insert(k, k) = 0.0;
      A.makeCompressed();
    }
    for (std::size_t k = 0; k < a_.size(); ++k) {
      A.valuePtr()[k] = share * rate(k, t);
      b[k] = -share * rate(k, t);
    }
  }
  bool assembly_depends_on_time(ImplicitPart) const override { return s_ != 0.0; }
  void nonstiff_rhs(std::span<const double> u, double t, std::span<double> out) override {
    for (std::size_t k = 0; k < a_.size(); ++k)
      out[k] = (1.0 - kTheta) * rate(k, t) * (u[k] - 1.0);
  }
  double exact(std::size_t k, double u0, double t) const {
    return 1.0 + (u0 - 1.0) * std::exp(-a_[k] * (t + 0.5 * s_ * t * t));
  }

 private:
  static constexpr double kTheta = 0.7;
  double rate(std::size_t k, double t) const { return -a_[k] * (1.0 + s_ * t); }
  std::vector<double> a_;
  double s_;
};

double ode_error(const std::string& name, double s, int steps) {
  LinearOde op({0.5, 2.0, 8.0}, s);
  const std::vector<double> u0{0.2, 1.7, -0.4};
  auto u = u0;
  const auto integrator = fplab::make_integrator(name);
  integrator->init(op);
  const double dt = 1.0 / steps;
  for (int n = 0; n < steps; ++n) integrator->step(op, n * dt, dt, u);
  double err = 0.0;
  for (std::size_t k = 0; k < u.size(); ++k)
    err = std::max(err, std::abs(u[k] - op.exact(k, u0[k], 1.0)));
  return err;
}

bool needs_assembly(const TimeIntegrator& i) {
  return i.needs() == TimeIntegrator::Needs::assembly ||
         i.needs() == TimeIntegrator::Needs::stiff_assembly;
}

}  // namespace

TEST_CASE("implicit integrators are registered: backward_euler, crank_nicolson, bdf2, imex") {
  const auto names = fplab::integrator_names();
  for (const std::string n : {"backward_euler", "crank_nicolson", "bdf2", "imex_ars222"}) {
    CAPTURE(n);
    REQUIRE(std::find(names.begin(), names.end(), n) != names.end());
    const auto i = fplab::make_integrator(n);
    CHECK_FALSE(i->is_explicit());
    CHECK(needs_assembly(*i));
  }
  CHECK(fplab::make_integrator("imex_ars222")->needs() == TimeIntegrator::Needs::stiff_assembly);
}

TEST_CASE("every integrator that needs an assembly shows its design order on a linear ODE") {
  // Both a constant A (one factorisation reused) and A(t) (numeric refactorisation every step).
  int tested = 0;
  for (const auto& name : fplab::integrator_names()) {
    const auto probe = fplab::make_integrator(name);
    if (!needs_assembly(*probe)) continue;
    ++tested;
    if (probe->order() == fplab::kExactInTime) {  // expm: exact for constant A, refuses A(t)
      CAPTURE(name);
      for (const int steps : {1, 20}) CHECK(ode_error(name, 0.0, steps) < 1e-10);  // its tolerance
      CHECK_THROWS_AS(ode_error(name, 1.5, 20), fplab::InputError);
      continue;
    }
    for (const double s : {0.0, 1.5}) {
      CAPTURE(name);
      CAPTURE(s);
      const double e1 = ode_error(name, s, 20), e2 = ode_error(name, s, 40),
                   e3 = ode_error(name, s, 80);
      const double order = std::log2(e2 / e3);
      MESSAGE(name << " s=" << s << ": errors " << e1 << " " << e2 << " " << e3 << ", orders "
                   << std::log2(e1 / e2) << " " << order);
      CHECK(std::abs(order - probe->order()) < 0.1);
    }
  }
  CHECK(tested >= 4);
}

TEST_CASE("the assembled A u + b is exactly the FV right-hand side (schemes × boundaries)") {
  // Non-symmetric C, D with a cross term (9-point stencil), odd and tiny periodic grids (the
  // colouring's wrap rule), and the VP schedule at t > 0 (values overwritten in place).
  std::mt19937 rng(12345);
  double worst = 0.0;
  for (const std::string boundary : {"zero_flux", "periodic", "dirichlet"})
    for (const std::string scheme : {"upwind", "central", "chang_cooper", "muscl"})
      for (const bool cross : {false, true})
        for (const std::string grid : {"{nx: 5, ny: 7}", "{nx: 16, ny: 11}"})
          for (const std::string schedule : {"{type: constant}", "{type: vp}"}) {
            CAPTURE(boundary);
            CAPTURE(scheme);
            CAPTURE(cross);
            CAPTURE(grid);
            CAPTURE(schedule);
            const auto c = load(
                "cases/ou_gaussian.yaml",
                {"boundary=" + boundary, "solver.scheme=" + scheme, "grid=" + grid,
                 "equation.schedule=" + schedule, "equation.drift.C=[[1.0,-0.8],[0.5,1.2]]",
                 std::string("equation.diffusion.D=") +
                     (cross ? "[[0.8,0.3],[0.3,0.5]]" : "[[0.8,0],[0,0.5]]")});
            const auto g = grid_of(c);
            const auto eq = fplab::make_equation(c);
            for (const auto part : {ImplicitPart::whole, ImplicitPart::stiff}) {
              const auto op = fplab::make_operator(c, *eq, g);
              if (!op->assembly_unavailable(part).empty()) {
                // Only the limited flux (whole) and the fused exponential flux (stiff) refuse.
                CHECK(((scheme == "muscl" && part == ImplicitPart::whole) ||
                       (scheme == "chang_cooper" && part == ImplicitPart::stiff)));
                continue;
              }
              for (const double t : {0.0, 0.37}) {
                const double m = assembly_mismatch(*op, part, t, rng);
                CHECK(m < 1e-12);
                worst = std::max(worst, m);
              }
            }
          }
  MESSAGE("largest relative |A u + b − F(u)|: " << worst);
}

TEST_CASE("BGK relaxation assembles as a diagonal operator with b = p_eq/τ") {
  std::mt19937 rng(7);
  const auto c = load("cases/bgk_relaxation.yaml", {"grid={nx: 12, ny: 9}"});
  const auto eq = fplab::make_equation(c);
  const auto op = fplab::make_operator(c, *eq, grid_of(c));
  CHECK(assembly_mismatch(*op, ImplicitPart::whole, 0.0, rng) < 1e-14);
  fplab::SparseMatrix A;
  std::vector<double> b(op->size());
  op->assemble(ImplicitPart::whole, 0.0, A, b);
  CHECK(A.nonZeros() >= static_cast<Eigen::Index>(op->size()));
  for (Eigen::Index k = 0; k < A.outerSize(); ++k)
    for (fplab::SparseMatrix::InnerIterator it(A, k); it; ++it)
      CHECK(it.value() == doctest::Approx(it.row() == it.col() ? -1.0 / c.equation.tau : 0.0));
}

TEST_CASE("chang_cooper + backward_euler at 20× the explicit dt: positive, conservative, stable") {
  // I − dt A is an M-matrix for the exponentially fitted flux, so p stays ≥ 0 at any dt.
  // cfl = 8 is 20× the explicit cfl 0.4 of ou_gaussian.yaml.
  const auto c = load("cases/ou_gaussian.yaml",
                      {"solver.scheme=chang_cooper", "solver.integrator=backward_euler",
                       "solver.cfl=8", "grid={nx: 64, ny: 64}", "time.output_every=1.0"});
  const auto eq = fplab::make_equation(c);
  const auto g = grid_of(c);
  const auto op = fplab::make_operator(c, *eq, g);
  const auto explicit_dt = 0.4 * op->max_stable_dt(0.0);
  fplab::SimulationOptions opts;
  opts.progress = false;
  const auto r = fplab::simulate(c, {}, opts);
  MESSAGE("steps " << r.steps << " (explicit at cfl 0.4 would take "
                   << std::ceil(c.time.t_end / explicit_dt) << "), L1 error "
                   << value_of(r.final_row, "l1_error"));
  CHECK(r.steps <= static_cast<std::size_t>(std::ceil(c.time.t_end / explicit_dt / 19.0)));
  CHECK(*std::min_element(r.final_density.begin(), r.final_density.end()) >= 0.0);
  CHECK(std::abs(value_of(r.final_row, "mass") - 1.0) < 1e-12);
  CHECK(value_of(r.final_row, "l1_error") < 0.05);  // first order in time: measured 0.02
  // Explicit ssprk3 at the same dt blows up (so the test above is not trivially true): it is
  // refused up front, and stopped by the instability monitor when allowed.
  auto ce = c;
  ce.solver.integrator = "ssprk3";
  CHECK_THROWS_AS(fplab::simulate(ce, {}, opts), fplab::InputError);
  ce.solver.allow_unstable = true;
  CHECK_THROWS_AS(fplab::simulate(ce, {}, opts), fplab::NumericalError);
}

TEST_CASE("implicit integrators refuse what they cannot assemble, naming the key") {
  SUBCASE("muscl (limited, nonlinear) with backward_euler") {
    const auto c = load("cases/ou_gaussian.yaml", {"solver.integrator=backward_euler"});
    CHECK_THROWS_WITH_AS(fplab::simulate(c, {}, {}),
                         doctest::Contains("solver.integrator: backward_euler"),
                         fplab::InputError);
  }
  SUBCASE("chang_cooper (drift and diffusion fused) with IMEX") {
    const auto c = load("cases/ou_gaussian.yaml",
                        {"solver.scheme=chang_cooper", "solver.integrator=imex_ars222"});
    CHECK_THROWS_WITH_AS(fplab::simulate(c, {}, {}), doctest::Contains("imex_ars222"),
                         fplab::InputError);
  }
}
