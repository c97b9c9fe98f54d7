//===- Passes.td - aic graph passes -------------------------*- tablegen -*-===//
//
// Passes that rewrite the aic dialect graph before it is lowered.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_TRANSFORMS_PASSES_TD
#define AIC_DIALECTS_AIC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldQuantizedMatMulsPass : Pass<"aic-fold-quantized-matmuls"> {
  let summary = "Dequantized operands of a MatMul become an integer matmul";
  let description = [{
    A QDQ graph (as ONNX Runtime's quantizer writes it) multiplies
    dequantized tensors: `MatMul(DequantizeLinear(x_q), DequantizeLinear(w_q))`.
    Where both are 8-bit integers dequantized per tensor (the weights may
    be per column: axis = their last dim) in f32, the pair becomes
    `aic.matmul_integer` of the 8-bit values with their zero points, cast to
    f32 and multiplied by the product of the scales (a constant where the
    scales are): the same value, computed exactly in i32 where the float
    matmul rounds each product's sum, and by kernels of 8-bit dot
    products. The bias, activation and QuantizeLinear that follow stay
    elementwise ops, which the lowering fuses into the kernel's epilogue.

    A 2-D Conv of one group likewise becomes `aic.conv_integer`, times the
    scales per filter, plus its bias, where its input is 8-bit per tensor
    and its weights constant int8 per tensor or per filter (axis 0) with
    zero points of zero, the scales constants: what the integer
    convolution's lowering contracts in 8 bits.
  }];
}

def QuantizePass : Pass<"aic-quantize"> {
  let summary = "Float matmuls and convolutions by constant weights become "
                "8-bit ones (QDQ)";
  let description = [{
    aic-compile's `--quantize`. Each aic.matmul of f32 activations by a
    constant f32 matrix of weights (aic.gemm too, where it is one: no
    transposed A, alpha and beta of 1, its C added after) and each 2-D
    aic.conv of one group by constant f32 filters whose C x Kh x Kw is a
    multiple of 4 (the bytes one dot product sums; others, as a network's
    first 3-channel layer, and depthwise ones stay float), unless its node
    is named in `exclude`, gets its operands quantized as ONNX Runtime's
    quantizer writes them:

    - weights per output column (per filter, axis 0), symmetric int8 at
      compile time: scale max |w| / 127 (1 for all zeros), values rounded
      half to even into -127..127, zero point 0; a DequantizeLinear of that
      constant;
    - activations as uint8 with a QuantizeLinear and DequantizeLinear pair:
      with `mode=int8` per tensor by the range [lo, hi] in the op's
      `aic.input_range` attribute (measured by calibration; widened to hold
      0; ops without it stay float), scale (hi - lo) / 255 and zero point
      -lo / scale rounded; with `mode=int8-dynamic` by the same rule on the
      activations' own range at run time (DynamicQuantizeLinear's), for
      matmuls only (convolutions stay float: a CNN takes calibrated
      ranges, as ONNX Runtime recommends).

    aic-fold-quantized-matmuls then makes each such matmul an integer one.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"int8\"",
           "int8 (static, from aic.input_range) or int8-dynamic">,
    ListOption<"exclude", "exclude", "std::string",
               "Nodes (by name) that stay float">,
  ];
}

#endif // AIC_DIALECTS_AIC_TRANSFORMS_PASSES_TD
