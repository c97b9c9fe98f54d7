#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into corpus/ (committed; rerun to
remake them): small valid inputs from which libFuzzer's mutations start.
Beside them, corpus/TARGET/regression-* are inputs of fixed findings, kept
by hand so that every run (CI's 60 s too) tries them first.

    make_seeds.py [OUT]   (default: corpus/ beside this script)"""
import os
import random
import sys

from onnx import TensorProto, helper, numpy_helper
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)


def model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "seed", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m.SerializeToString()


f = lambda name, dims: helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)
rng = np.random.default_rng(0)
w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3), np.float32), "w")
b = numpy_helper.from_array(np.zeros(4, np.float32), "b")
shape = numpy_helper.from_array(np.array([1, -1], np.int64), "shape")

write("import", "relu.onnx", model([helper.make_node("Relu", ["x"], ["y"])],
                                  [f("x", [2, 3])], [f("y", None)]))
write("import", "conv.onnx", model(
    [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
     helper.make_node("Relu", ["c"], ["r"]),
     helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2],
                      strides=[2, 2]),
     helper.make_node("Reshape", ["p", "shape"], ["y"])],
    [f("x", [1, 3, 8, 8])], [f("y", None)], [w, b, shape]))
branch = lambda op: helper.make_graph([helper.make_node(op, ["x"], ["o"])],
                                      op, [], [f("o", [2])])
write("import", "if.onnx", model(
    [helper.make_node("If", ["c"], ["y"], then_branch=branch("Relu"),
                      else_branch=branch("Neg"))],
    [f("x", [2]), helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
    [f("y", None)]))
write("import", "matmul.onnx", model(
    [helper.make_node("MatMul", ["x", "m"], ["h"]),
     helper.make_node("Softmax", ["h"], ["y"], axis=-1)],
    [f("x", ["batch", 4])], [f("y", None)],
    [helper.make_tensor("m", TensorProto.FLOAT, [4, 2], [0.5] * 8)]))

tensors = {
    "float.pb": numpy_helper.from_array(rng.standard_normal((2, 3), np.float32), "t"),
    "int64.pb": helper.make_tensor("t", TensorProto.INT64, [3], [1, -2, 3]),
    # INT4 (22), two elements a byte, in raw_data.
    "int4.pb": (lambda t: (t.dims.append(3), t)[1])(
        TensorProto(name="t", data_type=22, raw_data=b"\x21\x07")),
    "bool.pb": numpy_helper.from_array(np.array([True, False]), "t"),
    "scalar.pb": numpy_helper.from_array(np.array(2.5, np.float64), "t"),
    "empty.pb": numpy_helper.from_array(np.zeros((0, 4), np.float32), "t"),
}
for name, t in tensors.items():
    write("tensor-file", name, t.SerializeToString())

# The structure-aware targets read their choices from the bytes: random
# seeds of a few lengths.
random.seed(0)
for target in ("compile", "model-info"):
    for i, length in enumerate((16, 64, 256, 1024)):
        write(target, f"random-{i}", bytes(random.randrange(256)
                                           for _ in range(length)))

# Inference requests for InferRequestFuzzer's model (image: FP16 [-1, 3],
# ids: INT64 [2], flag: BOOL []), after the byte that picks the
# Inference-Header-Content-Length: JSON only, and binary tensors.
import json
request = {"id": "1", "inputs": [
    {"name": "image", "datatype": "FP16", "shape": [2, 3],
     "data": [[1, 0.5, "NaN"], ["Infinity", -2, 65504]]},
    {"name": "ids", "datatype": "INT64", "shape": [2],
     "data": [9007199254740993, -1]},
    {"name": "flag", "datatype": "BOOL", "shape": [], "data": [True]}],
    "outputs": [{"name": "ids", "parameters": {"binary_data": True}}]}
write("infer-request", "json", b"\0" + json.dumps(request).encode())
binary = json.dumps({"inputs": [
    {"name": "image", "datatype": "FP16", "shape": [1, 3],
     "parameters": {"binary_data_size": 6}},
    {"name": "ids", "datatype": "INT64", "shape": [2],
     "parameters": {"binary_data_size": 16}},
    {"name": "flag", "datatype": "BOOL", "shape": [], "data": [False]}],
    "parameters": {"binary_data_output": True}}).encode()
blobs = np.array([1, 2, 3], np.float16).tobytes() + \
    np.array([5, -6], np.int64).tobytes()
# The header length is the JSON's: byte 3, then the length (16 bits).
write("infer-request", "binary",
      bytes([3, len(binary) & 255, len(binary) >> 8]) + binary + blobs)
