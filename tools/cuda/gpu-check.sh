#!/bin/bash
# The GPU checks of the CUDA path, on a machine with an NVIDIA GPU and no
# aic compiler, from the bundle tools/cuda/gpu-bundle.sh made:
#
#   1. node-core conformance: each test's CUDA model library run on its data
#      with aic-run --compare (aic-conformance --compiled), as on the CPU;
#   2. the smaller benchmark models against ONNX Runtime's outputs;
#   3. timings (gpu-bench.py): ResNet-18, MobileNetV2 and BERT-tiny at batch
#      1 and 32 against PyTorch eager on the same GPU, and a 4096^3 fp16
#      MatMul against torch.matmul (cuBLAS).
#
# With the device tool, from the repository root (well under 10 minutes):
#   run(command="bash tools/cuda/gpu-check.sh", carry=[".gpu"], timeout_s=590)
# Logs and a JSON summary go to $OUT (or .gpu/out).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-$root/.gpu/out}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xJf "$root/.gpu/bundle.tar.xz"
b=$work/bundle
export LD_LIBRARY_PATH=$b/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PYTHONUNBUFFERED=1

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
  | tee "$out/device.txt"
run=$b/bin/aic-run
echo "== node-core on the GPU"
timeout 300 python3 "$b/bin/aic-conformance" "$b/node" --compiled "$b/node-libs" \
  --aic-run "$run" -j 8 --timeout 60 2>&1 | tee "$out/node-core.txt" | tail -25
echo "== benchmark models against ONNX Runtime's outputs (atol 1e-4; QDQ 1e-3)"
timeout 120 python3 "$b/bin/aic-conformance" "$b/models" --compiled "$b/model-libs" \
  --aic-run "$run" --atol 1e-4 -j 4 --timeout 60 2>&1 | tee "$out/models.txt"
timeout 60 python3 "$b/bin/aic-conformance" "$b/models-qdq" --compiled "$b/model-libs" \
  --aic-run "$run" --atol 1e-3 -j 4 --timeout 60 2>&1 | tee -a "$out/models.txt"
echo "== timings"
timeout 240 python3 "$b/gpu-bench.py" "$b" "$out/bench.json" 2>&1 | tee "$out/bench.txt"
