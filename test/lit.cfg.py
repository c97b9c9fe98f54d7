# lit configuration of aic's FileCheck suites (dialects, frontends, compiler,
# codegen, tools). ctest runs it next to the Catch2 unit tests.
import os

import lit.formats
import lit.util

config.name = "aic"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".textproto", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt",
                   "unit", "e2e"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.aic_obj_root, "test")

# Tools: aic's build first, then LLVM's FileCheck, not and count.
config.environment["PATH"] = os.pathsep.join(
    [config.aic_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

lib = os.path.join(config.test_source_root, "lib")
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%cc", config.cc))
config.substitutions.append(("%aic_bin", config.aic_tools_dir))
# %aic_include: the runtime's public headers (aic/model_abi.h), for C
# programs the tests build with the system compiler (cc).
config.substitutions.append(
    ("%aic_include",
     os.path.join(config.test_source_root, "..", "runtime", "include")))
# %encode-onnx: protobuf text -> binary ModelProto (fixtures are text so
# that a reader sees what each test feeds the importer).
config.substitutions.append(
    ("%encode-onnx",
     f"{config.protoc} --encode=onnx.ModelProto -I{config.onnx_proto_include} "
     f"{config.onnx_proto_include}/onnx/onnx.proto"))
config.substitutions.append(
    ("%encode-tensor",
     f"{config.protoc} --encode=onnx.TensorProto -I{config.onnx_proto_include} "
     f"{config.onnx_proto_include}/onnx/onnx.proto"))
# %gen-supported-ops: the generator of docs/supported-ops.md.
config.substitutions.append(
    ("%gen-supported-ops",
     f"{config.python} " + os.path.join(config.test_source_root, "..", "tools",
                                        "supported-ops",
                                        "gen-supported-ops.py")))
# %expect-exit N CMD...: passes when CMD exits with exactly N (so a crash or
# an abort fails the test).
config.substitutions.append(
    ("%expect-exit", f"{config.python} {os.path.join(lib, 'expect_exit.py')}"))
# %chromium-dom URL: the page's DOM after its scripts ran, and its console
# on stderr, from headless Chromium (Debian's chromium): the HTML report's
# test.
chromium = lit.util.which("chromium") or lit.util.which("chromium-browser")
if chromium:
    config.available_features.add("chromium")
    config.substitutions.append(
        ("%chromium-dom",
         f"{chromium} --headless --no-sandbox --disable-gpu --no-first-run "
         f"--user-data-dir=%t.chromium --enable-logging=stderr --v=0 "
         f"--dump-dom"))

# %ptxas: the CUDA Toolkit's PTX assembler, where it is installed (the
# CUDA path's lit tests assemble what aic-compile --emit=ptx writes).
ptxas = lit.util.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas"
    if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# %fake-cuda: the directory of a stand-in libcuda.so.1
# (test/cuda/fake_libcuda.c), for LD_LIBRARY_PATH: CUDA models' host code
# runs on it without a GPU.
config.substitutions.append(
    ("%fake-cuda", os.path.join(config.aic_obj_root, "test", "fake-cuda")))

# cuda-driver: the NVIDIA driver's libcuda.so.1 loads here (a GPU machine).
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass

# avx512vnni, avx512bf16: the host CPU has 8-bit and bf16 dot products, so
# libraries compiled for it (--cpu=native) use them.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo
                      if line.startswith("flags")), [])
except OSError:
    flags = []
for flag, feature in (("avx512_vnni", "avx512vnni"),
                      ("avx512_bf16", "avx512bf16")):
    if flag in flags:
        config.available_features.add(feature)
