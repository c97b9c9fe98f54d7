//===- InitAll.h - registration of everything aic uses ----------*- C++ -*-===//
//
// The one place the tools call to register dialects, interfaces, passes and
// pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_COMPILER_INITALL_H
#define AIC_COMPILER_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::aic {

/// The aic dialect, the upstream dialects and their external interface
/// models (bufferization, lowering to LLVM), and LLVM IR translation.
void registerAllDialects(DialectRegistry &registry);

/// aic's passes and pipelines and the upstream passes.
void registerAllPasses();

} // namespace mlir::aic

#endif // AIC_COMPILER_INITALL_H
