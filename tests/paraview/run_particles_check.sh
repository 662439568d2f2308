#!/usr/bin/env bash
# ParaView's PVDReader opens the VTK points of a particle run: write a synthetic run through
# make_particle_writers (FIXTURE: tests/paraview/write_particles.cpp), then check its
# vtk/particles.pvd with tests/paraview/check_particles.py.
# Usage: run_particles_check.sh SRC_DIR WORK_DIR     env: FIXTURE, PVPYTHON (pvpython)
# Exit 0 pass, 1 fail, 77 skipped (no pvpython).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SRC_DIR WORK_DIR  (env FIXTURE, PVPYTHON)" >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
fixture=${FIXTURE:?FIXTURE must name the particle fixture program}
pvpython=${PVPYTHON:-}
if [ -z "$pvpython" ] || [ ! -x "$pvpython" ]; then
  echo "SKIPPED: pvpython not found (PVPYTHON='$pvpython'); scripts/install_pvpython.sh installs it"
  exit 77
fi
out="$work/particles"
rm -rf "$out"
"$fixture" "$out"
for f in particles.h5 vtk/particles.pvd vtk/particles_0002.vtp expected.json; do
  [ -f "$out/$f" ] || { echo "run_particles_check: the fixture wrote no $out/$f" >&2; exit 1; }
done
# pvpython loads its rendering libraries even to read: under its own Xvfb unless DISPLAY is set.
xvfb=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  xvfb=(xvfb-run -a -s "-noreset -screen 0 1280x1024x24")
fi
echo "== pvpython tests/paraview/check_particles.py"
"${xvfb[@]}" "$pvpython" "$src/tests/paraview/check_particles.py" "$out/vtk/particles.pvd" \
  "$out/expected.json"
