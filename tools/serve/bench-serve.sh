#!/usr/bin/env bash
# aic-serve's load figures (docs/serving.md): mlp_b1 from ../shared served
# without batching (compiled at batch 1) and with it (compiled with a
# dynamic batch dim, --max-batch-size 64), each under CLIENTS concurrent
# clients x REQUESTS requests (tools/serve/serve-load.mjs; binary tensors,
# every answer checked against ONNX Runtime's output), ROUNDS rounds
# alternating between the two; prints each round's line.
#   tools/serve/bench-serve.sh [CLIENTS=16] [REQUESTS=200] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
clients="${1:-16}" requests="${2:-200}" rounds="${3:-3}"
data=../shared/bench/models/mlp_b1
[ -f "$data/model.onnx" ] || { echo "bench-serve: no $data" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/plain/mlp/1" "$work/batched/mlp/1"
build/bin/aic-compile "$data/model.onnx" --quiet -o "$work/plain/mlp/1/model.so"
build/bin/aic-compile "$data/model.onnx" --quiet --shape 'input=?x784' \
  -o "$work/batched/mlp/1/model.so"

serve() { # serve NAME ARGS...: starts aic-serve, sets $port and $pid
  local name=$1
  shift
  build/bin/aic-serve --model-repository "$work/$name" --http-port 0 \
    --http-address 127.0.0.1 "$@" > "$work/$name.out" 2> "$work/$name.err" &
  pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\)$/\1/p' "$work/$name.out")
    [ -n "$port" ] && return
    sleep 0.1
  done
  echo "bench-serve: aic-serve did not start: $(cat "$work/$name.err")" >&2
  exit 1
}
load() { # load LABEL
  echo -n "$1: "
  node tools/serve/serve-load.mjs --port "$port" --model mlp \
    --input "$data/test_data_set_0/input_0.pb" \
    --expected "$data/test_data_set_0/output_0.pb" \
    --clients "$clients" --requests "$requests"
}
for round in $(seq "$rounds"); do
  serve plain
  load "round $round, no batching"
  kill "$pid" && wait "$pid" || true
  serve batched --max-batch-size 64
  load "round $round, batching up to 64"
  kill "$pid" && wait "$pid" || true
done
