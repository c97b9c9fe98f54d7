//===- FuseElementwise.cpp - the aic-cpu-fuse-elementwise pass ------------===//
//
// Upstream's elementwise fusion of linalg ops on tensors, with one rule of
// aic's: an elementwise producer is not fused into a contraction or a
// convolution. Fused there it would run once per reduction step (a bias
// add and ReLU recomputed K times), and the contraction would no longer be
// one the tiling and vectorization of matrix multiplications recognizes.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
struct FuseElementwisePass
    : aic::cpu::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      if (!producer || !producer->hasOneUse() || !consumer)
        return false;
      return !linalg::isaContractionOpInterface(consumer) &&
             !linalg::isaConvolutionOpInterface(consumer);
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
