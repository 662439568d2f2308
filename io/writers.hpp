// The output writers a case asks for (SPEC §6): result.h5 + result.xmf, vtk/density.pvd +
// density_NNNN.vti, diagnostics.csv, summary.json. Each is an OutputSink; none knows any scheme.
#pragma once
#include <memory>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// Writers for spec.output.formats ("hdf5" → HDF5 + XDMF, "vtk" → VTK XML); diagnostics.csv and
// summary.json are always written. ("png" is viz's, see viz/render.hpp.)
std::vector<std::unique_ptr<OutputSink>> make_writers(const CaseSpec& spec);

}  // namespace fplab
