// Test equations state their drift one point at a time; this adapts such a drift to the batched
// Equation::drift_batch that operators call (a slow path, fine for tests).
#pragma once
#include <cstddef>

#include "solver/equations/equation.hpp"

namespace fplab_test {

class PointwiseEquation : public fplab::Equation {
 public:
  virtual fplab::Vec2 drift_point(double x, double y, double t) const = 0;
  void drift_batch(std::span<const double> xs, std::span<const double> ys, double t,
                   std::span<double> out_x, std::span<double> out_y) const override {
    for (std::size_t k = 0; k < xs.size(); ++k) {
      const fplab::Vec2 f = drift_point(xs[k], ys[k], t);
      if (!out_x.empty()) out_x[k] = f.x();
      if (!out_y.empty()) out_y[k] = f.y();
    }
  }
};

}  // namespace fplab_test
