#!/usr/bin/env bash
# Builds aic with sanitizers (CMakePresets.json) and runs its tests there:
#   scripts/sanitize.sh asan-ubsan [CTEST-ARGS...]   build-asan/: the suite
#       under AddressSanitizer + UndefinedBehaviorSanitizer (and
#       LeakSanitizer), with the libFuzzer targets
#   scripts/sanitize.sh tsan                         build-tsan/: the
#       runtime's tests (aic-runtime-tests) and the runtime under threads
#       (scripts/stress.sh tsan) under ThreadSanitizer, on models that the
#       release build compiles
#   scripts/sanitize.sh ci                           CI's share, in
#       build-asan/: each fuzz target for 60 s (scripts/fuzz.sh), the
#       malformed-model suite, the unit, runtime, serving and Triton
#       backend tests, and aic-stress at ctest's counts
# Installs Debian's clang-22 and its sanitizer runtimes where missing.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan-ubsan}"
shift || true
AIC_SETUP_EXTRA="clang-22 libclang-rt-22-dev" bash scripts/setup.sh
jobs="${AIC_JOBS:-$(nproc)}"
# Cached objects serve any checkout's path.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# Any report fails the test that caused it; leaks are reported at exit.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
cmake --preset "${preset/#ci/asan-ubsan}" > /dev/null
case "$preset" in
  asan-ubsan)
    cmake --build build-asan -j "$jobs"
    ctest --test-dir build-asan --output-on-failure "$@"
    ;;
  ci)
    bash scripts/fuzz.sh 60
    cmake --build build-asan -j "$jobs" --target aic-compile aic-unit-tests \
      aic-runtime-tests unit-test-model aic-stress stress-model \
      aic-serving-tests aic-triton-tests triton_aic triton-test-model
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    # Debian's python3, which has python3-onnx (scripts/setup.sh).
    /usr/bin/python3 test/malformed/malformed.py "$out" \
      build-asan/bin/aic-compile
    ctest --test-dir build-asan --output-on-failure -R '^(unit|runtime|serving|triton|stress)$'
    ;;
  tsan)
    # No compiler here: the release build compiles the test models.
    bash scripts/build.sh
    cmake --build build-tsan -j "$jobs" --target aic-runtime-tests
    AIC_TEST_MODEL="$PWD/build/test/unit/tiny_cnn.so" \
    TSAN_OPTIONS="halt_on_error=1:suppressions=$PWD/test/stress/tsan.supp:${TSAN_OPTIONS:-}" \
      build-tsan/bin/aic-runtime-tests
    # The runtime under threads: aic-stress (scripts/stress.sh).
    exec bash scripts/stress.sh tsan
    ;;
  *)
    echo "sanitize.sh: unknown preset '$preset' (asan-ubsan, tsan, ci)" >&2
    exit 1
    ;;
esac
