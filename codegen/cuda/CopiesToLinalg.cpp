//===- CopiesToLinalg.cpp - the aic-cuda-copies-to-linalg pass ------------===//

#include "codegen/cuda/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::aic::cuda {
#define GEN_PASS_DEF_COPIESTOLINALGPASS
#include "codegen/cuda/Passes.h.inc"
} // namespace mlir::aic::cuda

using namespace mlir;

namespace {
struct CopiesToLinalgPass
    : aic::cuda::impl::CopiesToLinalgPassBase<CopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    OpBuilder b(&getContext());
    for (memref::CopyOp copy : copies) {
      b.setInsertionPoint(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};
} // namespace
