// Grid2D: a uniform cell-centred rectangle grid. Geometry only: extents, spacing, centres, edges.
#pragma once
#include <cstddef>

namespace fplab {

struct Grid2D {
  int nx = 0, ny = 0;                      // number of cells
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // domain [x0, x1] × [y0, y1]

  double dx() const { return (x1 - x0) / nx; }
  double dy() const { return (y1 - y0) / ny; }
  double cell_area() const { return dx() * dy(); }
  double xc(int i) const { return x0 + (i + 0.5) * dx(); }  // centre of column i
  double yc(int j) const { return y0 + (j + 0.5) * dy(); }  // centre of row j
  double x_edge(int i) const { return x0 + i * dx(); }      // i in [0, nx]
  double y_edge(int j) const { return y0 + j * dy(); }      // j in [0, ny]
  std::size_t size() const { return static_cast<std::size_t>(nx) * ny; }
  // Row-major (j, i) with i fastest: the layout of every field and of /fields/density.
  std::size_t index(int i, int j) const { return static_cast<std::size_t>(j) * nx + i; }
};

}  // namespace fplab
