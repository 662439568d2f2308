// The particles' start: n draws from the case's initial density restricted to the domain, particle
// k a function of (seed, k) alone (solver/random.hpp), so that the start does not depend on the
// number of threads and the first n of a larger draw are the same particles.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/grid.hpp"
#include "solver/particles/particles.hpp"

namespace fplab {

// How the start is drawn from a density block:
//  - gaussian, mixture (and a reverse run's forward_solution, passed as `mixture`): exactly;
//  - moons, swiss_roll, checkerboard, image: exactly from what the grid holds, the kernel density
//    estimate of d.samples points drawn with d.seed (solver/data_density.hpp): a point, then its
//    Gaussian kernel of width d.bandwidth;
//  - anything else (from_run): from `on_grid`, the cell values taken as constant in each cell.
// Draws falling outside the domain are drawn again (the density conditioned on the domain, as the
// grid holds it), unless less than 1 % of the mass lies inside: then from `on_grid` too.
// `on_grid`: the initial density on g (cell averages or point values), for its mass and the
// fallback. Returns how the start was drawn, for the log.
const char* draw_initial_particles(const DensitySpec& d, const std::optional<GaussianMixture>& mixture,
                                   const Grid2D& g, std::span<const double> on_grid,
                                   std::uint64_t seed, Particles& p);

}  // namespace fplab
