//===- ApproximateMath.cpp - the aic-cpu-approximate-math pass ------------===//
//
// f32 exp, erf and tanh as upstream's polynomial approximations (the math
// dialect's PolynomialApproximation patterns): arithmetic and fused
// multiply-adds on whatever vector the op has, where the LLVM lowering would
// otherwise call libm's expf, erff or tanhf once per element. They carry
// softmax, GELU, sigmoid and tanh activations.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
struct ApproximateMathPass
    : aic::cpu::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == math::ExpOp::getOperationName() ||
             name == math::ErfOp::getOperationName() ||
             name == math::TanhOp::getOperationName();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
