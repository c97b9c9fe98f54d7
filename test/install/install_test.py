#!/usr/bin/env python3
"""Installs aic into a fresh prefix and uses it as a user would.

1. cmake --install BUILD --prefix TMP/prefix.
2. examples/aot_app, built with only find_package(aic) and aic_add_model,
   classifies examples/tiny_cnn's input; its logits must match the
   reference output that examples/tiny_cnn/make_model.py computed in plain
   Python.
3. Touching the model compiles it again; building again without a change
   does nothing. aic_add_model's misuses stop the configure with a message.
4. With pkg-config only: examples/c_api against libaic_runtime (aic.pc),
   and a static model library with its header (aic-model.pc).
5. The installed Python module compiles and runs the model with the
   installed aic-compile and runtime.
6. The installed aic-compile makes a CUDA model library, with the host code
   installed beside the runtime, and the installed runtime loads it or says
   why not (where there is no NVIDIA driver: that there is none).

usage: install_test.py BUILD_DIR SOURCE_DIR PYTHON_DIR
  PYTHON_DIR: where the install puts the Python package, under the prefix.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(cmd, **kwargs):
    print("$", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)
    print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        sys.exit(f"install_test: failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout


def floats(textproto):
    with open(textproto) as f:
        return [float(v) for v in re.findall(r"float_data: (\S+)", f.read())]


def check_logits(output, expected, what):
    match = re.search(r"logits:((?: \S+)+)", output)
    if not match:
        sys.exit(f"install_test: {what} printed no logits")
    got = [float(v) for v in match.group(1).split()]
    if len(got) != len(expected) or any(
            abs(g - e) > 1e-5 for g, e in zip(got, expected)):
        sys.exit(f"install_test: {what}: logits {got}, expected {expected}")
    print(f"{what}: logits match the reference", flush=True)


def main():
    build, source = map(os.path.abspath, sys.argv[1:3])
    python_dir = sys.argv[3]
    data = os.path.join(source, "examples", "tiny_cnn", "test_data_set_0")
    image = floats(os.path.join(data, "input_0.textproto"))
    expected = floats(os.path.join(data, "output_0.textproto"))
    with tempfile.TemporaryDirectory(prefix="aic-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        run(["cmake", "--install", build, "--prefix", prefix])

        # The example project, on a copy of the model it may touch.
        model = os.path.join(tmp, "tiny_cnn.onnx")
        shutil.copy(os.path.join(build, "examples", "tiny_cnn", "model.onnx"),
                    model)
        app = os.path.join(tmp, "app")
        run(["cmake", "-S", os.path.join(source, "examples", "aot_app"),
             "-B", app, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
             f"-DTINY_CNN_MODEL={model}"])
        out = run(["cmake", "--build", app])
        if "Compiling the ONNX model" not in out:
            sys.exit("install_test: the build did not compile the model")
        stdin = " ".join(str(v) for v in image)
        check_logits(run([os.path.join(app, "classify")], input=stdin),
                     expected, "examples/aot_app")
        out = run(["cmake", "--build", app])
        if "Compiling the ONNX model" in out:
            sys.exit("install_test: an unchanged model was compiled again")
        os.utime(model)
        out = run(["cmake", "--build", app])
        if "Compiling the ONNX model" not in out:
            sys.exit("install_test: a changed model was not compiled again")

        # A CUDA model library: the installed aic-compile finds the host
        # code it links (lib/libaic_cuda_host.a) beside itself.
        cuda_model = os.path.join(tmp, "tiny_cnn_cuda.so")
        run([os.path.join(prefix, "bin", "aic-compile"), model,
             "--target=cuda", "-o", cuda_model])
        loaded = subprocess.run(
            [os.path.join(prefix, "bin", "aic-run"), cuda_model, "--inputs",
             os.path.join(build, "examples", "tiny_cnn", "test_data_set_0")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        if loaded.returncode != 0 and "runs on an NVIDIA GPU" not in loaded.stdout:
            sys.exit("install_test: the installed CUDA model neither ran nor "
                     "said why: " + loaded.stdout)
        print("CUDA model: " + loaded.stdout.strip().splitlines()[-1],
              flush=True)

        # The installed server finds the runtime beside it.
        run([os.path.join(prefix, "bin", "aic-serve"), "--version"])
        # The Triton backend, where tritonserver --backend-directory looks,
        # finds the runtime (ldd names what it cannot find).
        backend = os.path.join(prefix, "lib", "triton", "backends", "aic",
                               "libtriton_aic.so")
        if "not found" in run(["ldd", backend]):
            sys.exit("install_test: the installed Triton backend misses a "
                     "library")

        # aic_add_model's errors stop the configure with a clear message.
        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        for call, message in [
                ("aic_add_model(app MODEL m.onnx TARGET cuda)",
                 "TARGET cuda: CUDA models are shared libraries so far"),
                ("aic_add_model(app MODEL m.onnx TARGET tpu)",
                 "TARGET tpu: expected cpu or cuda"),
                ("aic_add_model(app)", "MODEL <file.onnx> is required"),
                ("aic_add_model(nosuch MODEL m.onnx)", "nosuch is not a target")]:
            with open(os.path.join(bad, "CMakeLists.txt"), "w") as f:
                f.write("cmake_minimum_required(VERSION 3.20)\n"
                        "project(bad C)\nfind_package(aic REQUIRED)\n"
                        "add_executable(app main.c)\n" + call + "\n")
            result = subprocess.run(
                ["cmake", "-S", bad, "-B", os.path.join(bad, "build"),
                 f"-DCMAKE_PREFIX_PATH={prefix}"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            # CMake wraps messages: compare the words.
            if result.returncode == 0 or message not in " ".join(
                    result.stdout.split()):
                print(result.stdout)
                sys.exit(f"install_test: {call} did not fail with '{message}'")
            print(f"{call}: fails with '{message}'", flush=True)

        # pkg-config, no CMake: the runtime library's C API example on a
        # shared model library, then a static one with its header.
        env = dict(os.environ,
                   PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
        aic_compile = os.path.join(prefix, "bin", "aic-compile")
        so = os.path.join(tmp, "tiny_cnn.so")
        run([aic_compile, model, "-o", so])
        flags = run(["pkg-config", "--cflags", "--libs", "aic"],
                    env=env).split()
        exe = os.path.join(tmp, "run_model")
        run(["cc", os.path.join(source, "examples", "c_api", "run_model.c"),
             "-o", exe] + flags)
        out = run([exe, so])
        if "model 'tiny_cnn'" not in out:
            sys.exit("install_test: run_model did not describe the model")

        lib = os.path.join(tmp, "libtiny_cnn.a")
        run([aic_compile, model, "--emit=static", "--name", "tiny_cnn",
             "--emit-header", os.path.join(tmp, "tiny_cnn.h"), "-o", lib])
        flags = run(["pkg-config", "--cflags", "--libs", "aic-model"],
                    env=env).split()
        exe = os.path.join(tmp, "classify")
        run(["cc", "-I", tmp,
             os.path.join(source, "examples", "aot_app", "main.c"), lib,
             "-o", exe] + flags)
        check_logits(run([exe], input=stdin), expected,
                     "static library + header with cc")
        # The Python package, from the prefix alone.
        script = (
            "import sys, aic, numpy as np\n"
            f"so = aic.compile({model!r}, {os.path.join(tmp, 'py.so')!r})\n"
            "image = np.array(sys.argv[1:], np.float32).reshape(1, 1, 6, 6)\n"
            "out = aic.load(so).run({'image': image})['logits']\n"
            "print('logits:', ' '.join(str(v) for v in out.ravel()))\n")
        env = dict(os.environ, PYTHONPATH=os.path.join(prefix, python_dir))
        env.pop("AIC_COMPILE", None)
        out = run([sys.executable, "-c", script] + [str(v) for v in image],
                  env=env, cwd=tmp)
        check_logits(out, expected, "the installed Python module")
    print("install_test: passed")


if __name__ == "__main__":
    main()
