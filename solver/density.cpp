// Gaussian mixtures in closed form (pdf, score, cell averages by composite tensor Gauss–Legendre
// quadrature, point values) and the initial density of a case on the grid (docs/reference.md §2 `initial`;
// the sampled toy densities are deposited by solver/data_density.cpp).
#include "solver/density.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "solver/data_density.hpp"
#include "solver/errors.hpp"

namespace fplab {

namespace {

// Per-component constants: log(w / (2π √det Σ)) and Σ⁻¹.
struct ComponentConst {
  double log_c;
  Mat2 P;
};

ComponentConst component_const(double w, const Mat2& cov) {
  return {std::log(w) - std::log(2.0 * std::numbers::pi) - 0.5 * std::log(cov.determinant()),
          cov.inverse()};
}

double log_gauss(const ComponentConst& c, const Vec2& m, double x, double y) {
  const double ux = x - m(0), uy = y - m(1);
  return c.log_c - 0.5 * (c.P(0, 0) * ux * ux + 2.0 * c.P(0, 1) * ux * uy + c.P(1, 1) * uy * uy);
}

// Gauss–Legendre nodes and weights on [−1, 1] by Golub–Welsch: the nodes are the eigenvalues of
// the Jacobi matrix of the Legendre recurrence, the weights 2 v₀² from its eigenvectors.
void gauss_legendre(int q, std::vector<double>& nodes, std::vector<double>& weights) {
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(q, q);
  for (int k = 1; k < q; ++k) {
    const double b = k / std::sqrt(4.0 * k * k - 1.0);
    J(k, k - 1) = J(k - 1, k) = b;
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(J);
  nodes.resize(q);
  weights.resize(q);
  for (int k = 0; k < q; ++k) {
    nodes[k] = es.eigenvalues()(k);
    weights[k] = 2.0 * es.eigenvectors()(0, k) * es.eigenvectors()(0, k);
  }
}

void check_size(const Grid2D& g, std::span<double> out) {
  if (out.size() != g.size())
    throw std::invalid_argument(
        fmt::format("density: output holds {} values, the grid {} cells", out.size(), g.size()));
}

}  // namespace

std::string_view sampling_name(Sampling s) {
  return s == Sampling::point ? "point" : "cell_average";
}

double GaussianMixture::pdf(double x, double y) const {
  double p = 0.0;
  for (std::size_t k = 0; k < weights.size(); ++k)
    p += std::exp(log_gauss(component_const(weights[k], covs[k]), means[k], x, y));
  return p;
}

void GaussianMixture::cell_averages(const Grid2D& g, std::span<double> out, int q) const {
  check_size(g, out);
  if (q < 1) throw std::invalid_argument("GaussianMixture::cell_averages: q must be ≥ 1");
  std::vector<double> nodes, wts;
  gauss_legendre(q, nodes, wts);
  std::fill(out.begin(), out.end(), 0.0);
  const double dx = g.dx(), dy = g.dy();

  for (std::size_t k = 0; k < weights.size(); ++k) {
    if (weights[k] == 0.0) continue;
    const ComponentConst c = component_const(weights[k], covs[k]);
    const Vec2 m = means[k];
    const Eigen::SelfAdjointEigenSolver<Mat2> es(covs[k], Eigen::EigenvaluesOnly);
    const double var_min = es.eigenvalues()(0), var_max = es.eigenvalues()(1);
    // Composite rule: s×s sub-cells no wider than σ_min/2 each, so that a q = 6 rule is accurate
    // to ~1e-15 relative even for components narrower than a cell (GL error ∝ (h/σ)^{2q}).
    const double s_real = std::ceil(std::max(dx, dy) / (0.5 * std::sqrt(var_min)));
    const int s = static_cast<int>(std::clamp(s_real, 1.0, 64.0));
    std::vector<double> off(static_cast<std::size_t>(s) * q), w(off.size());
    for (int a = 0; a < s; ++a)
      for (int b = 0; b < q; ++b) {
        off[a * q + b] = (a + 0.5 * (1.0 + nodes[b])) / s;  // fraction of the cell width
        w[a * q + b] = 0.5 * wts[b] / s;                    // sums to 1 over the cell
      }
    const int n1 = s * q;
    // Cells whose nearest point lies beyond ½(x−m)ᵀΣ⁻¹(x−m) > 750 get exactly 0 (below the
    // smallest double): skipping them keeps narrow components cheap on large grids.
    const double cull = 2.0 * 750.0 * var_max;

#pragma omp parallel for schedule(static)
    for (int j = 0; j < g.ny; ++j) {
      const double ylo = g.y_edge(j);
      const double by = std::max({0.0, ylo - m(1), m(1) - (ylo + dy)});
      for (int i = 0; i < g.nx; ++i) {
        const double xlo = g.x_edge(i);
        const double bx = std::max({0.0, xlo - m(0), m(0) - (xlo + dx)});
        if (bx * bx + by * by > cull) continue;
        double sum = 0.0;
        for (int b = 0; b < n1; ++b) {
          const double y = ylo + off[b] * dy;
          double row = 0.0;
          for (int a = 0; a < n1; ++a)
            row += w[a] * std::exp(log_gauss(c, m, xlo + off[a] * dx, y));
          sum += w[b] * row;
        }
        out[g.index(i, j)] += sum;
      }
    }
  }
}

void GaussianMixture::point_values(const Grid2D& g, std::span<double> out) const {
  check_size(g, out);
  std::vector<ComponentConst> c;
  for (std::size_t k = 0; k < weights.size(); ++k)
    c.push_back(component_const(weights[k], covs[k]));
  // Below 128² one thread: a thread team costs more than these few exponentials per cell.
#pragma omp parallel for schedule(static) if (g.size() >= 16384)
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      double p = 0.0;
      for (std::size_t k = 0; k < c.size(); ++k)
        p += std::exp(log_gauss(c[k], means[k], g.xc(i), g.yc(j)));
      out[g.index(i, j)] = p;
    }
}

void GaussianMixture::sample(const Grid2D& g, Sampling s, std::span<double> out) const {
  if (s == Sampling::point)
    point_values(g, out);
  else
    cell_averages(g, out);
}

GaussianMixture mixture_from_spec(const DensitySpec& d) { return mixture_from_spec(d, "initial"); }

GaussianMixture mixture_from_spec(const DensitySpec& d, std::string_view key) {
  if (!d.is_gaussian_mixture())
    throw InputError(
        fmt::format("{}.type: expected gaussian or mixture here, got '{}'", key, d.type));
  const std::size_t n = d.weights.size();
  if (n == 0 || d.means.size() != n || d.covs.size() != n)
    throw InputError(fmt::format(
        "{}: weights, means and covs must have the same non-zero length (got {}, {}, {})", key, n,
        d.means.size(), d.covs.size()));
  double total = 0.0;
  for (double w : d.weights) {
    if (!(w >= 0.0) || !std::isfinite(w))
      throw InputError(fmt::format("{}.weights: expected non-negative numbers, got {}", key, w));
    total += w;
  }
  if (!(total > 0.0))
    throw InputError(fmt::format("{}.weights: expected a positive sum, got {}", key, total));
  GaussianMixture g;
  for (std::size_t k = 0; k < n; ++k) {
    const Mat2& S = d.covs[k];
    const bool symmetric = std::abs(S(0, 1) - S(1, 0)) <= 1e-12 * S.cwiseAbs().maxCoeff();
    const Eigen::SelfAdjointEigenSolver<Mat2> es(0.5 * (S + S.transpose()), Eigen::EigenvaluesOnly);
    if (!symmetric || !(es.eigenvalues()(0) > 0.0) || !d.means[k].allFinite())
      throw InputError(fmt::format(
          "{}: covariance {} must be symmetric positive definite with a finite mean", key, k));
    // Weights are rescaled to sum exactly to 1: the validator accepts sums within rounding.
    g.weights.push_back(d.weights[k] / total);
    g.means.push_back(d.means[k]);
    g.covs.push_back(0.5 * (S + S.transpose()));
  }
  return g;
}

void density_on_grid(const DensitySpec& d, const Grid2D& g, std::span<double> out,
                     std::string_view key, Sampling s) {
  if (d.is_sampled_toy()) return data_density_on_grid(d, g, out, key, s);
  if (!d.is_gaussian_mixture())
    throw InputError(fmt::format(
        "{}.type: '{}' is not a density of its own here (densities: gaussian, mixture, moons, "
        "swiss_roll, checkerboard, image; from_run and forward_solution start a run)",
        key, d.type));
  mixture_from_spec(d, key).sample(g, s, out);
}

void initial_density(const CaseSpec& spec, const Grid2D& g, std::span<double> out, Sampling s) {
  density_on_grid(spec.initial, g, out, "initial", s);
}

}  // namespace fplab
