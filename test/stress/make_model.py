#!/usr/bin/env python3
"""Writes the stress test's model (make_model.py OUT.onnx): a small CNN and
MLP, big enough that -O2 runs its convolution and matmul on OpenMP
threads, with fixed pseudo-random weights."""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(8)


def weight(name, *shape):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) * 0.1).astype(np.float32), name)


nodes = [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2],
                     strides=[2, 2]),
    helper.make_node("Flatten", ["p1"], ["f"]),
    helper.make_node("Gemm", ["f", "w2", "b2"], ["h"], transB=1),
    helper.make_node("Relu", ["h"], ["r2"]),
    helper.make_node("Gemm", ["r2", "w3", "b3"], ["logits"], transB=1),
    helper.make_node("Softmax", ["logits"], ["y"], axis=-1),
]
graph = helper.make_graph(
    nodes, "stress",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 8, 32, 32])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 10])],
    [weight("w1", 16, 8, 3, 3), weight("b1", 16),
     weight("w2", 64, 16 * 16 * 16), weight("b2", 64),
     weight("w3", 10, 64), weight("b3", 10)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
with open(sys.argv[1], "wb") as f:
    f.write(model.SerializeToString())
