#!/usr/bin/env bash
# Builds aic with sanitizers (CMakePresets.json) and runs its tests there:
#   scripts/sanitize.sh asan-ubsan [CTEST-ARGS...]   build-asan/: the suite
#       under AddressSanitizer + UndefinedBehaviorSanitizer (and
#       LeakSanitizer), with the libFuzzer targets
#   scripts/sanitize.sh tsan                         build-tsan/: the
#       runtime under threads (scripts/stress.sh tsan) under ThreadSanitizer
# Installs Debian's clang-22 and its sanitizer runtimes where missing.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan-ubsan}"
shift || true
AIC_SETUP_EXTRA="clang-22 libclang-rt-22-dev" bash scripts/setup.sh
jobs="${AIC_JOBS:-$(nproc)}"
cmake --preset "$preset" > /dev/null
case "$preset" in
  asan-ubsan)
    cmake --build build-asan -j "$jobs"
    # Any report fails the test that caused it; leaks are reported at exit.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
    ctest --test-dir build-asan --output-on-failure "$@"
    ;;
  tsan)
    # The runtime under threads: aic-stress (scripts/stress.sh).
    exec bash scripts/stress.sh tsan
    ;;
  *)
    echo "sanitize.sh: unknown preset '$preset' (asan-ubsan, tsan)" >&2
    exit 1
    ;;
esac
