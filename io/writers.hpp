// The output writers a case asks for (docs/reference.md §6): result.h5 + result.xmf, vtk/density.pvd +
// density_NNNN.vti, diagnostics.csv, summary.json. Each is an OutputSink; none knows any scheme.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

// Writers for spec.output.formats ("hdf5" → HDF5 + XDMF, "vtk" → VTK XML, from the module
// libfplab_vtk_io.so: io/vtk_module.hpp); diagnostics.csv and summary.json are always written.
// ("png" is viz's, see viz/render.hpp.)
std::vector<std::unique_ptr<OutputSink>> make_writers(const CaseSpec& spec);

// Helpers shared by the writers.
// Creates `dir` (and parents) if needed; InputError naming it when that is impossible.
std::filesystem::path output_dir_create(const std::filesystem::path& dir);
// Replaces `path` by `text` atomically (temporary file in the same folder, then rename), so a
// reader never sees a half-written sidecar or collection file.
void file_write_atomic(const std::filesystem::path& path, const std::string& text);
// The sentence of an output failure after `written` snapshots: "no space left writing PATH after
// snapshot K" for ENOSPC, errno's own words otherwise ("file too large writing ...").
std::string output_failure(const std::filesystem::path& path, int err, std::size_t written);
// Removes the temporary files a killed run may have left in `dir` (name.tmp, name.tmpPID).
void remove_stale_temporaries(const std::filesystem::path& dir);
// logic_error naming `writer` unless the snapshot carries every announced field on the grid.
void check_snapshot_fields(const Snapshot& snap, const std::vector<std::string>& names,
                           const Grid2D& g, const char* writer);

}  // namespace fplab
