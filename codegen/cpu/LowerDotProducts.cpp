//===- LowerDotProducts.cpp - the aic-cpu-lower-dot-products pass ---------===//
//
// The 8-bit dot products of aic-cpu-tile-and-vectorize's int8 kernels as
// vpdpbusd (Passes.td): a vector.contract of 4 zero-extended bytes shared
// by the lanes and each lane's 4 sign-extended bytes into an i32 lane.
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
/// The bytes `v` extends (with arith.extui, or arith.extsi where
/// `isSigned`) from a vector of `shape` i8, if it does.
Value extendedBytes(Value v, bool isSigned, ArrayRef<int64_t> shape) {
  Operation *ext = v.getDefiningOp();
  if (!(isSigned ? isa_and_nonnull<arith::ExtSIOp>(ext)
                 : isa_and_nonnull<arith::ExtUIOp>(ext)))
    return Value();
  auto type = dyn_cast<VectorType>(ext->getOperand(0).getType());
  if (!type || !type.getElementType().isInteger(8) || type.getShape() != shape)
    return Value();
  return ext->getOperand(0);
}

struct ContractToDotProduct : OpRewritePattern<vector::ContractionOp> {
  ContractToDotProduct(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    AffineExpr lane = getAffineDimExpr(0, ctx), byte = getAffineDimExpr(1, ctx);
    SmallVector<AffineMap> expected = {AffineMap::get(2, 0, {byte}, ctx),
                                       AffineMap::get(2, 0, {lane, byte}, ctx),
                                       AffineMap::get(2, 0, {lane}, ctx)};
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (op.getKind() != vector::CombiningKind::ADD ||
        op.getIndexingMapsArray() != expected || !accType ||
        accType.getShape() != ArrayRef<int64_t>{lanes} ||
        !accType.getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(op, "not an 8-bit dot product");
    Value shared = extendedBytes(op.getLhs(), /*isSigned=*/false, {4});
    Value rows = extendedBytes(op.getRhs(), /*isSigned=*/true, {lanes, 4});
    if (!shared || !rows)
      return rewriter.notifyMatchFailure(op, "not of extended bytes");
    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    auto bytesType = VectorType::get({4 * lanes}, i8);
    // The shared 4 bytes as one i32, in every lane.
    Value word = vector::BitCastOp::create(rewriter, loc,
                                           VectorType::get({1}, i32), shared);
    Value splat = vector::BroadcastOp::create(rewriter, loc, accType, word);
    Value sharedBytes =
        vector::BitCastOp::create(rewriter, loc, bytesType, splat);
    Value rowBytes =
        vector::ShapeCastOp::create(rewriter, loc, bytesType, rows);
    StringRef intrinsic = lanes == 16 ? "llvm.x86.avx512.vpdpbusd.512"
                                      : "llvm.x86.avxvnni.vpdpbusd.256";
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, accType, rewriter.getStringAttr(intrinsic),
        ValueRange{op.getAcc(), sharedBytes, rowBytes});
    return success();
  }

  int64_t lanes;
};

struct LowerDotProductsPass
    : aic::cpu::impl::LowerDotProductsPassBase<LowerDotProductsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorBits != 512 && vectorBits != 256)
      return;
    RewritePatternSet patterns(&getContext());
    patterns.add<ContractToDotProduct>(&getContext(), vectorBits / 32);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
