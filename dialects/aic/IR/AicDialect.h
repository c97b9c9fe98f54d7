//===- AicDialect.h - aic dialect declaration -------------------*- C++ -*-===//
//
// Declares the aic dialect class; include AicOps.h for the operations.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_IR_AICDIALECT_H
#define AIC_DIALECTS_AIC_IR_AICDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/aic/IR/AicDialect.h.inc"

namespace mlir::aic {
/// The thread-local LLVM global that holds the message of the first failed
/// aic.check of a run (null while none failed); the model ABI's run entry
/// point clears it and reports it (aic_model_v1_error).
inline constexpr llvm::StringLiteral kRunErrorSlot = "__aic_run_error";

/// The run-error slot of `module`, made on first use.
LLVM::GlobalOp getOrCreateRunErrorSlot(OpBuilder &b, ModuleOp module);
} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_IR_AICDIALECT_H
