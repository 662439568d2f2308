// The grid solution a particle run is compared with (see grid_comparison.hpp).
#include "io/grid_comparison.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "solver/simulation.hpp"  // output_times

namespace fplab {
namespace {

bool same_grid(const Grid2D& a, const CaseSpec& c) {
  const double tol = 1e-9 * std::max(c.x1 - c.x0, c.y1 - c.y0);
  return a.nx == c.nx && a.ny == c.ny && std::abs(a.x0 - c.x0) <= tol &&
         std::abs(a.x1 - c.x1) <= tol && std::abs(a.y0 - c.y0) <= tol &&
         std::abs(a.y1 - c.y1) <= tol;
}

}  // namespace

GridComparison read_grid_comparison(const std::string& path, const CaseSpec& spec) {
  auto run = std::make_shared<ResultFile>(open_result(path));
  if (run->particles())
    throw InputError(fmt::format("--compare {}: holds a particle histogram, not a grid solution; "
                                 "give the result.h5 of fplab run",
                                 path));
  if (!same_grid(run->grid, spec))
    throw InputError(fmt::format(
        "--compare {}: its grid is {} × {} on [{}, {}] × [{}, {}], the case's {} × {} on [{}, {}] "
        "× [{}, {}]; run the case with the same grid",
        path, run->grid.nx, run->grid.ny, run->grid.x0, run->grid.x1, run->grid.y0, run->grid.y1,
        spec.nx, spec.ny, spec.x0, spec.x1, spec.y0, spec.y1));
  // Each output time of the sample, as a snapshot index of the run.
  std::vector<int> index;
  const double tol = 1e-9 * spec.time.output_every;
  for (const double t : output_times(spec.time.t_end, spec.time.output_every)) {
    int found = -1;
    for (std::size_t k = 0; k < run->times.size(); ++k)
      if (std::abs(run->times[k] - t) <= tol) found = static_cast<int>(k);
    if (found < 0)
      throw InputError(fmt::format(
          "--compare {}: has no snapshot at t = {:.6g} (/time holds {} times from {:.6g} to "
          "{:.6g}); run the case with the same time block",
          path, t, run->times.size(), run->times.empty() ? 0.0 : run->times.front(),
          run->times.empty() ? 0.0 : run->times.back()));
    index.push_back(found);
  }
  GridComparison c;
  c.density_at = [run, index](int k, double, std::span<double> out) {
    const std::vector<double> p = run->read_density(index.at(static_cast<std::size_t>(k)));
    std::copy(p.begin(), p.end(), out.begin());
  };
  return c;
}

}  // namespace fplab
