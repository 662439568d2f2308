// Exact scores of Gaussian(-mixture) data under a linear forward drift (see exact_score.hpp).
#include "solver/score/exact_score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "solver/data_density.hpp"
#include "solver/score/mixture_score.hpp"

namespace fplab {
namespace {

class ExactScoreAtPoints final : public FieldAtPoints {
 public:
  ExactScoreAtPoints(const ExactScore& score, PointSet pts)
      : score_(score), pts_(std::move(pts)), at_t_(score.data()), mix_(at_t_) {}
  std::size_t size() const override { return pts_.size(); }
  void eval(double t, std::span<double> out_x, std::span<double> out_y) override {
    eval_combined(t, Combine{}, out_x, out_y);
  }
  void eval_combined(double t, const Combine& c, std::span<double> out_x,
                     std::span<double> out_y) override {
    score_.flow().evolve(score_.data(), std::max(t, 0.0), at_t_);
    mix_.assign(at_t_);
    mix_.eval(pts_, c, out_x, out_y);
  }

 private:
  const ExactScore& score_;
  PointSet pts_;
  GaussianMixture at_t_;  // the data moved to the last t
  MixtureScore mix_;
};

}  // namespace

std::unique_ptr<FieldAtPoints> ExactScore::at_points(PointSet points) const {
  return std::make_unique<ExactScoreAtPoints>(*this, std::move(points));
}

void ExactScore::eval(std::span<const double> xs, std::span<const double> ys, double t,
                      std::span<double> out_x, std::span<double> out_y) const {
  MixtureScore(flow_.evolve(data_, std::max(t, 0.0))).eval(xs, ys, Combine{}, out_x, out_y);
}

double score_relative_error(const ScoreField& s, const ExactScore& exact, double t, std::size_t n,
                            std::uint64_t seed) {
  const auto pts = sample_mixture(exact.flow().evolve(exact.data(), std::max(t, 0.0)), n, seed);
  std::vector<double> xs(n), ys(n), ax(n), ay(n), bx(n), by(n);
  for (std::size_t k = 0; k < n; ++k) {
    xs[k] = pts[k].x();
    ys[k] = pts[k].y();
  }
  s.eval(xs, ys, t, ax, ay);
  exact.eval(xs, ys, t, bx, by);
  double num = 0.0, den = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    num += (ax[k] - bx[k]) * (ax[k] - bx[k]) + (ay[k] - by[k]) * (ay[k] - by[k]);
    den += bx[k] * bx[k] + by[k] * by[k];
  }
  return std::sqrt(num / den);
}

double score_error_on_grid(const ScoreField& s, const ExactScore& exact, const Grid2D& g, double t,
                           std::span<double> map) {
  const std::size_t n = g.size();
  std::vector<double> xs(n), ys(n), p(n), ax(n), ay(n), bx(n), by(n);
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      xs[g.index(i, j)] = g.xc(i);
      ys[g.index(i, j)] = g.yc(j);
    }
  exact.flow().evolve(exact.data(), std::max(t, 0.0)).sample(g, Sampling::point, p);
  s.eval(xs, ys, t, ax, ay);
  exact.eval(xs, ys, t, bx, by);
  double num = 0.0, den = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double e = p[k] * ((ax[k] - bx[k]) * (ax[k] - bx[k]) + (ay[k] - by[k]) * (ay[k] - by[k]));
    if (!map.empty()) map[k] = e;
    num += e;
    den += p[k] * (bx[k] * bx[k] + by[k] * by[k]);
  }
  if (!map.empty())
    for (double& e : map) e /= den * g.cell_area();
  return std::sqrt(num / den);
}

std::string ExactScore::describe() const {
  const std::size_t n = data_.weights.size();
  return fmt::format("exact ({} Gaussian component{} under the forward linear drift)", n,
                     n == 1 ? "" : "s");
}

}  // namespace fplab
