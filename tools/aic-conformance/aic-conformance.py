#!/usr/bin/env python3
"""aic-conformance: compile and run ONNX test directories, count the results.

A test directory holds model.onnx and test_data_set_N/{input,output}_K.pb (the
ONNX backend test layout). Each test is compiled with aic-compile, run on
every data set with aic-run --compare, and counted as passed, failed (with
the reason) or unsupported (aic-compile reports an unsupported operator,
element type or value type).

  aic-conformance [options] DIR...

Each DIR is a test directory or a folder of them. With --tests FILE only the
tests named in FILE (one per line, '#' comments) are taken, looked up in the
DIRs in order. With --require-all the exit code is 1 unless every selected
test passes; otherwise it is 0 whatever the counts.

For a machine without the compiler (a GPU machine): --compile-only DIR
compiles each test into DIR/NAME.so (its error into DIR/NAME.error) and
runs nothing; --compiled DIR then runs those libraries instead of
compiling. --compile-option OPT (repeated) passes OPT to aic-compile
(--target=cuda; `{model}` in it becomes the test's folder, as in
--calibrate={model}). --min-cosine C compares outputs by their cosine
similarity to the references instead of rtol/atol, for reduced-precision
builds (--quantize, --precision=bf16).

With --expected FILE, FILE names every test that is known not to pass, one
line each: `name: status: reason`. The run then fails on a test that newly
fails (not in FILE) and on one that newly passes (still in FILE), so FILE
stays the truth; --write-expected FILE writes it from the run.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def find_tests(dirs, names):
    """Maps test name -> directory, the first DIR that has it winning."""
    found = {}
    for d in dirs:
        if os.path.isfile(os.path.join(d, "model.onnx")):
            found.setdefault(os.path.basename(os.path.normpath(d)), d)
            continue
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(os.path.join(path, "model.onnx")):
                found.setdefault(name, path)
    if names is None:
        return found, []
    missing = [n for n in names if n not in found]
    return {n: found[n] for n in names if n in found}, missing


def one_line(text):
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else "(no message)"


def tidy(text, path):
    """One line, without the tool prefix and the test's own paths."""
    line = one_line(text)
    line = re.sub(r"^aic-(compile|run): error: ", "", line)
    return line.replace(path + "/", "").replace(path, "")


def compile_model(path, lib, args, extra):
    """Returns None on success, else (status, reason)."""
    if args.compiled:
        # Compiled elsewhere: the library, or the reason there is none.
        name = os.path.splitext(os.path.basename(lib))[0]
        error = os.path.join(args.compiled, name + ".error")
        if os.path.exists(error):
            with open(error) as f:
                status, _, reason = f.read().strip().partition(": ")
            return status, reason
        shutil.copyfile(os.path.join(args.compiled, name + ".so"), lib)
        return None
    try:
        compiled = subprocess.run(
            [args.aic_compile, os.path.join(path, "model.onnx"), "-o", lib]
            + [o.replace("{model}", path) for o in args.compile_option]
            + extra, capture_output=True, text=True,
            timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "failed", "compile timed out"
    if compiled.returncode != 0:
        message = tidy(compiled.stderr, path)
        if "unsupported" in message:
            return "unsupported", message
        return "failed", "compile: " + message
    return None


def run_test(name, path, args, workdir):
    lib = os.path.join(workdir, name + ".so")
    sets = sorted(s for s in os.listdir(path) if s.startswith("test_data_set_"))
    if not sets:
        return name, "failed", "no test_data_set_* folder"
    # The constant-inputs and shapes-from-data variants compile once per
    # data set.
    per_set = {"constant-inputs": "--const-inputs",
               "shapes-from-data": "--shapes-from"}.get(args.variant)
    if not per_set:
        extra = ["--symbolic-dims"] if args.variant == "symbolic-dims" else []
        problem = compile_model(path, lib, args, extra)
        if args.compile_only:
            kept = os.path.join(args.compile_only, name)
            if problem:
                with open(kept + ".error", "w") as f:
                    f.write(": ".join(problem) + "\n")
                return (name,) + problem
            shutil.move(lib, kept + ".so")
            return name, "passed", ""
        if problem:
            return (name,) + problem
    for s in sets:
        data = os.path.join(path, s)
        inputs = ["--inputs", data]
        if per_set:
            problem = compile_model(path, lib, args, [per_set, data])
            if problem:
                return (name,) + problem
            if args.variant == "constant-inputs":
                inputs = []
        try:
            ran = subprocess.run(
                [args.aic_run, lib] + inputs + ["--compare", data,
                 "--rtol", str(args.rtol), "--atol", str(args.atol)]
                + (["--min-cosine", str(args.min_cosine)]
                   if args.min_cosine is not None else []),
                capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return name, "failed", s + ": run timed out"
        if ran.returncode != 0:
            out = ran.stdout + ran.stderr
            bad = [l for l in out.splitlines() if "MISMATCH" in l or "error" in l]
            return name, "failed", s + ": " + tidy(bad[0] if bad else out, path)
    os.remove(lib)
    return name, "passed", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="+", metavar="DIR")
    parser.add_argument("--tests", metavar="FILE",
                        help="only the tests named in FILE")
    parser.add_argument("--require-all", action="store_true",
                        help="exit 1 unless every selected test passes")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-7)
    parser.add_argument("--min-cosine", type=float,
                        help="compare by cosine similarity (at least this) "
                             "instead of rtol/atol: reduced-precision builds")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds per compile and per run")
    parser.add_argument("--aic-compile", default=os.path.join(HERE, "aic-compile"))
    parser.add_argument("--aic-run", default=os.path.join(HERE, "aic-run"))
    parser.add_argument("--variant", default="plain",
                        choices=["plain", "constant-inputs", "symbolic-dims",
                                 "shapes-from-data"],
                        help="compile as given, with every input frozen to "
                             "its data set's value, or with every input dim "
                             "symbolic (onnx-mlir's test variants), or "
                             "specialized to each data set's input shapes "
                             "(as a deployment pins them with --shape)")
    parser.add_argument("--compile-option", metavar="OPT", action="append",
                        default=[], help="an aic-compile option ({model}: "
                        "the test's folder)")
    parser.add_argument("--compile-only", metavar="DIR",
                        help="compile into DIR/NAME.so; run nothing")
    parser.add_argument("--compiled", metavar="DIR",
                        help="run DIR/NAME.so instead of compiling")
    parser.add_argument("--expected", metavar="FILE",
                        help="tests known not to pass; fail on any change")
    parser.add_argument("--write-expected", metavar="FILE",
                        help="write the tests that did not pass to FILE")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print every test, not only failures")
    args = parser.parse_args()

    names = None
    if args.tests:
        with open(args.tests) as f:
            names = [l.split("#")[0].strip() for l in f]
            names = [n for n in names if n]
    if (args.compile_only or args.compiled) and args.variant != "plain":
        parser.error("--compile-only and --compiled take the plain variant")
    if args.compile_only:
        os.makedirs(args.compile_only, exist_ok=True)
    tests, missing = find_tests(args.dirs, names)
    if not tests and not missing:
        print("aic-conformance: error: no test directories in "
              + ", ".join(args.dirs), file=sys.stderr)
        return 1

    expected = {}
    if args.expected:
        with open(args.expected) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, rest = line.partition(": ")
                    expected[name] = rest.partition(": ")[0]

    counts = {"passed": 0, "failed": 0, "unsupported": 0}
    results = []
    workdir = tempfile.mkdtemp(prefix="aic-conformance-")
    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_test, n, p, args, workdir)
                       for n, p in sorted(tests.items())]
            for future in futures:
                name, status, reason = future.result()
                results.append((name, status, reason))
                counts[status] += 1
                if args.expected and status != "passed" and name in expected:
                    continue  # A known failure: counted, not printed.
                if status != "passed" or args.verbose:
                    print(f"{status.upper()}: {name}" +
                          (f": {reason}" if reason else ""))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    changes = 0
    if args.expected:
        for name, status, reason in results:
            if status == "passed" and name in expected:
                print(f"NOW PASSES: {name} (remove it from {args.expected})")
                changes += 1
            elif status != "passed" and name not in expected:
                print(f"NEW {status.upper()}: {name}")
                changes += 1
    if args.write_expected:
        with open(args.write_expected, "w") as f:
            f.write("# Tests that do not pass, written by aic-conformance "
                    "--write-expected;\n# one per line: name: status: "
                    "reason.\n")
            for name, status, reason in sorted(results):
                if status != "passed":
                    f.write(f"{name}: {status}: {reason.splitlines()[0] if reason else ''}\n")
    for name in missing:
        print(f"MISSING: {name}: not found in " + ", ".join(args.dirs))
    print(f"{counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['unsupported']} unsupported"
          + (f", {len(missing)} missing" if missing else ""))
    if args.require_all and (counts["failed"] or counts["unsupported"] or missing):
        return 1
    if changes:
        print(f"{changes} tests differ from {args.expected}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
