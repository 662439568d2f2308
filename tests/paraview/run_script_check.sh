#!/usr/bin/env bash
# `fplab render RESULT.h5 --paraview-script` end to end: write the script for a small OU run, run
# it with ParaView's pvpython at a requested size, and check the screenshot it saved
# (tests/paraview/check_png.py: that size, the field shown, the time annotation drawn).
# Usage: run_script_check.sh SRC_DIR WORK_DIR     env: FPLAB (fplab), PVPYTHON (pvpython)
# Exit 0 pass, 1 fail, 77 skipped (no pvpython, or no X server: ParaView renders through GLX).
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
if [ -z "${DISPLAY:-}" ]; then
  echo "SKIPPED: no X server (DISPLAY unset); run under xvfb-run -a"
  exit 77
fi

out="$work/ou_script"
rm -rf "$out"
"$fplab" run "$src/cases/ou_gaussian.yaml" -o "$out" --set grid.nx=48 --set grid.ny=40 \
  --set time.t_end=0.3 --set time.output_every=0.1 --set "output.formats=[hdf5]" --quiet
script=$("$fplab" render "$out/result.h5" --paraview-script)
[ "$script" = "$out/view_result.py" ] || {
  echo "run_script_check: FAIL: the script path printed is '$script', expected $out/view_result.py"
  exit 1
}
echo "== $pvpython $script --png $work/shot.png --size 640 480"
rm -f "$work/shot.png"
"$pvpython" --force-offscreen-rendering "$script" --png "$work/shot.png" --size 640 480
"$pvpython" "$src/tests/paraview/check_png.py" "$work/shot.png" 640 480
