//===- QuantizationToLinalg.cpp - aic.quantize/dequantize to linalg -------===//
//
// Each becomes one elementwise linalg.generic that reads the scale and zero
// point through a map picking the value of the element's tensor, axis
// position (d_axis) or block (d_axis floordiv block_size).
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/AicToLinalg/Scalar.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::aic;

/// The map from the loops of `input` to its scale's element.
static AffineMap scaleMap(RankedTensorType input, RankedTensorType scale,
                          int64_t axis, int64_t blockSize) {
  MLIRContext *ctx = input.getContext();
  int64_t rank = input.getRank();
  if (scale.getRank() == 0)
    return AffineMap::get(rank, 0, {}, ctx);
  if (blockSize <= 0)
    return AffineMap::get(rank, 0, {getAffineDimExpr(axis, ctx)}, ctx);
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(d == axis ? getAffineDimExpr(d, ctx).floorDiv(blockSize)
                              : getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// The type quantized values are computed in: f64 for f64 inputs, else f32.
static Type computeType(OpBuilder &b, Type inputElement) {
  return inputElement.isF64() ? inputElement : b.getF32Type();
}

namespace {
/// Builds the generic over `op`'s input with its scale and zero point.
template <typename OpTy>
Value buildQuantizationGeneric(
    ConversionPatternRewriter &rewriter, OpTy op,
    typename OpTy::Adaptor adaptor,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
  AffineMap params =
      scaleMap(inputType, cast<RankedTensorType>(adaptor.getScale().getType()),
               op.getAxis(), op.getBlockSize());
  SmallVector<Value> inputs = {adaptor.getInput(), adaptor.getScale()};
  SmallVector<AffineMap> maps = {
      rewriter.getMultiDimIdentityMap(inputType.getRank()), params};
  Value zeroPoint = adaptor.getZeroPoint();
  if (zeroPoint) {
    inputs.push_back(zeroPoint);
    maps.push_back(params);
  }
  return buildParallelGeneric(
      rewriter, op.getLoc(), inputs, maps, resultType,
      buildDynamicDims(rewriter, op.getLoc(), adaptor.getInput()),
      [&](OpBuilder &b, Location loc, ValueRange a) {
        return body(b, loc, a[0], a[1], zeroPoint ? a[2] : Value());
      });
}

struct QuantizeToLinalg : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = op.getType().getElementType();
    bool isUnsigned = resultType.isUnsignedInteger();
    Type to = toSignless(resultType);
    Type acc = computeType(rewriter, op.getInput().getType().getElementType());
    bool saturate = op.getSaturate();
    Value result = buildQuantizationGeneric(
        rewriter, op, adaptor,
        [&](OpBuilder &b, Location loc, Value x, Value scale,
            Value zeroPoint) -> Value {
          Scalar s{b, loc};
          // With `reciprocal`, x * (1 / scale): LLVM computes the
          // reciprocal once (of a constant, at compile time) and multiplies.
          Value q = arith::DivFOp::create(
              b, loc, s.convert(x, acc), s.convert(scale, acc),
              op.getReciprocal() ? arith::FastMathFlags::arcp
                                 : arith::FastMathFlags::none);
          if (isa<FloatType>(to)) // 8-bit floats: the zero point is 0.
            return s.convert(q, to, /*toUnsigned=*/false, saturate);
          q = math::RoundEvenOp::create(b, loc, q);
          if (zeroPoint)
            q = s.add(q, Scalar{b, loc, isUnsigned}.convert(zeroPoint, acc));
          unsigned width = to.getIntOrFloatBitWidth();
          APInt lo = isUnsigned ? APInt::getMinValue(width)
                                : APInt::getSignedMinValue(width);
          APInt hi = isUnsigned ? APInt::getMaxValue(width)
                                : APInt::getSignedMaxValue(width);
          double loValue =
              isUnsigned ? lo.roundToDouble(false) : lo.roundToDouble(true);
          double hiValue =
              isUnsigned ? hi.roundToDouble(false) : hi.roundToDouble(true);
          // maxnum/minnum: one vmaxps/vminps each by a constant, where the
          // NaN-propagating forms need a compare and blend too (for -0 and
          // NaN); a NaN becomes the lowest value, where it would convert
          // to poison.
          q = arith::MaxNumFOp::create(b, loc, q, s.constant(acc, loValue));
          q = arith::MinNumFOp::create(b, loc, q, s.constant(acc, hiValue));
          return s.convert(q, to, isUnsigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizeToLinalg : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    Type to = op.getType().getElementType();
    Type acc = computeType(rewriter, to);
    Value result = buildQuantizationGeneric(
        rewriter, op, adaptor,
        [&](OpBuilder &b, Location loc, Value x, Value scale,
            Value zeroPoint) -> Value {
          Scalar s{b, loc, isUnsigned};
          Value v = s.convert(x, acc);
          if (zeroPoint)
            v = s.sub(v, s.convert(zeroPoint, acc));
          return s.convert(s.mul(v, s.convert(scale, acc)), to);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlir::aic::populateQuantizationToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<QuantizeToLinalg, DequantizeToLinalg>(converter,
                                                     patterns.getContext());
}
