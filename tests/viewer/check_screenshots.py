"""Checks what `fplab view` saved after the keys s Right Right s (tests/viewer/view_keys.sh).

Usage: /usr/bin/python3 check_screenshots.py RESULT.h5 VIEW.log
The log's two "screenshot PATH (snapshot K, t = T)" lines must name snapshots 0 and 2 with the
times of the file's /time (read here with h5py, not through fplab), and the pictures must show
the OU density moving towards the origin: the centroid of its densest pixels (the top of viridis,
yellow) moves left and up between the two. Exit 0 when all holds, 1 with a message otherwise.
"""
import re
import sys

import h5py
import numpy as np
from PIL import Image

LINE = re.compile(r"^screenshot (\S+) \(snapshot (\d+), t = (\S+)\)$")


def fail(msg):
    print("check_screenshots: FAIL: " + msg)
    sys.exit(1)


def densest_centroid(png):
    """Centroid (column, row) of the yellow top of viridis left of the colour bar."""
    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
    field = rgb[:, : int(0.85 * rgb.shape[1])]  # the colour bar on the right is yellow too
    r, g, b = field[..., 0], field[..., 1], field[..., 2]
    rows, cols = np.nonzero((r > 200) & (g > 180) & (b < 110))
    if len(rows) < 20:
        fail("%s shows almost no high-density (yellow) pixels (%d)" % (png, len(rows)))
    return cols.mean(), rows.mean(), rgb


def main():
    h5_path, log_path = sys.argv[1:3]
    with h5py.File(h5_path, "r") as f:
        times = f["/time"][:]
    shots = [LINE.match(line.strip()) for line in open(log_path)]
    shots = [(m.group(1), int(m.group(2)), float(m.group(3))) for m in shots if m]
    if [k for _, k, _ in shots] != [0, 2]:
        fail("expected screenshots of snapshots 0 then 2, the log names %s" % shots)
    for path, k, t in shots:
        if t != times[k]:
            fail("%s: the viewer showed t = %.17g, /time[%d] is %.17g" % (path, t, k, times[k]))
    (first, _, _), (third, _, _) = shots
    x0, y0, a = densest_centroid(first)
    x2, y2, b = densest_centroid(third)
    if a.shape != b.shape:
        fail("the screenshots differ in size: %s and %s" % (a.shape, b.shape))
    changed = (np.abs(a - b).max(axis=2) > 30)[:, : int(0.85 * a.shape[1])].mean()
    print("densest pixels: (%.1f, %.1f) at t = %g -> (%.1f, %.1f) at t = %g; %.1f%% of the field "
          "area changed" % (x0, y0, times[0], x2, y2, times[2], 100 * changed))
    if changed < 0.01:
        fail("the two screenshots hardly differ where the field is (%.2f%%)" % (100 * changed))
    # OU: the mean (1.5, -1) shrinks by e^{-t}; image rows grow downwards, so "up" is fewer rows.
    if not (x2 < x0 - 3 and y2 < y0 - 2):
        fail("the density's peak did not move towards the origin (left and up) between t = 0 and "
             "t = %g: (%.1f, %.1f) -> (%.1f, %.1f) pixels" % (times[2], x0, y0, x2, y2))
    print("check_screenshots: OK (%s, %s)" % (first, third))


if __name__ == "__main__":
    main()
