#!/usr/bin/env python3
"""Times aic's CUDA model libraries against PyTorch eager on the same GPU
(run by gpu-check.sh, from gpu-bundle.sh's bundle):

    gpu-bench.py BUNDLE OUT.json

For ResNet-18, MobileNetV2 and BERT-tiny (two encoder layers, hidden 128)
at batch 1 and 32: aic-run --benchmark's median (each run copies its input
to the GPU and its output back) and PyTorch's median with the input on the
GPU and, for the same work as aic, with the copies; the ratio aic/PyTorch
(lower is better; the issue's target is <= 1.0). For the 4096^3 fp16
MatMul, TFLOP/s of aic's kernel (its run minus the input and output
copies, which aic-run's timings include) and of torch.matmul (cuBLAS).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch

RUNS = 30


def aic_median_ms(bundle, lib, arrays):
    with tempfile.TemporaryDirectory() as d:
        for i, a in enumerate(arrays):
            onnx.save_tensor(numpy_helper.from_array(a), os.path.join(d, f"input_{i}.pb"))
        r = subprocess.run([os.path.join(bundle, "bin", "aic-run"), lib,
                            "--inputs", d, "--benchmark", str(RUNS), "--json"],
                           capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip() or r.stdout.strip())
    return json.loads(r.stdout)["median_ms"]


def torch_median_ms(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def torch_model(name):
    """The PyTorch module the aic model computes (random weights: timing
    only), on the GPU."""
    if name == "resnet18":
        import torchvision
        model = torchvision.models.resnet18(weights=None)
    elif name == "mobilenet_v2":
        import torchvision
        model = torchvision.models.mobilenet_v2(weights=None)
    else:
        from transformers import BertConfig
        from transformers.models.bert.modeling_bert import BertEncoder

        class Encoder(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = BertEncoder(BertConfig(
                    hidden_size=128, num_hidden_layers=2,
                    num_attention_heads=2, intermediate_size=512))

            def forward(self, x):
                return self.encoder(x)[0]
        model = Encoder()
    return model.cuda().eval()


def main():
    bundle, out = sys.argv[1:3]
    device = torch.cuda.get_device_name()
    results = {"device": device, "models": [], "gemm": None}
    print(f"device: {device}")
    print(f"{'model':<16}{'batch':>6}{'aic ms':>10}{'torch ms':>10}"
          f"{'+copies':>10}{'aic/torch':>11}")
    shapes = {"resnet18": (3, 224, 224), "mobilenet_v2": (3, 224, 224),
              "bert_tiny": (128, 128)}
    for name, shape in shapes.items():
        model = torch_model(name)
        for batch in (1, 32):
            x = np.random.default_rng(0).standard_normal(
                (batch,) + shape).astype(np.float32)
            lib = os.path.join(bundle, "bench", f"{name}_b{batch}.so")
            try:
                aic = aic_median_ms(bundle, lib, [x])
            except Exception as e:  # a failed run: recorded, not fatal
                aic = None
                print(f"{name} b{batch}: aic failed: {e}")
            with torch.no_grad():
                xd = torch.from_numpy(x).cuda()
                resident = torch_median_ms(lambda: model(xd))
                copies = torch_median_ms(
                    lambda: model(torch.from_numpy(x).cuda()).cpu())
            ratio = aic / copies if aic else None
            results["models"].append(dict(model=name, batch=batch, aic_ms=aic,
                                          torch_ms=resident,
                                          torch_with_copies_ms=copies,
                                          ratio=ratio))
            nan = float("nan")
            print(f"{name:<16}{batch:>6}{aic or nan:>10.3f}{resident:>10.3f}"
                  f"{copies:>10.3f}{ratio or nan:>11.2f}")
    # GEMM: 2 n^3 flops.
    n = 4096
    a = np.random.default_rng(1).standard_normal((n, n)).astype(np.float16)
    b = np.random.default_rng(2).standard_normal((n, n)).astype(np.float16)
    flops = 2 * n ** 3
    try:
        aic = aic_median_ms(bundle, os.path.join(bundle, "bench", "gemm4096_fp16.so"), [a, b])
    except Exception as e:
        aic = None
        print(f"gemm: aic failed: {e}")
    ad, bd = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
    matmul = torch_median_ms(lambda: torch.matmul(ad, bd))
    copy = torch_median_ms(lambda: (torch.from_numpy(a).cuda(),
                                    torch.from_numpy(b).cuda(),
                                    ad.cpu()))
    kernel = aic - copy if aic else None
    results["gemm"] = dict(n=n, aic_ms=aic, copies_ms=copy, torch_ms=matmul,
                           aic_tflops=flops / kernel / 1e9 if kernel and kernel > 0 else None,
                           torch_tflops=flops / matmul / 1e9)
    g = results["gemm"]
    print(f"gemm {n}^3 fp16: aic {aic} ms (copies {copy:.3f} ms) -> "
          f"{g['aic_tflops']} TFLOP/s; torch.matmul {matmul:.3f} ms -> "
          f"{g['torch_tflops']:.1f} TFLOP/s")
    with open(out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
