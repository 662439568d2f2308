#!/usr/bin/env bash
# End-to-end ParaView check (docs/reference.md §6): `fplab run` the OU demo case on a small grid, then open its
# result.xmf and vtk/density.pvd with ParaView's own readers (tests/paraview/check_outputs.py).
# Usage: run_check.sh SRC_DIR WORK_DIR      env: FPLAB (the fplab program), PVPYTHON (pvpython)
# Runs pvpython under its own Xvfb (xvfb-run, -noreset: PLATFORM.md) unless DISPLAY is set.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SRC_DIR WORK_DIR   (env FPLAB, PVPYTHON)" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
fplab=${FPLAB:-fplab}
pvpython=${PVPYTHON:-pvpython}
command -v "$fplab" >/dev/null 2>&1 || { echo "run_check: fplab not found (FPLAB=$fplab)" >&2; exit 1; }
command -v "$pvpython" >/dev/null 2>&1 || {
  echo "run_check: pvpython not found (PVPYTHON=$pvpython); scripts/install_pvpython.sh installs it" >&2
  exit 1
}

out="$work/ou_gaussian"
rm -rf "$out"
echo "== fplab run cases/ou_gaussian.yaml -> $out"
"$fplab" run "$src/cases/ou_gaussian.yaml" -o "$out" --set grid.nx=48 --set grid.ny=40 \
  --set time.t_end=0.3 --set time.output_every=0.1 --quiet
for f in result.h5 result.xmf vtk/density.pvd diagnostics.csv; do
  [ -f "$out/$f" ] || { echo "run_check: fplab run wrote no $out/$f" >&2; exit 1; }
done

xvfb=(xvfb-run -a -s "-noreset -screen 0 1280x1024x24")
if [ -n "${DISPLAY:-}" ]; then
  xvfb=()
elif ! command -v xvfb-run >/dev/null 2>&1; then
  echo "run_check: rendering needs an X server: install xvfb and xauth, or set DISPLAY" >&2
  exit 1
fi
# result.h5's own /time and field names, read with h5py (pvpython has no HDF5 module).
/usr/bin/python3 - "$out/result.h5" "$out/h5.json" <<'PY'
import json, sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    json.dump({"time": [float(t) for t in f["/time"][:]], "fields": list(f["/fields"].keys())},
              open(sys.argv[2], "w"))
PY
echo "== pvpython tests/paraview/check_outputs.py"
"${xvfb[@]}" "$pvpython" "$src/tests/paraview/check_outputs.py" "$out/result.xmf" \
  "$out/vtk/density.pvd" "$out/diagnostics.csv" --h5-json "$out/h5.json" --png "$out/paraview_last.png"
