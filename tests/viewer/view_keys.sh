#!/usr/bin/env bash
# `fplab view` driven by real key presses: xdotool types them through the X server's XTEST
# extension into the focused window, the path a keyboard takes (no call into the viewer's code).
# Presses s, Right, Right, s, then q on a 32x32 OU result and checks that
#   - the viewer saved two screenshots beside the result and named snapshots 0 and 2 with the
#     times of the file's /time[0] and /time[2] (read with h5py);
#   - the pictures differ where the field is and the densest pixels (viridis yellow) moved the
#     way the OU mean does between those times (towards the origin: left and up);
#   - q closed the window and the viewer exited 0.
# Usage: view_keys.sh SRC_DIR WORK_DIR     env: FPLAB (the fplab program)
# Exit 0 pass, 1 fail, 77 skipped (no X server, or xdotool missing), with the reason printed.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SRC_DIR WORK_DIR  (env FPLAB)" >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
fplab=${FPLAB:?FPLAB must name the fplab program}

if [ -z "${DISPLAY:-}" ] || ! command -v xdotool >/dev/null 2>&1; then
  [ -z "${DISPLAY:-}" ] && echo "SKIPPED: no X server (DISPLAY unset); run under xvfb-run -a"
  command -v xdotool >/dev/null 2>&1 || echo "SKIPPED: xdotool is not installed (scripts/setup.sh installs it)"
  exit 77
fi
xdotool getdisplaygeometry >/dev/null 2>&1 || {
  echo "SKIPPED: no X server answers on DISPLAY=$DISPLAY"
  exit 77
}

out="$work/ou32"
rm -rf "$out"
"$fplab" run "$src/cases/ou_gaussian.yaml" --set grid.nx=32 --set grid.ny=32 \
  --set "output.formats=[hdf5]" -o "$out" --quiet

log="$work/view.log"
"$fplab" view "$out/result.h5" >"$log" 2>&1 &
viewer=$!
trap 'kill $viewer 2>/dev/null || true' EXIT

wid=$(timeout 30 xdotool search --sync --onlyvisible --name "fplab view" | head -n 1) || {
  echo "view_keys: FAIL: no 'fplab view' window appeared within 30 s"; cat "$log"; exit 1; }
# The first s may reach the window before its event loop runs (seen on a loaded machine: the
# window mapped and focused, the key lost): press it until the first screenshot is logged, at most
# three times, waiting 5 s each, then the rest.
shots() { grep -c '^screenshot ' "$log" || true; }
for attempt in 1 2 3; do
  timeout 10 xdotool windowfocus --sync "$wid" || { echo "view_keys: FAIL: could not focus the window"; exit 1; }
  xdotool key s
  for _ in $(seq 25); do [ "$(shots)" -ge 1 ] && break; sleep 0.2; done
  [ "$(shots)" -ge 1 ] && break
  echo "view_keys: no screenshot after s (attempt $attempt), pressing it again"
done
xdotool key --delay 150 Right Right s

for _ in $(seq 100); do  # the screenshots are written while the viewer runs
  [ "$(grep -c '^screenshot ' "$log" || true)" -ge 2 ] && break
  sleep 0.2
done
xdotool key q
status=0
for _ in $(seq 100); do kill -0 $viewer 2>/dev/null || break; sleep 0.1; done
if kill -0 $viewer 2>/dev/null; then
  echo "view_keys: FAIL: the viewer did not exit after q"; exit 1
fi
wait $viewer || status=$?
trap - EXIT
cat "$log"
[ "$status" -eq 0 ] || { echo "view_keys: FAIL: fplab view exited $status"; exit 1; }

/usr/bin/python3 "$src/tests/viewer/check_screenshots.py" "$out/result.h5" "$log"
