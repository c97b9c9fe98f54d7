#!/usr/bin/env python3
"""The no-GPU checks of the CUDA path, on ONNX test models: aic-compile
--target=cuda --emit=ptx and ptxas assemble their kernels for each
architecture, and, with --fake-driver, their model library runs its host
side (input copies, resident weights, launches, frees) with aic-run on
test_data_set_0 against a stand-in libcuda.so.1 (test/cuda/fake_libcuda.c,
whose device memory the host cannot touch) without an error, a crash, a
leaked pool allocation or a complaint of the stand-in; with --emulate too,
the model compiled with its kernels for the host (aic-compile
--cuda-emulate), which the stand-in runs, matches each data set's reference
outputs (aic-run --compare, --rtol and --atol).

    check-cuda.py [--tests LIST] [--arch sm_80 --arch sm_90] [-j N]
                  [--fake-driver DIR [--emulate [--rtol R] [--atol A]]]
                  [--expected FILE]
                  [--write-expected FILE] DIR...

Each DIR is a folder of ONNX test directories (model.onnx inside) or one
such directory. Prints a line per failure (compile, ptxas or host, with the
first line of the error) and `N passed, N failed` per check. With
--expected, the run fails (exit 1) when a test outside the file fails or
one inside it passes; without, when any fails. Without ptxas (the CUDA
Toolkit's, /usr/local/cuda/bin/ptxas, or on PATH) the PTX is not assembled,
with a message.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load_conformance():
    """aic-conformance (beside this script in build/bin, or in the source
    tree), whose test discovery this reuses."""
    import importlib.machinery
    import importlib.util
    for path in [os.path.join(HERE, "aic-conformance"),
                 os.path.join(HERE, "..", "aic-conformance",
                              "aic-conformance.py")]:
        if os.path.exists(path):
            loader = importlib.machinery.SourceFileLoader("aic_conformance",
                                                          path)
            spec = importlib.util.spec_from_loader(loader.name, loader)
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
            return module
    sys.exit("check-cuda: aic-conformance not found beside it")


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return "(no message)"


def compile_cuda(aic_compile, path, out, options):
    """aic-compile --target=cuda; None, or (stage, why) where it failed."""
    try:
        r = subprocess.run([aic_compile, os.path.join(path, "model.onnx"),
                            "--target=cuda", "--quiet", "-o", out] + options,
                           capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "compile", "timed out"
    if r.returncode != 0:
        return "compile", first_line(r.stderr.replace(path + os.sep, ""))
    return None


def check_ptx(aic_compile, ptxas, name, path, arch, tmp):
    ptx = os.path.join(tmp, f"{name}.{arch}.ptx")
    failed = compile_cuda(aic_compile, path, ptx,
                          [f"--cuda-arch={arch}", "--emit=ptx"])
    if failed:
        return failed
    if not ptxas:
        os.remove(ptx)
        return None, None
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


def check_emulated(args, name, path, tmp):
    """The model with emulated kernels against its data sets' outputs."""
    lib = os.path.join(tmp, f"{name}.emulated.so")
    failed = compile_cuda(args.aic_compile, path, lib, ["--cuda-emulate"])
    if failed:
        return failed
    env = dict(os.environ, LD_LIBRARY_PATH=args.fake_driver)
    try:
        for data in sorted(os.listdir(path)):
            if not data.startswith("test_data_set_"):
                continue
            data = os.path.join(path, data)
            r = subprocess.run([args.aic_run, lib, "--inputs", data,
                                "--compare", data, "--rtol", str(args.rtol),
                                "--atol", str(args.atol)],
                               capture_output=True, text=True, timeout=600,
                               env=env)
            if r.returncode != 0:
                bad = [l for l in (r.stdout + r.stderr).splitlines()
                       if "MISMATCH" in l or "error" in l]
                why = bad[0] if bad else f"exit code {r.returncode}"
                return "emulated", os.path.basename(data) + ": " + why[:300]
    except subprocess.TimeoutExpired:
        return "emulated", "timed out"
    finally:
        os.remove(lib)
    return None, None


def check_host(aic_compile, aic_run, fake, name, path, arch, tmp):
    lib = os.path.join(tmp, f"{name}.{arch}.so")
    failed = compile_cuda(aic_compile, path, lib, [f"--cuda-arch={arch}"])
    if failed:
        return failed
    command = [aic_run, lib]
    data = os.path.join(path, "test_data_set_0")
    if os.path.isdir(data):
        command += ["--inputs", data]
    env = dict(os.environ, LD_LIBRARY_PATH=fake)
    try:
        r = subprocess.run(command, capture_output=True, text=True,
                           timeout=600, env=env)
    except subprocess.TimeoutExpired:
        return "host", "timed out"
    finally:
        os.remove(lib)
    summary = [l for l in r.stderr.splitlines()
               if l.startswith("fake-cuda: modules=")]
    if r.returncode != 0:
        why = first_line(r.stderr) if r.returncode > 0 else \
            f"killed by signal {-r.returncode}"
        return "host", why
    if not summary:
        return "host", "the stand-in driver was not used"
    if "pool-live=0 " not in summary[0] or "errors=0" not in summary[0]:
        return "host", summary[0]
    return None, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--tests")
    parser.add_argument("--arch", action="append")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--expected")
    parser.add_argument("--write-expected")
    parser.add_argument("--fake-driver")
    parser.add_argument("--emulate", action="store_true")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-7)
    parser.add_argument("--aic-compile",
                        default=os.path.join(HERE, "aic-compile"))
    parser.add_argument("--aic-run", default=os.path.join(HERE, "aic-run"))
    args = parser.parse_args()
    archs = args.arch or ["sm_80", "sm_90"]

    ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
    if not os.access(ptxas, os.X_OK):
        print("check-cuda: ptxas not found (install the CUDA Toolkit at "
              "/usr/local/cuda): the PTX is compiled, not assembled")
        ptxas = None
    names = None
    if args.tests:
        with open(args.tests) as f:
            names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    tests, missing = load_conformance().find_tests(args.dirs, names)
    if missing:
        sys.exit(f"check-cuda: not found: {', '.join(missing)}")

    # Checks: the PTX for each architecture, and the host side for the
    # first.
    checks = list(archs)
    if args.fake_driver:
        checks.append("host")
        if args.emulate:
            checks.append("emulated")
    failures = {}
    with tempfile.TemporaryDirectory(prefix="aic-cuda-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        jobs = {}
        for n, p in tests.items():
            for a in archs:
                jobs[pool.submit(check_ptx, args.aic_compile, ptxas, n, p, a,
                                 tmp)] = (n, a)
            if args.fake_driver:
                jobs[pool.submit(check_host, args.aic_compile, args.aic_run,
                                 args.fake_driver, n, p, archs[0],
                                 tmp)] = (n, "host")
                if args.emulate:
                    jobs[pool.submit(check_emulated, args, n, p,
                                     tmp)] = (n, "emulated")
        for job in concurrent.futures.as_completed(jobs):
            name, check = jobs[job]
            stage, why = job.result()
            if stage:
                failures.setdefault(name, []).append((check, stage, why))
    for check in checks:
        failed = sum(1 for f in failures.values()
                     if any(c == check for c, _, _ in f))
        what = {"host": "host side on the stand-in driver",
                "emulated": "outputs with emulated kernels"}.get(
            check, check + (" PTX" if ptxas else " PTX (not assembled)"))
        print(f"{what}: {len(tests) - failed} passed, {failed} failed "
              f"of {len(tests)}")
    lines = {}
    for name in sorted(failures):
        _, stage, why = failures[name][0]
        lines[name] = f"{name}: {stage}: {why}"
    if args.write_expected:
        with open(args.write_expected, "w") as f:
            f.write("# Tests whose CUDA code does not compile, assemble, run "
                    "its host side or match\n# with emulated kernels "
                    "(tools/cuda/check-cuda.py --write-expected).\n")
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
