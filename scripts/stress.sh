#!/usr/bin/env bash
# libaic_runtime under load (test/stress/aic-stress.cpp), at the full
# counts: 8 threads x 1,000 runs against a single-threaded run, 100 runs at
# a fixed team size bit for bit, 10,000 load/run/unload cycles.
#   scripts/stress.sh [release] [asan-ubsan] [tsan]   (default: all three)
# release measures resident-memory drift (< 1%) and fails each malloc of a
# run in turn (also in two real models from ../shared); asan-ubsan runs the same
# under AddressSanitizer + LeakSanitizer (a leak fails it at exit), tsan
# under ThreadSanitizer (test/stress/tsan.supp: libomp is not instrumented).
# The model is compiled by the release build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(release asan-ubsan tsan)
jobs="${AIC_JOBS:-$(nproc)}"
counts=(--threads 8 --runs 1000 --cycles 10000 --repeat 100)

bash scripts/build.sh
model=build/test/stress/stress_model.so
for build in "${builds[@]}"; do
  echo "== aic-stress ($build)"
  case "$build" in
    release)
      build/bin/aic-stress "$model" "${counts[@]}"
      # Allocation failures in models with dynamic shapes and control
      # flow (many more allocations a run), where ../shared has them.
      for real in ppocr_mobile_v2_cls oww_melspectrogram; do
        onnx=../shared/onnx-tests/models/$real/model.onnx
        [ -f "$onnx" ] || continue
        echo "== aic-stress ($build, allocation failures in $real)"
        build/bin/aic-compile "$onnx" -O2 -o "build/test/stress/$real.so"
        build/bin/aic-stress "build/test/stress/$real.so" --threads 0 \
          --runs 0 --cycles 0 --repeat 1 --dynamic-dim 64
      done
      ;;
    asan-ubsan | tsan)
      AIC_SETUP_EXTRA="clang-22 libclang-rt-22-dev" bash scripts/setup.sh
      dir=build-${build%-ubsan}
      cmake --preset "$build" > /dev/null
      cmake --build "$dir" -j "$jobs" --target aic-stress
      # Resident memory is the release build's to bound: ASan's
      # quarantine grows it 8% over the cycles, TSan's shadow and sync
      # state for each load 160%; leaks are LeakSanitizer's to find.
      ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
      TSAN_OPTIONS="halt_on_error=1:suppressions=$PWD/test/stress/tsan.supp:${TSAN_OPTIONS:-}" \
        "$dir/bin/aic-stress" "$model" "${counts[@]}" --max-drift 1000
      ;;
    *)
      echo "stress.sh: unknown build '$build' (release, asan-ubsan, tsan)" >&2
      exit 1
      ;;
  esac
done
