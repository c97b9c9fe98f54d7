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
                            list<Trait> traits = []>
    : Aic_Op<mnemonic, traits # [Pure, SameOperandsAndResultElementType,
                                 InferTypeOpAdaptorWithIsCompatible]> {
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
}

def Aic_AddOp : Aic_BinaryBroadcastOp<"add", "Add", [Commutative]>;
def Aic_SubOp : Aic_BinaryBroadcastOp<"sub", "Sub">;
def Aic_MulOp : Aic_BinaryBroadcastOp<"mul", "Mul", [Commutative]>;
def Aic_DivOp : Aic_BinaryBroadcastOp<"div", "Div">;

def Aic_ReluOp : Aic_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "rectified linear unit, max(x, 0)";
  let description = [{
    ```mlir
    %r = aic.relu %x : tensor<4xf32>
    ```
  }];
  let arguments = (ins Aic_Tensor:$input);
  let results = (outs Aic_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
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

#endif // AIC_DIALECT_AIC_IR_AICOPS_TD
