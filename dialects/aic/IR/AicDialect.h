//===- AicDialect.h - aic dialect declaration -------------------*- C++ -*-===//
//
// Declares the aic dialect class; include AicOps.h for the operations.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_IR_AICDIALECT_H
#define AIC_DIALECTS_AIC_IR_AICDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "dialects/aic/IR/AicDialect.h.inc"

#endif // AIC_DIALECTS_AIC_IR_AICDIALECT_H
