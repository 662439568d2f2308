// Equation defaults: the zero drift, the drift at fixed points through drift_batch, one point.
#include "solver/equations/equation.hpp"

#include <algorithm>

namespace fplab {

void Equation::drift_batch(std::span<const double> /*xs*/, std::span<const double> /*ys*/,
                           double /*t*/, std::span<double> out_x, std::span<double> out_y) const {
  std::fill(out_x.begin(), out_x.end(), 0.0);
  std::fill(out_y.begin(), out_y.end(), 0.0);
}

std::unique_ptr<FieldAtPoints> Equation::drift_at(PointSet points) const {
  return std::make_unique<BatchAtPoints>(
      [this](auto xs, auto ys, double t, auto out_x, auto out_y) {
        drift_batch(xs, ys, t, out_x, out_y);
      },
      std::move(points));
}

Vec2 Equation::drift(double x, double y, double t) const {
  double fx = 0.0, fy = 0.0;
  drift_batch(std::span<const double>(&x, 1), std::span<const double>(&y, 1), t,
              std::span<double>(&fx, 1), std::span<double>(&fy, 1));
  return {fx, fy};
}

}  // namespace fplab
