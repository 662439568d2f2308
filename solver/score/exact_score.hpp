// The exact score of a forward linear Fokker–Planck solution started from a Gaussian or a
// mixture (docs/reference.md §4 `exact`): each component stays Gaussian (docs/reference.md §5 moment flow), so
// s(x, t) = ∇ log Σ wₖ N(mₖ(t), Σₖ(t)) in closed form for any C, D and schedule.
#pragma once
#include <cstdint>

#include "solver/density.hpp"
#include "solver/gaussian_flow.hpp"
#include "solver/grid.hpp"
#include "solver/score/score_field.hpp"

namespace fplab {

class ExactScore final : public ScoreField {
 public:
  ExactScore(GaussianFlow flow, GaussianMixture data)
      : flow_(std::move(flow)), data_(std::move(data)) {}
  // The mixture is moved to t once per call (K 2×2 inverses), then scored point by point.
  void eval(std::span<const double> xs, std::span<const double> ys, double t,
            std::span<double> out_x, std::span<double> out_y) const override;
  // At every call the mixture moved to t, evaluated by MixtureScore on the points (a lattice's
  // rows need no exponential per point); no allocation after the first call.
  std::unique_ptr<FieldAtPoints> at_points(PointSet points) const override;
  std::string describe() const override;
  const GaussianMixture& data() const { return data_; }
  const GaussianFlow& flow() const { return flow_; }

 private:
  GaussianFlow flow_;
  GaussianMixture data_;
};

// The p-weighted relative L2 error of a score against the exact one at forward time t,
// (E_p ‖s − s_exact‖² / E_p ‖s_exact‖²)^{1/2} with p = p(·, t), by Monte Carlo over n samples of
// p(·, t) drawn with `seed` (the score-quality diagnostic of learned scores).
double score_relative_error(const ScoreField& s, const ExactScore& exact, double t, std::size_t n,
                            std::uint64_t seed);

// The same error on a grid, by the cell-centre rule: with p = p(·, t) and s* the exact score at
// the centres, map = p‖s − s*‖² / ∫p‖s*‖² (so ∫ map = error², the map shows where the error
// lives), and the return value is (∫ map)^{1/2}. map: g.size() values, or empty.
double score_error_on_grid(const ScoreField& s, const ExactScore& exact, const Grid2D& g, double t,
                           std::span<double> map);

}  // namespace fplab
