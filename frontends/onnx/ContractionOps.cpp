//===- ContractionOps.cpp - import of MatMul, Gemm and Conv ---------------===//
//
// Contractions: MatMul (numpy semantics), Gemm, and Conv with its padding
// modes resolved into explicit pads.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

static LogicalResult importMatMul(NodeContext &ctx) {
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects 2 inputs";
    return failure();
  }
  return ctx.emitOp(MatMulOp::getOperationName(),
                    {ctx.operand(0), ctx.operand(1)});
}

static LogicalResult importGemm(NodeContext &ctx) {
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects inputs A and B";
    return failure();
  }
  FailureOr<float> alpha = ctx.floatAttr("alpha", 1.0f);
  FailureOr<float> beta = ctx.floatAttr("beta", 1.0f);
  FailureOr<int64_t> transA = ctx.intAttr("transA", 0);
  FailureOr<int64_t> transB = ctx.intAttr("transB", 0);
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  SmallVector<Value> operands = {ctx.operand(0), ctx.operand(1)};
  if (Value c = ctx.operand(2))
    operands.push_back(c);
  return ctx.emitOp(GemmOp::getOperationName(), operands,
                    {b.getNamedAttr("alpha", b.getF32FloatAttr(*alpha)),
                     b.getNamedAttr("beta", b.getF32FloatAttr(*beta)),
                     b.getNamedAttr("trans_a", b.getBoolAttr(*transA != 0)),
                     b.getNamedAttr("trans_b", b.getBoolAttr(*transB != 0))});
}

static LogicalResult importConv(NodeContext &ctx) {
  Value input = ctx.operand(0), weight = ctx.operand(1), bias = ctx.operand(2);
  if (!input || !weight) {
    ctx.emitError() << "expects inputs X and W";
    return failure();
  }
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t rank = inputType.getRank();
  if (rank < 3 || weightType.getRank() != rank) {
    ctx.emitError() << "expects X and W of equal rank >= 3, got rank " << rank
                    << " and " << weightType.getRank();
    return failure();
  }
  size_t spatial = rank - 2;
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  auto strides = ctx.intsAttr("strides", ones);
  auto dilations = ctx.intsAttr("dilations", ones);
  auto pads = ctx.intsAttr("pads", zeros);
  auto kernel =
      ctx.intsAttr("kernel_shape", weightType.getShape().drop_front(2));
  auto group = ctx.intAttr("group", 1);
  auto autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (failed(strides) || failed(dilations) || failed(pads) || failed(kernel) ||
      failed(group) || failed(autoPad))
    return failure();
  if (strides->size() != spatial || dilations->size() != spatial ||
      kernel->size() != spatial) {
    ctx.emitError() << "expects " << spatial
                    << " strides, dilations and kernel_shape entries";
    return failure();
  }
  for (size_t i = 0; i < spatial; ++i) {
    int64_t fromWeight = weightType.getDimSize(i + 2);
    if (fromWeight != ShapedType::kDynamic && (*kernel)[i] != fromWeight) {
      ctx.emitError() << "kernel_shape disagrees with the weight's shape";
      return failure();
    }
  }

  if (failed(resolveAutoPad(ctx, *autoPad, inputType, *kernel, *strides,
                            *dilations, *pads)))
    return failure();

  OpBuilder &b = ctx.getBuilder();
  SmallVector<Value> operands = {input, weight};
  if (bias)
    operands.push_back(bias);
  return ctx.emitOp(
      ConvOp::getOperationName(), operands,
      {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(*strides)),
       b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(*dilations)),
       b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*pads)),
       b.getNamedAttr("group", b.getI64IntegerAttr(*group))});
}

void mlir::aic::onnx_import::registerContractionOps(OpRegistry &registry) {
  registry.on("MatMul", {1, 9, 13}, 1, importMatMul);
  // Gemm before 7 broadcast C through a `broadcast` attribute.
  registry.on("Gemm", {1, 6, 7, 9, 11, 13}, 7, importGemm);
  registry.on("Conv", {1, 11, 22}, 1, importConv);
}
