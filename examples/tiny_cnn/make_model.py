#!/usr/bin/env python3
"""Writes the tiny CNN example as ONNX protobuf text, with one input and the
reference output computed here in plain Python (independently of aic).

    Conv(1->2, 3x3, stride 2, pad 1) -> Relu -> Flatten -> Gemm(18->3)

Run it to regenerate model.textproto and test_data_set_0/*.textproto; the
build encodes them into model.onnx and input_0.pb / output_0.pb with protoc.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
state = 12345


def rand():
    """Deterministic values in [-1, 1) with four decimals."""
    global state
    state = (state * 1103515245 + 12345) % (1 << 31)
    return round(state / (1 << 30) - 1.0, 4)


def values(n):
    return [rand() for _ in range(n)]


image = values(36)        # [1, 1, 6, 6]
conv_w = values(18)       # [2, 1, 3, 3]
conv_b = values(2)        # [2]
fc_w = values(54)         # [3, 18]
fc_b = values(3)          # [3]

# Reference: the same computation in double precision.
conv = []
for f in range(2):
    for oy in range(3):
        for ox in range(3):
            acc = conv_b[f]
            for ky in range(3):
                for kx in range(3):
                    y, x = oy * 2 - 1 + ky, ox * 2 - 1 + kx
                    if 0 <= y < 6 and 0 <= x < 6:
                        acc += image[y * 6 + x] * conv_w[f * 9 + ky * 3 + kx]
            conv.append(max(acc, 0.0))
logits = [fc_b[j] + sum(conv[k] * fc_w[j * 18 + k] for k in range(18))
          for j in range(3)]


def floats(xs):
    return " ".join(f"float_data: {x!r}" for x in xs)


def tensor(name, dims, xs):
    d = " ".join(f"dims: {n}" for n in dims)
    return f'{d} data_type: 1 {floats(xs)} name: "{name}"'


def value_info(name, dims):
    d = " ".join(f"dim {{ dim_value: {n} }}" for n in dims)
    return (f'{{ name: "{name}" type {{ tensor_type {{ elem_type: 1 '
            f'shape {{ {d} }} }} }} }}')


model = f"""# The aic quick-start example, written by make_model.py.
ir_version: 8
producer_name: "aic examples/tiny_cnn/make_model.py"
opset_import {{ domain: "" version: 17 }}
graph {{
  name: "tiny_cnn"
  node {{ name: "conv" op_type: "Conv" input: "image" input: "conv.weight"
         input: "conv.bias" output: "conv_out"
         attribute {{ name: "strides" type: INTS ints: 2 ints: 2 }}
         attribute {{ name: "pads" type: INTS ints: 1 ints: 1 ints: 1 ints: 1 }}
         attribute {{ name: "kernel_shape" type: INTS ints: 3 ints: 3 }} }}
  node {{ name: "relu" op_type: "Relu" input: "conv_out" output: "relu_out" }}
  node {{ name: "flatten" op_type: "Flatten" input: "relu_out" output: "flat" }}
  node {{ name: "fc" op_type: "Gemm" input: "flat" input: "fc.weight"
         input: "fc.bias" output: "logits"
         attribute {{ name: "transB" type: INT i: 1 }} }}
  initializer {{ {tensor("conv.weight", [2, 1, 3, 3], conv_w)} }}
  initializer {{ {tensor("conv.bias", [2], conv_b)} }}
  initializer {{ {tensor("fc.weight", [3, 18], fc_w)} }}
  initializer {{ {tensor("fc.bias", [3], fc_b)} }}
  input {value_info("image", [1, 1, 6, 6])}
  output {value_info("logits", [1, 3])}
}}
"""

os.makedirs(os.path.join(HERE, "test_data_set_0"), exist_ok=True)
with open(os.path.join(HERE, "model.textproto"), "w") as f:
    f.write(model)
with open(os.path.join(HERE, "test_data_set_0", "input_0.textproto"), "w") as f:
    f.write(tensor("image", [1, 1, 6, 6], image) + "\n")
with open(os.path.join(HERE, "test_data_set_0", "output_0.textproto"), "w") as f:
    f.write(tensor("logits", [1, 3], logits) + "\n")
