# ParaView's own PVDReader opens fplab's VTK points (docs/reference.md §6): vtk/particles.pvd and
# its particles_NNNN.vtp, checked against EXPECTED.json (written with them): the time steps, and at
# each one the number of points and vertex cells (the living stored particles), the int64 point
# array "id", and the mean of the points' coordinates (relative 1e-12: catches swapped axes or
# points of absorbed particles).
#
# Usage (run by pvpython): pvpython check_particles.py PARTICLES.pvd EXPECTED.json
# Exit 0 when all holds, 1 with a message otherwise.
import json
import os
import sys

from paraview import servermanager
from paraview.simple import PVDReader
from vtkmodules.util.numpy_support import vtk_to_numpy

# fail(), close() and the failures list of the grid outputs' check, beside this script.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_outputs import close, fail, failures  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pvpython check_particles.py PARTICLES.pvd EXPECTED.json")
    pvd, expected_path = sys.argv[1], sys.argv[2]
    for p in (pvd, expected_path):
        if not os.path.isfile(p):
            sys.exit("check_particles: FAIL: no such file: %s" % p)
    with open(expected_path) as f:
        expected = json.load(f)
    reader = PVDReader(FileName=os.path.abspath(pvd))
    ts = reader.TimestepValues
    ts = [float(t) for t in ts] if hasattr(ts, "__len__") else [float(ts)]
    print("particles.pvd: %d time steps %s" % (len(ts), ts), flush=True)
    if len(ts) != len(expected["times"]) or not all(
            close(a, b, 1e-12) for a, b in zip(ts, expected["times"])):
        fail("time steps %s differ from the written times %s" % (ts, expected["times"]))
    for t, want in zip(ts, expected["snapshots"]):
        reader.UpdatePipeline(t)
        data = servermanager.Fetch(reader)
        n = data.GetNumberOfPoints()
        verts = data.GetNumberOfVerts()
        print("  t = %-8g %d points, %d vertex cells" % (t, n, verts))
        if n != want["points"] or verts != want["points"]:
            fail("at t=%g ParaView finds %d points and %d vertex cells, %d particles are alive"
                 % (t, n, verts, want["points"]))
            continue
        ids = data.GetPointData().GetArray("id")
        if ids is None or ids.GetDataTypeAsString() not in ("long", "long long", "vtkTypeInt64"):
            fail("at t=%g the point array 'id' is %s, not int64"
                 % (t, None if ids is None else ids.GetDataTypeAsString()))
        xyz = vtk_to_numpy(data.GetPoints().GetData())
        for axis, name in ((0, "mean_x"), (1, "mean_y")):
            got = float(xyz[:, axis].mean())
            if not close(got, want[name], 1e-12):
                fail("at t=%g the points' %s is %.15g, the particles' is %.15g"
                     % (t, name, got, want[name]))
    if failures:
        print("check_particles: %d check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("check_particles: OK (%d time steps)" % len(ts))


if __name__ == "__main__":
    main()
