#!/usr/bin/env python3
"""Compiles ONNX test models with aic-compile --target=cuda --emit=ptx and
assembles their PTX with ptxas, for each architecture: the no-GPU check of
the CUDA path.

    check-ptx.py [--tests LIST] [--arch sm_80 --arch sm_90] [-j N]
                 [--expected FILE] [--write-expected FILE] DIR...

Each DIR is a folder of ONNX test directories (model.onnx inside) or one
such directory. Prints a line per failure (compile or ptxas, with the first
line of the error) and `N passed, N failed` per architecture. With
--expected, the run fails (exit 1) when a test outside the file fails or
one inside it passes; without, when any fails. Exits 0 with a message when
ptxas is not installed (the CUDA Toolkit's, /usr/local/cuda/bin/ptxas, or
on PATH): nothing to check against.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def find_tests(dirs, names):
    tests = {}
    for d in dirs:
        if os.path.exists(os.path.join(d, "model.onnx")):
            tests.setdefault(os.path.basename(os.path.normpath(d)), d)
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.exists(os.path.join(path, "model.onnx")):
                tests.setdefault(name, path)
    if names is not None:
        missing = [n for n in names if n not in tests]
        if missing:
            sys.exit(f"check-ptx: not found: {', '.join(missing)}")
        tests = {n: tests[n] for n in names}
    return tests


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return "(no message)"


def check(aic_compile, ptxas, name, path, arch, tmp):
    ptx = os.path.join(tmp, f"{name}.{arch}.ptx")
    try:
        r = subprocess.run([aic_compile, os.path.join(path, "model.onnx"),
                            "--target=cuda", f"--cuda-arch={arch}",
                            "--emit=ptx", "--quiet", "-o", ptx],
                           capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "compile", "timed out"
    if r.returncode != 0:
        return "compile", first_line(r.stderr.replace(path + os.sep, ""))
    with open(ptx) as f:
        if ".version" not in f.read():
            os.remove(ptx)
            return None, None  # No kernels: nothing to assemble.
    r = subprocess.run([ptxas, f"-arch={arch}", ptx, "-o", os.devnull],
                       capture_output=True, text=True)
    os.remove(ptx)
    if r.returncode != 0:
        return "ptxas", first_line(r.stderr.replace(tmp + os.sep, ""))
    return None, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--tests")
    parser.add_argument("--arch", action="append")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--expected")
    parser.add_argument("--write-expected")
    parser.add_argument("--aic-compile",
                        default=os.path.join(HERE, "aic-compile"))
    args = parser.parse_args()
    archs = args.arch or ["sm_80", "sm_90"]

    ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
    if not os.access(ptxas, os.X_OK):
        print("check-ptx: ptxas not found (install the CUDA Toolkit at "
              "/usr/local/cuda): skipped")
        return 0
    names = None
    if args.tests:
        with open(args.tests) as f:
            names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    tests = find_tests(args.dirs, names)

    failures = {}
    with tempfile.TemporaryDirectory(prefix="aic-ptx-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        jobs = {pool.submit(check, args.aic_compile, ptxas, n, p, a, tmp): (n, a)
                for a in archs for n, p in tests.items()}
        for job in concurrent.futures.as_completed(jobs):
            name, arch = jobs[job]
            stage, why = job.result()
            if stage:
                failures.setdefault(name, []).append((arch, stage, why))
    for arch in archs:
        failed = sum(1 for f in failures.values() if any(a == arch for a, _, _ in f))
        print(f"{arch}: {len(tests) - failed} passed, {failed} failed "
              f"of {len(tests)}")
    lines = {}
    for name in sorted(failures):
        arch, stage, why = failures[name][0]
        lines[name] = f"{name}: {stage}: {why}"
    if args.write_expected:
        with open(args.write_expected, "w") as f:
            f.write("# Tests whose PTX does not compile or assemble "
                    "(tools/cuda/check-ptx.py --write-expected).\n")
            for name in sorted(lines):
                f.write(lines[name] + "\n")
    expected = set()
    if args.expected:
        with open(args.expected) as f:
            expected = {l.split(":", 1)[0] for l in f
                        if l.strip() and not l.startswith("#")}
    new = [lines[n] for n in sorted(lines) if n not in expected]
    fixed = sorted(n for n in expected if n in tests and n not in lines)
    for line in new:
        print("FAIL " + line)
    for name in fixed:
        print(f"NEWLY PASSING {name} (remove it from {args.expected})")
    return 1 if new or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
