// `fplab render RESULT.h5 --paraview-script`: a pvpython script that opens the result's XDMF
// sidecar in ParaView, shows the density (viridis, colour bar, time annotation) and saves a
// screenshot of the last time step.
#pragma once
#include <string>

namespace fplab {

// Writes view_result.py into out_dir (the result's folder when empty) and returns its path.
// InputError when h5_path is not a result, has no result.xmf beside it, or the script cannot be
// written.
std::string write_paraview_script(const std::string& h5_path, const std::string& out_dir);

}  // namespace fplab
