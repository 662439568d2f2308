// Exact scores of Gaussian(-mixture) data under a linear forward drift (see exact_score.hpp).
#include "solver/score/exact_score.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "solver/score/mixture_score.hpp"

namespace fplab {

void ExactScore::eval(std::span<const double> xs, std::span<const double> ys, double t,
                      std::span<double> out_x, std::span<double> out_y) const {
  MixtureScore(flow_.evolve(data_, std::max(t, 0.0))).eval(xs, ys, out_x, out_y);
}

std::string ExactScore::describe() const {
  const std::size_t n = data_.weights.size();
  return fmt::format("exact ({} Gaussian component{} under the forward linear drift)", n,
                     n == 1 ? "" : "s");
}

}  // namespace fplab
