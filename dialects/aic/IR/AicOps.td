//===- AicOps.td - aic operations --------------------------*- tablegen -*-===//
//
// Operations of the aic dialect. Each follows the ONNX operator of the same
// name; the importer resolves attribute defaults and opset differences, so
// the ops here carry one canonical form per operator.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECT_AIC_IR_AICOPS_TD
#define AIC_DIALECT_AIC_IR_AICOPS_TD

include "dialects/aic/IR/AicBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Aic_ConstantOp : Aic_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "tensor constant (ONNX initializers and Constant nodes)";
  let description = [{
    Holds a tensor value. The importer stores weights as `dense_resource`
    blobs so that printed IR stays small however large the model is.

    ```mlir
    %w = aic.constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32>
    %s = aic.constant dense<[1, -1]> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Aic_BinaryBroadcastOp<string mnemonic, string onnxName,
                            list<Trait> traits = [], bit sameTypes = 1>
    : Aic_Op<mnemonic, traits # [Pure, InferTypeOpAdaptorWithIsCompatible]
                       # !if(sameTypes, [SameOperandsAndResultElementType],
                             [AllElementTypesMatch<["lhs", "output"]>])> {
  let summary = "elementwise " # onnxName # " with numpy broadcasting";
  let description = [{
    Applies ONNX `}] # onnxName # [{` elementwise. The operands broadcast
    against each other the way numpy does (trailing dimensions aligned; a
    dimension of size 1 stretches). Integer division truncates toward zero.

    ```mlir
    %r = aic.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$lhs, Aic_Tensor:$rhs);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_AddOp : Aic_BinaryBroadcastOp<"add", "Add", [Commutative]>;
def Aic_SubOp : Aic_BinaryBroadcastOp<"sub", "Sub">;
def Aic_MulOp : Aic_BinaryBroadcastOp<"mul", "Mul", [Commutative]>;
def Aic_DivOp : Aic_BinaryBroadcastOp<"div", "Div">;

// Pow's exponent may have another element type than its base.
def Aic_PowOp : Aic_BinaryBroadcastOp<"pow", "Pow", [], 0>;
def Aic_MaxOp : Aic_BinaryBroadcastOp<"max", "Max", [Commutative]>;
def Aic_MinOp : Aic_BinaryBroadcastOp<"min", "Min", [Commutative]>;
def Aic_PReluOp : Aic_BinaryBroadcastOp<"prelu", "PRelu">;
def Aic_AndOp : Aic_BinaryBroadcastOp<"and", "And", [Commutative]>;
def Aic_OrOp : Aic_BinaryBroadcastOp<"or", "Or", [Commutative]>;
def Aic_XorOp : Aic_BinaryBroadcastOp<"xor", "Xor", [Commutative]>;

def Aic_BitShiftOp : Aic_Op<"bit_shift",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "elementwise shift of unsigned integers with numpy broadcasting";
  let description = [{
    Shifts `lhs` left (`left`) or right by `rhs` bits; shifting by the width
    or more gives 0.

    ```mlir
    %r = aic.bit_shift %a, %b {left = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
    ```
  }];
  let arguments = (ins Aic_Tensor:$lhs, Aic_Tensor:$rhs, BoolAttr:$left);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Aic_ModOp : Aic_Op<"mod", [Pure, SameOperandsAndResultElementType,
                               InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "elementwise remainder with numpy broadcasting";
  let description = [{
    With `fmod` false (integers only) the result takes the divisor's sign,
    as Python's `%`; with `fmod` true it takes the dividend's, as C's
    `fmod`.

    ```mlir
    %r = aic.mod %a, %b {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$lhs, Aic_Tensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$fmod);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

class Aic_CompareOp<string mnemonic, string onnxName>
    : Aic_Op<mnemonic, [Pure, AllElementTypesMatch<["lhs", "rhs"]>,
                        InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "elementwise " # onnxName # " with numpy broadcasting";
  let description = [{
    Compares elementwise and yields `i1` (ONNX bool).

    ```mlir
    %r = aic.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
    ```
  }];
  let arguments = (ins Aic_Tensor:$lhs, Aic_Tensor:$rhs);
  let results = (outs TensorOf<[I1]>:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_EqualOp : Aic_CompareOp<"equal", "Equal">;
def Aic_LessOp : Aic_CompareOp<"less", "Less">;
def Aic_LessOrEqualOp : Aic_CompareOp<"less_or_equal", "LessOrEqual">;
def Aic_GreaterOp : Aic_CompareOp<"greater", "Greater">;
def Aic_GreaterOrEqualOp : Aic_CompareOp<"greater_or_equal", "GreaterOrEqual">;

def Aic_WhereOp : Aic_Op<"where", [Pure, AllElementTypesMatch<["x", "y", "output"]>,
                                   InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "elementwise select with numpy broadcasting of all three";
  let description = [{
    ```mlir
    %r = aic.where %c, %x, %y : (tensor<3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins TensorOf<[I1]>:$condition, Aic_Tensor:$x, Aic_Tensor:$y);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

class Aic_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Aic_Op<mnemonic, traits # [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise " # formula;
  let description = [{
    ```mlir
    %r = aic.}] # mnemonic # [{ %x : tensor<4xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Aic_ReluOp : Aic_UnaryOp<"relu", "max(x, 0)">;
def Aic_AbsOp : Aic_UnaryOp<"abs", "|x|"> {
  let hasFolder = 1;
}
def Aic_NegOp : Aic_UnaryOp<"neg", "-x"> {
  let hasFolder = 1;
}
def Aic_SignOp : Aic_UnaryOp<"sign", "sign(x): -1, 0 or 1">;
def Aic_NotOp : Aic_UnaryOp<"not", "logical not; bitwise not on integers"> {
  let hasFolder = 1;
}
def Aic_ExpOp : Aic_UnaryOp<"exp", "e^x">;
def Aic_LogOp : Aic_UnaryOp<"log", "ln(x)">;
def Aic_SqrtOp : Aic_UnaryOp<"sqrt", "sqrt(x)">;
def Aic_ReciprocalOp : Aic_UnaryOp<"reciprocal", "1 / x">;
def Aic_FloorOp : Aic_UnaryOp<"floor", "floor(x)">;
def Aic_CeilOp : Aic_UnaryOp<"ceil", "ceil(x)">;
def Aic_RoundOp : Aic_UnaryOp<"round", "round half to even">;
def Aic_ErfOp : Aic_UnaryOp<"erf", "erf(x)">;
def Aic_SigmoidOp : Aic_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def Aic_TanhOp : Aic_UnaryOp<"tanh", "tanh(x)">;
def Aic_SinOp : Aic_UnaryOp<"sin", "sin(x)">;
def Aic_CosOp : Aic_UnaryOp<"cos", "cos(x)">;
def Aic_TanOp : Aic_UnaryOp<"tan", "tan(x)">;
def Aic_AsinOp : Aic_UnaryOp<"asin", "asin(x)">;
def Aic_AcosOp : Aic_UnaryOp<"acos", "acos(x)">;
def Aic_AtanOp : Aic_UnaryOp<"atan", "atan(x)">;
def Aic_SinhOp : Aic_UnaryOp<"sinh", "sinh(x)">;
def Aic_CoshOp : Aic_UnaryOp<"cosh", "cosh(x)">;
def Aic_AsinhOp : Aic_UnaryOp<"asinh", "asinh(x)">;
def Aic_AcoshOp : Aic_UnaryOp<"acosh", "acosh(x)">;
def Aic_AtanhOp : Aic_UnaryOp<"atanh", "atanh(x)">;
def Aic_SoftsignOp : Aic_UnaryOp<"softsign", "x / (1 + |x|)">;
def Aic_SoftplusOp : Aic_UnaryOp<"softplus", "ln(1 + e^x)">;
def Aic_MishOp : Aic_UnaryOp<"mish", "x * tanh(softplus(x))">;
def Aic_HardSwishOp : Aic_UnaryOp<"hard_swish", "x * max(0, min(1, x / 6 + 1 / 2))">;

/// Activations with float parameters: `alpha` (and `beta`) as attributes.
class Aic_ActivationOp<string mnemonic, string formula, dag params>
    : Aic_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise " # formula;
  let description = [{
    ```mlir
    %r = aic.}] # mnemonic # [{ %x {alpha = 1.000000e-01 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = !con((ins Aic_Tensor:$input), params);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Aic_LeakyReluOp : Aic_ActivationOp<"leaky_relu", "x < 0 ? alpha * x : x",
    (ins F32Attr:$alpha)>;
def Aic_EluOp : Aic_ActivationOp<"elu", "x < 0 ? alpha * (e^x - 1) : x",
    (ins F32Attr:$alpha)>;
def Aic_CeluOp : Aic_ActivationOp<"celu",
    "max(0, x) + min(0, alpha * (e^(x / alpha) - 1))", (ins F32Attr:$alpha)>;
def Aic_SeluOp : Aic_ActivationOp<"selu",
    "gamma * (x <= 0 ? alpha * (e^x - 1) : x)",
    (ins F32Attr:$alpha, F32Attr:$gamma)>;
def Aic_ThresholdedReluOp : Aic_ActivationOp<"thresholded_relu",
    "x > alpha ? x : 0", (ins F32Attr:$alpha)>;
def Aic_HardSigmoidOp : Aic_ActivationOp<"hard_sigmoid",
    "max(0, min(1, alpha * x + beta))", (ins F32Attr:$alpha, F32Attr:$beta)>;
def Aic_GeluOp : Aic_ActivationOp<"gelu",
    "x / 2 * (1 + erf(x / sqrt(2))), or its tanh approximation",
    (ins DefaultValuedAttr<BoolAttr, "false">:$tanh_approximation)>;

def Aic_ClipOp : Aic_Op<"clip", [Pure, AttrSizedOperandSegments,
                                 AllTypesMatch<["input", "output"]>]> {
  let summary = "clamps to [min, max]; either bound is optional";
  let description = [{
    `min` and `max` are scalar tensors (rank 0) when given.

    ```mlir
    %r = aic.clip %x, %lo, %hi : (tensor<4xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, Optional<Aic_Tensor>:$min,
                   Optional<Aic_Tensor>:$max);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_BitcastOp : Aic_Op<"bitcast", [Pure]> {
  let summary = "reinterprets the bits of each element as another type";
  let description = [{
    Between element types of one bit width (for the sub-byte floats the
    model ABI passes as the bits of an integer).

    ```mlir
    %r = aic.bitcast %x : tensor<4xui4> to tensor<4xf4E2M1FN>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
}

def Aic_CastOp : Aic_Op<"cast", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "converts elements to the element type `to`";
  let description = [{
    Float to integer truncates toward zero; to bool is `x != 0`. Floats
    round to nearest even; to an 8-bit float, `saturate` clamps values
    beyond the finite range (infinities included) to the largest finite
    value, and without it they become infinity or NaN as the type has.
    To f8E8M0FNU (powers of two), `round_mode` picks the power: up, down
    or nearest.

    ```mlir
    %r = aic.cast %x {to = i64} : (tensor<4xf32>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, TypeAttr:$to,
                   DefaultValuedAttr<BoolAttr, "true">:$saturate,
                   DefaultValuedAttr<StrAttr, "\"up\"">:$round_mode);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Aic_QuantizeOp : Aic_Op<"quantize", [Pure]> {
  let summary = "x / scale, rounded, plus the zero point, saturated";
  let description = [{
    ONNX QuantizeLinear into the result's element type: for integers,
    `clamp(roundeven(x / scale) + zero_point)` to the type's range; for
    8-bit floats, `x / scale` cast (saturating when `saturate`). The
    division is in f32 (f64 for f64). `scale` and `zero_point` (of one
    shape) are per tensor (rank 0), per `axis` (1-D along it), or per
    block of `block_size` elements along `axis` (the rank of `x`). Kept
    whole so that a pass can fuse quantized producers and consumers.

    With `reciprocal` (not ONNX's: set by aic-quantize, which picks the
    scales), `x` is multiplied by `1 / scale` instead of divided by it: one
    multiply where a division takes several, a result that differs only
    where `x / scale` lies within a rounding of a half step.

    ```mlir
    %q = aic.quantize %x, %s zero_point %z {axis = 1 : i64}
        : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, Aic_FloatTensor:$scale,
                   Optional<Aic_Tensor>:$zero_point,
                   DefaultValuedAttr<I64Attr, "1">:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$block_size,
                   DefaultValuedAttr<BoolAttr, "true">:$saturate,
                   DefaultValuedAttr<BoolAttr, "false">:$reciprocal);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`zero_point` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_DequantizeOp : Aic_Op<"dequantize", [Pure]> {
  let summary = "(x - zero_point) * scale";
  let description = [{
    ONNX DequantizeLinear into the result's (float) element type, computed
    in f32 (f64 for f64). `scale` and `zero_point` broadcast as for
    aic.quantize.

    ```mlir
    %x = aic.dequantize %q, %s zero_point %z
        : (tensor<2x3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, Aic_FloatTensor:$scale,
                   Optional<Aic_Tensor>:$zero_point,
                   DefaultValuedAttr<I64Attr, "1">:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`zero_point` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Aic_MatMulOp : Aic_Op<"matmul",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "numpy matmul: batched, with broadcasting batch dimensions";
  let description = [{
    Follows `numpy.matmul`: rank-1 operands are promoted to matrices and the
    promoted dimension is dropped from the result; leading batch dimensions
    broadcast.

    ```mlir
    %r = aic.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$lhs, Aic_Tensor:$rhs);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Aic_MatMulIntegerOp : Aic_Op<"matmul_integer",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "numpy matmul of 8-bit integers less their zero points, in i32";
  let description = [{
    ONNX MatMulInteger: `(lhs - lhs_zero_point) x (rhs - rhs_zero_point)`
    accumulated in i32, with the shapes and broadcasting of aic.matmul.
    The operands are 8-bit integers (signed or not, each its own); a zero
    point has its operand's element type and is per tensor (rank 0 or one
    element), per row of `lhs` (its M elements) or per column of `rhs` (its
    N elements). Kept whole, not as casts and an i32 matmul, so that the
    lowering can contract the 8-bit values themselves and fold the zero
    points into per-column corrections (for constant weights, at compile
    time).

    ```mlir
    %acc = aic.matmul_integer %a, %w lhs_zero_point %za rhs_zero_point %zw
        : (tensor<4x64xui8>, tensor<64x32xi8>, tensor<ui8>, tensor<i8>)
          -> tensor<4x32xi32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$lhs, Aic_Tensor:$rhs,
                   Optional<Aic_Tensor>:$lhs_zero_point,
                   Optional<Aic_Tensor>:$rhs_zero_point);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs (`lhs_zero_point` $lhs_zero_point^)?
    (`rhs_zero_point` $rhs_zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_GemmOp : Aic_Op<"gemm",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "general matrix multiply, alpha * op(A) * op(B) + beta * C";
  let description = [{
    `op(X)` is `X` or its transpose as `trans_a` / `trans_b` say. `C` is
    optional and broadcasts to the `MxN` result.

    ```mlir
    %y = aic.gemm %a, %b, %c {alpha = 0.5 : f32, trans_b = true}
        : (tensor<3x5xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$a, Aic_Tensor:$b, Optional<Aic_Tensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Aic_ConvOp : Aic_Op<"conv",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "N-dimensional convolution in NC[D]HW layout";
  let description = [{
    ONNX `Conv` with explicit padding: the importer resolves `auto_pad` into
    `pads` (all begins, then all ends) and fills in default strides,
    dilations and kernel shape. `group` splits the channels into groups.

    ```mlir
    %y = aic.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64,
                             pads = array<i64: 1, 1, 1, 1>,
                             strides = array<i64: 1, 1>}
        : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, Aic_Tensor:$weight,
                   Optional<Aic_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Aic_ConvIntegerOp : Aic_Op<"conv_integer",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "convolution of 8-bit integers less their zero points, in i32";
  let description = [{
    ONNX ConvInteger: `conv(input - input_zero_point, weight -
    weight_zero_point)` accumulated in i32, with the attributes and shapes
    of aic.conv (no bias). The operands are 8-bit integers (signed or not,
    each its own); a zero point has its operand's element type, the
    input's per tensor (rank 0 or one element), the weight's per tensor or
    per output channel (its M elements). Padding reads the input's zero
    point (a zero after the subtraction). Kept whole, not as casts and an
    i32 convolution, so that the lowering can contract the 8-bit values
    themselves, with the input's zero point folded into a per-filter
    correction of the accumulator.

    ```mlir
    %acc = aic.conv_integer %x, %w input_zero_point %zx
        {dilations = array<i64: 1, 1>, group = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
        : (tensor<1x8x8x8xui8>, tensor<16x8x3x3xi8>, tensor<ui8>)
          -> tensor<1x16x8x8xi32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, Aic_Tensor:$weight,
                   Optional<Aic_Tensor>:$input_zero_point,
                   Optional<Aic_Tensor>:$weight_zero_point,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`input_zero_point` $input_zero_point^)?
    (`weight_zero_point` $weight_zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_ConvTransposeOp : Aic_Op<"conv_transpose",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "N-dimensional transposed convolution in NC[D]HW layout";
  let description = [{
    ONNX `ConvTranspose`: the gradient of `aic.conv` with respect to its
    input. The weight is [C, M / group, k...]. The importer folds
    `auto_pad`, `output_shape` and `output_padding` into `pads` (all begins,
    then all ends), which may be negative: a negative pad adds zero rows to
    that side of the output. Each spatial output dim is
    `stride * (in - 1) + dilation * (k - 1) + 1 - pad_begin - pad_end`.

    ```mlir
    %y = aic.conv_transpose %x, %w {dilations = array<i64: 1, 1>,
                                    group = 1 : i64,
                                    pads = array<i64: 0, 0, 0, 0>,
                                    strides = array<i64: 2, 2>}
        : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, Aic_Tensor:$weight,
                   Optional<Aic_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Aic_EinsumOp : Aic_Op<"einsum", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Einstein summation over letter-labelled dims";
  let description = [{
    `equation` is explicit and without ellipses (the importer expands
    them): one letter per dim of each operand, then `->` and the result's
    letters. Letters missing from the result are summed over; a letter
    repeated in one operand takes its diagonal. Kept whole so that lowering
    builds one generic contraction for it.

    ```mlir
    %r = aic.einsum %a, %b {equation = "bij,bjk->bik"}
        : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Aic_Tensor>:$inputs, StrAttr:$equation);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
}

def Aic_RotaryEmbeddingOp : Aic_Op<"rotary_embedding",
    [Pure, AllTypesMatch<["input", "output"]>,
     AllElementTypesMatch<["input", "cos", "sin"]>]> {
  let summary = "rotates pairs of each head's first `rotary_dim` features";
  let description = [{
    ONNX `RotaryEmbedding` on [B, H, S, D] (`heads_first`) or [B, S, H, D]
    input, with `cos` and `sin` already taken at each position: [B, S,
    rotary_dim / 2]. Feature pair i is (i, i + rotary_dim / 2), or (2i,
    2i + 1) when `interleaved`; it becomes (x1 cos - x2 sin, x1 sin + x2
    cos). Features from `rotary_dim` on pass through; `rotary_dim` 0 rotates
    the whole head.

    ```mlir
    %r = aic.rotary_embedding %x, %cos, %sin {heads_first = true,
             interleaved = false, rotary_dim = 8 : i64}
        : tensor<2x4x3x8xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, Aic_FloatTensor:$cos,
                   Aic_FloatTensor:$sin, BoolAttr:$heads_first,
                   BoolAttr:$interleaved, I64Attr:$rotary_dim);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $cos `,` $sin attr-dict `:` type($input) `,` type($cos) `,`
    type($sin)
  }];
  let hasVerifier = 1;
}

def Aic_CheckOp : Aic_Op<"check", [MemoryEffects<[MemWrite]>]> {
  let summary = "fails the run with `message` where `condition` is false";
  let description = [{
    A check the compiler cannot decide: where `condition` (one bool) is
    false at run time, the model's run returns an error whose message is
    `message` (the run still completes; its outputs are then undefined).

    ```mlir
    aic.check %ok, "node 'if' (If, opset 16): else_branch cannot run" : tensor<i1>
    ```
  }];
  let arguments = (ins TensorOf<[I1]>:$condition, StrAttr:$message);
  let assemblyFormat = "$condition `,` $message attr-dict `:` type($condition)";
}

class Aic_RecurrentOp<string mnemonic, string summaryText, dag extraArgs,
                      dag extraResults, string extraFormat>
    : Aic_Op<mnemonic, [Pure, AttrSizedOperandSegments]> {
  let summary = summaryText;
  let arguments = !con((ins Aic_FloatTensor:$input, Aic_FloatTensor:$w,
                        Aic_FloatTensor:$r, Optional<Aic_FloatTensor>:$bias,
                        Optional<TensorOf<[I32]>>:$sequence_lens,
                        Optional<Aic_FloatTensor>:$initial_h),
                       extraArgs,
                       (ins StrAttr:$direction, I64Attr:$hidden_size,
                        StrArrayAttr:$activations,
                        DefaultValuedAttr<F32ArrayAttr, "{}">:$activation_alpha,
                        DefaultValuedAttr<F32ArrayAttr, "{}">:$activation_beta,
                        OptionalAttr<F32Attr>:$clip));
  let results = !con((outs Aic_FloatTensor:$y, Aic_FloatTensor:$y_h),
                     extraResults);
  let assemblyFormat = [{
    $input `,` $w `,` $r (`bias` $bias^)? (`sequence_lens` $sequence_lens^)?
    (`initial_h` $initial_h^)? }] # extraFormat # [{ attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_LstmOp : Aic_RecurrentOp<"lstm",
    "long short-term memory over a sequence, in ONNX's layout 0",
    (ins Optional<Aic_FloatTensor>:$initial_c,
         Optional<Aic_FloatTensor>:$peepholes,
         DefaultValuedAttr<BoolAttr, "false">:$input_forget),
    (outs Aic_FloatTensor:$y_c),
    "(`initial_c` $initial_c^)? (`peepholes` $peepholes^)?"> {
  let description = [{
    ONNX `LSTM` with input [S, B, I], weights W [D, 4H, I] and R [D, 4H, H]
    (gates in i, o, f, c order), optional bias [D, 8H] (Wb then Rb),
    per-batch sequence lengths [B], initial state [D, B, H] and peepholes
    [D, 3H] (i, o, f). D is 2 for `bidirectional`, else 1. Results: every
    step's hidden state Y [S, D, B, H] (zero past a sequence's length), and
    the last hidden and cell states [D, B, H]. `activations` holds f, g, h
    for each direction; `activation_alpha` and `activation_beta` the
    parameters of those that take them, in order. Kept whole so that the
    lowering builds one loop carrying the state.

    ```mlir
    %y, %h, %c = aic.lstm %x, %w, %r {activations = ["Sigmoid", "Tanh", "Tanh"],
        direction = "forward", hidden_size = 4 : i64}
        : (tensor<3x2x5xf32>, tensor<1x16x5xf32>, tensor<1x16x4xf32>)
        -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
    ```
  }];
}

def Aic_GruOp : Aic_RecurrentOp<"gru",
    "gated recurrent unit over a sequence, in ONNX's layout 0",
    (ins DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset), (outs),
    ""> {
  let description = [{
    ONNX `GRU`: as aic.lstm, with 3 gates in z, r, h order (W [D, 3H, I],
    R [D, 3H, H], bias [D, 6H]), no cell state, and `activations` f, g per
    direction. With `linear_before_reset` the reset gate multiplies
    h R_h^T + Rb_h instead of h.
  }];
}

def Aic_RnnOp : Aic_RecurrentOp<"rnn",
    "simple recurrent network over a sequence, in ONNX's layout 0",
    (ins), (outs), ""> {
  let description = [{
    ONNX `RNN`: h_t = f(x_t W^T + h_{t-1} R^T + Wb + Rb), one gate (W [D, H,
    I], R [D, H, H], bias [D, 2H]) and one activation per direction.
  }];
}

def Aic_AttentionOp : Aic_Op<"attention",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "scaled dot-product attention with masks and grouped heads";
  let description = [{
    `softmax(softcap(Q K^T * scale) + bias) V` over 4-D operands in
    `[batch, heads, sequence, head_size]` layout: query `[B, Hq, Sq, D]`,
    key `[B, Hkv, Skv, D]`, value `[B, Hkv, Skv, Dv]`, where `Hq` is a
    multiple of `Hkv` and query head `h` reads key/value head
    `h / (Hq / Hkv)` (grouped-query attention). Kept whole so that lowering
    (or a later fusion pass) decides how to compute it.

    - `bias` (optional) is added to the scores, broadcasting (numpy rules)
      against `[B, Hq, Sq, Skv]`; masked positions hold -inf.
    - `is_causal` masks key `j` for query `i` where `j > i + offset`; the
      offset is `past_length` when set (keys from a cache precede the new
      ones), else `kv_lengths[b] - Sq` when `kv_lengths` is given, else 0.
    - `kv_lengths` (optional, `[B]` i64) masks keys `j >= kv_lengths[b]`.
    - `softcap > 0` applies `softcap * tanh(x / softcap)` before the bias.
    - A row whose keys are all masked gets zero weights (not NaN).
    - The second result holds the scores as `scores_mode` says: 0 or 1 after
      the softcap, 2 after the bias, 3 the softmax weights.

    The scaling follows ONNX: Q and K are each multiplied by
    `sqrt(scale)` in their element type; 16-bit types round the scores and
    weights to their type where ONNX's reference does, and accumulate and
    take the softmax in f32.

    ```mlir
    %y, %s = aic.attention %q, %k, %v {scale = 0.35 : f32}
        : (tensor<2x8x4x16xf32>, tensor<2x2x6x16xf32>, tensor<2x2x6x16xf32>)
          -> (tensor<2x8x4x16xf32>, tensor<2x8x4x6xf32>)
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$query, Aic_FloatTensor:$key,
                   Aic_FloatTensor:$value, Optional<Aic_FloatTensor>:$bias,
                   Optional<1DTensorOf<[I64]>>:$kv_lengths,
                   F32Attr:$scale,
                   DefaultValuedAttr<F32Attr, "0.0f">:$softcap,
                   DefaultValuedAttr<BoolAttr, "false">:$is_causal,
                   OptionalAttr<I64Attr>:$past_length,
                   DefaultValuedAttr<I64Attr, "0">:$scores_mode);
  let results = (outs Aic_FloatTensor:$output, Aic_FloatTensor:$scores);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`bias` $bias^)? (`kv_lengths` $kv_lengths^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class Aic_ReduceOp<string mnemonic, string formula>
    : Aic_Op<mnemonic, [Pure, AllElementTypesMatch<["input", "output"]>,
                        InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "reduces " # formula # " over `axes`";
  let description = [{
    `axes` are sorted, non-negative and distinct (the importer resolves
    ONNX's negative axes, constant axes inputs, and the empty-axes rules);
    `keepdims` keeps each reduced dim as 1. Axes known only at run time come
    as `axes_input` instead (1-D i64, ONNX's convention, at least one);
    then every dim that may be reduced is dynamic in the result, and
    without keepdims the result has one dim fewer per axis.

    ```mlir
    %r = aic.}] # mnemonic # [{ %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
    %s = aic.}] # mnemonic # [{ %x axes %a {axes = array<i64>, keepdims = false} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input,
                   Optional<1DTensorOf<[I64]>>:$axes_input,
                   DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`axes` $axes_input^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

class Aic_CumulativeOp<string mnemonic, string what, string combine>
    : Aic_Op<mnemonic, [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "cumulative " # what # " along an axis";
  let description = [{
    `y[.., i, ..] = }] # combine # [{ of x[.., j, ..]` for `j <= i` (`j < i`
    when `exclusive`; `j >= i` or `j > i` when `reverse`) along `axis`, or
    along the axis `axis_input` holds (one i64, negative from the end) when
    that is given.

    ```mlir
    %y = aic.}] # mnemonic # [{ %x {axis = 1 : i64, exclusive = false, reverse = false} : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input,
                   Optional<TensorOf<[I32, I64]>>:$axis_input,
                   DefaultValuedAttr<I64Attr, "0">:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`axis` $axis_input^)? attr-dict `:` type($input)
    (`,` type($axis_input)^)?
  }];
  let hasVerifier = 1;
}

def Aic_CumSumOp : Aic_CumulativeOp<"cumsum", "sum", "sum">;
def Aic_CumProdOp : Aic_CumulativeOp<"cumprod", "product", "product">;

def Aic_ReduceSumOp : Aic_ReduceOp<"reduce_sum", "the sum">;
def Aic_ReduceMeanOp : Aic_ReduceOp<"reduce_mean", "the mean">;
def Aic_ReduceMaxOp : Aic_ReduceOp<"reduce_max", "the maximum">;
def Aic_ReduceMinOp : Aic_ReduceOp<"reduce_min", "the minimum">;
def Aic_ReduceProdOp : Aic_ReduceOp<"reduce_prod", "the product">;
def Aic_ReduceL1Op : Aic_ReduceOp<"reduce_l1", "the sum of |x|">;
def Aic_ReduceL2Op : Aic_ReduceOp<"reduce_l2", "sqrt of the sum of x^2">;
def Aic_ReduceSumSquareOp : Aic_ReduceOp<"reduce_sum_square", "the sum of x^2">;
def Aic_ReduceLogSumOp : Aic_ReduceOp<"reduce_log_sum", "ln of the sum">;
def Aic_ReduceLogSumExpOp : Aic_ReduceOp<"reduce_log_sum_exp", "ln of the sum of e^x">;

class Aic_ArgReduceOp<string mnemonic, string what>
    : Aic_Op<mnemonic, [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "index of the " # what # " along `axis` (i64)";
  let description = [{
    Ties go to the first index, or the last with `select_last_index`.

    ```mlir
    %i = aic.}] # mnemonic # [{ %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs TensorOf<[I64]>:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Aic_ArgMaxOp : Aic_ArgReduceOp<"argmax", "maximum">;
def Aic_ArgMinOp : Aic_ArgReduceOp<"argmin", "minimum">;

def Aic_TopKOp : Aic_Op<"top_k", [Pure]> {
  let summary = "the k largest (or smallest) elements along `axis`";
  let description = [{
    ONNX `TopK`: `values` holds the k best elements of each slice along
    `axis`, best first, and `indices` their positions; of equal elements the
    one at the lower index comes first. `k` (one i64) may be known only at
    run time, in which case that dim of the results is dynamic.

    ```mlir
    %v, %i = aic.top_k %x, %k {axis = 1 : i64, largest = true}
        : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, TensorOf<[I64]>:$k, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Aic_Tensor:$values, TensorOf<[I64]>:$indices);
  let assemblyFormat =
      "$input `,` $k attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class Aic_SoftmaxLikeOp<string mnemonic, string formula>
    : Aic_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = formula # " along `axis` (ONNX opset-13 semantics)";
  let description = [{
    ```mlir
    %r = aic.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Aic_SoftmaxOp : Aic_SoftmaxLikeOp<"softmax", "e^x / sum(e^x)">;
def Aic_LogSoftmaxOp : Aic_SoftmaxLikeOp<"log_softmax", "x - ln(sum(e^x))">;

def Aic_BatchNormOp : Aic_Op<"batch_norm",
    [Pure, AllTypesMatch<["input", "output"]>,
     AllElementTypesMatch<["input", "scale", "bias", "mean", "variance"]>]> {
  let summary = "inference batch normalization over channel dim 1";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + bias`, each of the four
    per-channel vectors broadcast along dim 1. Kept whole so that a graph
    pass can fold it into a preceding convolution.

    ```mlir
    %y = aic.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
        : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, Aic_FloatTensor:$scale,
                   Aic_FloatTensor:$bias, Aic_FloatTensor:$mean,
                   Aic_FloatTensor:$variance, F32Attr:$epsilon);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_LayerNormOp : Aic_Op<"layer_norm",
    [Pure, AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["mean", "inv_std_dev"]>]> {
  let summary = "layer normalization over the dims from `axis` on";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale (+ bias)`, mean and variance
    over dims `axis..rank-1`; scale and bias broadcast against those dims.
    The statistics are computed in the element type of `mean` (f32 for
    ONNX's default stash_type) and returned with the normalized dims kept
    as 1. Kept whole until lowering decides how to compute it.

    ```mlir
    %y, %m, %r = aic.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f32}
        : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>)
          -> (tensor<1x8x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, Aic_FloatTensor:$scale,
                   Optional<Aic_FloatTensor>:$bias, I64Attr:$axis,
                   F32Attr:$epsilon);
  let results = (outs Aic_FloatTensor:$output, Aic_FloatTensor:$mean,
                      Aic_FloatTensor:$inv_std_dev);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Aic_RmsNormOp : Aic_Op<"rms_norm",
    [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "RMS normalization over the dims from `axis` on";
  let description = [{
    `x / sqrt(mean(x^2) + epsilon) * scale`, the mean over dims
    `axis..rank-1` computed in f32; scale broadcasts against those dims.

    ```mlir
    %y = aic.rms_norm %x, %g {axis = 2 : i64, epsilon = 1.0e-05 : f32}
        : (tensor<1x8x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, Aic_FloatTensor:$scale,
                   I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat =
      "$input `,` $scale attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Aic_TriluOp : Aic_Op<"trilu", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "keeps the upper or lower triangle of the last two dims";
  let description = [{
    Element (i, j) of each matrix is kept where `j - i >= k` (upper) or
    `j - i <= k` (lower), and zero elsewhere. `k` is the attribute, or the
    value of `k_input` (one i64, known at run time) where that is given.

    ```mlir
    %r = aic.trilu %x {k = 0 : i64, upper = true} : tensor<3x4xf32>
    %s = aic.trilu %x k_input %k {upper = false} : tensor<3x4xf32>, tensor<1xi64>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input,
                   Optional<TensorOf<[I64]>>:$k_input,
                   DefaultValuedAttr<I64Attr, "0">:$k, BoolAttr:$upper);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`k_input` $k_input^)? attr-dict `:` type($input)
    (`,` type($k_input)^)?
  }];
  let hasVerifier = 1;
}

class Aic_PoolOp<string mnemonic, string what, dag extra,
                 list<Trait> traits = [SameOperandsAndResultElementType],
                 Type resultType = Aic_Tensor>
    : Aic_Op<mnemonic, traits # [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = what # " pooling in NC[D]HW layout";
  let description = [{
    Explicit `pads` (begins, then ends; the importer resolves `auto_pad`).
    With `ceil_mode` the output extent rounds up; windows never start in
    the end padding.

    ```mlir
    %y = aic.}] # mnemonic # [{ %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
        dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
        : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
    ```
  }];
  let arguments = !con((ins Aic_Tensor:$input, DenseI64ArrayAttr:$kernel,
                        DenseI64ArrayAttr:$strides,
                        DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
                        DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extra);
  let results = (outs resultType:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Aic_MaxPoolOp : Aic_PoolOp<"max_pool", "max", (ins)>;
// MaxPool's Indices output: where each window's (first) maximum is, as a
// flat index into the input, row-major (or column-major over the spatial
// dims with `column_major`, ONNX's storage_order 1).
def Aic_MaxPoolIndicesOp : Aic_PoolOp<"max_pool_indices", "argmax",
    (ins DefaultValuedAttr<BoolAttr, "false">:$column_major), [],
    TensorOf<[I64]>>;
def Aic_AveragePoolOp : Aic_PoolOp<"average_pool", "average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)>;

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Aic_ReshapeOp : Aic_Op<"reshape",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Reshape: 0 copies a dimension, -1 is inferred";
  let description = [{
    The target shape is a 1-D i64 tensor. Where it is a constant, the result
    type is fully inferred: an entry of 0 keeps the input's dimension (unless
    `allowzero` is set) and one entry of -1 takes whatever size remains.

    ```mlir
    %s = aic.constant dense<[0, -1]> : tensor<2xi64>
    %r = aic.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, 1DTensorOf<[I64]>:$shape,
                   DefaultValuedAttr<BoolAttr, "false">:$allowzero);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_TransposeOp : Aic_Op<"transpose",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "permutes dimensions: result dim i is input dim perm[i]";
  let description = [{
    ```mlir
    %r = aic.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_FlattenOp : Aic_Op<"flatten",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "collapses to 2-D: dims before `axis`, then the rest";
  let description = [{
    `axis` is in `[0, rank]` (the importer normalizes negative axes).

    ```mlir
    %r = aic.flatten %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, I64Attr:$axis);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Aic_ConcatOp : Aic_Op<"concat",
    [Pure, SameOperandsAndResultElementType,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "joins tensors along `axis`";
  let description = [{
    ```mlir
    %r = aic.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Aic_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

class Aic_AxesReshapeOp<string mnemonic, string what>
    : Aic_Op<mnemonic, [Pure, AllElementTypesMatch<["input", "output"]>,
                        InferTypeOpAdaptorWithIsCompatible]> {
  let summary = what # " the size-1 dims at `axes`";
  let description = [{
    `axes` are sorted, non-negative and distinct. Axes known only at run
    time come as `axes_input` (1-D i64, negative from the end); the result
    then has its rank but dims known only at run time.

    ```mlir
    %r = aic.}] # mnemonic # [{ %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<1x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input,
                   Optional<1DTensorOf<[I64]>>:$axes_input,
                   DenseI64ArrayAttr:$axes);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`axes` $axes_input^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Aic_SqueezeOp : Aic_AxesReshapeOp<"squeeze", "removes">;
def Aic_UnsqueezeOp : Aic_AxesReshapeOp<"unsqueeze", "inserts">;

def Aic_ShapeOp : Aic_Op<"shape", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "the dims `start..end` of the input's shape, as i64";
  let description = [{
    Folds to a constant where those dims are static.

    ```mlir
    %s = aic.shape %x {start = 0 : i64, end = 2 : i64} : (tensor<?x3xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs 1DTensorOf<[I64]>:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_GatherOp : Aic_Op<"gather", [Pure, InferTypeOpAdaptorWithIsCompatible,
                                     AllElementTypesMatch<["data", "output"]>]> {
  let summary = "takes the entries of `data` along `axis` at `indices`";
  let description = [{
    Negative indices count from the end.

    ```mlir
    %r = aic.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$data, TensorOf<[I32, I64]>:$indices,
                   I64Attr:$axis);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_SliceOp : Aic_Op<"slice", [Pure, SameOperandsAndResultElementType,
                                   InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "strided slice with one start, size and step per dim";
  let description = [{
    Dim `i` of the result takes `sizes[i]` entries from `starts[i]` in steps
    of `steps[i]` (which may be negative). The importer clamps ONNX's starts
    and ends.

    ```mlir
    %r = aic.slice %x {starts = array<i64: 4, 0>, sizes = array<i64: 2, 3>, steps = array<i64: -2, 1>}
        : (tensor<5x3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Aic_DynamicSliceOp : Aic_Op<"dynamic_slice",
    [Pure, AttrSizedOperandSegments, AllElementTypesMatch<["input", "output"]>,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Slice with starts, ends, axes or steps known at run time";
  let description = [{
    ONNX's rules at run time: negative starts and ends count from the end,
    are clamped into the dim (to [0, dim] going forward, [-1, dim - 1]
    going backward); `axes` (default 0, 1, ...) and `steps` (default 1)
    are optional. Every dim of the result is known only at run time.

    ```mlir
    %r = aic.dynamic_slice %x, %starts, %ends axes %axes
        : (tensor<5x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, 1DTensorOf<[I64]>:$starts,
                   1DTensorOf<[I64]>:$ends,
                   Optional<1DTensorOf<[I64]>>:$axes,
                   Optional<1DTensorOf<[I64]>>:$steps);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends (`axes` $axes^)? (`steps` $steps^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Aic_RangeOp : Aic_Op<"range", [Pure]> {
  let summary = "start + i * delta while short of limit, bounds known at run time";
  let description = [{
    ONNX Range with scalar `start`, `limit` and `delta` of one element type:
    `max(ceil((limit - start) / delta), 0)` elements. (Known bounds fold to
    a constant in the importer.)

    ```mlir
    %r = aic.range %start, %limit, %delta : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$start, Aic_Tensor:$limit, Aic_Tensor:$delta);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Aic_ExpandOp : Aic_Op<"expand",
    [Pure, AllElementTypesMatch<["input", "output"]>,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "broadcasts the input against `shape` (numpy rules)";
  let description = [{
    A shape known only at run time comes as `shape_input` (1-D i64); the
    result's dims are then known only at run time, and an input dim other
    than a static 1 is taken to be the result's.

    ```mlir
    %r = aic.expand %x {shape = array<i64: 2, 1, 3>} : (tensor<3xf32>) -> tensor<2x1x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input,
                   Optional<1DTensorOf<[I64]>>:$shape_input,
                   DenseI64ArrayAttr:$shape);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`shape` $shape_input^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Aic_TileOp : Aic_Op<"tile", [Pure, AllElementTypesMatch<["input", "output"]>,
                                 InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "repeats the input `repeats[i]` times along each dim";
  let description = [{
    Repeats known only at run time come as `repeats_input` (1-D i64, one
    per dim); the result's dims are then known only at run time.

    ```mlir
    %r = aic.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input,
                   Optional<1DTensorOf<[I64]>>:$repeats_input,
                   DenseI64ArrayAttr:$repeats);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`repeats` $repeats_input^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Aic_PadOp : Aic_Op<"pad", [Pure, AttrSizedOperandSegments,
                               AllElementTypesMatch<["input", "output"]>,
                               InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "pads (or crops, with negative pads) each dim";
  let description = [{
    `pads` holds all begins, then all ends. `mode` is `constant` (with the
    optional scalar `value`, else zero), `reflect`, `edge` or `wrap`.
    Pads known only at run time come as `pads_input` instead: begins, then
    ends, for the dims listed in `axes` (all dims where it is absent); those
    dims of the result are dynamic.

    ```mlir
    %r = aic.pad %x {mode = "reflect", pads = array<i64: 0, 2, 0, 1>} : (tensor<3x4xf32>) -> tensor<3x7xf32>
    %s = aic.pad %x pads_input %p {axes = array<i64: 1>, mode = "edge", pads = array<i64: 0, 0, 0, 0>} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x?xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input, Optional<Aic_Tensor>:$value,
                   Optional<1DTensorOf<[I64]>>:$pads_input,
                   DenseI64ArrayAttr:$pads, StrAttr:$mode,
                   OptionalAttr<DenseI64ArrayAttr>:$axes);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = [{
    $input (`value` $value^)? (`pads_input` $pads_input^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Aic_ScatterOp : Aic_Op<"scatter",
    [Pure, AllTypesMatch<["data", "output"]>,
     AllElementTypesMatch<["data", "updates"]>]> {
  let summary = "writes `updates` into a copy of `data` at `indices`";
  let description = [{
    ONNX `ScatterElements` (`nd` false: each update goes to its own
    position with dim `axis` replaced by its index) and `ScatterND` (`nd`
    true: the last dim of `indices` addresses a slice of `data`). Negative
    indices count from the end. `reduction` is `none` (later updates win),
    `add`, `mul`, `max` or `min`.

    ```mlir
    %r = aic.scatter %d, %i, %u {axis = 1 : i64, nd = false, reduction = "none"}
        : (tensor<3x3xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$data, TensorOf<[I32, I64]>:$indices,
                   Aic_Tensor:$updates, DefaultValuedAttr<I64Attr, "0">:$axis,
                   BoolAttr:$nd, StrAttr:$reduction);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Aic_GatherElementsOp : Aic_Op<"gather_elements",
    [Pure, AllElementTypesMatch<["data", "output"]>,
     InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "out[i] = data[i with dim `axis` replaced by indices[i]]";
  let description = [{
    ```mlir
    %r = aic.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$data, TensorOf<[I32, I64]>:$indices,
                   I64Attr:$axis);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Aic_LrnOp : Aic_Op<"lrn", [Pure, SameOperandsAndResultType]> {
  let summary = "local response normalization across channels";
  let description = [{
    `x / (bias + alpha / size * sum(x^2 over size channels around c))^beta`.

    ```mlir
    %r = aic.lrn %x {alpha = 1.0e-04 : f32, beta = 7.5e-01 : f32, bias = 1.0 : f32, size = 5 : i64} : tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input, F32Attr:$alpha, F32Attr:$beta,
                   F32Attr:$bias, I64Attr:$size);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Aic_ResizeOp : Aic_Op<"resize",
    [Pure, AllElementTypesMatch<["input", "output"]>,
     AttrSizedOperandSegments]> {
  let summary = "ONNX Resize: nearest, linear or cubic, per dim";
  let description = [{
    The importer resolves scales, sizes, axes and the aspect-ratio policy:
    `scales` has one entry per dim (1 where a dim is not resized) and the
    result type carries the output size. Each output coordinate maps back
    through `coordinate_mode` (half_pixel, half_pixel_symmetric,
    pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn,
    tf_crop_and_resize with `roi`, begins then ends) and is sampled by
    `mode`.

    Scales, sizes or a roi known only at run time come as `scales_input`
    (f32), `sizes_input` (i64, resolved with `aspect_policy`: stretch,
    not_larger or not_smaller) and `roi_input` (f32, begins then ends),
    one entry per dim of `axes`; those dims are dynamic in the result and
    their `scales` entries are placeholders.

    With `antialias` (linear and cubic), a dim resized by a scale below 1
    widens the filter by 1 / scale: its taps, as many as the scale needs,
    are weighted by the kernel at (offset * scale) and normalized.

    ```mlir
    %r = aic.resize %x {mode = "linear", coordinate_mode = "half_pixel",
        nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 1.0, 2.0, 2.0>,
        roi = array<f32>, cubic_coeff_a = -7.5e-01 : f32, exclude_outside = false,
        extrapolation_value = 0.0 : f32}
        : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
    ```
  }];
  let arguments = (ins Aic_FloatTensor:$input,
                   Optional<1DTensorOf<[F32]>>:$scales_input,
                   Optional<1DTensorOf<[I64]>>:$sizes_input,
                   Optional<1DTensorOf<[F32]>>:$roi_input,
                   StrAttr:$mode,
                   StrAttr:$coordinate_mode, StrAttr:$nearest_mode,
                   DenseF32ArrayAttr:$scales, DenseF32ArrayAttr:$roi,
                   F32Attr:$cubic_coeff_a, BoolAttr:$exclude_outside,
                   F32Attr:$extrapolation_value,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<StrAttr, "\"stretch\"">:$aspect_policy,
                   DefaultValuedAttr<BoolAttr, "false">:$antialias);
  let results = (outs Aic_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`scales` $scales_input^)? (`sizes` $sizes_input^)?
    (`roi` $roi_input^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // AIC_DIALECT_AIC_IR_AICOPS_TD
