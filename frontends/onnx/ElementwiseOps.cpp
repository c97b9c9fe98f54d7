//===- ElementwiseOps.cpp - import of elementwise operators ---------------===//
//
// Add, Sub, Mul, Div (numpy broadcasting, opset 7 on) and Relu.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// Imports a node whose operands map one to one onto the op `OpTy`.
template <typename OpTy, unsigned NumOperands>
static LogicalResult importDirect(NodeContext &ctx) {
  SmallVector<Value> operands;
  for (unsigned i = 0; i < NumOperands; ++i) {
    if (!ctx.operand(i)) {
      ctx.emitError() << "expects " << NumOperands << " inputs";
      return failure();
    }
    operands.push_back(ctx.operand(i));
  }
  return ctx.emitOp(OpTy::getOperationName(), operands);
}

void mlir::aic::onnx_import::registerElementwiseOps(OpRegistry &registry) {
  // Versions 1 and 6 broadcast with `broadcast`/`axis` attributes, not
  // numpy-style; version 7 on is numpy broadcasting.
  static constexpr int64_t arithmeticHistory[] = {1, 6, 7, 13, 14};
  registry.on("Add", arithmeticHistory, 7, importDirect<AddOp, 2>);
  registry.on("Sub", arithmeticHistory, 7, importDirect<SubOp, 2>);
  registry.on("Mul", arithmeticHistory, 7, importDirect<MulOp, 2>);
  registry.on("Div", arithmeticHistory, 7, importDirect<DivOp, 2>);
  // Relu-1 differs only by the legacy `consumed_inputs` attribute.
  registry.on("Relu", {1, 6, 13, 14}, 1, importDirect<ReluOp, 1>);
}
