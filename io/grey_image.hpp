// PNG pictures for `image` densities (docs/reference.md §2): read with VTK's PNG reader into the solver's
// GreyImage (grey levels and alpha in [0, 1], row 0 at the bottom), so that solver/ needs no VTK.
#pragma once
#include <memory>
#include <string>

#include "solver/case_spec.hpp"

namespace fplab {

// Reads a PNG (grey, grey + alpha, RGB or RGBA; 8 or 16 bits; palettes expanded). Colour is
// reduced to luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as most image libraries do).
// Throws std::runtime_error with the reason (no such file, not a PNG, no pixels), without the
// path: the caller names the file and the case key.
std::shared_ptr<const GreyImage> read_grey_png(const std::string& path);

}  // namespace fplab
