// Exact scores of Gaussian(-mixture) data under a linear forward drift (see exact_score.hpp).
#include "solver/score/exact_score.hpp"

#include <fmt/format.h>

#include <algorithm>

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

std::string ExactScore::describe() const {
  const std::size_t n = data_.weights.size();
  return fmt::format("exact ({} Gaussian component{} under the forward linear drift)", n,
                     n == 1 ? "" : "s");
}

}  // namespace fplab
