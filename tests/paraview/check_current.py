# ParaView's own filters on the current of a steady state (fplab steady, the rotating OU case):
# PVDReader finds the 3-component cell vectors `current`; Cell Data to Point Data and the Stream
# Tracer (seeded on a line through the origin) draw closed streamlines around it, along which the
# radius stays constant (J = (2y, −2x) p circulates on circles). Exit 0 when all holds, else 1.
#
# Usage (pvpython): check_current.py DENSITY.pvd
import math
import sys

from paraview import servermanager
from paraview.simple import CellDatatoPointData, PVDReader, StreamTracer
from vtkmodules.util.numpy_support import vtk_to_numpy


def main():
    reader = PVDReader(FileName=sys.argv[1])
    reader.UpdatePipeline()
    arrays = reader.CellData
    if "current" not in arrays.keys():
        sys.exit("check_current: FAIL: no cell array 'current' (cell arrays: %s)"
                 % list(arrays.keys()))
    if arrays["current"].GetNumberOfComponents() != 3:
        sys.exit("check_current: FAIL: 'current' has %d components, not 3"
                 % arrays["current"].GetNumberOfComponents())
    points = CellDatatoPointData(Input=reader)
    tracer = StreamTracer(Input=points, SeedType="Line")
    tracer.Vectors = ["POINTS", "current"]
    tracer.SeedType.Point1 = [0.5, 0.0, 0.0]
    tracer.SeedType.Point2 = [3.0, 0.0, 0.0]
    tracer.SeedType.Resolution = 5
    tracer.MaximumStreamlineLength = 40.0
    tracer.UpdatePipeline()
    lines = servermanager.Fetch(tracer)
    n = lines.GetNumberOfPoints()
    cells = lines.GetNumberOfCells()
    print("stream tracer: %d lines, %d points" % (cells, n))
    if cells < 3 or n < 100:
        sys.exit("check_current: FAIL: the stream tracer drew %d lines of %d points" % (cells, n))
    xyz = vtk_to_numpy(lines.GetPoints().GetData())
    worst = 0.0
    for c in range(cells):
        ids = lines.GetCell(c).GetPointIds()
        radii = [math.hypot(*xyz[ids.GetId(k)][:2]) for k in range(ids.GetNumberOfIds())]
        if len(radii) < 10:
            continue
        spread = (max(radii) - min(radii)) / (sum(radii) / len(radii))
        worst = max(worst, spread)
        angles = [math.atan2(xyz[ids.GetId(k)][1], xyz[ids.GetId(k)][0])
                  for k in range(ids.GetNumberOfIds())]
        print("  line %d: %d points, radius %.3f .. %.3f, angle %.2f .. %.2f"
              % (c, len(radii), min(radii), max(radii), min(angles), max(angles)))
    if worst > 0.05:
        sys.exit("check_current: FAIL: a streamline's radius varies by %.1f%% (circles expected)"
                 % (100 * worst))
    print("check_current: OK (streamlines are circles to %.2f%%)" % (100 * worst))


main()
