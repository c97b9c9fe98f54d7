//===- LowerDotProducts.cpp - the aic-cpu-lower-dot-products pass ---------===//
//
// The dot products of aic-cpu-tile-and-vectorize's int8 and bf16 kernels
// as vpdpbusd and vdpbf16ps (Passes.td): a vector.contract of a group of
// narrow values shared by the lanes and each lane's group into the lane.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_LOWERDOTPRODUCTSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
/// The narrow vector of `shape` that `v` widens (with arith.extui, extsi
/// or extf, as `Ext` says) from elements that `isElement` accepts, if any.
template <typename Ext>
Value widened(Value v, ArrayRef<int64_t> shape,
              llvm::function_ref<bool(Type)> isElement) {
  auto ext = v.getDefiningOp<Ext>();
  if (!ext)
    return Value();
  auto type = dyn_cast<VectorType>(ext.getIn().getType());
  if (!type || !isElement(type.getElementType()) || type.getShape() != shape)
    return Value();
  return ext.getIn();
}

/// A contraction of `group` elements shared by the lanes (lhs) and each
/// lane's row of `group` (rhs) into an accumulator vector of `lanes`: one
/// dot-product instruction, given the shared elements broadcast to every
/// lane as one 32-bit word and the rows as one vector.
struct ContractToDotProduct : OpRewritePattern<vector::ContractionOp> {
  ContractToDotProduct(MLIRContext *context, int64_t lanes, bool int8,
                       bool bf16)
      : OpRewritePattern(context), lanes(lanes), int8(int8), bf16(bf16) {}

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    AffineExpr lane = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
    SmallVector<AffineMap> expected = {AffineMap::get(2, 0, {k}, ctx),
                                       AffineMap::get(2, 0, {lane, k}, ctx),
                                       AffineMap::get(2, 0, {lane}, ctx)};
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (op.getKind() != vector::CombiningKind::ADD ||
        op.getIndexingMapsArray() != expected || !accType ||
        accType.getShape() != ArrayRef<int64_t>{lanes})
      return rewriter.notifyMatchFailure(op, "not a dot product per lane");
    Value shared, rows;
    StringRef intrinsic;
    Type accElement = accType.getElementType();
    auto isByte = [](Type t) { return t.isInteger(8); };
    auto isBF16 = [](Type t) { return t.isBF16(); };
    // vpdpbusd multiplies unsigned bytes (its first source) by signed ones
    // (its second): the shared bytes are either.
    bool sharedSigned = false;
    if (int8 && accElement.isInteger(32)) {
      shared = widened<arith::ExtUIOp>(op.getLhs(), {4}, isByte);
      rows = widened<arith::ExtSIOp>(op.getRhs(), {lanes, 4}, isByte);
      if (!shared || !rows) {
        sharedSigned = true;
        shared = widened<arith::ExtSIOp>(op.getLhs(), {4}, isByte);
        rows = widened<arith::ExtUIOp>(op.getRhs(), {lanes, 4}, isByte);
      }
      intrinsic = lanes == 16 ? "llvm.x86.avx512.vpdpbusd.512"
                              : "llvm.x86.avxvnni.vpdpbusd.256";
    } else if (bf16 && accElement.isF32() && lanes == 16) {
      shared = widened<arith::ExtFOp>(op.getLhs(), {2}, isBF16);
      rows = widened<arith::ExtFOp>(op.getRhs(), {lanes, 2}, isBF16);
      intrinsic = "llvm.x86.avx512bf16.dpbf16ps.512";
    }
    if (!shared || !rows)
      return rewriter.notifyMatchFailure(op, "not of widened narrow values");
    Location loc = op.getLoc();
    Type element = cast<VectorType>(shared.getType()).getElementType();
    int64_t group = cast<VectorType>(shared.getType()).getNumElements();
    auto narrowType = VectorType::get({group * lanes}, element);
    Type i32 = rewriter.getI32Type();
    Value word = vector::BitCastOp::create(rewriter, loc,
                                           VectorType::get({1}, i32), shared);
    Value splat = vector::BroadcastOp::create(
        rewriter, loc, VectorType::get({lanes}, i32), word);
    Value sharedAll =
        vector::BitCastOp::create(rewriter, loc, narrowType, splat);
    Value rowsAll =
        vector::ShapeCastOp::create(rewriter, loc, narrowType, rows);
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, accType, rewriter.getStringAttr(intrinsic),
        sharedSigned ? ValueRange{op.getAcc(), rowsAll, sharedAll}
                     : ValueRange{op.getAcc(), sharedAll, rowsAll});
    return success();
  }

  int64_t lanes;
  bool int8, bf16;
};

struct LowerDotProductsPass
    : aic::cpu::impl::LowerDotProductsPassBase<LowerDotProductsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorBits != 512 && vectorBits != 256)
      return;
    RewritePatternSet patterns(&getContext());
    patterns.add<ContractToDotProduct>(&getContext(), vectorBits / 32, int8,
                                       bf16);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
