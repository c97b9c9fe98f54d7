//===- FoldQuantizedMatMuls.cpp - QDQ matmuls as integer matmuls ----------===//
//
// MatMul(DequantizeLinear(x_q), DequantizeLinear(w_q)) as
// aic.matmul_integer(x_q, w_q) * (x_scale * w_scale), and Conv likewise as
// aic.conv_integer (Passes.td).
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
/// per tensor, or per element of dim `perAxis` (-1: the last) where given.
DequantizeOp dequantizedInteger(Value v, std::optional<int64_t> perAxis) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq || dq.getBlockSize() != 0 ||
      !tensorType(dq.getInput()).getElementType().isInteger(8) ||
      !tensorType(dq.getOutput()).getElementType().isF32())
    return {};
  if (isSingle(dq.getScale()))
    return dq;
  int64_t rank = tensorType(dq.getInput()).getRank();
  if (!perAxis || rank < 2 || tensorType(dq.getScale()).getRank() != 1)
    return {};
  int64_t axis = dq.getAxis() < 0 ? dq.getAxis() + rank : dq.getAxis();
  int64_t wanted = *perAxis < 0 ? *perAxis + rank : *perAxis;
  return axis == wanted ? dq : DequantizeOp();
}

/// An f32 tensor of `type`'s shape holding `values`.
Value floatConstant(PatternRewriter &rewriter, Location loc,
                    RankedTensorType type, ArrayRef<float> values) {
  return ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(type.clone(rewriter.getF32Type()), values));
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
    DequantizeOp x = dequantizedInteger(op.getLhs(), std::nullopt);
    DequantizeOp w = dequantizedInteger(op.getRhs(), -1);
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

/// Conv(DequantizeLinear(x_q), DequantizeLinear(w_q), bias) as
/// aic.conv_integer(x_q, w_q) * (x_scale * w_scale) + bias, for what the
/// integer convolution's lowering contracts in 8 bits: 2-D, one group,
/// 8-bit activations per tensor by signed constant weights per tensor or
/// per output channel with zero points of zero; the scales constants.
struct FoldQuantizedConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    DequantizeOp x = dequantizedInteger(op.getInput(), std::nullopt);
    DequantizeOp w = dequantizedInteger(op.getWeight(), 0);
    if (!x || !w || op.getGroup() != 1 ||
        tensorType(op.getInput()).getRank() != 4)
      return rewriter.notifyMatchFailure(op, "not a 2-D convolution of "
                                             "dequantized 8-bit integers");
    std::optional<SmallVector<float>> xs = constantFloats(x.getScale()),
                                      ws = constantFloats(w.getScale());
    auto allZero = [](Value zeroPoint) {
      if (!zeroPoint)
        return true;
      std::optional<SmallVector<int64_t>> values =
          constantIntegers(zeroPoint, /*isUnsigned=*/false);
      return values && llvm::all_of(*values, [](int64_t v) { return v == 0; });
    };
    if (!xs || !ws ||
        tensorType(w.getInput()).getElementType().isUnsignedInteger() ||
        !constantIntegers(w.getInput(), /*isUnsigned=*/false) ||
        !allZero(w.getZeroPoint()))
      return rewriter.notifyMatchFailure(op, "not activations by symmetric "
                                             "signed weights");
    Location loc = op.getLoc();
    auto acc = ConvIntegerOp::create(
        rewriter, loc, x.getInput(), w.getInput(),
        asScalar(rewriter, loc, x.getZeroPoint()), Value(), op.getStrides(),
        op.getDilations(), op.getPads(), op.getGroup());
    auto f32 = rewriter.getF32Type();
    RankedTensorType accType = tensorType(acc.getOutput());
    Value result = CastOp::create(
        rewriter, loc, accType.clone(f32), acc.getOutput(), TypeAttr::get(f32),
        rewriter.getBoolAttr(true), rewriter.getStringAttr("up"));
    // Per output channel: [M, 1, 1] against the [N, M, H, W] result.
    int64_t filters = tensorType(op.getWeight()).getDimSize(0);
    auto channelType = RankedTensorType::get({filters, 1, 1}, f32);
    SmallVector<float> scales;
    for (float s : *ws)
      scales.push_back(xs->front() * s);
    Value scale = isSingle(w.getScale())
                      ? floatConstant(rewriter, loc,
                                      RankedTensorType::get({}, f32), scales)
                      : floatConstant(rewriter, loc, channelType, scales);
    result = MulOp::create(rewriter, loc, result, scale);
    if (Value bias = op.getBias()) {
      if (std::optional<SmallVector<float>> values = constantFloats(bias))
        bias = floatConstant(rewriter, loc, channelType, *values);
      else
        bias = ReshapeOp::create(
            rewriter, loc, channelType, bias,
            ConstantOp::create(
                rewriter, loc,
                DenseElementsAttr::get(
                    RankedTensorType::get({3}, rewriter.getI64Type()),
                    ArrayRef<int64_t>{filters, 1, 1})),
            /*allowzero=*/false);
      result = AddOp::create(rewriter, loc, result, bias);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct FoldQuantizedMatMulsPass
    : aic::impl::FoldQuantizedMatMulsPassBase<FoldQuantizedMatMulsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldQuantizedMatMul, FoldQuantizedConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
