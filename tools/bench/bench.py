#!/usr/bin/env python3
"""aic against ONNX Runtime on the benchmark models, in one run.

    tools/bench/bench.py [--build build] [--models ../shared/bench/models]
                         [--threads 1,2] [--seconds 2] [--rounds 3]
                         [--out docs/benchmarks.md] [--json FILE] [MODEL ...]

For each model (default: the nine of issue 4) it compiles model.onnx with
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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DEFAULT_MODELS = [
    "resnet18", "mobilenet_v2", "bert_tiny_op17", "bert_tiny_op13", "mlp_b1",
    "mlp_b64", "gemm1024", "conv3x3_64", "add_overhead"
]
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
    """The FMA peak of one core in GFLOP/s, and the vector lanes it used."""
    exe = os.path.join(workdir, "peak")
    run(["cc", "-O2", "-march=native", "-o", exe,
         os.path.join(HERE, "peak.c")])
    gflops, lanes, _ = run([exe]).split()
    return float(gflops), int(lanes)


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
        peak, lanes = measure_peak(workdir)
        print(f"FMA peak: {peak:.1f} GFLOP/s per core ({lanes} f32 lanes)")
        harness = ort_harness(args.build)
        rows = []
        for name in args.model:
            folder = os.path.join(args.models, name)
            library = os.path.join(workdir, name + ".so")
            start = time.monotonic()
            run([aic_compile, os.path.join(folder, "model.onnx"), "-O2", "-o",
                 library])
            compile_s = time.monotonic() - start
            rows.append({"model": name, "flops": meta[name]["flops"],
                         "compile_s": compile_s, "library": library,
                         "aic_runs": {t: [] for t in threads},
                         "ort_runs": {t: [] for t in threads}})
            print(f"{name:16} compile {compile_s:5.1f} s")
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
        f"({lanes} f32 lanes).",
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
        if r["flops"]:
            gflops = r["flops"] / (r["aic_ms"][first] * 1e-3) / 1e9
            line += f" {gflops:.1f} | {100 * gflops / peak:.0f}% |"
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
    lines.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peak_gflops": peak, "runtime": runtime, "rows": rows,
                       "geomean": geomeans,
                       "geomean_without_add_overhead": compute_geomeans},
                      f, indent=1)


if __name__ == "__main__":
    main()
