// XDMF 3 sidecar for result.h5 (docs/reference.md §6): lets ParaView's default Xdmf3 reader open the HDF5
// fields as a time series, in the exact form PLATFORM.md found to work with ParaView 5.11.
#pragma once
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "solver/grid.hpp"

namespace fplab {

// The XDMF document for the first times.size() snapshots of `fields` (names under /fields of
// h5_name, each (nt_total, ny, nx) float64): a temporal collection of 3DCoRectMesh grids with a
// single layer in z (origin and spacing in z y x order, point dimensions 1 × (ny+1) × (nx+1),
// cell fields 1 × ny × nx); each snapshot slices its fields with Xdmf3's
// `path|start:stride:count:dims` hyperslab syntax.
// h5_name is written as given (a name relative to the .xmf keeps the pair relocatable).
std::string xdmf_document(const std::string& h5_name, const Grid2D& g,
                          std::span<const double> times, std::size_t nt_total,
                          const std::vector<std::string>& fields);

// Writes xdmf_document(...) to `path` atomically (temporary file, then rename).
void xdmf_write(const std::filesystem::path& path, const std::string& h5_name, const Grid2D& g,
                std::span<const double> times, const std::vector<std::string>& fields);

}  // namespace fplab
