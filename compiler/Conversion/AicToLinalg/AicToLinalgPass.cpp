//===- AicToLinalgPass.cpp - the aic-convert-aic-to-linalg pass -----------===//
//
// Applies every op family's patterns as a partial conversion with the aic
// dialect illegal, so that an op no pattern lowers is reported by name.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/aic/IR/AicDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::aic {
#define GEN_PASS_DEF_CONVERTAICTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::aic

using namespace mlir;
using namespace mlir::aic;

namespace {
struct ConvertAicToLinalgPass
    : mlir::aic::impl::ConvertAicToLinalgPassBase<ConvertAicToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<AicDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    populateElementwiseToLinalgPatterns(patterns);
    populateContractionToLinalgPatterns(patterns);
    populateShapeToLinalgPatterns(patterns);
    populateReductionToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
