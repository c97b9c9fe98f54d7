//===- ShapeOps.cpp - import of constants and shape operators -------------===//
//
// Constant, Identity, Reshape, Transpose and Flatten.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

static LogicalResult importConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.getBuilder();
  auto constant = [&](ElementsAttr value) {
    ctx.setResults(ConstantOp::create(b, ctx.getLoc(), value)->getResults());
    return success();
  };
  if (ctx.hasAttr("value")) {
    FailureOr<Value> value = ctx.tensorAttr("value");
    if (failed(value))
      return failure();
    ctx.setResults(*value);
    return success();
  }
  if (const onnx::AttributeProto *attr = ctx.findAttr("value_float")) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return constant(DenseElementsAttr::get(type, attr->f()));
  }
  if (const onnx::AttributeProto *attr = ctx.findAttr("value_floats")) {
    SmallVector<float> v(attr->floats().begin(), attr->floats().end());
    auto type = RankedTensorType::get({(int64_t)v.size()}, b.getF32Type());
    return constant(DenseElementsAttr::get(type, ArrayRef(v)));
  }
  if (const onnx::AttributeProto *attr = ctx.findAttr("value_int")) {
    auto type = RankedTensorType::get({}, b.getI64Type());
    return constant(DenseElementsAttr::get(type, (int64_t)attr->i()));
  }
  if (const onnx::AttributeProto *attr = ctx.findAttr("value_ints")) {
    SmallVector<int64_t> v(attr->ints().begin(), attr->ints().end());
    auto type = RankedTensorType::get({(int64_t)v.size()}, b.getI64Type());
    return constant(DenseElementsAttr::get(type, ArrayRef(v)));
  }
  ctx.emitError() << "has no supported value attribute (value, value_float, "
                     "value_floats, value_int, value_ints)";
  return failure();
}

static LogicalResult importIdentity(NodeContext &ctx) {
  if (!ctx.operand(0)) {
    ctx.emitError() << "expects 1 input";
    return failure();
  }
  ctx.setResults(ctx.operand(0));
  return success();
}

static LogicalResult importReshape(NodeContext &ctx) {
  OpBuilder &b = ctx.getBuilder();
  Value input = ctx.operand(0), shape = ctx.operand(1);
  if (ctx.getSinceVersion() < 5) {
    // Reshape-1 took the target shape as an attribute.
    FailureOr<SmallVector<int64_t>> dims = ctx.intsAttr("shape", {});
    if (failed(dims))
      return failure();
    auto type = RankedTensorType::get({(int64_t)dims->size()}, b.getI64Type());
    shape = ConstantOp::create(b, ctx.getLoc(),
                               DenseElementsAttr::get(type, ArrayRef(*dims)));
  }
  if (!input || !shape) {
    ctx.emitError() << "expects inputs data and shape";
    return failure();
  }
  auto shapeType = cast<RankedTensorType>(shape.getType());
  if (shapeType.getRank() != 1 || !shapeType.getElementType().isInteger(64)) {
    ctx.emitError() << "expects a 1-D int64 shape, got " << shapeType;
    return failure();
  }
  FailureOr<int64_t> allowZero = ctx.intAttr("allowzero", 0);
  if (failed(allowZero))
    return failure();
  return ctx.emitOp(
      ReshapeOp::getOperationName(), {input, shape},
      {b.getNamedAttr("allowzero", b.getBoolAttr(*allowZero != 0))});
}

static LogicalResult importTranspose(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects 1 input";
    return failure();
  }
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  FailureOr<SmallVector<int64_t>> perm = ctx.intsAttr("perm", reversed);
  if (failed(perm))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(TransposeOp::getOperationName(), {input},
                    {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(*perm))});
}

static LogicalResult importFlatten(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects 1 input";
    return failure();
  }
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  FailureOr<int64_t> axis = ctx.intAttr("axis", 1);
  if (failed(axis))
    return failure();
  if (*axis < -rank || *axis > rank) {
    ctx.emitError() << "axis " << *axis << " is out of range for rank " << rank;
    return failure();
  }
  if (*axis < 0)
    *axis += rank;
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(FlattenOp::getOperationName(), {input},
                    {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis))});
}

void mlir::aic::onnx_import::registerShapeOps(OpRegistry &registry) {
  // Versions from 19 on add element types (float8, int4, ...), not
  // semantics, to these operators.
  static constexpr int64_t typeOnlyTail[] = {19, 21, 23, 24, 25};
  auto history = [&](std::initializer_list<int64_t> head) {
    SmallVector<int64_t> h(head);
    h.append(std::begin(typeOnlyTail), std::end(typeOnlyTail));
    return h;
  };
  registry.on("Constant", history({1, 9, 11, 12, 13}), 1, importConstant);
  registry.on("Identity", history({1, 13, 14, 16}), 1, importIdentity);
  registry.on("Reshape", history({1, 5, 13, 14}), 1, importReshape);
  registry.on("Transpose", {1, 13, 21, 23, 24, 25}, 1, importTranspose);
  registry.on("Flatten", {1, 9, 11, 13, 21, 23, 24, 25}, 1, importFlatten);
}
