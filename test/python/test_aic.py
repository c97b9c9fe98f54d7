#!/usr/bin/env python3
"""Tests the aic Python module (python/): aic.compile, aic.load, Model.run
and the metadata, against reference outputs that come with the test data
(examples/tiny_cnn's, computed in plain Python; ONNX's node tests), and
its errors.

usage: test_aic.py BUILD_DIR [MODEL_DIR ...]
  With MODEL_DIRs (an ONNX model.onnx and test_data_set_*), only those
  are compiled and checked, at the real-model tolerance.
"""
import glob
import os
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

BUILD = os.path.abspath(sys.argv[1])
MODELS = [os.path.abspath(d) for d in sys.argv[2:]]
sys.path.insert(0, os.path.join(BUILD, "python"))
import aic  # noqa: E402

ONNX_NODE_TESTS = "/usr/share/libonnx-testdata/data/node"


def read_tensors(folder, kind):
    files = sorted(glob.glob(os.path.join(folder, f"{kind}_*.pb")),
                   key=lambda f: int(f.rsplit("_", 1)[1][:-3]))
    tensors = []
    for f in files:
        t = TensorProto()
        with open(f, "rb") as fh:
            t.ParseFromString(fh.read())
        tensors.append((t.name, numpy_helper.to_array(t)))
    return tensors


class Compiled(unittest.TestCase):
    """Compiles each model once into a temporary folder."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="aic-python-")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def compile(self, model, **options):
        name = os.path.basename(os.path.dirname(model)) + ".so"
        return aic.compile(model, os.path.join(self.tmp.name, name), **options)

    def check_data_sets(self, model_dir, atol, rtol=0.0):
        model = aic.load(self.compile(os.path.join(model_dir, "model.onnx")))
        sets = sorted(glob.glob(os.path.join(model_dir, "test_data_set_*")))
        self.assertTrue(sets)
        for data in sets:
            inputs = read_tensors(data, "input")
            expected = read_tensors(data, "output")
            feeds = {info.name: value
                     for info, (_, value) in zip(model.inputs, inputs)}
            outputs = model.run(feeds)
            self.assertEqual(list(outputs), [o.name for o in model.outputs])
            for info, (_, want) in zip(model.outputs, expected):
                got = outputs[info.name]
                self.assertEqual(got.shape, want.shape, info.name)
                self.assertEqual(got.dtype, want.dtype, info.name)
                np.testing.assert_allclose(got, want, atol=atol, rtol=rtol,
                                           err_msg=f"{data} {info.name}")


class TinyCnn(Compiled):
    MODEL = os.path.join(BUILD, "examples", "tiny_cnn")

    def test_matches_reference(self):
        self.check_data_sets(self.MODEL, atol=1e-5)

    def test_metadata(self):
        model = aic.load(self.compile(os.path.join(self.MODEL, "model.onnx")))
        self.assertEqual(model.name, "tiny_cnn")
        self.assertEqual(model.device, "cpu")
        [image] = model.inputs
        self.assertEqual((image.name, image.elem_type, image.shape),
                         ("image", "float32", (1, 1, 6, 6)))
        self.assertEqual(image.dtype, np.dtype(np.float32))
        [logits] = model.outputs
        self.assertEqual((logits.name, logits.shape), ("logits", (1, 3)))

    def test_outputs_are_the_models_buffers(self):
        model = aic.load(self.compile(os.path.join(self.MODEL, "model.onnx")))
        [(_, image)] = read_tensors(
            os.path.join(self.MODEL, "test_data_set_0"), "input")
        [(_, want)] = read_tensors(
            os.path.join(self.MODEL, "test_data_set_0"), "output")
        logits = model.run([image])["logits"]
        # A view of the runtime's buffer, not a copy numpy owns; it stays
        # valid after the model object goes.
        self.assertFalse(logits.flags["OWNDATA"])
        del model
        np.testing.assert_allclose(logits, want, atol=1e-5)

    def test_non_contiguous_input(self):
        model = aic.load(self.compile(os.path.join(self.MODEL, "model.onnx")))
        [(_, image)] = read_tensors(
            os.path.join(self.MODEL, "test_data_set_0"), "input")
        [(_, want)] = read_tensors(
            os.path.join(self.MODEL, "test_data_set_0"), "output")
        strided = np.zeros((1, 1, 6, 12), np.float32)
        strided[..., ::2] = image
        got = model.run({"image": strided[..., ::2]})["logits"]
        np.testing.assert_allclose(got, want, atol=1e-5)

    def test_errors(self):
        model = aic.load(self.compile(os.path.join(self.MODEL, "model.onnx")))
        good = np.zeros((1, 1, 6, 6), np.float32)
        cases = [
            ({"image": good.astype(np.float64)},
             "input 'image' has dtype float64, expected float32"),
            ({"image": np.zeros((1, 1, 5, 6), np.float32)},
             "input 'image' has shape [1,1,5,6], expected [1,1,6,6]"),
            ({}, "missing input 'image'"),
            ({"image": good, "extra": good}, "the model has no input 'extra'"),
            ([good, good], "the model takes 1 inputs, got 2"),
        ]
        for feeds, message in cases:
            with self.assertRaises(aic.Error) as caught:
                model.run(feeds)
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(aic.Error):
            model.set_num_threads(-1)
        with self.assertRaises(aic.Error) as caught:
            aic.load(os.path.join(self.tmp.name, "missing.so"))
        self.assertIn("cannot load", str(caught.exception))

    def test_compile_errors(self):
        with self.assertRaises(aic.CompileError) as caught:
            aic.compile(os.path.join(self.tmp.name, "missing.onnx"))
        self.assertIn("cannot open the model", str(caught.exception))
        # An operator aic does not know: the node, op and opset named.
        graph = helper.make_graph(
            [helper.make_node("NoSuchOp", ["x"], ["y"], name="strange")],
            "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
        path = os.path.join(self.tmp.name, "unknown.onnx")
        onnx.save(helper.make_model(graph), path)
        with self.assertRaises(aic.CompileError) as caught:
            aic.compile(path, os.path.join(self.tmp.name, "unknown.so"))
        self.assertIn("NoSuchOp", str(caught.exception))
        self.assertIsInstance(caught.exception, aic.Error)

    def test_version(self):
        # The package and the aic-compile it runs are one release.
        import subprocess
        out = subprocess.run([aic._aic_compile(), "--version"],
                             stdout=subprocess.PIPE, text=True).stdout
        self.assertEqual(out.split()[:2], ["aic-compile", aic.__version__])
        self.assertEqual(aic.ABI_VERSION, 1)

    def test_compile_options(self):
        model = os.path.join(self.MODEL, "model.onnx")
        out = os.path.join(self.tmp.name, "tiny.a")
        header = os.path.join(self.tmp.name, "tiny.h")
        self.assertEqual(aic.compile(model, out, emit="static", name="tiny",
                                     emit_header=header, opt_level=3), out)
        with open(header) as f:
            self.assertIn("tiny_run_typed", f.read())
        with self.assertRaises(aic.CompileError) as caught:
            aic.compile(model, out, no_such_option=True)
        self.assertIn("no-such-option", str(caught.exception))


class OnnxNodeTests(Compiled):
    """The ONNX node tests the C path runs (e2e-node-debian), here through
    Python: numpy in, numpy out, compared with ONNX's outputs."""
    TESTS = ["test_add", "test_relu", "test_matmul_2d", "test_softmax_axis_1",
             "test_conv_with_strides_padding", "test_maxpool_2d_pads",
             "test_gather_0", "test_cast_FLOAT_to_FLOAT16",
             "test_cast_DOUBLE_to_FLOAT", "test_where_example",
             "test_argmax_default_axis_example"]

    def test_node_tests(self):
        for name in self.TESTS:
            with self.subTest(name):
                self.check_data_sets(os.path.join(ONNX_NODE_TESTS, name),
                                     atol=1e-5, rtol=1e-5)


class GivenModels(Compiled):
    def test_models(self):
        for model_dir in MODELS:
            with self.subTest(model_dir):
                self.check_data_sets(model_dir, atol=1e-4)


if __name__ == "__main__":
    cases = [GivenModels] if MODELS else [TinyCnn, OnnxNodeTests]
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.loadTestsFromTestCase(c) for c in cases)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
