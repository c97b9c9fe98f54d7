#!/usr/bin/env python3
"""aic against ONNX Runtime on the benchmark models, in one run.

    tools/bench/bench.py [--build build] [--models ../shared/bench/models]
                         [--threads 1,2] [--seconds 2] [--rounds 3]
                         [--out docs/benchmarks.md] [--json FILE] [MODEL ...]

For each model (default: all eleven of ../shared/bench/models) it compiles model.onnx with
aic-compile -O2 (timing the compile); then, in rounds that alternate the
two, it times the library with `aic-run --benchmark N --json` on
test_data_set_0 and ONNX Runtime (CPU, all graph optimizations) with
../shared/bench/ort's harness at each thread count. It measures this machine's FMA peak (tools/bench/peak.c) and
writes a Markdown report: per model and thread count the medians, the
ratio aic / ORT, GFLOP/s and the share of the peak; the geometric mean of
the ratios; compile times. Medians, because these shared machines are
noisy; ratios, because both sides run in the same script.

ONNX Runtime comes from npm (onnxruntime-node, as ../shared/bench/ort's
package-lock.json pins it): the harness is copied to build/ort-bench and
installed there with `npm ci` on first use (Debian: apt install nodejs npm).
"""

import argparse
import json
import math
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

DEFAULT_MODELS = [
    "resnet18", "mobilenet_v2", "bert_tiny_op17", "bert_tiny_op13", "mlp_b1",
    "mlp_b64", "mlp_int8_qdq_b1", "mlp_int8_qdq_b64", "gemm1024",
    "conv3x3_64", "add_overhead"
]
# Reduced-precision builds of these, against aic's own fp32 build at one
# thread: int8 calibrated on inputs made here, and bf16.
REDUCED_MODELS = ["resnet18", "mobilenet_v2", "bert_tiny_op17"]
REDUCED_BUILDS = {
    "int8": lambda calibration: ["--quantize=int8", "--calibrate",
                                 calibration, "--quantize-min-cosine=0.99"],
    "bf16": lambda calibration: ["--precision=bf16"],
}
CALIBRATION_SETS = 4
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def fail(message):
    print(f"bench: error: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(cmd)} failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def measure_peak(workdir):
    """The FMA peak of one core in GFLOP/s, the vector lanes it used, and
    the 8-bit dot-product (vpdpbusd) peak in GOP/s (0 without VNNI)."""
    exe = os.path.join(workdir, "peak")
    run(["cc", "-O2", "-march=native", "-o", exe,
         os.path.join(HERE, "peak.c")])
    gflops, lanes, _, int8, _ = run([exe]).split()
    return float(gflops), int(lanes), float(int8)


def ort_harness(build):
    """The ONNX Runtime harness, installed under the build folder."""
    if not shutil.which("node") or not shutil.which("npm"):
        fail("ONNX Runtime's harness needs node and npm (apt install nodejs npm)")
    source = os.path.join(REPO, "..", "shared", "bench", "ort")
    target = os.path.join(build, "ort-bench")
    if not os.path.isdir(os.path.join(target, "node_modules", "onnxruntime-node")):
        if not os.path.isdir(source):
            fail(f"no ONNX Runtime harness at {source}")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        env = dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip")
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=target, env=env)
    return os.path.join(target, "bench_ort.js")


def time_ort(harness, model_dirs, threads, seconds, workdir):
    out = os.path.join(workdir, "ort.json")
    run(["node", harness, "--threads", ",".join(map(str, threads)),
         "--min-seconds", str(seconds), "--json", out] + model_dirs)
    with open(out) as f:
        data = json.load(f)
    return data["runtime"], {(r["model"], r["threads"]): r["median_ms"]
                             for r in data["results"]}


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def write_float_tensor(path, dims, values):
    """An ONNX TensorProto of float32 (dims: field 1, data_type: 2,
    raw_data: 9)."""
    body = b"".join(b"\x08" + varint(d) for d in dims)
    body += b"\x10\x01"
    raw = struct.pack(f"<{len(values)}f", *values)
    body += b"\x4a" + varint(len(raw)) + raw
    with open(path, "wb") as f:
        f.write(body)


def read_float_tensor(path):
    """The float32 values of a TensorProto file aic-run wrote (raw_data)."""
    with open(path, "rb") as f:
        data = f.read()
    at, raw, kind = 0, b"", 0
    def read_varint():
        nonlocal at
        value, shift = 0, 0
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value
    while at < len(data):
        tag = read_varint()
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value = read_varint()
            if field == 2:
                kind = value
        elif wire == 2:
            length = read_varint()
            if field == 9:
                raw = data[at:at + length]
            at += length
        elif wire == 5:
            at += 4
        elif wire == 1:
            at += 8
    if kind != 1:
        return None
    return struct.unpack(f"<{len(raw) // 4}f", raw)


def make_calibration(meta, folder):
    """CALIBRATION_SETS sets of seeded uniform [0, 1) inputs (the
    distribution of the models' test inputs and of ONNX Runtime's harness),
    in the ONNX test layout; None where an input is not float32."""
    rng = random.Random(2026)
    for s in range(CALIBRATION_SETS):
        dataset = os.path.join(folder, f"test_data_set_{s}")
        os.makedirs(dataset, exist_ok=True)
        for i, inp in enumerate(meta["inputs"]):
            if inp["dtype"] != "float32":
                return None
            count = math.prod(inp["shape"])
            write_float_tensor(os.path.join(dataset, f"input_{i}.pb"),
                               inp["shape"],
                               [rng.random() for _ in range(count)])
    return folder


def compare_outputs(aic_run, reference, library, inputs, workdir):
    """Cosine similarity and largest absolute difference of `library`'s
    outputs from `reference`'s on `inputs` (all outputs together)."""
    values = []
    for name, lib in (("reference", reference), ("candidate", library)):
        out = os.path.join(workdir, name)
        shutil.rmtree(out, ignore_errors=True)
        run([aic_run, lib, "--inputs", inputs, "--outputs", out])
        flat = []
        for k in range(len(os.listdir(out))):
            flat += read_float_tensor(os.path.join(out, f"output_{k}.pb")) or []
        values.append(flat)
    a, b = values
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
    return (dot / norm if norm else 1.0,
            max((abs(x - y) for x, y in zip(a, b)), default=0.0))


def time_aic(aic_run, library, inputs, threads, seconds):
    """Median latency in ms on `threads` threads: a short calibration, then
    about `seconds`."""
    def bench(n):
        out = run([aic_run, library, "--inputs", inputs, "--threads",
                   str(threads), "--benchmark", str(n), "--json"])
        return json.loads(out)["median_ms"]
    first = bench(3)
    runs = max(10, min(5000, int(seconds * 1000 / max(first, 1e-3))))
    return bench(runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--models",
                        default=os.path.join(REPO, "..", "shared", "bench",
                                             "models"))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="about how long to time each model and side")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of timing, alternating aic and ORT")
    parser.add_argument("--out", default=os.path.join(REPO, "docs",
                                                      "benchmarks.md"))
    parser.add_argument("--json", help="also write every figure here")
    parser.add_argument("model", nargs="*", default=DEFAULT_MODELS)
    args = parser.parse_args()

    threads = [int(t) for t in args.threads.split(",")]
    aic_compile = os.path.join(args.build, "bin", "aic-compile")
    aic_run = os.path.join(args.build, "bin", "aic-run")
    for tool in (aic_compile, aic_run):
        if not os.access(tool, os.X_OK):
            fail(f"no {tool}: build the project first")
    with open(os.path.join(args.models, "models.json")) as f:
        meta = json.load(f)

    workdir = tempfile.mkdtemp(prefix="aic-bench-")
    try:
        peak, lanes, int8_peak = measure_peak(workdir)
        print(f"FMA peak: {peak:.1f} GFLOP/s per core ({lanes} f32 lanes); "
              f"8-bit dot products: {int8_peak:.1f} GOP/s")
        harness = ort_harness(args.build)
        rows = []
        for name in args.model:
            folder = os.path.join(args.models, name)
            library = os.path.join(workdir, name + ".so")
            start = time.monotonic()
            run([aic_compile, os.path.join(folder, "model.onnx"), "-O2", "-o",
                 library])
            compile_s = time.monotonic() - start
            quantized = any(op in meta[name]["op_counts"] for op in (
                "QuantizeLinear", "DequantizeLinear", "QLinearConv",
                "QLinearMatMul", "MatMulInteger", "ConvInteger"))
            rows.append({"model": name, "flops": meta[name]["flops"],
                         "quantized": quantized,
                         "compile_s": compile_s, "library": library,
                         "aic_runs": {t: [] for t in threads},
                         "ort_runs": {t: [] for t in threads}})
            print(f"{name:16} compile {compile_s:5.1f} s")
        reduced = []
        for name in (m for m in REDUCED_MODELS if m in args.model):
            fp32 = next(r for r in rows if r["model"] == name)
            calibration = make_calibration(
                meta[name], os.path.join(workdir, name + "-calibration"))
            for build, options in REDUCED_BUILDS.items():
                library = os.path.join(workdir, f"{name}-{build}.so")
                start = time.monotonic()
                run([aic_compile, os.path.join(args.models, name, "model.onnx"),
                     "-O2", "-o", library] + options(calibration))
                compile_s = time.monotonic() - start
                inputs = os.path.join(args.models, name, "test_data_set_0")
                cosine, error = compare_outputs(aic_run, fp32["library"],
                                                library, inputs, workdir)
                reduced.append({"model": name, "build": build,
                                "library": library, "compile_s": compile_s,
                                "cosine": cosine, "max_abs_error": error,
                                "runs": [], "fp32_runs": []})
                print(f"{name:16} {build} compile {compile_s:5.1f} s, "
                      f"cosine {cosine:.6f}")
        # Rounds that alternate the two sides, so that a noisy spell of
        # this shared machine lands on both; each figure is the median of
        # its rounds' medians.
        for round_ in range(args.rounds):
            for r in rows:
                inputs = os.path.join(args.models, r["model"],
                                      "test_data_set_0")
                for t in threads:
                    r["aic_runs"][t].append(time_aic(
                        aic_run, r["library"], inputs, t, args.seconds))
            for r in reduced:
                inputs = os.path.join(args.models, r["model"],
                                      "test_data_set_0")
                fp32 = next(x for x in rows if x["model"] == r["model"])
                r["runs"].append(time_aic(aic_run, r["library"], inputs, 1,
                                          args.seconds))
                r["fp32_runs"].append(time_aic(aic_run, fp32["library"],
                                               inputs, 1, args.seconds))
            runtime, ort = time_ort(harness,
                                    [os.path.join(args.models, r["model"])
                                     for r in rows], threads, args.seconds,
                                    workdir)
            for r in rows:
                for t in threads:
                    r["ort_runs"][t].append(ort[(r["model"], t)])
            print(f"round {round_ + 1}: " + "  ".join(
                f"{r['model']} " + "/".join(
                    f"{r['aic_runs'][t][-1] / r['ort_runs'][t][-1]:.2f}"
                    for t in threads) for r in rows))
        for r in reduced:
            del r["library"]
            r["ms"] = statistics.median(r["runs"])
            r["fp32_ms"] = statistics.median(r["fp32_runs"])
        for r in rows:
            del r["library"]
            r["aic_ms"] = {t: statistics.median(r["aic_runs"][t])
                           for t in threads}
            r["ort_ms"] = {t: statistics.median(r["ort_runs"][t])
                           for t in threads}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def geomean(t, keep=lambda r: True):
        ratios = [r["aic_ms"][t] / r["ort_ms"][t] for r in rows if keep(r)]
        return math.exp(sum(map(math.log, ratios)) / len(ratios))
    geomeans = {t: geomean(t) for t in threads}
    # add_overhead measures per-call cost: aic's through the C runtime API,
    # ORT's through its Node.js binding, which adds microseconds of its own.
    compute = lambda r: r["model"] != "add_overhead"
    have_overhead = any(not compute(r) for r in rows) and any(map(compute, rows))
    compute_geomeans = {t: geomean(t, compute) for t in threads} \
        if have_overhead else {}
    lines = [
        "# Benchmarks",
        "",
        "Generated by `tools/bench/bench.py` (aic and ONNX Runtime timed in one run",
        f"of the script, in {args.rounds} rounds that alternate them; each figure the",
        "median of its rounds' medians of repeated runs, on test_data_set_0's",
        "inputs for aic and the harness's seeded inputs for ONNX Runtime; ratio =",
        "aic / ORT, below 1 is faster). Do not edit by hand: rerun the script.",
        "",
        f"- Peer: {runtime} (CPU execution provider, all graph optimizations).",
        f"- FMA peak measured by tools/bench/peak.c: {peak:.1f} GFLOP/s per core "
        f"({lanes} f32 lanes); its 8-bit dot-product (vpdpbusd) peak: "
        f"{int8_peak:.1f} GOP/s, the peak of the int8 models' rows.",
        f"- Generated {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores.",
        "- Thread counts: `aic-run --threads N` (OpenMP teams of N) and ORT's",
        "  intra-op thread count N.",
        "",
    ]
    header = "| model | GFLOP |"
    rule = "|---|---|"
    for t in threads:
        header += f" aic ms ({t}t) | ORT ms ({t}t) | ratio ({t}t) |"
        rule += "---|---|---|"
    header += " aic GFLOP/s (1t) | % of peak | compile s |"
    rule += "---|---|---|"
    lines += [header, rule]
    first = threads[0]
    for r in rows:
        line = f"| {r['model']} | {r['flops'] / 1e9:.3f} |"
        for t in threads:
            line += (f" {r['aic_ms'][t]:.4f} | {r['ort_ms'][t]:.4f} |"
                     f" {r['aic_ms'][t] / r['ort_ms'][t]:.2f} |")
        row_peak = int8_peak if r["quantized"] else peak
        if r["flops"] and row_peak:
            gflops = r["flops"] / (r["aic_ms"][first] * 1e-3) / 1e9
            line += f" {gflops:.1f} | {100 * gflops / row_peak:.0f}% |"
        else:
            line += " - | - |"
        line += f" {r['compile_s']:.1f} |"
        lines.append(line)
    lines.append("")
    plural = lambda t: "s" if t > 1 else ""
    lines.append("Geometric mean of aic / ORT: " + ", ".join(
        f"{geomeans[t]:.2f} at {t} thread{plural(t)}" for t in threads) + ".")
    if compute_geomeans:
        lines.append("")
        lines.append(
            "add_overhead times one call: aic's through its C runtime API, "
            "ONNX Runtime's through its Node.js binding, whose own cost "
            "dominates; without it the geometric mean is " + ", ".join(
                f"{compute_geomeans[t]:.2f} at {t} thread{plural(t)}"
                for t in threads) + ".")
    if reduced:
        lines += [
            "",
            "## Reduced precision",
            "",
            "aic's int8 (`--quantize=int8 --calibrate DIR "
            "--quantize-min-cosine=0.99`, calibrated on "
            f"{CALIBRATION_SETS} sets of seeded uniform [0, 1) inputs this "
            "script makes) and bf16 (`--precision=bf16`) builds against its "
            "own fp32 build, at one thread, timed in the same rounds; the "
            "accuracy on test_data_set_0 (not a calibration input): the "
            "cosine similarity of all outputs to the fp32 build's and the "
            "largest absolute difference.",
            "",
            "| model | build | aic ms (1t) | fp32 aic ms (1t) | speedup | "
            "cosine vs fp32 | max abs error | compile s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in reduced:
            lines.append(
                f"| {r['model']} | {r['build']} | {r['ms']:.4f} | "
                f"{r['fp32_ms']:.4f} | {r['fp32_ms'] / r['ms']:.2f} | "
                f"{r['cosine']:.6f} | {r['max_abs_error']:.3g} | "
                f"{r['compile_s']:.1f} |")
    lines.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peak_gflops": peak, "runtime": runtime, "rows": rows,
                       "reduced": reduced,
                       "geomean": geomeans,
                       "geomean_without_add_overhead": compute_geomeans},
                      f, indent=1)


if __name__ == "__main__":
    main()
