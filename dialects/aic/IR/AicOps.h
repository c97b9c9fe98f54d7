//===- AicOps.h - aic operations --------------------------------*- C++ -*-===//
//
// Declares the aic operations generated from AicOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_IR_AICOPS_H
#define AIC_DIALECTS_AIC_IR_AICOPS_H

#include "dialects/aic/IR/AicDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/aic/IR/AicOps.h.inc"

#endif // AIC_DIALECTS_AIC_IR_AICOPS_H
