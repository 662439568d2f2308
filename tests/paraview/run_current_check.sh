#!/usr/bin/env bash
# ParaView draws the streamlines of a steady state's probability current: `fplab steady` the
# rotating OU case on a small grid, then open its vtk/density.pvd with ParaView's PVDReader and
# trace the `current` vectors (tests/paraview/check_current.py).
# Usage: run_current_check.sh SRC_DIR WORK_DIR     env: FPLAB, PVPYTHON (pvpython)
# Exit 0 pass, 1 fail, 77 skipped (no pvpython).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SRC_DIR WORK_DIR  (env FPLAB, PVPYTHON)" >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
fplab=${FPLAB:?FPLAB must name the fplab program}
pvpython=${PVPYTHON:-}
if [ -z "$pvpython" ] || [ ! -x "$pvpython" ]; then
  echo "SKIPPED: pvpython not found (PVPYTHON='$pvpython'); scripts/install_pvpython.sh installs it"
  exit 77
fi
out="$work/steady_rotating"
rm -rf "$out"
"$fplab" steady "$src/cases/steady_rotating.yaml" -o "$out" --set grid.nx=48 --set grid.ny=48 \
  --set 'output.formats=[vtk]' --quiet
[ -f "$out/vtk/density_0000.vti" ] || { echo "run_current_check: fplab steady wrote no .vti" >&2; exit 1; }
xvfb=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  xvfb=(xvfb-run -a -s "-noreset -screen 0 1280x1024x24")
fi
echo "== pvpython tests/paraview/check_current.py"
"${xvfb[@]}" "$pvpython" "$src/tests/paraview/check_current.py" "$out/vtk/density.pvd"
