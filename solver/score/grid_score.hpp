// A score tabulated on a uniform grid of nodes at increasing times (docs/reference.md §4 `tabulated` from a
// forward run, `hdf5` from a user's file; io/ reads the files into a ScoreTable). Evaluated
// anywhere by bilinear interpolation in space (2nd order) and cubic Hermite interpolation in time
// with nodal slopes from the quadratic through each node and its neighbours (3rd order in the
// node spacing; linear with two nodes).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/score/score_field.hpp"

namespace fplab {

struct ScoreTable {
  int nx = 0, ny = 0;                     // nodes, each ≥ 2
  double x_first = 0, y_first = 0;        // node (i, j) at (x_first + i hx, y_first + j hy)
  double hx = 1, hy = 1;                  // > 0
  std::vector<double> times;              // increasing, ≥ 1
  std::vector<double> sx, sy;             // times.size() × ny × nx, row-major (k, j, i)
  std::size_t nodes() const { return static_cast<std::size_t>(nx) * ny; }
};

// The nodes and weights of the time interpolant at t: value = Σ w[q] v[first + q], q < count.
// t outside [times.front(), times.back()] takes the nearest end.
struct TimeStencil {
  int first = 0, count = 1;
  double w[4] = {1, 0, 0, 0};
};
TimeStencil hermite_stencil(std::span<const double> times, double t);

class GridScore final : public ScoreField {
 public:
  // std::invalid_argument when the table is inconsistent (io/ reports file errors before).
  GridScore(ScoreTable table, std::string origin);
  void eval(std::span<const double> xs, std::span<const double> ys, double t,
            std::span<double> out_x, std::span<double> out_y) const override;
  // Precomputes each point's bilinear cell and weights; eval(t) then blends the time nodes once
  // on the table grid and interpolates to the points (on a lattice: blends and interpolates
  // row by row, see grid_score.cpp).
  std::unique_ptr<FieldAtPoints> at_points(PointSet points) const override;
  std::string describe() const override;
  double t_first() const override { return table_.times.front(); }
  double t_last() const override { return table_.times.back(); }
  const ScoreTable& table() const { return table_; }

 private:
  ScoreTable table_;
  std::string origin_;
};

// A score field sampled at the cell centres of g at the given increasing times (a learned
// score's `time_nodes`: a network is evaluated once per node, then interpolated like a table).
ScoreTable tabulate_score(const ScoreField& score, const Grid2D& g, std::span<const double> times);
// The times of a learned score's `time_nodes: K` on [0, T]: t_k = T (k / (K − 1))², crowded
// towards t = 0 where the score changes fastest.
std::vector<double> score_time_nodes(double T, int K);

// ∇ log p on the grid of p by centred differences of log max(p, kScoreFloor · max p) (one-sided
// in the first and last cells); the score a tabulated source reads from density snapshots and
// a forward run stores with output.store_score.
inline constexpr double kScoreFloor = 1e-12;
void score_from_density(const Grid2D& g, std::span<const double> p, std::span<double> out_x,
                        std::span<double> out_y);

}  // namespace fplab
