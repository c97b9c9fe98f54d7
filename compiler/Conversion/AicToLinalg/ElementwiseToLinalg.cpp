//===- ElementwiseToLinalg.cpp - elementwise aic ops to linalg ------------===//
//
// Add, Sub, Mul, Div and Relu become broadcasting linalg.generic ops whose
// bodies pick the arith op for the element type.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::aic;

namespace {
/// Lowers a binary op to `FloatOp` or `IntOp` on scalars.
template <typename SourceOp, typename FloatOp, typename IntOp>
struct BinaryToGeneric : OpRewritePattern<SourceOp> {
  using OpRewritePattern<SourceOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(SourceOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    if (!isa<FloatType>(elementType) && !elementType.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    Value result = buildBroadcastElementwise(
        rewriter, op.getLoc(), {op.getLhs(), op.getRhs()}, resultType,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isa<FloatType>(elementType))
            return FloatOp::create(b, loc, args[0], args[1]);
          return IntOp::create(b, loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReluToGeneric : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReluOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    Value result = buildBroadcastElementwise(
        rewriter, op.getLoc(), op.getInput(), resultType,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value zero = buildZero(b, loc, elementType);
          // maximumf propagates NaN, as numpy.maximum does.
          if (isa<FloatType>(elementType))
            return arith::MaximumFOp::create(b, loc, args[0], zero);
          return arith::MaxSIOp::create(b, loc, args[0], zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlir::aic::populateElementwiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<BinaryToGeneric<AddOp, arith::AddFOp, arith::AddIOp>,
               BinaryToGeneric<SubOp, arith::SubFOp, arith::SubIOp>,
               BinaryToGeneric<MulOp, arith::MulFOp, arith::MulIOp>,
               BinaryToGeneric<DivOp, arith::DivFOp, arith::DivSIOp>,
               ReluToGeneric>(context);
}
