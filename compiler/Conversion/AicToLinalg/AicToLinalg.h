//===- AicToLinalg.h - aic to linalg patterns -------------------*- C++ -*-===//
//
// One populate function per op family, and the builders they share.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_COMPILER_CONVERSION_AICTOLINALG_AICTOLINALG_H
#define AIC_COMPILER_CONVERSION_AICTOLINALG_AICTOLINALG_H

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace mlir::aic {

/// The aic dialect keeps ONNX's unsigned integers as `ui8`..`ui64`; linalg,
/// tensor and arith compute on signless integers. The patterns see their
/// operands converted by this and read signedness from the aic op.
class SignlessTypeConverter : public TypeConverter {
public:
  SignlessTypeConverter();
};

/// `type` (a scalar or a tensor) with signed and unsigned integers made
/// signless.
Type toSignless(Type type);

/// Whether `type`'s element type is an unsigned integer.
bool isUnsignedElement(Type type);

void populateElementwiseToLinalgPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);
void populateContractionToLinalgPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);
void populateShapeToLinalgPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);
void populateReductionToLinalgPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);
void populateQuantizationToLinalgPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns);
void populateRecurrentToLinalgPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);
void populateCheckToLinalgPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);

/// Where `ok` (an i1) is false at run time, records `message` as the run's
/// error (the first such stays): the model's run then returns it.
void buildRunCheck(OpBuilder &b, Location loc, Value ok, StringRef message);

/// The name of the ONNX node `loc` points at, for run-time error messages.
std::string nodeName(Location loc);

/// The run-time error of an index outside its dim (ONNX: an error), for
/// the node `loc` points at.
std::string indexRangeMessage(Location loc);

/// Fails the run (buildRunCheck) where an element of `indices` lies
/// outside [-extent, extent), the range ONNX's gathers accept (negative
/// counting from the end). Constant indices are left alone: the importer
/// checked them.
void buildIndexRangeCheck(OpBuilder &b, Location loc, Value indices,
                          Value extent);

/// `compute` where `agree` (an i1 of run-time dim checks, or null: nothing
/// to check) holds; else the run fails with `message` and the result is
/// zeros of `type` (`dynamicSizes` its dynamic dims), so that an op whose
/// operands disagree never reads or writes out of bounds.
Value buildGuarded(OpBuilder &b, Location loc, Value agree, StringRef message,
                   RankedTensorType type, ValueRange dynamicSizes,
                   function_ref<Value(OpBuilder &, Location)> compute);

/// A zero-initialized contraction `result[outMap] += lhs[lhsMap] *
/// rhs[rhsMap]` over the maps' loops; the last loop is the reduction, and
/// 16-bit floats accumulate in f32.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       AffineMap lhsMap, AffineMap rhsMap, AffineMap outMap,
                       RankedTensorType resultType);

/// Builds the scalar body of a generic op from its block arguments (inputs
/// only; the output's is not passed).
using ScalarBodyFn =
    std::function<Value(OpBuilder &, Location, ValueRange inputs)>;

/// A `linalg.generic` over the loops of `resultType` (all parallel) reading
/// `inputs` through `inputMaps` into a fresh tensor. `dynamicSizes` are the
/// result's dynamic dims in order.
Value buildParallelGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps,
                           RankedTensorType resultType, ValueRange dynamicSizes,
                           const ScalarBodyFn &body);

/// The indexing map that reads `operand` broadcast (numpy rules) against
/// the loops of `result`.
AffineMap getBroadcastMap(RankedTensorType operand, RankedTensorType result);

/// Elementwise `body` over `inputs` with numpy broadcasting into
/// `resultType`.
Value buildBroadcastElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                                RankedTensorType resultType,
                                const ScalarBodyFn &body);

/// `tensor.empty` of `type`, its dynamic dims taken from `dynamicSizes`.
Value buildEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                 ValueRange dynamicSizes = {});

/// The dynamic dims of `value`, in order, as tensor.dim ops.
SmallVector<Value> buildDynamicDims(OpBuilder &b, Location loc, Value value);

/// The output extent of a strided, dilated window over a padded dim of
/// `size` (an index value): (size + pads - span) / stride + 1. A window
/// larger than the padded dim fails the run (a check) and gives 0.
Value buildWindowExtent(OpBuilder &b, Location loc, Value size,
                        OpFoldResult kernel, int64_t stride, int64_t dilation,
                        int64_t padBegin, int64_t padEnd);

/// The reassociation groups that merge the size-1 dims at `unitDims` of a
/// rank-`rank` shape into their neighbours (empty when every dim is one):
/// for squeeze/unsqueeze and for keepdims after a reduction.
SmallVector<ReassociationIndices> unitDimGroups(int64_t rank,
                                                ArrayRef<int64_t> unitDims);

/// The map from the loops of `rank` to the dims that remain after reducing
/// `axes`.
AffineMap keptDimsMap(int64_t rank, ArrayRef<int64_t> axes,
                      MLIRContext *context);

/// Combines the block arguments of a reduction (inputs, then the
/// accumulator) into the new accumulator.
using CombineFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Reduces `inputs` (all of the first one's shape, or read through
/// `extraMaps`) over `axes` with `combine(args..., acc)` from `init`; the
/// result drops the reduced dims.
Value buildReduce(OpBuilder &b, Location loc, ValueRange inputs,
                  ArrayRef<AffineMap> extraMaps, ArrayRef<int64_t> axes,
                  Value init, CombineFn combine);

/// Per dim of a rank-`rank` tensor, whether the run-time `axes` (1-D i64,
/// negative ones counting from the end) name it.
SmallVector<Value> runtimeAxisFlags(OpBuilder &b, Location loc, Value axes,
                                    int64_t rank);

/// Drops the size-1 dims of `value` whose flag is set: the other dims,
/// found at run time, as the shape of a tensor.reshape to `type`.
Value dropRuntimeUnitDims(OpBuilder &b, Location loc, Value value,
                          ArrayRef<Value> flags, RankedTensorType type);

/// A zero of `type`'s element type.
Value buildZero(OpBuilder &b, Location loc, Type elementType);

/// Reshapes `input` to `resultType` (same element count) through a 1-D
/// collapse and an expand; views only, no copy.
Value buildReshape(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType);

} // namespace mlir::aic

#endif // AIC_COMPILER_CONVERSION_AICTOLINALG_AICTOLINALG_H
