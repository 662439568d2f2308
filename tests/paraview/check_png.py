# Checks the screenshot of a generated ParaView script (run by pvpython: its VTK reads the PNG).
# Usage: pvpython check_png.py SHOT.png WIDTH HEIGHT
# The PNG has the requested size, shows the field (at least 10 % of the pixels coloured: viridis
# has no grey) and text in the upper left corner (the time annotation: dark pixels there).
import sys

from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOImage import vtkPNGReader


def main():
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    reader = vtkPNGReader()
    reader.SetFileName(path)
    reader.Update()
    img = reader.GetOutput()
    nx, ny, _ = img.GetDimensions()
    if (nx, ny) != (width, height):
        sys.exit("check_png: FAIL: %s is %dx%d, the script was asked for %dx%d"
                 % (path, nx, ny, width, height))
    px = vtk_to_numpy(img.GetPointData().GetScalars())[:, :3].astype(int).reshape(ny, nx, 3)
    coloured = ((abs(px[..., 0] - px[..., 1]) + abs(px[..., 1] - px[..., 2])) > 40).mean()
    # VTK images start at the bottom row: the upper left corner is the last rows, first columns.
    corner = px[int(0.9 * ny):, : int(0.3 * nx)]
    dark = (corner.max(axis=2) < 80).mean()
    print("check_png: %s %dx%d, %.0f%% coloured, %.1f%% dark pixels in the upper left corner"
          % (path, nx, ny, 100 * coloured, 100 * dark))
    if coloured < 0.10:
        sys.exit("check_png: FAIL: the screenshot shows almost no data")
    if dark < 0.002:
        sys.exit("check_png: FAIL: no text (the time annotation) in the upper left corner")
    print("check_png: OK")


if __name__ == "__main__":
    main()
