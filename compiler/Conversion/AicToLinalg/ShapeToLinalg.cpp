//===- ShapeToLinalg.cpp - constants and shape ops to tensor/linalg -------===//
//
// Constants become arith constants; Reshape and Flatten become collapse and
// expand views; Transpose becomes linalg.transpose.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::aic;

namespace {
struct ConstantToArith : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

/// Reshape and Flatten with static shapes: a view of the same elements.
template <typename OpTy> struct ReshapeToViews : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    if (!resultType.hasStaticShape() || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(
        op, buildReshape(rewriter, op.getLoc(), op.getInput(), resultType));
    return success();
  }
};

/// Reshape to a shape known only at run time: computes the target dims
/// with ONNX's rules (0 copies the input's dim unless allowzero, -1 takes
/// the remaining elements) and reshapes with tensor.reshape.
struct DynamicReshapeToTensor : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    if (resultType.hasStaticShape() && inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "static shapes");
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(rewriter, loc, i64,
                                       rewriter.getI64IntegerAttr(v));
    };
    auto inputDim = [&](int64_t d) -> Value {
      Value dim = tensor::DimOp::create(rewriter, loc, op.getInput(), d);
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
      Value dim = tensor::ExtractOp::create(rewriter, loc, op.getShape(),
                                            ValueRange{index});
      if (!op.getAllowzero() && i < inputType.getRank()) {
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
    for (Value &dim : dims) {
      Value isInferred = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, dim, minusOne);
      dim = arith::SelectOp::create(rewriter, loc, isInferred, inferred, dim);
    }
    Value shape = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({resultType.getRank()}, i64),
        dims);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, resultType,
                                                   op.getInput(), shape);
    return success();
  }
};

struct TransposeToLinalg : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<Value> dynamicSizes;
    for (auto [i, p] : llvm::enumerate(op.getPerm()))
      if (resultType.isDynamicDim(i))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, op.getLoc(), op.getInput(), p));
    Value init = buildEmpty(rewriter, op.getLoc(), resultType, dynamicSizes);
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), op.getInput(), init, op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};
} // namespace

void mlir::aic::populateShapeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<ConstantToArith, ReshapeToViews<ReshapeOp>, DynamicReshapeToTensor,
           ReshapeToViews<FlattenOp>, TransposeToLinalg>(patterns.getContext());
}
