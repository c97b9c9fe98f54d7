//===- LowerStridedCopies.cpp - the aic-cpu-lower-strided-copies pass -----===//
//
// Rewrites memref.copy ops that involve non-contiguous memrefs as
// linalg.copy, so that they lower to loops instead of a runtime call.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIESPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
struct LowerStridedCopiesPass
    : aic::cpu::impl::LowerStridedCopiesPassBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      // What the LLVM lowering copies with memcpy: identity layouts, and
      // static shapes contiguous in memory (a row of a larger buffer).
      auto contiguous = [](Value v) {
        auto type = dyn_cast<MemRefType>(v.getType());
        return !type || type.getLayout().isIdentity() || // Unranked: leave.
               (type.hasStaticShape() && type.getNumElements() > 0 &&
                memref::isStaticShapeAndContiguousRowMajor(type));
      };
      if (contiguous(copy.getSource()) && contiguous(copy.getTarget()))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
