# ParaView's own readers open fplab's outputs (docs/reference.md §6): result.xmf with Xdmf3ReaderS (the
# default for .xmf) and vtk/density.pvd with PVDReader, checked against diagnostics.csv.
#
# Usage (run by pvpython; rendering needs an X server, e.g. under xvfb-run):
#   pvpython check_outputs.py RESULT.xmf DENSITY.pvd DIAGNOSTICS.csv --h5-json H5.json [--png OUT.png]
# H5.json holds result.h5's own /time and /fields names, read with h5py (pvpython has no HDF5
# module): {"time": [...], "fields": [...]}.
# For each reader: the time steps equal /time and the `time` column (relative 1e-12), the cell
# arrays are exactly the fields of /fields, IntegrateVariables of density is 1 (1e-9; the OU run
# conserves mass) and equals the `mass` column at every time (relative 1e-9), the density-weighted mean of ParaView's cell centres equals the `mean_x`,
# `mean_y` columns (1e-9: catches swapped axes or a shifted origin), and both readers agree on
# the bounds. Then the last step is rendered to a PNG
# that must show the field (not only background). Exit 0 when all holds, 1 with a message otherwise.
import argparse
import csv
import json
import os
import sys

from paraview import servermanager
from paraview.simple import (CellCenters, ColorBy, CreateView, GetColorTransferFunction,
                             GetScalarBar, IntegrateVariables, PVDReader, Render, SaveScreenshot,
                             Show, Text, Xdmf3ReaderS)
from vtkmodules.util.numpy_support import vtk_to_numpy

REL_TIME = 1e-12
REL_MASS = 1e-9
failures = []


def fail(msg):
    failures.append(msg)
    print("check_outputs: FAIL: " + msg, flush=True)


def close(a, b, rel):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def read_diagnostics(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit("check_outputs: FAIL: %s has no data rows" % path)
    for col in ("time", "mass"):
        if col not in rows[0]:
            sys.exit("check_outputs: FAIL: %s has no '%s' column (columns: %s)"
                     % (path, col, ", ".join(rows[0].keys())))
    cols = {name: [float(r[name]) for r in rows] for name in rows[0].keys()}
    return cols["time"], cols["mass"], cols


def timesteps(reader):
    ts = reader.TimestepValues
    try:
        return [float(t) for t in ts]
    except TypeError:  # a single time step comes back as a bare number
        return [float(ts)] if ts is not None else []


def check_against_h5(label, reader, ts, h5):
    """The reader's time steps are the file's /time and its cell arrays the file's /fields."""
    if len(ts) != len(h5["time"]) or not all(close(a, b, REL_TIME) for a, b in zip(ts, h5["time"])):
        fail("%s time steps %s differ from result.h5's /time %s" % (label, ts, h5["time"]))
        return
    arrays = sorted(reader.CellData.keys())
    if arrays != sorted(h5["fields"]):
        fail("%s has the cell arrays %s, result.h5 has the fields %s"
             % (label, arrays, sorted(h5["fields"])))
        return
    print("  time steps equal /time; cell arrays %s are /fields" % arrays)


def check_reader(label, reader, times, masses, cols, h5):
    """Checks one reader against the CSV and the file; returns its bounds at the last time, or None."""
    ts = timesteps(reader)
    print("%s: %s, %d time steps" % (label, reader.GetXMLName(), len(ts)), flush=True)
    if len(ts) != len(times):
        fail("%s has %d time steps, diagnostics.csv has %d rows (%s vs %s)"
             % (label, len(ts), len(times), ts, times))
        return None
    for k, (a, b) in enumerate(zip(ts, times)):
        if not close(a, b, REL_TIME):
            fail("%s time step %d is %.17g, diagnostics.csv says %.17g" % (label, k, a, b))

    reader.UpdatePipeline(ts[-1])
    check_against_h5(label, reader, ts, h5)
    if "density" not in reader.CellData.keys():
        fail("%s has no cell array 'density' (cell arrays: %s; point arrays: %s)"
             % (label, list(reader.CellData.keys()), list(reader.PointData.keys())))
        return None
    info = reader.GetDataInformation()
    if info.GetNumberOfCells() == 0:
        fail("%s read no cells" % label)
        return None

    iv = IntegrateVariables(Input=reader)
    iv.DivideCellDataByVolume = 0
    for t, mass in zip(ts, masses):
        iv.UpdatePipeline(t)
        out = servermanager.Fetch(iv)  # the integrals at full double precision
        arr = out.GetCellData().GetArray("density")
        if arr is None:
            fail("%s: IntegrateVariables produced no 'density' at t=%g" % (label, t))
            continue
        integral = arr.GetValue(0)
        print("  t = %-12.6g  integral of density = %.15g   mass = %.15g" % (t, integral, mass))
        if not close(integral, 1.0, REL_MASS):
            fail("%s: integral of density at t=%.17g is %.15g, not 1" % (label, t, integral))
        if not close(integral, mass, REL_MASS):
            fail("%s: integral of density at t=%.17g is %.15g, the mass column says %.15g "
                 "(relative difference %.3g > %g)"
                 % (label, t, integral, mass, abs(integral - mass) / abs(mass), REL_MASS))

    # Where ParaView puts the cells: the density-weighted mean of its cell centres is the
    # mean_x, mean_y the solver computed (midpoint rule on the same cells).
    if "mean_x" in cols and "mean_y" in cols:
        centres = CellCenters(Input=reader)
        for k, t in enumerate(ts):
            centres.UpdatePipeline(t)
            data = servermanager.Fetch(centres)
            xyz = vtk_to_numpy(data.GetPoints().GetData())
            p = vtk_to_numpy(data.GetPointData().GetArray("density"))
            for axis, name in ((0, "mean_x"), (1, "mean_y")):
                got = float((p * xyz[:, axis]).sum() / p.sum())
                want = cols[name][k]
                if abs(got - want) > 1e-9 * max(1.0, abs(want)):
                    fail("%s: at t=%.17g the density-weighted mean of ParaView's cell centres "
                         "along %s is %.15g, the %s column says %.15g"
                         % (label, t, "xy"[axis], got, name, want))
        print("  mean_x, mean_y of ParaView's cells agree with diagnostics.csv at every time")
    return info.GetBounds()


def render_png(reader, title, t, path):
    view = CreateView("RenderView")
    view.ViewSize = [900, 700]
    view.Background = [1, 1, 1]
    try:
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    view.OrientationAxesVisibility = 0
    view.InteractionMode = "2D"
    view.ViewTime = t
    disp = Show(reader, view)
    ColorBy(disp, ("CELLS", "density"))
    disp.RescaleTransferFunctionToDataRange(True, False)
    lut = GetColorTransferFunction("density")
    lut.ApplyPreset("Viridis (matplotlib)", True)
    disp.SetScalarBarVisibility(view, True)
    bar = GetScalarBar(lut, view)
    bar.Title = "density"
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0, 0, 0]
    label = Show(Text(Text="%s   t = %g" % (title, t)), view)
    label.Color = [0, 0, 0]
    label.WindowLocation = "Upper Left Corner"
    view.ResetCamera()
    Render(view)
    SaveScreenshot(path, view, ImageResolution=[900, 700])

    # The picture must show the field: many pixels that are neither white background nor grey
    # text. Viridis has no grey, so "coloured" = channels that differ.
    from vtkmodules.vtkIOImage import vtkPNGReader
    png = vtkPNGReader()
    png.SetFileName(path)
    png.Update()
    img = png.GetOutput()
    if img.GetNumberOfPoints() == 0:
        fail("rendering produced no readable PNG at %s" % path)
        return
    px = vtk_to_numpy(img.GetPointData().GetScalars())[:, :3].astype(int)
    coloured = ((abs(px[:, 0] - px[:, 1]) + abs(px[:, 1] - px[:, 2])) > 40).mean()
    print("png: %s (%.0f%% coloured pixels)" % (path, 100 * coloured))
    if coloured < 0.10:
        fail("the rendered PNG %s shows almost no data (%.1f%% coloured pixels)"
             % (path, 100 * coloured))


def main():
    ap = argparse.ArgumentParser(
        description="Check fplab's result.xmf and density.pvd with ParaView's own readers.")
    ap.add_argument("xmf")
    ap.add_argument("pvd")
    ap.add_argument("csv")
    ap.add_argument("--h5-json", required=True, help="result.h5's /time and /fields names")
    ap.add_argument("--png", default="", help="render the last step of result.xmf here")
    a = ap.parse_args()
    for p in (a.xmf, a.pvd, a.csv, a.h5_json):
        if not os.path.isfile(p):
            sys.exit("check_outputs: FAIL: no such file: %s" % p)
    times, masses, cols = read_diagnostics(a.csv)
    with open(a.h5_json) as f:
        h5 = json.load(f)

    # Absolute paths: Xdmf3 resolves the .h5 named inside the .xmf against the .xmf's folder.
    xmf = Xdmf3ReaderS(FileName=[os.path.abspath(a.xmf)])
    pvd = PVDReader(FileName=os.path.abspath(a.pvd))
    bx = check_reader("result.xmf", xmf, times, masses, cols, h5)
    bp = check_reader("density.pvd", pvd, times, masses, cols, h5)
    if bx and bp:
        print("bounds: xmf %s, pvd %s" % (bx, bp))
        if not all(abs(u - v) <= 1e-12 * max(1.0, abs(u)) for u, v in zip(bx, bp)):
            fail("the readers disagree on the domain: xmf bounds %s, pvd bounds %s" % (bx, bp))
    if a.png and not failures:
        render_png(xmf, os.path.basename(a.xmf), times[-1], os.path.abspath(a.png))

    if failures:
        print("check_outputs: %d check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("check_outputs: OK (%d time steps, both readers agree with diagnostics.csv)"
          % len(times))


if __name__ == "__main__":
    main()
