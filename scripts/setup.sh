#!/usr/bin/env bash
# fplab's one-command set-up on Debian 12: install what is missing, configure, build, then
#   demo  run the main demo case (HDF5 + XDMF, VTK, CSV, JSON and PNG pictures in out/ou_gaussian)
#   test  install pvpython too and pass the whole test suite with ctest under one Xvfb
#   build stop after building
#   sanitize  build fplab and its tests with AddressSanitizer + UndefinedBehaviorSanitizer in
#             build-sanitize/ and run the unit tests, the bad-input table and the shipped cases
#   fuzz [S]  build the libFuzzer targets with clang in build-fuzz/, replay fuzz/regressions/,
#             then fuzz the case loader and the result reader S seconds each (default 60)
# Usage: scripts/setup.sh demo|test|build|sanitize|fuzz [S]
#        (env BUILD_DIR, default ./build; JOBS, default nproc)
set -euo pipefail
mode=${1:-demo}
case "$mode" in demo|test|build|sanitize|fuzz) ;; *) echo "usage: $0 demo|test|build|sanitize|fuzz [S]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo

packages=(cmake g++ make pkg-config git libfftw3-dev libeigen3-dev libhdf5-dev libvtk9-dev
  doctest-dev libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libmuparser-dev libbenchmark-dev librandom123-dev xvfb xauth python3 ffmpeg
  libtorch-dev python3-torch  # libtorch: learned scores (fplab-torch); python3-torch: their tests
  xdotool python3-h5py python3-pil python3-numpy)  # key presses for `fplab view`'s test; checks
[ "$mode" = fuzz ] && packages+=(clang libclang-rt-14-dev)  # libFuzzer
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$mode" = test ]; then
  echo "== pvpython (ParaView's own readers, for the output tests)"
  PVPYTHON=$("$root/scripts/install_pvpython.sh" | tail -n 1)
  export PVPYTHON
fi

if [ "$mode" = sanitize ] || [ "$mode" = fuzz ]; then
  exec bash "$root/scripts/sanitize.sh" "$@"
fi

echo "== configure and build in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs"

xvfb=(xvfb-run -a -s "-noreset -screen 0 1280x1024x24")
[ -n "${DISPLAY:-}" ] && xvfb=()
export OMP_PROC_BIND=${OMP_PROC_BIND:-true}
case "$mode" in
  demo)
    echo "== demo: fplab run cases/ou_gaussian.yaml"
    cd "$root"
    "${xvfb[@]}" "$build/fplab" run cases/ou_gaussian.yaml
    echo "== wrote out/ou_gaussian: result.h5 + result.xmf (open in ParaView), vtk/density.pvd, diagnostics.csv, summary.json, png/"
    ;;
  test)
    echo "== test: ctest (unit, convergence, e2e) under one Xvfb"
    "${xvfb[@]}" ctest --test-dir "$build" --output-on-failure -j 2
    ;;
  build) ;;
esac
