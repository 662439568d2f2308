// The finite-volume operator's fused sweep (solver/fv/fv_operator.cpp) against a plain reference:
// every face flux computed from its definition (docs/reference.md §2) into arrays of faces, one
// face at a time, then differenced. They must agree to round-off for every scheme × boundary ×
// cross term × schedule, on both drift paths (a linear drift computed on the fly, any other drift
// stored) and across stages at different times (the cached face weights of chang_cooper).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/equations/equation.hpp"
#include "solver/fv/boundary.hpp"
#include "solver/fv/flux_scheme.hpp"
#include "solver/fv/fv_operator.hpp"

namespace {

using fplab::BoundaryKind;
using fplab::Grid2D;
using fplab::Mat2;
using fplab::Vec2;

// The state with ghost cells: wrapped (periodic), even (zero_flux) or odd (dirichlet) mirrors.
struct Ghosted {
  const Grid2D& g;
  const std::vector<double>& u;
  BoundaryKind b;
  double operator()(int i, int j) const {
    double s = 1.0;
    auto fold = [&](int k, int n) {
      if (k >= 0 && k < n) return k;
      if (b == BoundaryKind::periodic) return (k + n) % n;
      if (b == BoundaryKind::dirichlet) s = -s;
      return k < 0 ? -k - 1 : 2 * n - 1 - k;
    };
    const int ii = fold(i, g.nx), jj = fold(j, g.ny);
    return s * u[g.index(ii, jj)];
  }
};

// ∂p/∂(axis) of cell (i, j): centred, one-sided next to a non-periodic wall.
double cell_derivative(const Ghosted& p, int axis, int i, int j) {
  const int n = axis == 0 ? p.g.nx : p.g.ny, k = axis == 0 ? i : j;
  const double h = axis == 0 ? p.g.dx() : p.g.dy();
  const int di = axis == 0 ? 1 : 0, dj = 1 - di;
  if (p.b == BoundaryKind::periodic || (k > 0 && k < n - 1))
    return (p(i + di, j + dj) - p(i - di, j - dj)) / (2 * h);
  if (k == 0) return (p(i + di, j + dj) - p(i, j)) / h;
  return (p(i, j) - p(i - di, j - dj)) / h;
}

// Flux through the face on the low side of cell (i, j) along `axis`, positive towards the cell.
double face_flux(const fplab::Equation& eq, const fplab::FluxScheme& scheme, const Ghosted& p,
                 int axis, int i, int j, double t) {
  const Grid2D& g = p.g;
  const int n = axis == 0 ? g.nx : g.ny, k = axis == 0 ? i : j;
  const int di = axis == 0 ? 1 : 0, dj = 1 - di;
  const double h = axis == 0 ? g.dx() : g.dy();
  const Mat2 K = eq.has_diffusion() ? eq.diffusion(t) : Mat2::Zero();
  const double knn = K(axis, axis), kxy = 0.5 * (K(0, 1) + K(1, 0));
  const bool wall = k == 0 || k == n;
  if (wall && p.b == BoundaryKind::zero_flux) return 0.0;
  // Face centres as lattices from the first face (as the operator places them; a potential's
  // numerical gradient would magnify the last-bit difference of x_edge(i) from x0 + i dx).
  const double xf = (axis == 0 ? g.x0 : g.xc(0)) + i * g.dx();
  const double yf = (axis == 0 ? g.yc(0) : g.y0) + j * g.dy();
  double v = eq.drift(xf, yf, t)[axis];
  if (wall && p.b == BoundaryKind::dirichlet) {
    return k == 0 ? std::min(v, 0.0) * p(i, j) - 2.0 * knn * p(i, j) / h
                  : std::max(v, 0.0) * p(i - di, j - dj) + 2.0 * knn * p(i - di, j - dj) / h;
  }
  if (k == n) return face_flux(eq, scheme, p, axis, axis == 0 ? 0 : i, axis == 0 ? j : 0, t);
  const double LL = p(i - 2 * di, j - 2 * dj), L = p(i - di, j - dj), R = p(i, j),
               RR = p(i + di, j + dj);
  if (scheme.includes_diffusion() && eq.has_potential()) {
    const double xl = axis == 0 ? g.xc(i - 1) : g.xc(i), yl = axis == 0 ? g.yc(j) : g.yc(j - 1);
    v = -(eq.potential(g.xc(i), g.yc(j), t) - eq.potential(xl, yl, t)) / h;
  }
  fplab::FaceLine line{&LL, &L, &R, &RR, &v};
  line.n = 1;
  line.K = knn;
  line.h = h;
  double f = 0.0;
  if (eq.has_drift() || scheme.includes_diffusion()) scheme.flux_line(line, &f);
  if (!scheme.includes_diffusion()) f -= knn * (R - L) / h;
  // Cross diffusion: K_xy times the tangential derivative averaged over the face's two cells.
  const int ta = 1 - axis;
  f -= kxy * 0.5 * (cell_derivative(p, ta, ((i - di) % g.nx + g.nx) % g.nx,
                                    ((j - dj) % g.ny + g.ny) % g.ny) +
                    cell_derivative(p, ta, i, j));
  return f;
}

std::vector<double> reference_rhs(const fplab::Equation& eq, const Grid2D& g, BoundaryKind b,
                                  const fplab::FluxScheme& scheme, const std::vector<double>& u,
                                  double t) {
  const Ghosted p{g, u, b};
  std::vector<double> out(g.size()), p_eq(g.size());
  if (eq.has_relaxation()) eq.equilibrium(g, p_eq, fplab::Sampling::cell_average);
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      double r = -(face_flux(eq, scheme, p, 0, i + 1, j, t) - face_flux(eq, scheme, p, 0, i, j, t)) /
                     g.dx() -
                 (face_flux(eq, scheme, p, 1, i, j + 1, t) - face_flux(eq, scheme, p, 1, i, j, t)) /
                     g.dy();
      if (eq.has_relaxation()) r += (p_eq[g.index(i, j)] - u[g.index(i, j)]) / eq.relaxation_time();
      out[g.index(i, j)] = r;
    }
  return out;
}

struct Variant {
  const char* what;
  fplab::EquationSpec eq;
};

std::vector<Variant> variants() {
  std::vector<Variant> v;
  Mat2 C_sym, C_rot, D_cross;
  C_sym << 1.0, 0.3, 0.3, 1.5;
  C_rot << 1.0, -0.7, 0.4, 1.2;
  D_cross << 1.0, 0.4, 0.4, 0.8;
  auto linear = [&](const char* what, Mat2 C, Mat2 D, const char* schedule) {
    fplab::EquationSpec e;
    e.drift.C = C;
    e.D = D;
    e.schedule.type = schedule;
    e.schedule.beta_max = 5.0;
    v.push_back({what, e});
  };
  linear("linear symmetric C, diagonal D", C_sym, Mat2::Identity() * 0.7, "constant");
  linear("linear rotating C, cross D", C_rot, D_cross, "constant");
  linear("linear, vp schedule (drift and D scale together)", C_sym, D_cross, "vp");
  linear("linear, subvp schedule", C_rot, Mat2::Identity(), "subvp");
  linear("linear, ve schedule (no drift)", C_sym, D_cross, "ve");
  fplab::EquationSpec pot;
  pot.drift.type = "potential";
  pot.drift.U = "x^4/4 - x^2/2 + y^2/2 + 0.2*x*y";
  v.push_back({"potential drift (stored, −ΔU/h for chang_cooper)", pot});
  fplab::EquationSpec expr;
  expr.drift.type = "expression";
  expr.drift.fx = "-x + sin(3*t)*y";
  expr.drift.fy = "-y - 0.5*x";
  expr.D = D_cross;
  v.push_back({"expression drift in t (stored, refreshed), cross D", expr});
  fplab::EquationSpec bgk;
  bgk.type = "bgk";
  bgk.tau = 0.5;
  v.push_back({"bgk relaxation", bgk});
  return v;
}

}  // namespace

TEST_CASE("the fused FV sweep equals the face-by-face reference to round-off (every scheme × "
          "boundary × drift path × schedule)") {
  // Uneven sizes and cell widths, so that no index or axis slip cancels out.
  const Grid2D g{19, 14, -3.0, 3.4, -2.5, 2.0};
  std::vector<double> u(g.size());
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const double x = g.xc(i), y = g.yc(j);
      u[g.index(i, j)] = std::exp(-0.3 * (x - 0.4) * (x - 0.4) - 0.5 * y * y) *
                         (1.0 + 0.3 * std::sin(7.0 * x * y + i));
    }
  for (const Variant& var : variants()) {
    fplab::CaseSpec c;
    c.equation = var.eq;
    const auto eq = fplab::make_equation(c);
    for (const auto& bname : fplab::boundary_names())
      for (const auto& sname : fplab::flux_scheme_names()) {
        const std::string what = var.what;
        CAPTURE(what);
        CAPTURE(bname);
        CAPTURE(sname);
        const auto op = fplab::make_fv_operator(*eq, g, bname, sname);
        const auto scheme = fplab::make_flux_scheme(sname);
        std::vector<double> out(g.size());
        for (double t : {0.3, 0.7, 0.3}) {  // a later stage, then back (face weight caches)
          CAPTURE(t);
          op->explicit_rhs(u, t, out);
          const auto ref = reference_rhs(*eq, g, fplab::boundary_from_name(bname), *scheme, u, t);
          double scale = 0.0, diff = 0.0;
          for (std::size_t k = 0; k < ref.size(); ++k) {
            scale = std::max(scale, std::abs(ref[k]));
            diff = std::max(diff, std::abs(out[k] - ref[k]));
          }
          REQUIRE(scale > 0.0);
          CHECK(diff <= 1e-14 * scale);
        }
      }
  }
}
