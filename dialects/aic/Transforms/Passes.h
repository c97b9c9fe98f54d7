//===- Passes.h - aic graph passes ------------------------------*- C++ -*-===//
//
// Declares the graph passes generated from Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_TRANSFORMS_PASSES_H
#define AIC_DIALECTS_AIC_TRANSFORMS_PASSES_H

#include "dialects/aic/IR/AicDialect.h"

#include "mlir/Pass/Pass.h"

namespace mlir::aic {

#define GEN_PASS_DECL
#include "dialects/aic/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/aic/Transforms/Passes.h.inc"

} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_TRANSFORMS_PASSES_H
