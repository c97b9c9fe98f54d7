//===- ShapeToLinalg.cpp - constants and shape ops to tensor/linalg -------===//
//
// Constants become arith constants; Reshape and Flatten become collapse and
// expand views; Transpose becomes linalg.transpose.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/AicToLinalg/Scalar.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::aic;

namespace {
struct ConstantToArith : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ElementsAttr value = adaptor.getValue();
    auto type = cast<ShapedType>(toSignless(value.getType()));
    if (type != value.getType()) {
      // Unsigned constants keep their bits under the signless type.
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        value = dense.bitcast(type.getElementType());
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(type, resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unknown constant kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(value));
    return success();
  }
};

/// Reshape and Flatten with static shapes: a view of the same elements.
template <typename OpTy> struct ReshapeToViews : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (!resultType.hasStaticShape() || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(op, buildReshape(rewriter, op.getLoc(),
                                        adaptor.getInput(), resultType));
    return success();
  }
};

/// Reshape to a shape known only at run time: computes the target dims
/// with ONNX's rules (0 copies the input's dim unless allowzero, -1 takes
/// the remaining elements), checks them, and reshapes with tensor.reshape.
struct DynamicReshapeToTensor : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (resultType.hasStaticShape() && inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "static shapes");
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(rewriter, loc, i64,
                                       rewriter.getI64IntegerAttr(v));
    };
    auto inputDim = [&](int64_t d) -> Value {
      Value dim = tensor::DimOp::create(rewriter, loc, adaptor.getInput(), d);
      return arith::IndexCastOp::create(rewriter, loc, i64, dim);
    };
    Value zero = constant(0), one = constant(1), minusOne = constant(-1);
    Value numElements = one;
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      numElements =
          arith::MulIOp::create(rewriter, loc, numElements, inputDim(d));
    SmallVector<Value> dims;
    Value known = one;
    for (int64_t i = 0; i < resultType.getRank(); ++i) {
      Value index = arith::ConstantIndexOp::create(rewriter, loc, i);
      Value dim = tensor::ExtractOp::create(rewriter, loc, adaptor.getShape(),
                                            ValueRange{index});
      if (!adaptor.getAllowzero() && i < inputType.getRank()) {
        Value isZero = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, dim, zero);
        dim = arith::SelectOp::create(rewriter, loc, isZero, inputDim(i), dim);
      }
      Value isInferred = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, dim, minusOne);
      known = arith::MulIOp::create(
          rewriter, loc, known,
          arith::SelectOp::create(rewriter, loc, isInferred, one, dim));
      dims.push_back(dim);
    }
    // Guard the division: a zero-sized target infers 0.
    Value knownIsZero = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::eq, known, zero);
    Value divisor =
        arith::SelectOp::create(rewriter, loc, knownIsZero, one, known);
    Value inferred =
        arith::DivSIOp::create(rewriter, loc, numElements, divisor);
    // The target must hold the input's elements, in dims that are not
    // negative and agree with the result type's static ones: a view of
    // more elements would read past the input. Checked at run time; where
    // it fails, the dims known only at run time become 0.
    Value product = one, ok;
    auto conjoin = [&](Value c) {
      ok = ok ? arith::AndIOp::create(rewriter, loc, ok, c).getResult() : c;
    };
    for (auto [d, dim] : llvm::enumerate(dims)) {
      Value isInferred = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, dim, minusOne);
      dim = arith::SelectOp::create(rewriter, loc, isInferred, inferred, dim);
      product = arith::MulIOp::create(rewriter, loc, product, dim);
      conjoin(resultType.isDynamicDim(d)
                  ? arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::sge, dim, zero)
                  : arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::eq, dim,
                                          constant(resultType.getDimSize(d))));
    }
    conjoin(arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                  product, numElements));
    std::string message = "'" + nodeName(loc) +
                          "' reshapes to a shape that does not hold its "
                          "input's elements (Reshape's shape)";
    auto reshape = [&](OpBuilder &b, Location l) -> Value {
      Value shape = tensor::FromElementsOp::create(
          b, l, RankedTensorType::get({resultType.getRank()}, i64), dims);
      return tensor::ReshapeOp::create(b, l, resultType, adaptor.getInput(),
                                       shape);
    };
    if (resultType.hasStaticShape()) {
      // No dim to empty the view by: zeros where the check fails.
      rewriter.replaceOp(op, buildGuarded(rewriter, loc, ok, message,
                                          resultType, {}, reshape));
      return success();
    }
    buildRunCheck(rewriter, loc, ok, message);
    for (auto [d, dim] : llvm::enumerate(dims))
      if (resultType.isDynamicDim(d))
        dim = arith::SelectOp::create(rewriter, loc, ok, dim, zero);
    rewriter.replaceOp(op, reshape(rewriter, loc));
    return success();
  }
};

/// Flatten with dynamic dims: one collapse (plus a unit dim where `axis` is
/// 0 or the rank).
struct DynamicFlattenToTensor : OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    if (inputType.hasStaticShape() || inputType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "static shapes");
    int64_t rank = inputType.getRank(), axis = adaptor.getAxis();
    Location loc = op.getLoc();
    if (axis > 0 && axis < rank) {
      ReassociationIndices outer, inner;
      for (int64_t d = 0; d < rank; ++d)
        (d < axis ? outer : inner).push_back(d);
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, resultType, adaptor.getInput(),
          SmallVector<ReassociationIndices>{outer, inner});
      return success();
    }
    ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, adaptor.getInput(), ArrayRef<ReassociationIndices>{all});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, flat, SmallVector<ReassociationIndices>{{0, 1}});
    return success();
  }
};

struct TransposeToLinalg : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    SmallVector<Value> dynamicSizes;
    for (auto [i, p] : llvm::enumerate(adaptor.getPerm()))
      if (resultType.isDynamicDim(i))
        dynamicSizes.push_back(tensor::DimOp::create(rewriter, op.getLoc(),
                                                     adaptor.getInput(), p));
    Value init = buildEmpty(rewriter, op.getLoc(), resultType, dynamicSizes);
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, adaptor.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};
/// An ONNX gather index as an in-range index: negative counts from the end,
/// then clamped into [0, extent) so that a bad index (which fails the run:
/// buildIndexRangeCheck) cannot read outside the data.
static Value buildGatherIndex(OpBuilder &b, Location l, Value raw,
                              Value extent) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value negative =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, l, negative,
                              arith::AddIOp::create(b, l, i, extent), i);
  Value last = arith::SubIOp::create(b, l, extent,
                                     arith::ConstantIndexOp::create(b, l, 1));
  return arith::MaxSIOp::create(b, l, zero,
                                arith::MinSIOp::create(b, l, i, last));
}

struct ConcatToTensor : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t axis = adaptor.getAxis(), rank = resultType.getRank();
    // Dynamic result dims: the first input's, or the sum along the axis.
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      if (d != axis) {
        dynamicSizes.push_back(tensor::DimOp::create(
            rewriter, loc, adaptor.getInputs().front(), d));
        continue;
      }
      Value total = arith::ConstantIndexOp::create(rewriter, loc, 0);
      for (Value in : adaptor.getInputs())
        total = arith::AddIOp::create(
            rewriter, loc, total, tensor::DimOp::create(rewriter, loc, in, d));
      dynamicSizes.push_back(total);
    }
    // The other dims known only at run time must agree (an insert of a
    // larger input would write past the result): checked at run time, and
    // where they do not, the run fails with zeros instead of the inserts.
    Value agree;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      for (Value in : adaptor.getInputs()) {
        if (!cast<RankedTensorType>(in.getType()).isDynamicDim(d))
          continue;
        Value expected =
            resultType.isDynamicDim(d)
                ? tensor::DimOp::create(rewriter, loc,
                                        adaptor.getInputs().front(), d)
                      .getResult()
                : arith::ConstantIndexOp::create(rewriter, loc,
                                                 resultType.getDimSize(d))
                      .getResult();
        Value same = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq,
            tensor::DimOp::create(rewriter, loc, in, d), expected);
        agree =
            agree ? arith::AndIOp::create(rewriter, loc, agree, same) : same;
      }
    }
    auto concatenate = [&](OpBuilder &b, Location l) -> Value {
      Value result = buildEmpty(b, l, resultType, dynamicSizes);
      OpFoldResult offset = b.getIndexAttr(0);
      for (Value in : adaptor.getInputs()) {
        // Empty inputs add nothing (and their offset may be past the end).
        if (cast<RankedTensorType>(in.getType()).getDimSize(axis) == 0)
          continue;
        SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
        offsets[axis] = offset;
        SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, l, in);
        SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
        result = tensor::InsertSliceOp::create(b, l, in, result, offsets, sizes,
                                               strides);
        // offset += size along the axis.
        std::optional<int64_t> o = getConstantIntValue(offset);
        std::optional<int64_t> n = getConstantIntValue(sizes[axis]);
        if (o && n) {
          offset = b.getIndexAttr(*o + *n);
        } else {
          auto asValue = [&](OpFoldResult f) -> Value {
            if (auto v = dyn_cast<Value>(f))
              return v;
            return arith::ConstantIndexOp::create(b, l,
                                                  *getConstantIntValue(f));
          };
          offset =
              arith::AddIOp::create(b, l, asValue(offset), asValue(sizes[axis]))
                  .getResult();
        }
      }
      return result;
    };
    Value result = buildGuarded(
        rewriter, loc, agree,
        "inputs of '" + nodeName(loc) +
            "' disagree on a dim known only at run time (Concat's dims "
            "other than the axis)",
        resultType, dynamicSizes, concatenate);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SqueezeToTensor : OpConversionPattern<SqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (Value axes = adaptor.getAxesInput()) {
      // Axes known at run time: a reshape to the other dims.
      SmallVector<Value> flags =
          runtimeAxisFlags(rewriter, op.getLoc(), axes, inputType.getRank());
      rewriter.replaceOp(op,
                         dropRuntimeUnitDims(
                             rewriter, op.getLoc(), adaptor.getInput(), flags,
                             cast<RankedTensorType>(toSignless(op.getType()))));
      return success();
    }
    // Squeezed dims known only at run time must be 1: checked, then the
    // input is cast to its static unit dims (the view the collapse makes
    // reads no further than the input holds, whatever the dims).
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    SmallVector<int64_t> shape(inputType.getShape());
    Value units;
    for (int64_t axis : adaptor.getAxes()) {
      if (!inputType.isDynamicDim(axis))
        continue;
      shape[axis] = 1;
      Value unit = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq,
          tensor::DimOp::create(rewriter, loc, input, axis),
          arith::ConstantIndexOp::create(rewriter, loc, 1));
      units = units ? arith::AndIOp::create(rewriter, loc, units, unit) : unit;
    }
    if (units) {
      buildRunCheck(rewriter, loc, units,
                    "'" + nodeName(loc) +
                        "' squeezes a dim that is not 1 (Squeeze's axes)");
      input =
          tensor::CastOp::create(rewriter, loc, inputType.clone(shape), input);
    }
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, toSignless(op.getType()), input,
        unitDimGroups(inputType.getRank(), adaptor.getAxes()));
    return success();
  }
};

/// Unsqueeze at axes known at run time: result dim p is 1 where the axes
/// (of the result's rank) name p, else the next input dim; a reshape.
static Value insertRuntimeUnitDims(OpBuilder &b, Location loc, Value input,
                                   Value axes, RankedTensorType type) {
  int64_t rank = type.getRank();
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<Value> flags = runtimeAxisFlags(b, loc, axes, rank);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> inputDims;
  for (int64_t d = 0; d < inputType.getRank(); ++d)
    inputDims.push_back(tensor::DimOp::create(b, loc, input, d));
  SmallVector<Value> dims;
  Value next = zero; // The input dim the next result dim takes.
  for (int64_t p = 0; p < rank; ++p) {
    Value size = one;
    for (auto [k, dim] : llvm::enumerate(inputDims)) {
      Value here =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, next,
                                arith::ConstantIndexOp::create(b, loc, k));
      size = arith::SelectOp::create(b, loc, here, dim, size);
    }
    dims.push_back(arith::SelectOp::create(b, loc, flags[p], one, size));
    next = arith::AddIOp::create(
        b, loc, next, arith::SelectOp::create(b, loc, flags[p], zero, one));
  }
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({rank}, b.getIndexType()), dims);
  return tensor::ReshapeOp::create(b, loc, type, input, shape);
}

struct UnsqueezeToTensor : OpConversionPattern<UnsqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnsqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    if (Value axes = adaptor.getAxesInput()) {
      rewriter.replaceOp(op, insertRuntimeUnitDims(rewriter, op.getLoc(),
                                                   adaptor.getInput(), axes,
                                                   resultType));
      return success();
    }
    SmallVector<OpFoldResult> inputSizes =
        tensor::getMixedSizes(rewriter, op.getLoc(), adaptor.getInput());
    SmallVector<OpFoldResult> outputShape;
    auto in = inputSizes.begin();
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      outputShape.push_back(llvm::is_contained(adaptor.getAxes(), d)
                                ? rewriter.getIndexAttr(1)
                                : *in++);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, adaptor.getInput(),
        unitDimGroups(resultType.getRank(), adaptor.getAxes()), outputShape);
    return success();
  }
};

/// Shape of a tensor with dynamic dims (static ones fold away earlier).
struct ShapeToTensor : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> dims;
    for (int64_t d = adaptor.getStart(); d < adaptor.getEnd(); ++d)
      dims.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(),
          tensor::DimOp::create(rewriter, loc, adaptor.getInput(), d)));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(
        op, toSignless(op.getType()), dims);
    return success();
  }
};

/// Gather: a generic over the result that reads the index and extracts the
/// element; negative indices count from the end. An index out of range
/// fails the run, and is clamped into range so that it cannot read outside
/// the data.
struct GatherToLinalg : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    auto dataType = cast<RankedTensorType>(data.getType());
    auto indexType = cast<RankedTensorType>(indices.getType());
    int64_t axis = adaptor.getAxis(), indexRank = indexType.getRank();
    int64_t rank = resultType.getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < indexRank; ++d)
      indexExprs.push_back(getAffineDimExpr(axis + d, ctx));
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      if (d < axis)
        dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, data, d));
      else if (d < axis + indexRank)
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, indices, d - axis));
      else
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, data, d - indexRank + 1));
    }
    Value extent = tensor::DimOp::create(rewriter, loc, data, axis);
    buildIndexRangeCheck(rewriter, loc, indices, extent);
    Value result = buildParallelGeneric(
        rewriter, loc, indices, {AffineMap::get(rank, 0, indexExprs, ctx)},
        resultType, dynamicSizes,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = buildGatherIndex(b, l, a[0], extent);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < dataType.getRank(); ++d) {
            if (d == axis)
              coords.push_back(i);
            else
              coords.push_back(linalg::IndexOp::create(
                  b, l, d < axis ? d : d - 1 + indexRank));
          }
          return tensor::ExtractOp::create(b, l, data, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Slice: each result element extracts input[start + index * step] (steps
/// may be negative).
struct SliceToLinalg : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic slice sizes");
    Value input = adaptor.getInput();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), {}, {}, resultType, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < resultType.getRank(); ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            Value step =
                arith::ConstantIndexOp::create(b, l, adaptor.getSteps()[d]);
            Value start =
                arith::ConstantIndexOp::create(b, l, adaptor.getStarts()[d]);
            coords.push_back(arith::AddIOp::create(
                b, l, start, arith::MulIOp::create(b, l, i, step)));
          }
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Slice with run-time starts, ends, axes or steps: each dim's start, step
/// and size computed with ONNX's clamping before one generic that reads
/// start + i * step.
struct DynamicSliceToLinalg : OpConversionPattern<DynamicSliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value input = adaptor.getInput();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t rank = resultType.getRank();
    int64_t n =
        cast<RankedTensorType>(adaptor.getStarts().getType()).getDimSize(0);
    Type i64 = b.getI64Type();
    Scalar s{b, loc};
    auto c = [&](int64_t v) { return s.constant(i64, v); };
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
      return arith::CmpIOp::create(b, loc, p, x, y);
    };
    auto extract = [&](Value t, int64_t k) -> Value {
      return tensor::ExtractOp::create(
          b, loc, t, ValueRange{arith::ConstantIndexOp::create(b, loc, k)});
    };
    SmallVector<Value> dims, starts, steps, sizes;
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(arith::IndexCastOp::create(
          b, loc, i64, tensor::DimOp::create(b, loc, input, d)));
      starts.push_back(c(0));
      steps.push_back(c(1));
      sizes.push_back(dims.back());
    }
    for (int64_t k = 0; k < n; ++k) {
      Value axis = adaptor.getAxes() ? extract(adaptor.getAxes(), k) : c(k);
      axis = s.select(cmp(arith::CmpIPredicate::slt, axis, c(0)),
                      s.add(axis, c(rank)), axis);
      Value start = extract(adaptor.getStarts(), k);
      Value end = extract(adaptor.getEnds(), k);
      Value step = adaptor.getSteps() ? extract(adaptor.getSteps(), k) : c(1);
      Value forward = cmp(arith::CmpIPredicate::sgt, step, c(0));
      for (int64_t d = 0; d < rank; ++d) {
        Value dim = dims[d];
        // Negative from the end, then into [0, dim] forward or
        // [-1, dim - 1] backward.
        auto clamp = [&](Value v) {
          v = s.select(cmp(arith::CmpIPredicate::slt, v, c(0)), s.add(v, dim),
                       v);
          Value lo = s.select(forward, c(0), c(-1));
          Value hi = s.select(forward, dim, s.sub(dim, c(1)));
          v = arith::MaxSIOp::create(b, loc, v, lo);
          return Value(arith::MinSIOp::create(b, loc, v, hi));
        };
        Value first = clamp(start), last = clamp(end);
        // ceil((last - first) / step), never negative.
        Value span = s.select(forward, s.sub(last, first), s.sub(first, last));
        Value stride = s.select(forward, step, s.sub(c(0), step));
        Value size = arith::MaxSIOp::create(
            b, loc, c(0), s.div(s.add(span, s.sub(stride, c(1))), stride));
        Value here = cmp(arith::CmpIPredicate::eq, axis, c(d));
        Value nonEmpty = cmp(arith::CmpIPredicate::sgt, size, c(0));
        starts[d] = s.select(here, s.select(nonEmpty, first, c(0)), starts[d]);
        steps[d] = s.select(here, step, steps[d]);
        sizes[d] = s.select(here, size, sizes[d]);
      }
    }
    SmallVector<Value> resultSizes;
    auto toIndex = [&](Value v) -> Value {
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    };
    for (int64_t d = 0; d < rank; ++d) {
      starts[d] = toIndex(starts[d]);
      steps[d] = toIndex(steps[d]);
      if (resultType.isDynamicDim(d))
        resultSizes.push_back(toIndex(sizes[d]));
    }
    Value result = buildParallelGeneric(
        b, loc, {}, {}, resultType, resultSizes,
        [&](OpBuilder &nb, Location l, ValueRange) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(nb, l, d);
            coords.push_back(arith::AddIOp::create(
                nb, l, starts[d], arith::MulIOp::create(nb, l, i, steps[d])));
          }
          return tensor::ExtractOp::create(nb, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Range with run-time bounds: the count ceil((limit - start) / delta)
/// (at least 0), then start + i * delta; 16-bit floats in f32.
struct RangeToLinalg : OpConversionPattern<RangeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    Type et = resultType.getElementType();
    bool isFloat = isa<FloatType>(et);
    Type ct =
        isFloat && et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    bool isUnsigned = isUnsignedElement(op.getStart().getType());
    Scalar s{rewriter, loc, isUnsigned};
    auto scalar = [&](Value v) {
      return s.convert(
          tensor::ExtractOp::create(rewriter, loc, v, ValueRange{}), ct);
    };
    Value start = scalar(adaptor.getStart()),
          limit = scalar(adaptor.getLimit()),
          delta = scalar(adaptor.getDelta());
    Value count;
    // A zero delta (an endless range) and counts a float cannot convert
    // (NaN, infinite, past 2^62) give 0 elements instead of a trap or a
    // poison value.
    if (isFloat) {
      Value steps = math::CeilOp::create(rewriter, loc,
                                         s.div(s.sub(limit, start), delta));
      Value zero = s.constant(steps.getType(), 0);
      Value inRange = arith::AndIOp::create(
          rewriter, loc,
          arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OGE, steps,
                                zero),
          arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OLT, steps,
                                s.constant(steps.getType(), 0x1p62)));
      count = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                      s.select(inRange, steps, zero));
    } else {
      Value span = s.sub(limit, start), divisor, byZero;
      s.guardDivisor(span, delta, divisor, byZero);
      count = s.convert(
          s.select(byZero, s.constant(span.getType(), 0),
                   arith::CeilDivSIOp::create(rewriter, loc, span, divisor)),
          rewriter.getI64Type());
    }
    count = arith::MaxSIOp::create(
        rewriter, loc, count,
        Scalar{rewriter, loc}.constant(rewriter.getI64Type(), 0));
    Value size = arith::IndexCastOp::create(rewriter, loc,
                                            rewriter.getIndexType(), count);
    Value result = buildParallelGeneric(
        rewriter, loc, {}, {}, resultType, {size},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Scalar bs{b, l, isUnsigned};
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 0));
          Value v = bs.add(start, bs.mul(bs.convert(i, ct), delta));
          return bs.convert(v, et);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandToLinalg : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (Value shape = adaptor.getShapeInput()) {
      // Result dim d: the shape's, where the input's is a static 1 or
      // missing; the input's otherwise.
      Location loc = op.getLoc();
      Value input = adaptor.getInput();
      auto inputType = cast<RankedTensorType>(input.getType());
      auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
      int64_t rank = resultType.getRank(), offset = rank - inputType.getRank();
      int64_t n = cast<RankedTensorType>(shape.getType()).getDimSize(0);
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t inDim = d - offset, shapeDim = d - (rank - n);
        if (inDim >= 0 && inputType.getDimSize(inDim) != 1) {
          sizes.push_back(tensor::DimOp::create(rewriter, loc, input, inDim));
          continue;
        }
        if (shapeDim < 0) { // Only the input has it: a static 1.
          sizes.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
          continue;
        }
        Value v =
            tensor::ExtractOp::create(rewriter, loc, shape,
                                      ValueRange{arith::ConstantIndexOp::create(
                                          rewriter, loc, shapeDim)});
        sizes.push_back(arith::IndexCastOp::create(rewriter, loc,
                                                   rewriter.getIndexType(), v));
      }
      rewriter.replaceOp(
          op, buildParallelGeneric(
                  rewriter, loc, input,
                  {getBroadcastMap(inputType, resultType)}, resultType, sizes,
                  [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
      return success();
    }
    rewriter.replaceOp(
        op, buildBroadcastElementwise(
                rewriter, op.getLoc(), adaptor.getInput(),
                cast<RankedTensorType>(toSignless(op.getType())),
                [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
    return success();
  }
};

/// Tile: a copy through the map d -> d mod size.
struct TileToLinalg : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    if (!inputType.hasStaticShape())
      return op.emitOpError("cannot be lowered yet: dynamic input dims");
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < inputType.getRank(); ++d) {
      int64_t size = inputType.getDimSize(d);
      exprs.push_back(size == 0 ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(d, ctx) % size);
    }
    // Repeats known at run time: each result dim is input dim * repeat.
    SmallVector<Value> sizes;
    if (Value repeats = adaptor.getRepeatsInput()) {
      Location loc = op.getLoc();
      for (int64_t d = 0; d < inputType.getRank(); ++d) {
        Value r = tensor::ExtractOp::create(
            rewriter, loc, repeats,
            ValueRange{arith::ConstantIndexOp::create(rewriter, loc, d)});
        sizes.push_back(arith::MulIOp::create(
            rewriter, loc,
            arith::ConstantIndexOp::create(rewriter, loc,
                                           inputType.getDimSize(d)),
            arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                       r)));
      }
    }
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), adaptor.getInput(),
        {AffineMap::get(inputType.getRank(), 0, exprs, ctx)}, resultType, sizes,
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};
/// Pad: each result element reads the source index its mode gives
/// (clamped for edge, mirrored for reflect, modulo for wrap) or the
/// constant value outside the input.
struct PadToLinalg : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t rank = inputType.getRank();
    StringRef mode = adaptor.getMode();
    Value padValue = adaptor.getValue();
    OpBuilder &rb = rewriter;
    auto c = [&](OpBuilder &b, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, l, v);
    };

    // Extents and pads per dim, as index values (constants where known).
    SmallVector<Value> sizes, begins, ends;
    SmallVector<int64_t> runtimeAxes;
    if (Value padsInput = adaptor.getPadsInput())
      runtimeAxes = adaptor.getAxes()
                        ? SmallVector<int64_t>(*adaptor.getAxes())
                        : llvm::to_vector(llvm::seq<int64_t>(0, rank));
    auto readPad = [&](int64_t i) -> Value {
      Value v = tensor::ExtractOp::create(rb, loc, adaptor.getPadsInput(),
                                          c(rb, loc, i));
      return arith::IndexCastOp::create(rb, loc, rb.getIndexType(), v);
    };
    for (int64_t d = 0; d < rank; ++d) {
      sizes.push_back(rb.createOrFold<tensor::DimOp>(loc, input, d));
      auto it = llvm::find(runtimeAxes, d);
      if (it != runtimeAxes.end()) {
        int64_t i = it - runtimeAxes.begin();
        begins.push_back(readPad(i));
        ends.push_back(readPad(i + runtimeAxes.size()));
      } else {
        begins.push_back(c(rb, loc, adaptor.getPads()[d]));
        ends.push_back(c(rb, loc, adaptor.getPads()[d + rank]));
      }
    }
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (resultType.isDynamicDim(d))
        dynamicSizes.push_back(rb.createOrFold<arith::AddIOp>(
            loc, sizes[d],
            rb.createOrFold<arith::AddIOp>(loc, begins[d], ends[d])));
    // An input that may be empty is read only where it has elements.
    Value nonEmpty;
    if (!inputType.hasStaticShape()) {
      for (Value size : sizes) {
        Value positive = arith::CmpIOp::create(
            rb, loc, arith::CmpIPredicate::sgt, size, c(rb, loc, 0));
        nonEmpty = nonEmpty ? arith::AndIOp::create(rb, loc, nonEmpty, positive)
                            : positive;
      }
    }

    Value result = buildParallelGeneric(
        rewriter, loc, {}, {}, resultType, dynamicSizes,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          auto positiveMod = [&](Value v, Value n) -> Value {
            n = arith::MaxSIOp::create(b, l, n, c(b, l, 1));
            Value r = arith::RemSIOp::create(b, l, v, n);
            return arith::RemSIOp::create(b, l,
                                          arith::AddIOp::create(b, l, r, n), n);
          };
          Value inside = nonEmpty;
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value n = sizes[d];
            Value i = arith::SubIOp::create(
                b, l, linalg::IndexOp::create(b, l, d), begins[d]);
            if (mode == "wrap") {
              i = positiveMod(i, n);
            } else if (mode == "reflect") {
              // Period 2 (n - 1); a dim of one element reflects onto itself.
              Value period = arith::MulIOp::create(
                  b, l, arith::SubIOp::create(b, l, n, c(b, l, 1)), c(b, l, 2));
              Value m = positiveMod(i, period);
              Value below =
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, m, n);
              Value mirrored = arith::SubIOp::create(
                  b, l, arith::MaxSIOp::create(b, l, period, c(b, l, 1)), m);
              i = arith::SelectOp::create(b, l, below, m, mirrored);
            } else {
              if (mode == "constant") {
                Value ge = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::sge, i, c(b, l, 0));
                Value lt = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::slt, i, n);
                Value in = arith::AndIOp::create(b, l, ge, lt);
                inside = inside ? arith::AndIOp::create(b, l, inside, in) : in;
              }
              // Clamped: the edge value, or a safe read for constant mode.
              Value last = arith::MaxSIOp::create(
                  b, l, arith::SubIOp::create(b, l, n, c(b, l, 1)), c(b, l, 0));
              i = arith::MaxSIOp::create(b, l, c(b, l, 0),
                                         arith::MinSIOp::create(b, l, i, last));
            }
            coords.push_back(i);
          }
          Type et = resultType.getElementType();
          auto fill = [&](OpBuilder &fb, Location fl) -> Value {
            return padValue ? Value(tensor::ExtractOp::create(fb, fl, padValue))
                            : buildZero(fb, fl, et);
          };
          if (inputType.hasStaticShape() && inputType.getNumElements() == 0)
            return fill(b, l);
          if (!inside)
            return tensor::ExtractOp::create(b, l, input, coords);
          if (!nonEmpty) {
            Value v = tensor::ExtractOp::create(b, l, input, coords);
            return arith::SelectOp::create(b, l, inside, v, fill(b, l));
          }
          // Read only inside a non-empty input (an empty one has no
          // element to clamp onto).
          return scf::IfOp::create(
                     b, l, inside,
                     [&](OpBuilder &nb, Location nl) {
                       scf::YieldOp::create(
                           nb, nl,
                           tensor::ExtractOp::create(nb, nl, input, coords)
                               .getResult());
                     },
                     [&](OpBuilder &nb, Location nl) {
                       scf::YieldOp::create(nb, nl, fill(nb, nl));
                     })
              .getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// GatherElements: each result element extracts data at its own index with
/// dim `axis` from indices (negative from the end, clamped into range).
struct GatherElementsToLinalg : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t rank = resultType.getRank(), axis = adaptor.getAxis();
    Value extent = tensor::DimOp::create(rewriter, loc, data, axis);
    buildIndexRangeCheck(rewriter, loc, indices, extent);
    Value result = buildParallelGeneric(
        rewriter, loc, indices, {rewriter.getMultiDimIdentityMap(rank)},
        resultType, buildDynamicDims(rewriter, loc, indices),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = buildGatherIndex(b, l, a[0], extent);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(d == axis ? i : linalg::IndexOp::create(b, l, d));
          return tensor::ExtractOp::create(b, l, data, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
/// The cubic convolution kernel with coefficient `a` at distance `dist`
/// (f64, >= 0): (a+2)d^3 - (a+3)d^2 + 1 to 1, a d^3 - 5a d^2 + 8a d - 4a
/// to 2, then 0.
static Value cubicWeight(OpBuilder &b, Location l, Value dist, double a) {
  Type f64 = b.getF64Type();
  auto cst = [&](double v) -> Value {
    return arith::ConstantOp::create(b, l, f64, b.getF64FloatAttr(v));
  };
  auto m = [&](Value v, double c) -> Value {
    return arith::MulFOp::create(b, l, v, cst(c));
  };
  auto plus = [&](Value p, Value q) -> Value {
    return arith::AddFOp::create(b, l, p, q);
  };
  Value d1 = dist, d2 = arith::MulFOp::create(b, l, d1, d1);
  Value d3 = arith::MulFOp::create(b, l, d2, d1);
  Value inner = plus(plus(m(d3, a + 2), m(d2, -(a + 3))), cst(1));
  Value outer =
      plus(plus(plus(m(d3, a), m(d2, -5 * a)), m(d1, 8 * a)), cst(-4 * a));
  Value near =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, d1, cst(1));
  Value far =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, d1, cst(2));
  return arith::SelectOp::create(
      b, l, far, cst(0), arith::SelectOp::create(b, l, near, inner, outer));
}

/// Resize: each output element maps back to a source coordinate per dim
/// (x_original = a * x_resized + b, with a and b known at compile time) and
/// samples it: the nearest element, or the 2 (linear) or 4 (cubic) nearest
/// along each resized dim, weighted; indices clamp to the edges.
struct ResizeToLinalg : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t rank = inputType.getRank();
    StringRef mode = adaptor.getMode(), coords = adaptor.getCoordinateMode(),
              nearest = adaptor.getNearestMode();
    bool crop = coords == "tf_crop_and_resize";
    Location loc = op.getLoc();
    OpBuilder &rb = rewriter;
    Type f64 = rb.getF64Type(), f32 = rb.getF32Type();
    Scalar s{rb, loc};

    // Per dim: the scale, the output size and the roi, as f64 values;
    // constants unless the axes' scales, sizes or roi come at run time.
    ArrayRef<int64_t> axes = adaptor.getAxes();
    Value scalesIn = adaptor.getScalesInput(),
          sizesIn = adaptor.getSizesInput(), roiIn = adaptor.getRoiInput();
    // Entries known only at run time in number: checked, and where there
    // are not as many as the axes, ones are read instead.
    auto counted = [&](Value t, int64_t n, StringRef what) -> Value {
      auto type = cast<RankedTensorType>(t.getType());
      if (!type.isDynamicDim(0))
        return t;
      Value ok =
          arith::CmpIOp::create(rb, loc, arith::CmpIPredicate::eq,
                                tensor::DimOp::create(rb, loc, t, 0),
                                arith::ConstantIndexOp::create(rb, loc, n));
      buildRunCheck(rb, loc, ok,
                    ("'" + nodeName(loc) + "' has " + what +
                     " of another count than its axes")
                        .str());
      auto fixed = type.clone({n});
      Value ones = arith::ConstantOp::create(
          rb, loc, fixed,
          DenseElementsAttr::get(fixed, rb.getOneAttr(type.getElementType())));
      return arith::SelectOp::create(
          rb, loc, ok, tensor::CastOp::create(rb, loc, fixed, t), ones);
    };
    int64_t numAxes = adaptor.getAxes().size();
    if (scalesIn)
      scalesIn = counted(scalesIn, numAxes, "scales");
    if (sizesIn)
      sizesIn = counted(sizesIn, numAxes, "sizes");
    if (roiIn)
      roiIn = counted(roiIn, 2 * numAxes, "a roi");
    SmallVector<Value> scale(rank), outSize(rank), start(rank), end(rank);
    SmallVector<Value> dynamicSizes(rank), inSize(rank);
    for (int64_t d = 0; d < rank; ++d) {
      // Input dims known only at run time are read (f64, as the rest).
      inSize[d] = inputType.isDynamicDim(d)
                      ? s.convert(arith::IndexCastOp::create(
                                      rb, loc, rb.getI64Type(),
                                      tensor::DimOp::create(rb, loc, input, d)),
                                  f64)
                      : s.constant(f64, inputType.getDimSize(d));
      scale[d] = s.constant(f64, adaptor.getScales()[d]);
      if (!resultType.isDynamicDim(d))
        outSize[d] = s.constant(f64, resultType.getDimSize(d));
      else if (!llvm::is_contained(adaptor.getAxes(), d))
        // A scale known at compile time of a dim known at run time.
        outSize[d] = math::FloorOp::create(rb, loc, s.mul(scale[d], inSize[d]));
      if (crop) {
        start[d] = s.constant(f64, adaptor.getRoi()[d]);
        end[d] = s.constant(f64, adaptor.getRoi()[d + rank]);
      }
    }
    auto extract = [&](Value t, int64_t i) -> Value {
      return tensor::ExtractOp::create(
          rb, loc, t, ValueRange{arith::ConstantIndexOp::create(rb, loc, i)});
    };
    auto sizeF32 = [&](int64_t d) { return s.convert(inSize[d], f32); };
    auto toIndexValue = [&](Value f) -> Value {
      return arith::IndexCastOp::create(
          rb, loc, rb.getIndexType(),
          arith::FPToSIOp::create(rb, loc, rb.getI64Type(), f));
    };
    // not_larger / not_smaller: one f32 scale for every resized dim.
    Value commonScale;
    if (sizesIn && adaptor.getAspectPolicy() != "stretch")
      for (auto [i, d] : llvm::enumerate(axes)) {
        Value ratio = s.div(s.convert(extract(sizesIn, i), f32), sizeF32(d));
        commonScale = !commonScale ? ratio
                      : adaptor.getAspectPolicy() == "not_larger"
                          ? s.min(commonScale, ratio)
                          : s.max(commonScale, ratio);
      }
    for (auto [i, d] : llvm::enumerate(axes)) {
      if (scalesIn) {
        // floor(input size * scale), in f64 as ONNX's reference computes.
        scale[d] = s.convert(extract(scalesIn, i), f64);
        outSize[d] = math::FloorOp::create(rb, loc, s.mul(scale[d], inSize[d]));
      } else if (sizesIn && !commonScale) {
        Value size = s.convert(extract(sizesIn, i), f32);
        scale[d] = s.convert(s.div(size, sizeF32(d)), f64);
        outSize[d] = s.convert(size, f64);
      } else if (sizesIn) {
        scale[d] = s.convert(commonScale, f64);
        outSize[d] = s.convert(
            math::RoundEvenOp::create(rb, loc, s.mul(commonScale, sizeF32(d))),
            f64);
      }
      if (roiIn) {
        start[d] = s.convert(extract(roiIn, i), f64);
        end[d] = s.convert(extract(roiIn, i + axes.size()), f64);
      }
    }
    for (int64_t d = 0; d < rank; ++d)
      if (resultType.isDynamicDim(d))
        dynamicSizes[d] = toIndexValue(outSize[d]);

    // The affine map from output to source coordinates, per dim:
    // source = a * output + b.
    // `last` is the last index of the input along the dim (f64).
    struct Dim {
      bool resized;
      Value a, b;
      Value last;
    };
    SmallVector<Dim> dims;
    for (int64_t d = 0; d < rank; ++d) {
      bool runtime = llvm::is_contained(adaptor.getAxes(), d);
      bool resized = runtime || crop ||
                     inputType.getDimSize(d) != resultType.getDimSize(d) ||
                     adaptor.getScales()[d] != 1.0f;
      Value sd = scale[d], out = outSize[d], inF = inSize[d];
      Value one = s.constant(f64, 1), zero = s.constant(f64, 0);
      Value half = s.constant(f64, 0.5);
      Dim dim{resized, s.div(one, sd), zero, s.sub(inF, one)};
      Value halfPixel = s.sub(s.div(half, sd), half);
      auto above = [&](Value v, Value bound) {
        return s.compare(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                         v, bound);
      };
      if (coords == "half_pixel") {
        dim.b = halfPixel;
      } else if (coords == "tf_half_pixel_for_nn") {
        dim.b = s.div(half, sd);
      } else if (coords == "half_pixel_symmetric") {
        Value adjustment = s.div(out, s.mul(sd, inF));
        Value offset =
            s.mul(s.div(inF, s.constant(f64, 2)), s.sub(one, adjustment));
        dim.b = s.add(offset, halfPixel);
      } else if (coords == "pytorch_half_pixel") {
        Value big = above(out, one);
        dim.b = s.select(big, halfPixel, zero);
        dim.a = s.select(big, dim.a, zero);
      } else if (coords == "align_corners") {
        // ONNX divides by the unrounded output length, scale * input.
        Value length = s.mul(sd, inF);
        dim.a = s.select(above(length, one),
                         s.div(s.sub(inF, one), s.sub(length, one)), zero);
      } else if (crop) {
        Value big = above(out, one);
        Value last = s.sub(inF, one);
        dim.a = s.select(
            big, s.div(s.mul(s.sub(end[d], start[d]), last), s.sub(out, one)),
            zero);
        dim.b = s.select(big, s.mul(start[d], last),
                         s.mul(s.mul(half, s.add(start[d], end[d])), last));
      }
      dims.push_back(dim);
    }
    SmallVector<Value> resultSizes;
    for (Value v : dynamicSizes)
      if (v)
        resultSizes.push_back(v);
    double cubicA = adaptor.getCubicCoeffA().convertToFloat();
    bool excludeOutside = adaptor.getExcludeOutside();
    float extrapolation = adaptor.getExtrapolationValue().convertToFloat();
    // Antialiasing: per resized dim, the filter's scale min(scale, 1), its
    // first tap (floor(-support / scale) + 1, support 1 for linear and 2
    // for cubic) and its number of taps (2 - 2 first), as ONNX defines them.
    bool antialias = adaptor.getAntialias() && mode != "nearest";
    SmallVector<Value> filterScale(rank), firstTap(rank), numTaps(rank);
    if (antialias) {
      double support = mode == "cubic" ? 2 : 1;
      for (int64_t d = 0; d < rank; ++d) {
        if (!dims[d].resized)
          continue;
        filterScale[d] = s.min(scale[d], s.constant(f64, 1));
        Value first = s.add(
            math::FloorOp::create(
                rb, loc, s.div(s.constant(f64, -support), filterScale[d])),
            s.constant(f64, 1));
        firstTap[d] = first;
        numTaps[d] = toIndexValue(
            s.sub(s.constant(f64, 2), s.mul(s.constant(f64, 2), first)));
      }
    }

    // The antialiased sum at source coordinates `sources` (per resized
    // dim; other dims read `taps`' one index): a loop over each resized
    // dim's taps, x's base = ceil(x) - 1 (the ratio x - base in (0, 1]) plus
    // firstTap + j, weighted by the kernel at (firstTap + j - ratio) *
    // filterScale, summed and divided by the weights' sum.
    auto sumAntialiased =
        [&](OpBuilder &b, Location l,
            ArrayRef<SmallVector<std::pair<Value, Value>>> taps,
            ArrayRef<Value> sources) -> Value {
      Scalar bs{b, l};
      auto cst = [&](double v) { return bs.constant(f64, v); };
      Value zero = arith::ConstantIndexOp::create(b, l, 0);
      Value one = arith::ConstantIndexOp::create(b, l, 1);
      std::function<std::pair<Value, Value>(OpBuilder &, Location, int64_t,
                                            SmallVector<Value>, Value)>
          nest = [&](OpBuilder &nb, Location nl, int64_t d,
                     SmallVector<Value> coords,
                     Value weight) -> std::pair<Value, Value> {
        Scalar ns{nb, nl};
        if (d == rank) {
          Value v = tensor::ExtractOp::create(nb, nl, input, coords);
          if (v.getType() != f64)
            v = arith::ExtFOp::create(nb, nl, f64, v);
          return {ns.mul(v, weight), weight};
        }
        if (!sources[d]) {
          coords.push_back(taps[d].front().first);
          return nest(nb, nl, d + 1, coords, weight);
        }
        Value x = sources[d];
        Value base =
            ns.sub(math::CeilOp::create(nb, nl, x), ns.constant(f64, 1));
        Value ratio = ns.sub(x, base);
        auto loop = scf::ForOp::create(
            nb, nl, zero, numTaps[d], one,
            ValueRange{ns.constant(f64, 0), ns.constant(f64, 0)},
            [&](OpBuilder &lb, Location ll, Value j, ValueRange sums) {
              Scalar ls{lb, ll};
              Value offset = ls.add(firstTap[d],
                                    ls.convert(arith::IndexCastOp::create(
                                                   lb, ll, lb.getI64Type(), j),
                                               f64));
              Value at = ls.add(base, offset);
              Value arg = math::AbsFOp::create(
                  lb, ll, ls.mul(ls.sub(offset, ratio), filterScale[d]));
              Value w = mode == "cubic"
                            ? cubicWeight(lb, ll, arg, cubicA)
                            : ls.max(ls.sub(ls.constant(f64, 1), arg),
                                     ls.constant(f64, 0));
              Value last = dims[d].last;
              if (excludeOutside) {
                Value inside = arith::AndIOp::create(
                    lb, ll,
                    arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OGE, at,
                                          ls.constant(f64, 0)),
                    arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OLE, at,
                                          last));
                w = ls.select(inside, w, ls.constant(f64, 0));
              }
              Value clamped = ls.min(ls.max(at, ls.constant(f64, 0)), last);
              SmallVector<Value> next = coords;
              next.push_back(arith::IndexCastOp::create(
                  lb, ll, lb.getIndexType(),
                  arith::FPToSIOp::create(lb, ll, lb.getI64Type(), clamped)));
              auto [value, total] =
                  nest(lb, ll, d + 1, next, ls.mul(weight, w));
              scf::YieldOp::create(
                  lb, ll,
                  ValueRange{ls.add(sums[0], value), ls.add(sums[1], total)});
            });
        return {loop.getResult(0), loop.getResult(1)};
      };
      auto [value, total] = nest(b, l, 0, {}, cst(1));
      return bs.div(value, total);
    };

    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), {}, {}, resultType, resultSizes,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type et = resultType.getElementType();
          auto cst = [&](double v) -> Value {
            return arith::ConstantOp::create(b, l, f64, b.getF64FloatAttr(v));
          };
          auto toIndex = [&](Value v) -> Value {
            Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), v);
            return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
          };
          auto clampIndex = [&](Value v, Value last) -> Value {
            // v is f64: clamp into [0, last] before converting.
            v = arith::MaximumFOp::create(b, l, v, cst(0));
            v = arith::MinimumFOp::create(b, l, v, last);
            return toIndex(v);
          };
          // Per dim: the taps (index, weight) to combine; with
          // antialiasing, the source coordinate.
          SmallVector<SmallVector<std::pair<Value, Value>>> taps(rank);
          SmallVector<Value> sources(rank);
          Value outside;
          for (int64_t d = 0; d < rank; ++d) {
            Value index = linalg::IndexOp::create(b, l, d);
            if (!dims[d].resized) {
              taps[d].push_back({index, Value()});
              continue;
            }
            Value x = arith::SIToFPOp::create(
                b, l, f64,
                arith::IndexCastOp::create(b, l, b.getI64Type(), index));
            x = arith::AddFOp::create(
                b, l, arith::MulFOp::create(b, l, x, dims[d].a), dims[d].b);
            Value last = dims[d].last;
            if (crop) {
              Value lo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                               x, cst(0));
              Value hi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                               x, last);
              Value out = arith::OrIOp::create(b, l, lo, hi);
              outside =
                  outside ? arith::OrIOp::create(b, l, outside, out) : out;
            }
            if (antialias) {
              sources[d] = x;
              continue;
            }
            if (mode == "nearest") {
              Value r;
              if (nearest == "round_prefer_floor")
                r = math::CeilOp::create(
                    b, l, arith::SubFOp::create(b, l, x, cst(0.5)));
              else if (nearest == "round_prefer_ceil")
                r = math::FloorOp::create(
                    b, l, arith::AddFOp::create(b, l, x, cst(0.5)));
              else if (nearest == "floor")
                r = math::FloorOp::create(b, l, x);
              else
                r = math::CeilOp::create(b, l, x);
              taps[d].push_back({clampIndex(r, last), Value()});
              continue;
            }
            Value x0 = math::FloorOp::create(b, l, x);
            Value t = arith::SubFOp::create(b, l, x, x0);
            SmallVector<std::pair<int64_t, Value>> offsets;
            if (mode == "linear") {
              offsets = {{0, arith::SubFOp::create(b, l, cst(1), t)}, {1, t}};
            } else {
              // Cubic convolution weights for the taps at -1, 0, 1, 2.
              for (int64_t o = -1; o <= 2; ++o) {
                Value dist = math::AbsFOp::create(
                    b, l, arith::SubFOp::create(b, l, cst(o), t));
                offsets.push_back({o, cubicWeight(b, l, dist, cubicA)});
              }
            }
            SmallVector<std::pair<Value, Value>> dimTaps;
            Value total;
            for (auto [o, w] : offsets) {
              Value at = arith::AddFOp::create(b, l, x0, cst(o));
              if (excludeOutside && mode == "cubic") {
                Value lo = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OGE, at, cst(0));
                Value hi = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OLE, at, last);
                w = arith::SelectOp::create(
                    b, l, arith::AndIOp::create(b, l, lo, hi), w, cst(0));
              }
              total = total ? arith::AddFOp::create(b, l, total, w) : w;
              dimTaps.push_back({clampIndex(at, last), w});
            }
            if (excludeOutside && mode == "cubic")
              for (auto &tap : dimTaps)
                tap.second = arith::DivFOp::create(b, l, tap.second, total);
            taps[d] = dimTaps;
          }
          // Sum over every combination of taps.
          Value acc;
          SmallVector<size_t> choice(rank, 0);
          while (!antialias) {
            SmallVector<Value> coordsAt;
            Value w;
            for (int64_t d = 0; d < rank; ++d) {
              auto [index, weight] = taps[d][choice[d]];
              coordsAt.push_back(index);
              if (weight)
                w = w ? arith::MulFOp::create(b, l, w, weight) : weight;
            }
            Value v = tensor::ExtractOp::create(b, l, input, coordsAt);
            Value term = v.getType() == f64
                             ? v
                             : Value(arith::ExtFOp::create(b, l, f64, v));
            if (w)
              term = arith::MulFOp::create(b, l, term, w);
            acc = acc ? arith::AddFOp::create(b, l, acc, term) : term;
            int64_t d = rank - 1;
            for (; d >= 0; --d) {
              if (++choice[d] < taps[d].size())
                break;
              choice[d] = 0;
            }
            if (d < 0)
              break;
          }
          if (antialias)
            acc = sumAntialiased(b, l, taps, sources);
          if (outside)
            acc =
                arith::SelectOp::create(b, l, outside, cst(extrapolation), acc);
          return acc.getType() == et
                     ? acc
                     : Value(arith::TruncFOp::create(b, l, et, acc));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

namespace {
/// The tensor.cast that joins If branches of different static shapes, with
/// unsigned element types made signless like everything around it.
struct TensorCastTypes : OpConversionPattern<tensor::CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tensor::CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, toSignless(op.getType()),
                                                adaptor.getSource());
    return success();
  }
};
} // namespace

void mlir::aic::populateShapeToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns
      .add<ConstantToArith, ReshapeToViews<ReshapeOp>, DynamicReshapeToTensor,
           ReshapeToViews<FlattenOp>, TransposeToLinalg, DynamicFlattenToTensor,
           ConcatToTensor, SqueezeToTensor, UnsqueezeToTensor, ShapeToTensor,
           GatherToLinalg, SliceToLinalg, DynamicSliceToLinalg, RangeToLinalg,
           ExpandToLinalg, TileToLinalg, PadToLinalg, GatherElementsToLinalg,
           ResizeToLinalg, TensorCastTypes>(converter, patterns.getContext());
}
