#!/usr/bin/env python3
"""The malformed-model suite: makes each model below into OUT and checks
that `aic-compile` rejects it cleanly.

    malformed.py OUT AIC-COMPILE [NAME...]

A clean rejection is exit code 1 and exactly one line on stderr,
`aic-compile: error: <path>: <message>`, whose message contains the
case's expected text (the problem, and the node where there is one):
no crash, no abort, no sanitizer report, nothing on stdout. The cases
cover the classes of bug that ONNX, ONNX Runtime, TensorFlow Lite and
onnx-mlir have had advisories for (docs/security.md).

Models are built with Debian's python3-onnx (its protobuf classes, not its
checker, which would refuse most of them)."""
import os
import re
import subprocess
import sys

from onnx import ModelProto, TensorProto, helper

FLOAT, INT64, INT32 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32


def tensor_info(name, elem_type=FLOAT, dims=(2,)):
    return helper.make_tensor_value_info(name, elem_type, list(dims))


def model(nodes, inputs=None, outputs=None, initializers=(), opset=17,
          **graph_fields):
    """A model of one graph: `x` (float [2]) in, `y` out, unless given."""
    inputs = [tensor_info("x")] if inputs is None else inputs
    outputs = [tensor_info("y", dims=())] if outputs is None else outputs
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    for key, value in graph_fields.items():
        setattr(graph, key, value)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def node(op, inputs, outputs, name=None, **attrs):
    return helper.make_node(op, inputs, outputs, name=name or op.lower(),
                            **attrs)


def const(name, values, elem_type=INT64, dims=None):
    dims = [len(values)] if dims is None else dims
    return helper.make_tensor(name, elem_type, dims, values)


def raw_tensor(name, dims, elem_type=FLOAT, raw=b""):
    t = TensorProto(name=name, data_type=elem_type, raw_data=raw)
    t.dims.extend(dims)
    return t


def add_with(init, x_type=FLOAT):
    """y = x + init, with x of init's element type."""
    return model([node("Add", ["x", init.name], ["y"], name="add")],
                 inputs=[tensor_info("x", x_type)],
                 outputs=[tensor_info("y", x_type, ())], initializers=[init])


def external(name, location, elem_type=INT32, dims=(2,), **keys):
    t = TensorProto(name=name, data_type=elem_type,
                    data_location=TensorProto.EXTERNAL)
    t.dims.extend(dims)
    for key, value in [("location", location)] + list(keys.items()):
        entry = t.external_data.add()
        entry.key, entry.value = key, str(value)
    return t


def nested_if(depth):
    """`depth` If nodes, each in the then-branch of the one before."""
    leaf = helper.make_graph([node("Identity", ["x"], ["o"])], "leaf", [],
                             [tensor_info("o")])
    body = leaf
    for level in range(depth):
        inner = node("If", ["c"], ["o"], name=f"if{level}",
                     then_branch=body, else_branch=leaf)
        body = helper.make_graph([inner], f"level{level}", [],
                                 [tensor_info("o")])
    top = body.node[0]
    top.output[0] = "y"
    return model([top], inputs=[tensor_info("x"),
                                tensor_info("c", TensorProto.BOOL, ())])


def nested_attribute_protobuf(depth):
    """Graphs nested `depth` deep through If attributes, serialized by hand
    past protobuf's own recursion limit (100)."""
    return nested_if(depth).SerializeToString()


ok = model([node("Relu", ["x"], ["y"])])

# Each case: (name, what it is, the model (a ModelProto, bytes, or a
# function of the case's folder returning the model's path), the text the
# error must contain).
CASES = [
    # The file itself.
    ("missing-file", "no such file",
     lambda d: os.path.join(d, "missing.onnx"),
     "cannot open the model: No such file or directory"),
    ("directory", "a folder, not a file",
     lambda d: d, "cannot open the model"),
    ("empty", "an empty file", b"", "the model file is empty"),
    ("garbage", "random bytes", bytes((i * 37 + 11) % 256 for i in range(4096)),
     "not a valid ONNX model"),
    ("text", "a text file", b"This is a text file, not an ONNX model.\n" * 3,
     "not a valid ONNX model"),
    ("truncated", "a valid model cut in the middle",
     ok.SerializeToString()[:40], "is the file truncated?"),
    ("trailing-garbage", "a valid model followed by garbage",
     ok.SerializeToString() + b"\xff\xff\xff\xff", "not a valid ONNX model"),
    ("protobuf-recursion", "graphs nested 120 deep (past protobuf's limit)",
     nested_attribute_protobuf(120), "not a valid ONNX model"),
    ("huge-file", "a (sparse) 3 GiB file",
     lambda d: sparse_file(os.path.join(d, "huge.onnx"), 3 << 30),
     "the model file is 3.0 GiB; aic reads models up to 2.0 GiB"),
    ("no-graph", "a model without a graph",
     (lambda m: (m.opset_import.add(domain="", version=17), m)[1])(
         ModelProto(ir_version=8)), "the model has no graph"),
    ("no-ir-version", "ir_version missing",
     (lambda m: (m.ClearField("ir_version"), m)[1])(model([node("Relu", ["x"], ["y"])])),
     "no ir_version"),
    ("future-opset", "an opset newer than aic knows",
     model([node("Relu", ["x"], ["y"])], opset=999),
     "the model uses opset 999, newer than the newest aic knows"),
    ("no-default-opset", "nodes of the default domain without its opset",
     (lambda m: (m.ClearField("opset_import"), m)[1])(model([node("Relu", ["x"], ["y"])])),
     "imports no version of the default ONNX operator set"),
    # Tensor data.
    ("raw-data-short", "raw_data shorter than dims x element size",
     add_with(raw_tensor("w", [2], raw=b"\0\0\x80\x3f")),
     "initializer 'w': raw_data holds 4 bytes, but its dims and type need 8"),
    ("raw-data-long", "raw_data longer than dims x element size",
     add_with(raw_tensor("w", [2], raw=b"\0" * 12)),
     "initializer 'w': raw_data holds 12 bytes, but its dims and type need 8"),
    ("float-data-count", "float_data with fewer values than dims need",
     add_with(TensorProto(name="w", data_type=FLOAT, dims=[5],
                          float_data=[1.0, 2.0, 3.0])),
     "initializer 'w': tensor holds 3 values, but its dims need 5"),
    ("two-data-fields", "a tensor with raw_data and float_data",
     add_with((lambda t: (t.float_data.extend([1.0, 2.0]), t)[1])(
         raw_tensor("w", [2], raw=b"\0" * 8))),
     "initializer 'w': holds data in both raw_data and float_data"),
    ("negative-dim", "an initializer with dim -2",
     add_with(raw_tensor("w", [-2])),
     "initializer 'w': negative dimension -2"),
    ("overflowing-dims", "dims whose product overflows 64 bits",
     add_with(raw_tensor("w", [1 << 32, 1 << 32])),
     "initializer 'w': dimensions overflow 64 bits"),
    ("overflowing-bytes", "dims whose size in bytes overflows 64 bits",
     add_with(raw_tensor("w", [1 << 31, 1 << 31])),
     "initializer 'w': dimensions overflow 64 bits"),
    ("initializer-rank", "an initializer of rank 65",
     add_with(raw_tensor("w", [1] * 65, raw=b"\0" * 4)),
     "initializer 'w': rank 65 is more than aic supports (64)"),
    ("undefined-type", "an initializer of data type 0",
     add_with(raw_tensor("w", [2], elem_type=0, raw=b"\0" * 8)),
     "initializer 'w': unsupported element type"),
    ("unknown-type", "an initializer of data type 99",
     add_with(raw_tensor("w", [2], elem_type=99, raw=b"\0" * 8)),
     "initializer 'w': unsupported element type"),
    # Graph inputs and outputs.
    ("input-negative-dim", "a graph input with dim -3",
     model([node("Relu", ["x"], ["y"])], inputs=[tensor_info("x", dims=(-3,))]),
     "graph input 'x' has negative dimension -3"),
    ("input-rank", "a graph input of rank 65",
     model([node("Relu", ["x"], ["y"])], inputs=[tensor_info("x", dims=[1] * 65)]),
     "graph input 'x': rank 65 is more than aic supports (64)"),
    ("input-overflowing-dims", "a graph input of 2^40 x 2^40 elements",
     model([node("Relu", ["x"], ["y"])],
           inputs=[tensor_info("x", dims=(1 << 40, 1 << 40))]),
     "graph input 'x': dimensions overflow 64 bits"),
    ("input-string", "a graph input of strings",
     model([node("Identity", ["x"], ["y"])],
           inputs=[tensor_info("x", TensorProto.STRING)],
           outputs=[tensor_info("y", TensorProto.STRING)]),
     "graph input 'x' has unsupported element type STRING"),
    ("input-sequence", "a graph input of a sequence type",
     model([node("Identity", ["x"], ["y"])],
           inputs=[helper.make_tensor_sequence_value_info("x", FLOAT, [2])]),
     "graph input 'x' has an unsupported type (a sequence, map or optional"),
    ("input-no-type", "a graph input without a type",
     model([node("Relu", ["x"], ["y"])],
           inputs=[helper.make_empty_tensor_value_info("x")]),
     "graph input 'x' has an unsupported type"),
    ("duplicate-input", "two graph inputs named x",
     model([node("Relu", ["x"], ["y"])], inputs=[tensor_info("x"),
                                                 tensor_info("x")]),
     "graph input 'x' is declared twice"),
    # External data.
    ("external-parent", "external data in a parent folder",
     add_with(external("w", "../../etc/passwd"), INT32),
     "initializer 'w': external data location '../../etc/passwd' is "
     "outside the model's folder"),
    ("external-absolute", "external data at an absolute path",
     add_with(external("w", "/etc/passwd"), INT32),
     "initializer 'w': external data location '/etc/passwd' is outside "
     "the model's folder"),
    ("external-symlink", "external data through a symlink out of the folder",
     lambda d: with_symlink(d), "initializer 'w': external data location "
     "'link' resolves outside the model's folder"),
    ("external-beyond", "external data offset + length past the file's end",
     lambda d: with_data_file(d, external("w", "w.bin", offset=12, length=8)),
     "initializer 'w': external data offset 12 + length 8 lies beyond the "
     "16-byte file 'w.bin'"),
    ("external-negative-offset", "external data at offset -8",
     lambda d: with_data_file(d, external("w", "w.bin", offset=-8)),
     "initializer 'w': external data offset '-8' is not a byte count"),
    ("external-overflowing-length", "offset + length overflows 64 bits",
     lambda d: with_data_file(d, external("w", "w.bin", offset=8,
                                          length=(1 << 63) - 4)),
     "initializer 'w': external data offset 8 + length 9223372036854775804 "
     "lies beyond the 16-byte file 'w.bin'"),
    ("external-huge", "a 2 TiB tensor in a (sparse) external file",
     lambda d: (sparse_file(os.path.join(d, "w.bin"), 1 << 41),
                write_model(os.path.join(d, "model.onnx"),
                            add_with(external("w", "w.bin", FLOAT, [1 << 39]))))[1],
     "initializer 'w': its 2199023255552 bytes are more than aic supports "
     "(1 TiB)"),
    ("external-missing", "external data in a file that is not there",
     add_with(external("w", "nowhere.bin"), INT32),
     "initializer 'w': cannot open external data file 'nowhere.bin'"),
    ("external-no-location", "external data without a location",
     add_with((lambda t: (t.ClearField("external_data"), t)[1])(
         external("w", "w.bin")), INT32),
     "initializer 'w': external data has no location"),
    # Graph structure.
    ("dangling-input", "a node reading a value nothing produces",
     model([node("Relu", ["nowhere"], ["y"], name="r")]),
     "node 'r' (Relu, opset 17): input 'nowhere' is not produced by any "
     "node, graph input or initializer before it"),
    ("dangling-output", "a graph output nothing produces",
     model([node("Relu", ["x"], ["y"])], outputs=[tensor_info("ghost")]),
     "graph output 'ghost' is not produced by any node"),
    ("cycle", "two nodes reading each other's output",
     model([node("Relu", ["b"], ["a"], name="ra"),
            node("Relu", ["a"], ["b"], name="rb"),
            node("Identity", ["b"], ["y"], name="out")]),
     "node 'ra' (Relu, opset 17): input 'b' is not produced by any node, "
     "graph input or initializer before it (node 'rb' (Relu, opset 17) "
     "produces it later: the nodes are not in topological order, or form "
     "a cycle)"),
    ("duplicate-output", "two nodes producing y",
     model([node("Relu", ["x"], ["y"], name="r1"),
            node("Neg", ["x"], ["y"], name="r2")]),
     "node 'r2' (Neg, opset 17): output 'y' is already produced by node "
     "'r1'"),
    ("output-shadows-input", "a node producing a graph input's name",
     model([node("Relu", ["x"], ["x"], name="r"),
            node("Identity", ["x"], ["y"], name="i")]),
     "node 'r' (Relu, opset 17): output 'x' is already a graph input"),
    ("self-loop", "a node reading its own output",
     model([node("Add", ["x", "y"], ["y"], name="a")]),
     "node 'a' (Add, opset 17): input 'y' is not produced by any node, "
     "graph input or initializer before it"),
    ("duplicate-initializer", "two initializers named w",
     model([node("Add", ["x", "w"], ["y"], name="add")],
           initializers=[const("w", [1.0, 2.0], FLOAT),
                         const("w", [3.0, 4.0], FLOAT)]),
     "initializer 'w' is declared twice"),
    ("empty-op-type", "a node without an op_type",
     model([node("", ["x"], ["y"], name="n")]),
     "node 'n' (, opset 17): the node has no op_type"),
    ("unsupported-ops", "operators aic does not know, in two domains",
     (lambda m: (m.opset_import.add(domain="com.example", version=1), m)[1])(
         model([node("FancyOp", ["x"], ["u"], name="n1"),
                node("StringNormalizer", ["x"], ["v"], name="n2"),
                helper.make_node("Frobnicate", ["x"], ["w"],
                                 domain="com.example"),
                node("Add", ["u", "v"], ["y"])])),
     "3 unsupported nodes: node 'n1' (FancyOp, opset 17): not an ONNX "
     "operator aic knows (see aic-compile --list-ops); node 'n2' "
     "(StringNormalizer, opset 17): an ONNX operator aic does not implement "
     "yet (see aic-compile --list-ops); node producing 'w' (Frobnicate, "
     "domain com.example, opset 17)"),
    ("unknown-op", "an operator ONNX does not have",
     model([node("Frobnicate", ["x"], ["y"], name="f")]),
     "node 'f' (Frobnicate, opset 17): not an ONNX operator"),
    # Attributes and operands.
    ("attribute-type", "an INTS attribute given as a FLOAT",
     model([node("Transpose", ["x"], ["y"], name="t", perm=1.5)]),
     "node 't' (Transpose, opset 17): attribute 'perm' is not INTS"),
    ("perm-out-of-range", "Transpose perm naming axis 5 of a rank-1 input",
     model([node("Transpose", ["x"], ["y"], name="t", perm=[5])]),
     "node 't' (Transpose, opset 17): perm"),
    ("missing-operand", "Add with one input",
     model([node("Add", ["x"], ["y"], name="a")]),
     "node 'a' (Add, opset 17): expects 2 inputs"),
    ("type-confusion", "Add of a float input and an int64 initializer",
     model([node("Add", ["x", "w"], ["y"], name="a")],
           initializers=[const("w", [1, 2])]),
     "node 'a' (Add, opset 17): 'aic.add' op requires the same element "
     "type for all operands and results"),
    ("broadcast", "Add of shapes [2] and [3]",
     model([node("Add", ["x", "w"], ["y"], name="bad")],
           initializers=[const("w", [1.0, 2.0, 3.0], FLOAT)]),
     "node 'bad' (Add, opset 17): operands do not broadcast: [2] vs [3]"),
    ("reshape-count", "Reshape of 6 elements to 4",
     model([node("Reshape", ["x", "s"], ["y"], name="rs")],
           inputs=[tensor_info("x", dims=(2, 3))],
           initializers=[const("s", [4])]),
     "node 'rs' (Reshape, opset 17): cannot reshape [2, 3] (6 elements) to "
     "[4] (4 elements)"),
    ("reshape-empty-scalar", "Reshape of 0 elements by a run-time empty shape",
     model([node("Reshape", ["x", "s"], ["y"], name="rs")],
           inputs=[tensor_info("x", dims=(1, 2, 0)),
                   tensor_info("s", INT64, dims=(0,))]),
     "node 'rs' (Reshape, opset 17): cannot reshape [1, 2, 0] (0 elements) "
     "to [] (1 elements)"),
    ("float-indices", "Gather with float indices",
     model([node("Gather", ["x", "w"], ["y"], name="g")],
           initializers=[const("w", [0.0], FLOAT)]),
     "node 'g' (Gather, opset 17): 'aic.gather' op operand #1 must be "
     "tensor of 32-bit signless integer or 64-bit signless integer values"),
    # Constants the compiler folds.
    ("gather-out-of-range", "Gather of index 7 from 2 elements",
     model([node("Gather", ["w", "i"], ["y"], name="g")],
           inputs=[], initializers=[const("w", [1.0, 2.0], FLOAT),
                                    const("i", [7])]),
     "node 'g' (Gather, opset 17): index 7 is out of range for a dim of 2"),
    ("gather-elements-out-of-range", "GatherElements of index -3 from 2",
     model([node("GatherElements", ["x", "i"], ["y"], name="g")],
           initializers=[const("i", [-3, 0])]),
     "node 'g' (GatherElements, opset 17): index -3 is out of range for a "
     "dim of 2"),
    ("scatter-out-of-range", "ScatterND at row 9 of 2",
     model([node("ScatterND", ["x", "i", "u"], ["y"], name="s")],
           initializers=[const("i", [9], dims=[1, 1]),
                         const("u", [5.0], FLOAT)]),
     "node 's' (ScatterND, opset 17): index 9 is out of range for a dim of 2"),
    ("slice-step-zero", "Slice with step 0",
     model([node("Slice", ["x", "s", "e", "a", "st"], ["y"], name="sl")],
           initializers=[const("s", [0]), const("e", [2]), const("a", [0]),
                         const("st", [0])]),
     "node 'sl' (Slice, opset 17): expects non-zero steps"),
    ("pad-negative", "Pad removing more than the dim holds",
     model([node("Pad", ["x", "p"], ["y"], name="p")],
           initializers=[const("p", [-2, -2])]),
     "node 'p' (Pad, opset 17)"),
    ("divide-by-zero", "integer Div of constants by zero",
     model([node("Div", ["a", "b"], ["y"], name="d")], inputs=[],
           outputs=[tensor_info("y", INT64, ())],
           initializers=[const("a", [7, 8]), const("b", [1, 0])]),
     "node 'd' (Div, opset 17): integer division by zero"),
    ("modulo-by-zero", "integer Mod of an input by constant zero",
     model([node("Mod", ["x", "b"], ["y"], name="m")],
           inputs=[tensor_info("x", INT64)],
           outputs=[tensor_info("y", INT64, ())],
           initializers=[const("b", [0, 3])]),
     "node 'm' (Mod, opset 17): integer division by zero"),
    ("huge-constant-of-shape", "ConstantOfShape of 10^12 elements",
     model([node("ConstantOfShape", ["s"], ["y"], name="c")], inputs=[],
           initializers=[const("s", [1000000, 1000000])]),
     "node 'c' (ConstantOfShape, opset 17): output 'y': 1000000x1000000xf32 "
     "is 4000000000000 bytes, more than aic supports (1 TiB)"),
    ("huge-expand", "Expand of a constant to 2^40 elements",
     model([node("Expand", ["x", "s"], ["y"], name="e")],
           inputs=[tensor_info("x", dims=(1,))],
           initializers=[const("s", [1 << 20, 1 << 20])]),
     "node 'e' (Expand, opset 17): output 'y': 1048576x1048576xf32 is "
     "4398046511104 bytes, more than aic supports (1 TiB)"),
    ("huge-range", "Range of 10^15 elements",
     model([node("Range", ["a", "b", "c"], ["y"], name="r")], inputs=[],
           outputs=[tensor_info("y", INT64, ())],
           initializers=[const("a", [0], dims=[]), const("b", [10 ** 15], dims=[]),
                         const("c", [1], dims=[])]),
     "node 'r' (Range, opset 17): unsupported: a Range of "
     "1000000000000000 elements"),
    ("reshape-rank", "Reshape to rank 70",
     model([node("Reshape", ["x", "s"], ["y"], name="r")],
           inputs=[tensor_info("x", dims=(1,))],
           initializers=[const("s", [1] * 70)]),
     "node 'r' (Reshape, opset 17): output 'y': rank 70 is more than aic "
     "supports (64)"),
    ("reshape-overflow", "Reshape to dims that overflow",
     model([node("Reshape", ["x", "s"], ["y"], name="r")],
           initializers=[const("s", [1 << 62, 1 << 62, 0])]),
     "node 'r' (Reshape, opset 17)"),
    ("nesting-depth", "If nodes nested 20 deep",
     nested_if(20),
     "subgraphs nested more than 16 deep are more than aic supports"),
    ("conv-stride-zero", "Conv with stride 0",
     model([node("Conv", ["x", "w"], ["y"], name="c", strides=[0, 0])],
           inputs=[tensor_info("x", dims=(1, 1, 4, 4))],
           initializers=[const("w", [1.0] * 9, FLOAT, [1, 1, 3, 3])]),
     "node 'c' (Conv, opset 17): expects positive strides and dilations"),
    ("conv-kernel-larger", "Conv with a kernel larger than its input",
     model([node("Conv", ["x", "w"], ["y"], name="c")],
           inputs=[tensor_info("x", dims=(1, 1, 2, 2))],
           initializers=[const("w", [1.0] * 9, FLOAT, [1, 1, 3, 3])]),
     "node 'c' (Conv, opset 17)"),
    ("split-sizes", "Split sizes that do not add up",
     model([node("Split", ["x", "s"], ["y", "z"], name="sp")],
           initializers=[const("s", [1, 5])]),
     "node 'sp' (Split, opset 17)"),
    ("concat-axis", "Concat on axis 3 of rank-1 inputs",
     model([node("Concat", ["x", "x"], ["y"], name="c", axis=3)]),
     "node 'c' (Concat, opset 17): axis 3"),
]


def sparse_file(path, size):
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def write_model(path, m):
    with open(path, "wb") as f:
        f.write(m if isinstance(m, bytes) else m.SerializeToString())
    return path


def with_data_file(folder, init):
    with open(os.path.join(folder, "w.bin"), "wb") as f:
        f.write(b"0123456789abcdef")
    return write_model(os.path.join(folder, "model.onnx"), add_with(init, INT32))


def with_symlink(folder):
    os.symlink("/etc/passwd", os.path.join(folder, "link"))
    return write_model(os.path.join(folder, "model.onnx"),
                       add_with(external("w", "link"), INT32))


def check(aic_compile, folder, name, make, expected):
    os.makedirs(folder, exist_ok=True)
    if callable(make):
        path = make(folder)
    else:
        path = write_model(os.path.join(folder, "model.onnx"), make)
    proc = subprocess.run(
        [aic_compile, path, "-o", os.path.join(folder, "model.so")],
        capture_output=True, text=True, errors="replace", timeout=300)
    lines = proc.stderr.splitlines()
    problems = []
    if proc.returncode != 1:
        problems.append(f"exit code {proc.returncode}, not 1")
    if len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr, not 1")
    elif not re.match(r"aic-compile: error: .*: ", lines[0]):
        problems.append("stderr is not one 'aic-compile: error:' line")
    if expected not in proc.stderr:
        problems.append(f"stderr lacks '{expected}'")
    if proc.stdout:
        problems.append("output on stdout")
    return problems, proc.stderr


def main():
    out, aic_compile, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    failures = 0
    seen = set()
    for name, what, make, expected in CASES:
        assert name not in seen, f"two cases named {name}"
        seen.add(name)
        if names and name not in names:
            continue
        problems, stderr = check(aic_compile, os.path.join(out, name), name,
                                 make, expected)
        if problems:
            failures += 1
            print(f"FAIL {name} ({what}): " + "; ".join(problems))
            print("  stderr: " + stderr.strip().replace("\n", "\n          "))
        else:
            print(f"PASS {name}: {stderr.strip()}")
    total = len(names) if names else len(CASES)
    print(f"{total - failures} of {total} malformed models rejected cleanly")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
