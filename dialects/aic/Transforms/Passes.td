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
  }];
}

#endif // AIC_DIALECTS_AIC_TRANSFORMS_PASSES_TD
