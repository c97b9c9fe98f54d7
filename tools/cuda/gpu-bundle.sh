#!/bin/bash
# Prepares, on the build machine, what tools/cuda/gpu-check.sh runs on a GPU
# machine that has no LLVM and no aic compiler: .gpu/bundle.tar.xz (ignored
# by git; the device tool carries it), holding
#
#   bin/aic-run, bin/aic-conformance, lib/ (libaic_runtime and aic-run's
#       protobuf libraries), gpu-check.sh, gpu-bench.py;
#   node/ and node-libs/: the node-core tests of ../shared (model and data)
#       and their CUDA model libraries (aic-conformance --compile-only);
#   models/, models-qdq/ and model-libs/: the benchmark models small enough
#       to carry with their reference data (all but ResNet-18 and
#       MobileNetV2; the int8 QDQ ones apart, for their tolerance);
#   bench/: ResNet-18, MobileNetV2 and BERT-tiny at batch 1 and 32 and a
#       4096^3 fp16 MatMul, compiled with weights that repeat one random
#       block (same kernels, a bundle that compresses), for timing only.
#
#   tools/cuda/gpu-bundle.sh [ARCH]     (sm_90 by default: H100 and H200)
#
# Needs a build (build/, or $AIC_BUILD_DIR), ../shared and python3-onnx. The bundle is for the
# run's carry: `carry: [".gpu"]`, then `bash tools/cuda/gpu-check.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${AIC_BUILD_DIR:-$root/build}
shared=${AIC_SHARED_DIR:-$root/../shared}
arch=${1:-sm_90}
out=$root/.gpu/bundle
rm -rf "$root/.gpu" && mkdir -p "$out/bin" "$out/lib" "$out/node" "$out/models" "$out/bench"

cp "$build/bin/aic-run" "$build/bin/aic-conformance" "$out/bin/"
cp "$build/lib/libaic_runtime.so" "$out/lib/"
# aic-run reads ONNX tensors with protobuf, which the GPU machine lacks.
for lib in $(ldd "$build/bin/aic-run" | awk '/protobuf|onnx_proto/ {print $3}'); do
  cp "$lib" "$out/lib/"
done
cp "$root/tools/cuda/gpu-check.sh" "$root/tools/cuda/gpu-bench.py" "$out/"

cuda=(--compile-option=--target=cuda --compile-option=--cuda-arch="$arch")
# Conformance: node-core and the smaller benchmark models, with their data.
while read -r t; do
  [ -n "$t" ] && cp -r "$shared/onnx-tests/node/$t" "$out/node/"
done < "$shared/onnx-tests/node-core.txt"
"$build/bin/aic-conformance" "$out/node" "${cuda[@]}" \
  --compile-only "$out/node-libs" | tail -1
mkdir -p "$out/models-qdq"
for m in add_overhead bert_tiny_op13 bert_tiny_op17 conv3x3_64 gemm1024 \
         mlp_b1 mlp_b64; do
  cp -r "$shared/bench/models/$m" "$out/models/"
done
cp -r "$shared"/bench/models/mlp_int8_qdq_* "$out/models-qdq/"
for d in models models-qdq; do
  "$build/bin/aic-conformance" "$out/$d" "${cuda[@]}" \
    --compile-only "$out/model-libs" | tail -1
done

# Timing: models with compressible weights, at batch 1 and 32.
/usr/bin/python3 - "$shared/bench/models" "$out/bench" <<'EOF'
import os, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

src, dst = sys.argv[1:]
block = np.random.default_rng(0).standard_normal(4096).astype(np.float32) * 0.05
for name in ["resnet18", "mobilenet_v2", "bert_tiny_op17"]:
    model = onnx.load(os.path.join(src, name, "model.onnx"))
    for init in model.graph.initializer:
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) > 4096:
            values = np.resize(block, tuple(init.dims))
            init.CopyFrom(numpy_helper.from_array(values, init.name))
    # The batch open, for --shape.
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx.save(model, os.path.join(dst, name + ".onnx"))
graph = helper.make_graph(
    [helper.make_node("MatMul", ["a", "b"], ["c"])], "gemm4096_fp16",
    [helper.make_tensor_value_info(n, TensorProto.FLOAT16, [4096, 4096])
     for n in "ab"],
    [helper.make_tensor_value_info("c", TensorProto.FLOAT16, [4096, 4096])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          os.path.join(dst, "gemm4096_fp16.onnx"))
EOF
compile() {
  "$build/bin/aic-compile" "$out/bench/$1.onnx" --target=cuda --cuda-arch="$arch" \
    --quiet -o "$out/bench/$2.so" "${@:3}" || echo "gpu-bundle: $2 not built"
}
for batch in 1 32; do
  compile resnet18 resnet18_b$batch --shape input=${batch}x3x224x224
  compile mobilenet_v2 mobilenet_v2_b$batch --shape input=${batch}x3x224x224
  compile bert_tiny_op17 bert_tiny_b$batch --shape input=${batch}x128x128
done
compile gemm4096_fp16 gemm4096_fp16
rm "$out"/bench/*.onnx

tar -C "$root/.gpu" -cJf "$root/.gpu/bundle.tar.xz" bundle
rm -rf "$out"
du -h "$root/.gpu/bundle.tar.xz"
