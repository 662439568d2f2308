// Densities given in closed form: Gaussian mixtures (pdf, score, cell averages by quadrature),
// and the initial density a case asks for, as cell averages on the grid.
#pragma once
#include <span>
#include <string_view>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/grid.hpp"

namespace fplab {

struct GaussianMixture {
  std::vector<double> weights;  // sum to 1
  std::vector<Vec2> means;
  std::vector<Mat2> covs;       // symmetric positive definite

  double pdf(double x, double y) const;
  Vec2 score(double x, double y) const;  // ∇ log pdf
  // Cell averages (1/|cell|) ∫_cell pdf, by tensor Gauss–Legendre quadrature with q points a side.
  void cell_averages(const Grid2D& g, std::span<double> out, int q = 6) const;
  // Point values pdf(x_i, y_j) at the cell centres (spectral methods store these).
  void point_values(const Grid2D& g, std::span<double> out) const;
};

GaussianMixture mixture_from_spec(const DensitySpec& d);
// The same, naming `key` (e.g. "equation.equilibrium") in the InputError of a bad block.
GaussianMixture mixture_from_spec(const DensitySpec& d, std::string_view key);

// Cell averages on g of any density block the solver can evaluate (gaussian, mixture); `key`
// names the block in the InputError for other types.
void density_cell_averages(const DensitySpec& d, const Grid2D& g, std::span<double> out,
                           std::string_view key);

// The initial density of a case as cell averages on g (SPEC §2 `initial`). InputError when the
// type is not available.
void initial_density(const CaseSpec& spec, const Grid2D& g, std::span<double> out);

}  // namespace fplab
