#!/usr/bin/env bash
# Installs ParaView 5.11's pvpython on Debian 12 next to libvtk9-dev (PLATFORM.md): python3-paraview
# conflicts with python3-vtk9, which libvtk9-dev needs, so it is unpacked privately, not installed.
# Usage: scripts/install_pvpython.sh [PREFIX]     (default /opt/pvpython)
# Prints the pvpython path on its last line (export it as PVPYTHON).
set -euo pipefail
prefix=${1:-/opt/pvpython}
pvpython="$prefix/usr/bin/pvpython"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

if [ ! -x "$pvpython" ]; then
  echo "install_pvpython: installing paraview (no recommends), xvfb, xauth" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    paraview xvfb xauth >/dev/null
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "install_pvpython: unpacking python3-paraview into $prefix" >&2
  (cd "$tmp" && apt-get download python3-paraview >/dev/null)
  $sudo mkdir -p "$prefix"
  $sudo dpkg-deb -x "$tmp"/python3-paraview_*.deb "$prefix"
fi
# libvtk9-dev must have survived (a plain python3-paraview install would have removed it).
if ! dpkg-query -W -f='${Status}' libvtk9-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "install_pvpython: warning: libvtk9-dev is not installed; fplab needs it to build" >&2
fi
if ! "$pvpython" -c "import paraview.simple" >/dev/null 2>&1; then
  echo "install_pvpython: $pvpython does not start (import paraview.simple failed)" >&2
  exit 1
fi
echo "$pvpython"
