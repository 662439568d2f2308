// Densities given in closed form: Gaussian mixtures (pdf, cell averages by quadrature,
// point values), and the initial density a case asks for, sampled on the grid as the method needs.
#pragma once
#include <span>
#include <string_view>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/grid.hpp"

namespace fplab {

// What a grid value means (docs/reference.md §2): finite volumes hold cell averages (1/|cell|)∫_cell p, spectral
// methods point values p(x_i, y_j) at the cell centres. The two differ by O(h²) (h²/24 ∇²p).
enum class Sampling { cell_average, point };

// "cell_average" | "point", as stored in result.h5's `sampling` attribute.
std::string_view sampling_name(Sampling s);

struct GaussianMixture {
  std::vector<double> weights;  // sum to 1
  std::vector<Vec2> means;
  std::vector<Mat2> covs;       // symmetric positive definite

  double pdf(double x, double y) const;
  // Cell averages (1/|cell|) ∫_cell pdf, by tensor Gauss–Legendre quadrature with q points a side.
  void cell_averages(const Grid2D& g, std::span<double> out, int q = 6) const;
  // Point values pdf(x_i, y_j) at the cell centres (spectral methods store these).
  void point_values(const Grid2D& g, std::span<double> out) const;
  // cell_averages or point_values, as `s` asks.
  void sample(const Grid2D& g, Sampling s, std::span<double> out) const;
};

GaussianMixture mixture_from_spec(const DensitySpec& d);
// The same, naming `key` (e.g. "equation.equilibrium") in the InputError of a bad block.
GaussianMixture mixture_from_spec(const DensitySpec& d, std::string_view key);

// Any density block the solver can evaluate (gaussian, mixture; moons, swiss_roll, checkerboard
// and image as kernel deposits of their samples, see data_density.hpp) on g, sampled as `s` says;
// `key` names the block in the InputError for other types.
void density_on_grid(const DensitySpec& d, const Grid2D& g, std::span<double> out,
                     std::string_view key, Sampling s);

// The initial density of a case on g (docs/reference.md §2 `initial`), sampled as `s` says (see
// sampling_of in solver/discretisation.hpp). InputError when the type is not available.
void initial_density(const CaseSpec& spec, const Grid2D& g, std::span<double> out, Sampling s);

}  // namespace fplab
