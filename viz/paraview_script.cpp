// The pvpython script of `fplab render --paraview-script`: a fixed Python body after two lines
// naming the XDMF sidecar (relative to the script, so a copied folder keeps working, and absolute
// as written, for ParaView's Python shell where __file__ is not set).
#include "viz/paraview_script.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "viz/png_io.hpp"

namespace fplab {
namespace {

// The script's body; the ParaView 5.11 choices (Xdmf3ReaderS, the camera on the x-y plane) are
// those ../shared/PLATFORM.md records.
constexpr const char* kScriptBody = R"PY(
import argparse
import os

from paraview.simple import (AnnotateTimeFilter, ColorBy, GetActiveViewOrCreate,
                             GetAnimationScene, GetColorTransferFunction, GetScalarBar, Render,
                             SaveScreenshot, Show, Xdmf3ReaderS)

if "__file__" in globals():
    HERE = os.path.dirname(os.path.abspath(__file__))
    if os.path.isfile(os.path.join(HERE, XMF_RELATIVE)):
        XMF = os.path.normpath(os.path.join(HERE, XMF_RELATIVE))
else:
    HERE = os.path.dirname(XMF)

parser = argparse.ArgumentParser(description="Show an fplab density in ParaView; save a PNG.")
parser.add_argument("--png", default=os.path.join(HERE, "view_result.png"))
parser.add_argument("--size", type=int, nargs=2, default=[1200, 900], metavar=("W", "H"))
args, _ = parser.parse_known_args()

reader = Xdmf3ReaderS(FileName=[XMF])
times = reader.TimestepValues
times = list(times) if hasattr(times, "__len__") else [times]
scene = GetAnimationScene()
scene.UpdateAnimationUsingDataTimeSteps()
scene.AnimationTime = times[-1]

view = GetActiveViewOrCreate("RenderView")
view.ViewSize = args.size
view.ViewTime = times[-1]
view.OrientationAxesVisibility = 0
view.UseColorPaletteForBackground = 0
view.Background = [1, 1, 1]

shown = Show(reader, view)
ColorBy(shown, ("CELLS", FIELD))
shown.RescaleTransferFunctionToDataRange(False, True)
lut = GetColorTransferFunction(FIELD)
lut.ApplyPreset("Viridis (matplotlib)", True)
shown.SetScalarBarVisibility(view, True)
bar = GetScalarBar(lut, view)
bar.Title = FIELD
bar.ComponentTitle = ""
bar.TitleColor = bar.LabelColor = [0, 0, 0]
bar.ScalarBarLength = 0.6

clock = AnnotateTimeFilter(Input=reader)
clock.Format = "t = {time:.4g}"
label = Show(clock, view)
label.Color = [0, 0, 0]
label.FontSize = 24
label.WindowLocation = "Upper Left Corner"

# The grid lies in the x-y plane (one cell thick in z): look straight down z, parallel projection,
# with room on the right for the colour bar. After a first render, which resets the camera.
Render(view)
x0, x1, y0, y1, z0, z1 = reader.GetDataInformation().GetBounds()
scale = 0.55 * max(y1 - y0, (x1 - x0) * args.size[1] / args.size[0] / 0.8)
cx = (x0 + x1) / 2 + 0.1 * scale * args.size[0] / args.size[1]  # the domain a little left of centre
view.InteractionMode = "2D"
view.CameraFocalPoint = [cx, (y0 + y1) / 2, (z0 + z1) / 2]
view.CameraPosition = [cx, (y0 + y1) / 2, z1 + 10 * max(x1 - x0, y1 - y0)]
view.CameraViewUp = [0, 1, 0]
view.CameraParallelProjection = 1
view.CameraParallelScale = scale
Render(view)
SaveScreenshot(args.png, view, ImageResolution=args.size)
print(args.png)
)PY";

// A Python string literal holding s (paths may contain quotes or backslashes).
std::string python_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string write_paraview_script(const std::string& h5_path, const std::string& out_dir) {
  namespace fs = std::filesystem;
  const ResultFile r = open_result(h5_path);  // one sentence naming the file when it is not one
  const fs::path h5 = fs::absolute(h5_path);
  const fs::path xmf = h5.parent_path() / (h5.stem().string() + ".xmf");
  if (!fs::is_regular_file(xmf))
    throw InputError(fmt::format("{} has no XDMF sidecar {} for ParaView to open.", h5_path,
                                 xmf.string()));
  const fs::path dir = out_dir.empty() ? h5.parent_path() : fs::absolute(out_dir);
  viz::ensure_dir(dir.string());
  const fs::path script = dir / "view_result.py";
  std::ofstream out(script);
  out << "# ParaView view of " << h5.string() << ", written by `fplab render --paraview-script`.\n"
      << "# Run: pvpython view_result.py [--png OUT.png] [--size W H]  (rendering needs an X "
         "server),\n# or in ParaView: View > Python Shell > Run Script.\n"
      << "XMF = " << python_string(xmf.string()) << "\n"
      << "XMF_RELATIVE = " << python_string(fs::relative(xmf, dir).string()) << "\n"
      << "FIELD = " << python_string(r.density_name) << "\n"
      << kScriptBody;
  out.close();
  if (!out) throw InputError(fmt::format("cannot write the ParaView script {}.", script.string()));
  return script.string();
}

}  // namespace fplab
