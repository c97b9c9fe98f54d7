//===- FoldQuantizedMatMuls.cpp - QDQ matmuls as integer matmuls ----------===//
//
// MatMul(DequantizeLinear(x_q), DequantizeLinear(w_q)) as
// aic.matmul_integer(x_q, w_q) * (x_scale * w_scale) (Passes.td).
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/Transforms/Passes.h"

#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::aic {
#define GEN_PASS_DEF_FOLDQUANTIZEDMATMULSPASS
#include "dialects/aic/Transforms/Passes.h.inc"
} // namespace mlir::aic

using namespace mlir;
using namespace mlir::aic;

namespace {
RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Whether `v` (a scale or zero point) holds one value.
bool isSingle(Value v) {
  return !v ||
         (tensorType(v).getRank() <= 1 && tensorType(v).getNumElements() == 1);
}

/// The dequantization `v` is, where it dequantizes 8-bit integers to f32
/// per tensor, or (with `perColumn`) per element of their last dim.
DequantizeOp dequantizedInteger(Value v, bool perColumn) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq || dq.getBlockSize() != 0 ||
      !tensorType(dq.getInput()).getElementType().isInteger(8) ||
      !tensorType(dq.getOutput()).getElementType().isF32())
    return {};
  if (isSingle(dq.getScale()))
    return dq;
  int64_t rank = tensorType(dq.getInput()).getRank();
  if (perColumn && rank >= 2 && tensorType(dq.getScale()).getRank() == 1 &&
      (dq.getAxis() == rank - 1 || dq.getAxis() == -1))
    return dq;
  return {};
}

/// `v`, a tensor of one element, as rank 0.
Value asScalar(PatternRewriter &rewriter, Location loc, Value v) {
  if (!v || tensorType(v).getRank() == 0)
    return v;
  auto type = RankedTensorType::get({}, tensorType(v).getElementType());
  return ReshapeOp::create(
      rewriter, loc, type, v,
      ConstantOp::create(rewriter, loc,
                         DenseElementsAttr::get(
                             RankedTensorType::get({0}, rewriter.getI64Type()),
                             ArrayRef<int64_t>{})),
      /*allowzero=*/false);
}

struct FoldQuantizedMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    DequantizeOp x = dequantizedInteger(op.getLhs(), /*perColumn=*/false);
    DequantizeOp w = dequantizedInteger(op.getRhs(), /*perColumn=*/true);
    if (!x || !w)
      return rewriter.notifyMatchFailure(op, "not a matmul of dequantized "
                                             "8-bit integers");
    Location loc = op.getLoc();
    Value xZero = asScalar(rewriter, loc, x.getZeroPoint());
    Value wZero = w.getZeroPoint();
    if (isSingle(w.getScale()))
      wZero = asScalar(rewriter, loc, wZero);
    auto acc = MatMulIntegerOp::create(rewriter, loc, x.getInput(),
                                       w.getInput(), xZero, wZero);
    auto f32 = rewriter.getF32Type();
    Value product = CastOp::create(
        rewriter, loc, tensorType(acc.getOutput()).clone(f32), acc.getOutput(),
        TypeAttr::get(f32), rewriter.getBoolAttr(true),
        rewriter.getStringAttr("up"));
    // x_scale * w_scale: at compile time where both are constants.
    Value scale;
    std::optional<SmallVector<float>> xs = constantFloats(x.getScale()),
                                      ws = constantFloats(w.getScale());
    if (xs && ws) {
      SmallVector<float> values;
      for (float s : *ws)
        values.push_back(xs->front() * s);
      auto type = isSingle(w.getScale()) ? RankedTensorType::get({}, f32)
                                         : tensorType(w.getScale());
      scale = ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(type, ArrayRef(values)));
    } else {
      Value ws = isSingle(w.getScale()) ? asScalar(rewriter, loc, w.getScale())
                                        : w.getScale();
      scale = MulOp::create(rewriter, loc,
                            asScalar(rewriter, loc, x.getScale()), ws);
    }
    rewriter.replaceOpWithNewOp<MulOp>(op, product, scale);
    return success();
  }
};

struct FoldQuantizedMatMulsPass
    : aic::impl::FoldQuantizedMatMulsPassBase<FoldQuantizedMatMulsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldQuantizedMatMul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
