"""aic: an ahead-of-time ONNX compiler.

    import aic
    aic.compile("model.onnx", "model.so", opt_level=3)
    model = aic.load("model.so")
    outputs = model.run({"input": array})   # {name: numpy.ndarray}

compile() runs aic-compile; load() and Model.run() use libaic_runtime and
take and return numpy arrays (inputs are read in place when C-contiguous
and of the input's dtype; outputs are the model's own buffers). Failures
raise aic.Error (aic.CompileError from compile()) with aic's one-line
message.
"""
import os
import shutil
import subprocess

from ._aic import ABI_VERSION, Error, Model, TensorInfo, __version__, load

__all__ = ["ABI_VERSION", "CompileError", "Error", "Model", "TensorInfo",
           "compile", "load"]


class CompileError(Error):
    """aic-compile failed; the message is its error line."""


def _aic_compile():
    path = os.environ.get("AIC_COMPILE")
    if path:
        return path
    try:
        from ._paths import AIC_COMPILE
        if os.path.exists(AIC_COMPILE):
            return AIC_COMPILE
    except ImportError:
        pass
    found = shutil.which("aic-compile")
    if not found:
        raise CompileError("aic-compile not found (set AIC_COMPILE)")
    return found


def _flags(options):
    """aic-compile's flags for keyword options: opt_level=3 -> -O3,
    shapes={"x": (1, 3)} -> --shape x=1x3, emit_header="m.h" ->
    --emit-header=m.h, quiet=True -> --quiet."""
    flags = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        if key == "opt_level":
            flags.append(f"-O{int(value)}")
        elif key in ("shape", "shapes"):
            for name, dims in dict(value).items():
                flags.append(f"--shape={name}=" + "x".join(str(int(d)) for d in dims))
        elif value is True:
            flags.append("--" + key.replace("_", "-"))
        else:
            flags.append("--" + key.replace("_", "-") + "=" + str(value))
    return flags


def compile(model, output=None, **options):
    """Compiles the ONNX model at `model` into `output` (default: the
    model's name with .so) and returns the output's path. Options are
    aic-compile's, as keywords (see _flags): emit="static", name="net",
    cpu="x86-64-v3", opt_level=3, shapes={...}, report="report.html"."""
    cmd = [_aic_compile(), os.fspath(model), "--quiet"]
    if output is not None:
        cmd += ["-o", os.fspath(output)]
    cmd += _flags(options)
    result = subprocess.run(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        lines = [l for l in result.stderr.splitlines() if l.strip()]
        errors = [l for l in lines if "error" in l.lower()]
        raise CompileError((errors or lines or
                            [f"aic-compile exited with {result.returncode}"])[0])
    if output is None:
        stem = os.path.splitext(os.path.basename(os.fspath(model)))[0]
        suffix = {"static": ".a", "obj": ".o"}.get(options.get("emit"), ".so")
        output = stem + suffix
    return os.fspath(output)
