//===- ShapeInference.h - shape rules of the aic ops ------------*- C++ -*-===//
//
// The shape rules of the aic ops in one place, as plain functions over
// shapes. The ops' inferReturnTypes call them; so can passes that need a
// shape without building an op. Each rule reports a bad input through the
// `emitError` callback and returns failure; none asserts.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_IR_SHAPEINFERENCE_H
#define AIC_DIALECTS_AIC_IR_SHAPEINFERENCE_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::aic {

using Shape = SmallVector<int64_t>;
using ErrorFn = function_ref<InFlightDiagnostic()>;

/// numpy broadcasting of two shapes (dynamic dims are ShapedType::kDynamic).
FailureOr<Shape> inferBroadcastShape(ArrayRef<int64_t> lhs,
                                     ArrayRef<int64_t> rhs, ErrorFn emitError);

/// numpy.matmul: rank-1 promotion and broadcasting batch dimensions.
FailureOr<Shape> inferMatMulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                  ErrorFn emitError);

/// Gemm: [M, N] from 2-D A and B after the optional transposes; C (if
/// given) must broadcast unidirectionally to [M, N].
FailureOr<Shape> inferGemmShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                std::optional<ArrayRef<int64_t>> c, bool transA,
                                bool transB, ErrorFn emitError);

/// Attention over [B, Hq, Sq, D] queries and [B, Hkv, Skv, D] keys and
/// [B, Hkv, Skv, Dv] values (Hq a multiple of Hkv): the output
/// [B, Hq, Sq, Dv] and the scores [B, Hq, Sq, Skv]; `bias` must broadcast to
/// the scores.
FailureOr<std::pair<Shape, Shape>>
inferAttentionShapes(ArrayRef<int64_t> query, ArrayRef<int64_t> key,
                     ArrayRef<int64_t> value,
                     std::optional<ArrayRef<int64_t>> bias, ErrorFn emitError);

/// A reduction over `numAxes` axes known only at run time: with keepDims
/// each dim not already 1 is dynamic; without, `numAxes` fewer dynamic dims.
FailureOr<Shape> inferRuntimeAxesReduceShape(ArrayRef<int64_t> input,
                                             int64_t numAxes, bool keepDims,
                                             ErrorFn emitError);

/// Squeeze (or, with `insert`, Unsqueeze) of `numAxes` axes known only at
/// run time: numAxes fewer (more) dims, all dynamic.
FailureOr<Shape> inferRuntimeAxesReshapeShape(ArrayRef<int64_t> input,
                                              int64_t numAxes, bool insert,
                                              ErrorFn emitError);

/// ONNX Slice along one dim of `extent`: the first index and the count,
/// with `start` and `end` clamped as ONNX does ([0, extent] going forward,
/// [-1, extent - 1] going back; negative values count from the end).
std::pair<int64_t, int64_t> clampSlice(int64_t extent, int64_t start,
                                       int64_t end, int64_t step);

/// Convolution in NC[D]HW layout with explicit pads (begins, then ends).
FailureOr<Shape>
inferConvShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
               std::optional<ArrayRef<int64_t>> bias, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
               int64_t group, ErrorFn emitError);

/// Transposed convolution in NC[D]HW layout; the weight is [C, M / group,
/// k...] and `pads` (begins, then ends) may be negative, which grows the
/// output (ONNX's output_padding and output_shape become negative end pads).
FailureOr<Shape> inferConvTransposeShape(ArrayRef<int64_t> input,
                                         ArrayRef<int64_t> weight,
                                         std::optional<ArrayRef<int64_t>> bias,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations,
                                         ArrayRef<int64_t> pads, int64_t group,
                                         ErrorFn emitError);

/// ONNX Reshape with a known target (0 copies, -1 infers). `target` holds
/// the raw entries of the shape operand.
FailureOr<Shape> inferReshapeShape(ArrayRef<int64_t> input,
                                   ArrayRef<int64_t> target, bool allowZero,
                                   ErrorFn emitError);

/// Transpose: result dim i is input dim perm[i].
FailureOr<Shape> inferTransposeShape(ArrayRef<int64_t> input,
                                     ArrayRef<int64_t> perm, ErrorFn emitError);

/// Flatten to 2-D around `axis` in [0, rank].
FailureOr<Shape> inferFlattenShape(ArrayRef<int64_t> input, int64_t axis,
                                   ErrorFn emitError);

/// Reduction over sorted, distinct, non-negative `axes`.
FailureOr<Shape> inferReduceShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> axes, bool keepDims,
                                  ErrorFn emitError);

/// Pooling in NC[D]HW layout with explicit pads (begins, then ends).
FailureOr<Shape>
inferPoolShape(ArrayRef<int64_t> input, ArrayRef<int64_t> kernel,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
               ArrayRef<int64_t> pads, bool ceilMode, ErrorFn emitError);

/// The output extent of one pooled dim, and whether it is valid.
std::optional<int64_t> getPooledExtent(int64_t size, int64_t kernel,
                                       int64_t stride, int64_t dilation,
                                       int64_t padBegin, int64_t padEnd,
                                       bool ceilMode);

/// Concatenation along `axis` in [0, rank).
FailureOr<Shape> inferConcatShape(ArrayRef<ArrayRef<int64_t>> inputs,
                                  int64_t axis, ErrorFn emitError);

/// Squeeze (`insert` false) or Unsqueeze (`insert` true) at sorted,
/// distinct, non-negative `axes`.
FailureOr<Shape> inferSqueezeShape(ArrayRef<int64_t> input,
                                   ArrayRef<int64_t> axes, bool insert,
                                   ErrorFn emitError);

/// Gather along `axis` in [0, rank).
FailureOr<Shape> inferGatherShape(ArrayRef<int64_t> data,
                                  ArrayRef<int64_t> indices, int64_t axis,
                                  ErrorFn emitError);

/// Strided slice: `sizes` entries from `starts` in `steps`, per dim.
FailureOr<Shape> inferSliceShape(ArrayRef<int64_t> input,
                                 ArrayRef<int64_t> starts,
                                 ArrayRef<int64_t> sizes,
                                 ArrayRef<int64_t> steps, ErrorFn emitError);

/// Tile: dim i times repeats[i].
FailureOr<Shape> inferTileShape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> repeats, ErrorFn emitError);

/// Product of the dims, or failure on a dynamic dim or 64-bit overflow.
std::optional<int64_t> getNumElements(ArrayRef<int64_t> shape);

} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_IR_SHAPEINFERENCE_H
