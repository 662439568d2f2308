// Space-dependent diffusion against exact solutions (docs/reference.md §1, Itô form):
//  - f = −D∇U + ∇·D has the stationary density e^{−U}/Z for any D(x): `steady` and a long run
//    reach it at second order (cases/variable_diffusion.yaml: a double well, D with a cross term);
//  - X = (sinh Z₁, Z₂ + s sinh Z₁) with Z an Ornstein–Uhlenbeck process is a diffusion with
//    D(x) = ε [[1 + x², s(1 + x²)], [s(1 + x²), s²(1 + x²) + 1]] and a closed-form density at
//    every t (Itô's formula; Øksendal, "Stochastic Differential Equations", §4.1): the transient
//    problem converges at second order with every second-order scheme, explicit and implicit.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "io/case_file.hpp"
#include "solver/simulation.hpp"
#include "solver/steady_run.hpp"

namespace {

using fplab::CaseSpec;

// Cell averages of p on the case's grid by 4×4 Gauss–Legendre, normalised when `normalise`.
std::vector<double> cell_averages(const CaseSpec& c, const std::function<double(double, double)>& p,
                                  bool normalise) {
  const double a = 0.5 - 0.5 * 0.8611363115940526, b = 0.5 - 0.5 * 0.3399810435848563;
  const double node[4] = {a, b, 1.0 - b, 1.0 - a};
  const double wt[4] = {0.5 * 0.3478548451374538, 0.5 * 0.6521451548625461,
                        0.5 * 0.6521451548625461, 0.5 * 0.3478548451374538};
  const double dx = (c.x1 - c.x0) / c.nx, dy = (c.y1 - c.y0) / c.ny;
  std::vector<double> out(static_cast<std::size_t>(c.nx) * c.ny);
  double mass = 0.0;
  for (int j = 0; j < c.ny; ++j)
    for (int i = 0; i < c.nx; ++i) {
      double s = 0.0;
      for (int qb = 0; qb < 4; ++qb)
        for (int qa = 0; qa < 4; ++qa)
          s += wt[qa] * wt[qb] * p(c.x0 + (i + node[qa]) * dx, c.y0 + (j + node[qb]) * dy);
      out[static_cast<std::size_t>(j) * c.nx + i] = s;
      mass += s * dx * dy;
    }
  if (normalise)
    for (double& v : out) v /= mass;
  return out;
}

double l1(const CaseSpec& c, const std::vector<double>& u, const std::vector<double>& v) {
  double e = 0.0;
  for (std::size_t k = 0; k < u.size(); ++k) e += std::abs(u[k] - v[k]);
  return e * (c.x1 - c.x0) / c.nx * (c.y1 - c.y0) / c.ny;
}

CaseSpec load(const std::string& file, const std::vector<std::string>& sets) {
  return fplab::load_case_file(std::string(FPLAB_SOURCE_DIR) + "/" + file, sets);
}

std::vector<std::string> grid_sets(int n) {
  return {"grid.nx=" + std::to_string(n), "grid.ny=" + std::to_string(n)};
}

// e^{−U}, U = (x² − 1)² + y²/2: the equilibrium of cases/variable_diffusion.yaml.
double double_well(double x, double y) {
  return std::exp(-(std::pow(x * x - 1.0, 2) + 0.5 * y * y));
}

// The sinh-transformed OU process: Z_i(t) ~ N(m_i e^{−t}, ε + (v0 − ε) e^{−2t}).
constexpr double kEps = 0.25, kShear = 0.5, kV0 = 0.1, kM1 = 0.3, kM2 = 0.4;

double sinh_ou_density(double x, double y, double t) {
  const double v = kEps + (kV0 - kEps) * std::exp(-2.0 * t), e = std::exp(-t);
  const double z1 = std::asinh(x), z2 = y - kShear * x;
  const double g1 = std::exp(-0.5 * std::pow(z1 - kM1 * e, 2) / v);
  const double g2 = std::exp(-0.5 * std::pow(z2 - kM2 * e, 2) / v);
  return g1 * g2 / (2.0 * std::numbers::pi * v * std::sqrt(1.0 + x * x));
}

// Its case: drift (−z₁ cosh z₁ + ε sinh z₁, s f₁ − z₂) with z₁ = asinh x, z₂ = y − s x.
std::string sinh_ou_case(int n, const std::string& solver) {
  return "name: sinh_ou\n"
         "domain: {x: [-6, 6], y: [-4, 4]}\n"
         "grid: {nx: " + std::to_string(n) + ", ny: " + std::to_string(n) + "}\n"
         "boundary: zero_flux\n"
         "equation:\n"
         "  type: fokker_planck\n"
         "  drift:\n"
         "    type: expression\n"
         "    fx: \"-asinh(x)*sqrt(1 + x^2) + 0.25*x\"\n"
         "    fy: \"0.5*(-asinh(x)*sqrt(1 + x^2) + 0.25*x) - (y - 0.5*x)\"\n"
         "  diffusion:\n"
         "    D: [[\"0.25*(1 + x^2)\", \"0.125*(1 + x^2)\"],\n"
         "        [\"0.125*(1 + x^2)\", \"0.0625*(1 + x^2) + 0.25\"]]\n"
         "initial: {type: from_run, path: start.h5}\n"
         "solver: " + solver + "\n"
         "time: {t_end: 0.5, output_every: 0.5}\n";
}

}  // namespace

TEST_CASE("variable diffusion: steady returns e^{-U}/Z of f = -D grad U + div D at order 2") {
  for (const std::string scheme : {"chang_cooper", "central"}) {
    std::vector<double> err, jmax;
    for (int n : {32, 64, 128}) {
      auto sets = grid_sets(n);
      sets.push_back("solver.scheme=" + scheme);
      const CaseSpec c = load("cases/variable_diffusion.yaml", sets);
      const auto r = fplab::solve_steady_case(c, {}, "");
      CHECK(r.solve.residual_relative < 1e-12);
      err.push_back(l1(c, r.solve.density, cell_averages(c, double_well, true)));
      // Detailed balance: the current is a discretisation error, shrinking with h.
      double j = 0.0;
      for (std::size_t k = 0; k < r.current_x.size(); ++k)
        j = std::max({j, std::abs(r.current_x[k]), std::abs(r.current_y[k])});
      jmax.push_back(j);
      MESSAGE(scheme << " n=" << n << " L1=" << err.back() << " max|J|=" << j);
    }
    const double order = std::log2(err[1] / err[2]);
    MESSAGE(scheme << ": order " << std::log2(err[0] / err[1]) << ", " << order);
    CHECK(order > 1.8);
    CHECK(std::log2(jmax[1] / jmax[2]) > 1.8);
    CHECK(err[2] < 5e-3);
  }
}

TEST_CASE("variable diffusion: a long run reaches the steady state e^{-U}/Z") {
  // bdf2 from the case's off-centre Gaussian to t = 30 (the slowest rate, the passage between
  // the wells, is ~0.5): the density is the steady solver's to 1e-6 and as close to e^{−U}/Z.
  const auto sets = std::vector<std::string>{"grid.nx=64", "grid.ny=64", "time.t_end=30",
                                             "time.output_every=30", "solver.dt=0.05",
                                             "output.formats=[]"};
  const CaseSpec c = load("cases/variable_diffusion.yaml", sets);
  fplab::Simulation sim(c);
  const auto run = sim.run({});
  const auto steady = fplab::solve_steady_case(c, {}, "");
  const auto exact = cell_averages(c, double_well, true);
  const double to_steady = l1(c, run.final_density, steady.solve.density);
  const double run_err = l1(c, run.final_density, exact);
  const double steady_err = l1(c, steady.solve.density, exact);
  MESSAGE("L1(run, steady) = " << to_steady << ", L1(run, exact) = " << run_err
                               << ", L1(steady, exact) = " << steady_err);
  CHECK(to_steady < 1e-6);
  CHECK(std::abs(run_err - steady_err) < 1e-6);
}

TEST_CASE("variable diffusion: the transient sinh-OU solution converges at order 2") {
  // Every scheme of design order 2, with the cross term D_xy(x): the explicit ones at a fixed
  // cfl (dt ∝ h², the space error dominates), crank_nicolson with dt ∝ h (0.02 at n = 32), so
  // that its time error (second order too) is part of what is measured.
  for (const std::string solver :
       {"{method: finite_volume, scheme: chang_cooper, integrator: ssprk3, cfl: 0.4}",
        "{method: finite_volume, scheme: central, integrator: rk4, cfl: 0.4}",
        "{method: finite_volume, scheme: muscl, integrator: ssprk3, cfl: 0.4}",
        "{method: finite_volume, scheme: chang_cooper, integrator: crank_nicolson, dt: DT}"}) {
    std::vector<double> err;
    for (int n : {32, 64, 128}) {
      std::string s = solver;
      if (const auto at = s.find("DT"); at != std::string::npos)
        s.replace(at, 2, std::to_string(0.64 / n));
      const CaseSpec c = fplab::parse_case(sinh_ou_case(n, s), "sinh_ou.yaml");
      fplab::ProblemInputs in;
      in.initial = cell_averages(c, [](double x, double y) { return sinh_ou_density(x, y, 0.0); },
                                 false);
      fplab::Simulation sim(c, std::move(in));
      const auto r = sim.run({});
      const auto exact =
          cell_averages(c, [](double x, double y) { return sinh_ou_density(x, y, 0.5); }, false);
      err.push_back(l1(c, r.final_density, exact));
    }
    const double order = std::log2(err[1] / err[2]);
    MESSAGE(solver << ": L1 " << err[0] << ", " << err[1] << ", " << err[2] << "; order "
                   << std::log2(err[0] / err[1]) << ", " << order);
    CHECK(order > 1.8);
    CHECK(err[2] < err[0] / 10);
  }
}
