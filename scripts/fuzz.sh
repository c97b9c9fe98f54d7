#!/usr/bin/env bash
# Runs the libFuzzer targets (test/fuzz) of the asan-ubsan build:
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Each target (import, compile, tensor-file, model-info, infer-request)
# runs SECONDS (default 60) from its committed seeds (test/fuzz/corpus/TARGET) and
# the corpus earlier runs grew (build-asan/fuzz/corpus/TARGET). A crash,
# sanitizer report, leak, timeout (30 s an input) or memory blow-up
# (4 GiB) fails the run; libFuzzer writes the input that caused it to
# build-asan/fuzz/. Each run's seconds are added to
# build-asan/fuzz/hours.txt, the total each target has run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(import compile tensor-file model-info infer-request)

AIC_SETUP_EXTRA="clang-22 libclang-rt-22-dev" bash scripts/setup.sh
# Cached objects serve any checkout's path.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset asan-ubsan > /dev/null
cmake --build build-asan -j "${AIC_JOBS:-$(nproc)}" \
  --target "${targets[@]/#/aic-fuzz-}"

out=build-asan/fuzz
mkdir -p "$out"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
failed=0
for target in "${targets[@]}"; do
  corpus="$out/corpus/$target"
  mkdir -p "$corpus"
  log="$out/$target.log"
  start=$(date +%s)
  if build-asan/bin/aic-fuzz-"$target" -max_total_time="$seconds" \
      -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$out/$target-" "$corpus" "test/fuzz/corpus/$target" \
      > "$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed=1
  fi
  ran=$(( $(date +%s) - start ))
  echo "$target $ran $(date -u +%FT%TZ) $status" >> "$out/hours.txt"
  # The log may hold bytes of the inputs (-a); the final stats come last.
  runs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
         tail -n 1 | grep -o '[0-9]*$' || echo 0)
  total=$(awk -v t="$target" '$1 == t { s += $2 } END { print s + 0 }' \
          "$out/hours.txt")
  printf 'fuzz %-12s %-6s %5d s, %9s inputs; %6.2f h in all\n' \
    "$target" "$status" "$ran" "$runs" "$(awk -v s="$total" 'BEGIN { print s / 3600 }')"
  if [ "$status" = FAILED ]; then
    grep -m1 -E 'ERROR|Assertion|runtime error' "$log" >&2 || true
    ls "$out/$target"-* 2>/dev/null >&2 || true
  fi
done
exit "$failed"
