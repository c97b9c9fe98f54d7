//===- FuzzContext.h - setup shared by the fuzz targets ---------*- C++ -*-===//
//
// An MLIRContext for the fuzz targets, with every dialect aic uses loaded
// and diagnostics swallowed: an error is a correct answer to a bad input;
// a crash, a sanitizer report or a leak is what the fuzzer looks for.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TEST_FUZZ_FUZZCONTEXT_H
#define AIC_TEST_FUZZ_FUZZCONTEXT_H

#include "compiler/InitAll.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace aic_fuzz {

/// The context for the next input: made afresh every 256 inputs, since a
/// context keeps every type and attribute it ever made (the constants of
/// every graph), which would grow past the fuzzer's memory limit.
inline mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned uses = 0;
  if (!ctx || ++uses % 256 == 0) {
    mlir::DialectRegistry registry;
    mlir::aic::registerAllDialects(registry);
    // Threads make a crash's stack harder to read and change nothing the
    // fuzzer looks for.
    ctx = std::make_unique<mlir::MLIRContext>(
        registry, mlir::MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    ctx->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
  }
  return *ctx;
}

} // namespace aic_fuzz

#endif // AIC_TEST_FUZZ_FUZZCONTEXT_H
