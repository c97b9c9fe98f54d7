#!/usr/bin/env python3
"""Writes aic-serve's drain test model (make_slow_model.py OUT.onnx): eight
MatMul + Relu layers over x: float32[256, 1024] with one weight, 0.5 times
the identity, so y = relu(x) / 256 exactly, after about 4 GFLOP of work
(a run that is still going when the test sends SIGTERM)."""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

layers = 8
w = numpy_helper.from_array((np.eye(1024) * 0.5).astype(np.float32), "w")
nodes = []
value = "x"
for i in range(layers):
    nodes.append(helper.make_node("MatMul", [value, "w"], [f"m{i}"]))
    nodes.append(helper.make_node("Relu", [f"m{i}"], [f"r{i}"]))
    value = f"r{i}"
nodes.append(helper.make_node("Identity", [value], ["y"]))
graph = helper.make_graph(
    nodes, "slow",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [256, 1024])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [256, 1024])],
    [w])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
with open(sys.argv[1], "wb") as f:
    f.write(model.SerializeToString())
