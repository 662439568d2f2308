#!/usr/bin/env bash
# The sanitizer and fuzzing modes of scripts/setup.sh (which installs the packages first):
#   sanitize  GCC, AddressSanitizer + UndefinedBehaviorSanitizer (an undefined-behaviour report
#             aborts), in build-sanitize/: the unit tests, the bad-input table, the interruption,
#             resume, lock, disk-full and corrupt-file tests, and every shipped case that needs no
#             libtorch, run whole, and `fplab steady` on two of them.
#   fuzz [S]  clang + libFuzzer (with both sanitizers), in build-fuzz/: replay the inputs of
#             fuzz/regressions/, then fuzz each target S seconds (default 60) from its seeds.
# Only what these need is built (a sanitized build of everything, benchmarks included, takes
# about 25 minutes on 2 cores). Usage: scripts/sanitize.sh sanitize|fuzz [S]
set -euo pipefail
mode=$1
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_WAIT_POLICY=passive
# Mesa's llvmpipe draws in the calling thread: LeakSanitizer's tracer once crashed (signal 11,
# "Tracer caught signal 11") while suspending its worker threads after a render test had passed.
export LP_NUM_THREADS=0

sanitize() {
  local build=${SANITIZE_BUILD_DIR:-$root/build-sanitize}
  echo "== sanitize: configure and build fplab and its unit and e2e tests in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFPLAB_SANITIZE=ON \
    -DFPLAB_NATIVE=OFF -DFPLAB_BUILD_BENCH=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON >/dev/null
  cmake --build "$build" -j "$jobs" --target fplab fplab_unit_tests fplab_e2e_tests
  local xvfb=(xvfb-run -a -s "-noreset -screen 0 1280x1024x24")
  [ -n "${DISPLAY:-}" ] && xvfb=()
  echo "== sanitize: unit tests, the bad-input table, interruption, resume, lock, disk full, corrupt files"
  "${xvfb[@]}" ctest --test-dir "$build" --output-on-failure -j 2 -L unit -E "learned|render"
  # The pictures go through Mesa's OpenGL, whose own allocations LeakSanitizer cannot follow and
  # whose threads its tracer has crashed on: render tests keep ASan + UBSan, without leak checks.
  ASAN_OPTIONS="${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}" \
    "${xvfb[@]}" ctest --test-dir "$build" --output-on-failure -j 2 -L unit -R "render" -E "learned"
  "${xvfb[@]}" ctest --test-dir "$build" --output-on-failure -j 2 \
    -R "bad input|SIGINT|SIGTERM|resume|lock:|disk full|corrupt result"
  # Into their own out/<name> folders, as the demo does: the tabulated reverse case reads the
  # forward run's out/moons_forward/result.h5.
  echo "== sanitize: the shipped cases, all their outputs, and the particle view of those with a particles block (libtorch cases need fplab-torch)"
  for c in "$root"/cases/*.yaml; do
    grep -q "type: learned" "$c" && { echo "   skip $(basename "$c") (a learned score: libtorch)"; continue; }
    local t0=$SECONDS
    (cd "$root" && "${xvfb[@]}" "$build/fplab" run "$c" -q >/dev/null)
    echo "   ok   $(basename "$c") ($((SECONDS - t0)) s)"
    grep -q "^particles:" "$c" || continue  # its particle view too, with fewer particles
    t0=$SECONDS
    (cd "$root" && "${xvfb[@]}" "$build/fplab" sample "$c" -q --set particles.n=20000 >/dev/null)
    echo "   ok   fplab sample $(basename "$c") ($((SECONDS - t0)) s)"
  done
  # The direct steady states: a non-equilibrium one (rotating OU), a double well's equilibrium,
  # and one with a space-dependent D.
  for c in steady_rotating potential_double_well variable_diffusion; do
    (cd "$root" && "$build/fplab" steady "cases/$c.yaml" -q --set 'output.formats=[hdf5, vtk]' \
      -o "out/$c/steady" >/dev/null)
    echo "   ok   fplab steady $c.yaml"
  done
}

fuzz() {
  local build=${FUZZ_BUILD_DIR:-$root/build-fuzz} seconds=${1:-60}
  echo "== fuzz: configure and build the libFuzzer targets with clang in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_C_COMPILER=clang -DFPLAB_FUZZ=ON -DFPLAB_NATIVE=OFF -DFPLAB_BUILD_TESTS=OFF \
    -DFPLAB_BUILD_BENCH=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON >/dev/null
  cmake --build "$build" -j "$jobs" --target fuzz_case_file fuzz_result_file
  local work="$build/fuzz-work"
  mkdir -p "$work/case" "$work/result" "$work/artifacts"
  for target in case result; do
    local bin="$build/fuzz/fuzz_${target}_file" regressions="$root/fuzz/regressions/$target"
    if compgen -G "$regressions/*" >/dev/null; then
      echo "== fuzz: fuzz_${target}_file replays $(ls "$regressions" | wc -l) regression inputs"
      "$bin" "$regressions"/* >"$work/$target-regressions.log" 2>&1 ||
        { tail -n 40 "$work/$target-regressions.log" >&2; exit 1; }
    fi
    local seeds=(); [ "$target" = case ] && seeds=("$root/cases")
    echo "== fuzz: fuzz_${target}_file for $seconds s"
    # -timeout: an input taking over 20 s (sanitized, on a busy machine) is a hang, a finding;
    # -rss_limit_mb: a runaway.
    local log="$work/$target.log" rc=0
    (cd "$work" && "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/$target" "${seeds[@]}" \
      >"$log" 2>&1) || rc=$?
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)" "$log" || true
    if [ "$rc" -ne 0 ]; then
      tail -n 40 "$log" >&2
      echo "fuzz: fuzz_${target}_file failed (exit $rc), log $log, input in $work/artifacts/" >&2
      exit 1
    fi
  done
}

case "$mode" in
  sanitize) sanitize ;;
  fuzz) fuzz "${2:-}" ;;
  *) echo "usage: $0 sanitize|fuzz [S]" >&2; exit 2 ;;
esac
