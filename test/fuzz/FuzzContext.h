//===- FuzzContext.h - shared setup of the compiler fuzz targets -*- C++
//-*-===//
//
// One MLIRContext per fuzzing process, with every dialect aic uses loaded
// and diagnostics swallowed: an error is a correct answer to a bad input;
// a crash, a sanitizer report or a leak is what the fuzzer looks for.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TEST_FUZZ_FUZZCONTEXT_H
#define AIC_TEST_FUZZ_FUZZCONTEXT_H

#include "compiler/InitAll.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

namespace aic_fuzz {

inline mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    mlir::aic::registerAllDialects(registry);
    // Threads make a crash's stack harder to read and change nothing the
    // fuzzer looks for.
    auto *c =
        new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    c->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return c;
  }();
  return *ctx;
}

} // namespace aic_fuzz

#endif // AIC_TEST_FUZZ_FUZZCONTEXT_H
