//===- QuantizationOps.cpp - import of the quantization operators ---------===//
//
// QuantizeLinear and DequantizeLinear become whole aic.quantize and
// aic.dequantize ops. The integer operators compute as ONNX's reference
// does: MatMulInteger and ConvInteger become aic.matmul_integer and
// aic.conv_integer (8-bit operands less their zero points, into i32);
// QLinearMatMul and QLinearConv requantize that with the
// multiplier a_scale * b_scale / y_scale; DynamicQuantizeLinear derives the
// scale and zero point from the input's range.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"
#include "frontends/onnx/TensorData.h"

#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/Quantization.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

namespace {
/// Builds aic ops for one node, stopping at the first failure.
struct NodeBuilder {
  NodeContext &ctx;
  bool ok = true;

  Value op(StringRef name, ValueRange operands,
           ArrayRef<NamedAttribute> attrs = {}) {
    if (!ok || llvm::any_of(operands, [](Value v) { return !v; }))
      return ok = false, Value();
    FailureOr<SmallVector<Value>> r = ctx.createOp(name, operands, attrs);
    if (failed(r))
      return ok = false, Value();
    return r->front();
  }
  Value cast(Value v, Type to) {
    OpBuilder &b = ctx.getBuilder();
    return op(CastOp::getOperationName(), v,
              {b.getNamedAttr("to", TypeAttr::get(to))});
  }
  /// Reshape to `shape`; a dynamic dim there (at most one) takes the
  /// elements the others leave.
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    OpBuilder &b = ctx.getBuilder();
    SmallVector<int64_t> target(shape);
    for (int64_t &d : target)
      if (ShapedType::isDynamic(d))
        d = -1;
    Value targetValue = ConstantOp::create(
        b, ctx.getLoc(),
        DenseElementsAttr::get(
            RankedTensorType::get({(int64_t)target.size()}, b.getI64Type()),
            ArrayRef<int64_t>(target)));
    return op(ReshapeOp::getOperationName(), {v, targetValue});
  }
  Value constant(Type type, double value) {
    return scalarConstant(ctx.getBuilder(), ctx.getLoc(), type, value);
  }
};

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// A one-element 1-D scale (or zero point) used per tensor becomes rank 0.
Value perTensorIfSingle(NodeBuilder &b, Value v, Value input, int64_t axis) {
  if (!v || typeOf(v).getRank() != 1 || typeOf(v).getDimSize(0) != 1)
    return v;
  auto inputType = typeOf(input);
  if (inputType.getRank() > axis && inputType.getDimSize(axis) == 1)
    return v;
  return b.reshape(v, {});
}

/// QuantizeLinear and DequantizeLinear's common inputs and attributes.
struct QdqParams {
  Value input, scale, zeroPoint;
  int64_t axis, blockSize;
};

FailureOr<QdqParams> readQdq(NodeContext &ctx, NodeBuilder &b) {
  QdqParams p{ctx.operand(0), ctx.operand(1), ctx.operand(2), 1, 0};
  if (!p.input || !p.scale) {
    ctx.emitError() << "expects inputs x and a scale";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", 1);
  FailureOr<int64_t> blockSize = ctx.intAttr("block_size", 0);
  if (failed(axis) || failed(blockSize))
    return failure();
  int64_t rank = typeOf(p.input).getRank();
  p.axis = *axis < 0 ? *axis + rank : *axis;
  p.blockSize = *blockSize;
  if (typeOf(p.scale).getRank() > 0 && (p.axis < 0 || p.axis >= rank)) {
    ctx.emitError() << "axis " << *axis << " is out of range for rank " << rank;
    return failure();
  }
  p.scale = perTensorIfSingle(b, p.scale, p.input, p.axis);
  p.zeroPoint = perTensorIfSingle(b, p.zeroPoint, p.input, p.axis);
  if (!b.ok)
    return failure();
  return p;
}

/// The element type an `output_dtype` attribute asks for, `fallback` if 0.
FailureOr<Type> outputDtype(NodeContext &ctx, Type fallback) {
  FailureOr<int64_t> dtype = ctx.intAttr("output_dtype", 0);
  if (failed(dtype))
    return failure();
  if (*dtype == 0)
    return fallback;
  Type type = getElementType(ctx.getBuilder().getContext(), *dtype);
  if (!type) {
    ctx.emitError() << "unsupported output_dtype " << getDataTypeName(*dtype);
    return failure();
  }
  return type;
}

/// Verifies a quantization op just built; erases it on failure.
template <typename OpTy> Value verified(NodeBuilder &b, OpTy op) {
  if (succeeded(mlir::verify(op)))
    return op.getResult();
  op->erase();
  b.ok = false;
  return Value();
}

/// aic.quantize of `x` by `scale` (and `zeroPoint`) into `type`.
Value quantize(NodeBuilder &b, Value x, Value scale, Value zeroPoint, Type type,
               int64_t axis = 1, int64_t blockSize = 0, bool saturate = true) {
  if (!b.ok || !x || !scale)
    return b.ok = false, Value();
  return verified(b, QuantizeOp::create(b.ctx.getBuilder(), b.ctx.getLoc(),
                                        typeOf(x).clone(type), x, scale,
                                        zeroPoint, axis, blockSize, saturate));
}
} // namespace

static LogicalResult importQuantizeLinear(NodeContext &ctx) {
  NodeBuilder b{ctx};
  FailureOr<QdqParams> p = readQdq(ctx, b);
  if (failed(p))
    return failure();
  FailureOr<int64_t> saturate = ctx.intAttr("saturate", 1);
  if (failed(saturate))
    return failure();
  Type fallback = p->zeroPoint
                      ? typeOf(p->zeroPoint).getElementType()
                      : ctx.getBuilder().getIntegerType(8, /*isSigned=*/false);
  FailureOr<Type> type = outputDtype(ctx, fallback);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(typeOf(p->input).getElementType()) ||
      typeOf(p->input).getElementType() != typeOf(p->scale).getElementType()) {
    ctx.emitError() << "expects a float input and a scale of its type";
    return failure();
  }
  Value y = quantize(b, p->input, p->scale, p->zeroPoint, *type, p->axis,
                     p->blockSize, *saturate != 0);
  if (!b.ok)
    return failure();
  ctx.setResults(y);
  return success();
}

static LogicalResult importDequantizeLinear(NodeContext &ctx) {
  NodeBuilder b{ctx};
  FailureOr<QdqParams> p = readQdq(ctx, b);
  if (failed(p))
    return failure();
  FailureOr<Type> type = outputDtype(ctx, typeOf(p->scale).getElementType());
  if (failed(type))
    return failure();
  if (!isa<FloatType>(*type)) {
    ctx.emitError() << "dequantizes to floats only";
    return failure();
  }
  Value y = verified(b, DequantizeOp::create(ctx.getBuilder(), ctx.getLoc(),
                                             typeOf(p->input).clone(*type),
                                             p->input, p->scale, p->zeroPoint,
                                             p->axis, p->blockSize));
  if (!b.ok)
    return failure();
  ctx.setResults(y);
  return success();
}

/// (A - a_zero_point) (B - b_zero_point) in i32, one aic.matmul_integer.
static Value integerMatMul(NodeBuilder &b, Value a, Value aZero, Value bMat,
                           Value bZero) {
  if (!b.ok || !a || !bMat)
    return b.ok = false, Value();
  SmallVector<Value> operands = {a, bMat};
  if (aZero)
    operands.push_back(aZero);
  if (bZero)
    operands.push_back(bZero);
  OpBuilder &builder = b.ctx.getBuilder();
  return b.op(
      MatMulIntegerOp::getOperationName(), operands,
      {builder.getNamedAttr(
          "operandSegmentSizes",
          builder.getDenseI32ArrayAttr({1, 1, aZero ? 1 : 0, bZero ? 1 : 0}))});
}

static LogicalResult importMatMulInteger(NodeContext &ctx) {
  NodeBuilder b{ctx};
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects inputs A and B";
    return failure();
  }
  Value y = integerMatMul(b, ctx.operand(0), ctx.operand(2), ctx.operand(1),
                          ctx.operand(3));
  if (!b.ok)
    return failure();
  ctx.setResults(y);
  return success();
}

/// Requantizes an i32 accumulator: `acc * (aScale * bScale / yScale)`
/// rounded into the zero point's type; `multiplierShape` reshapes the
/// multiplier when it is per channel.
static Value requantize(NodeBuilder &b, Value acc, Value aScale, Value bScale,
                        Value yScale, Value yZero,
                        std::optional<SmallVector<int64_t>> multiplierShape) {
  Value multiplier =
      b.op(DivOp::getOperationName(),
           {b.op(MulOp::getOperationName(), {aScale, bScale}), yScale});
  if (!b.ok)
    return Value();
  Type f32 = b.ctx.getBuilder().getF32Type();
  multiplier = b.cast(multiplier, f32);
  if (multiplierShape && typeOf(multiplier).getRank() == 1 &&
      typeOf(multiplier).getDimSize(0) != 1)
    multiplier = b.reshape(multiplier, *multiplierShape);
  Value scaled =
      b.op(MulOp::getOperationName(), {b.cast(acc, f32), multiplier});
  // The multiplier is applied already: a unit scale of the zero point's
  // shape (which is per tensor, or per the last axis).
  int64_t lastAxis = typeOf(acc).getRank() - 1;
  yZero = perTensorIfSingle(b, yZero, acc, lastAxis);
  if (!b.ok)
    return Value();
  if (!typeOf(yZero).hasStaticShape()) {
    b.ctx.emitError() << "expects a y_zero_point whose length is known at "
                         "compile time (pin it with --shape)";
    return b.ok = false, Value();
  }
  OpBuilder &builder = b.ctx.getBuilder();
  Value ones =
      ConstantOp::create(builder, b.ctx.getLoc(),
                         DenseElementsAttr::get(typeOf(yZero).clone(f32),
                                                builder.getF32FloatAttr(1.0f)));
  return quantize(b, scaled, ones, yZero, typeOf(yZero).getElementType(),
                  lastAxis);
}

static LogicalResult importQLinearMatMul(NodeContext &ctx) {
  NodeBuilder b{ctx};
  for (unsigned i = 0; i < 8; ++i)
    if (!ctx.operand(i)) {
      ctx.emitError() << "expects all 8 inputs";
      return failure();
    }
  Value acc = integerMatMul(b, ctx.operand(0), ctx.operand(2), ctx.operand(3),
                            ctx.operand(5));
  if (!b.ok)
    return failure();
  // A per-row a_scale ([M]) becomes a column; a per-column b_scale ([N])
  // broadcasts as it is.
  Value aScale = ctx.operand(1);
  if (typeOf(aScale).getRank() == 1 && typeOf(aScale).getDimSize(0) != 1)
    aScale = b.reshape(aScale, {typeOf(aScale).getDimSize(0), 1});
  Value y = requantize(b, acc, aScale, ctx.operand(4), ctx.operand(6),
                       ctx.operand(7), std::nullopt);
  if (!b.ok)
    return failure();
  ctx.setResults(y);
  return success();
}

/// The [M, 1, ..., 1] shape that broadcasts a per-output-channel value
/// against a convolution's [N, M, spatial...] result.
static SmallVector<int64_t> channelShape(Value weight) {
  SmallVector<int64_t> shape(typeOf(weight).getRank() - 1, 1);
  shape[0] = typeOf(weight).getDimSize(0);
  return shape;
}

/// conv(X - x_zero_point, W - w_zero_point) (+ bias, per output channel)
/// in i32: one aic.conv_integer.
static Value integerConv(NodeContext &ctx, NodeBuilder &b, Value x, Value xZero,
                         Value w, Value wZero, Value bias) {
  if (!b.ok)
    return Value();
  FailureOr<Value> conv = buildConvInteger(ctx, x, w, xZero, wZero);
  if (failed(conv))
    return b.ok = false, Value();
  if (!bias)
    return *conv;
  return b.op(AddOp::getOperationName(),
              {*conv, b.reshape(bias, channelShape(w))});
}

static LogicalResult importConvInteger(NodeContext &ctx) {
  NodeBuilder b{ctx};
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects inputs x and w";
    return failure();
  }
  Value y = integerConv(ctx, b, ctx.operand(0), ctx.operand(2), ctx.operand(1),
                        ctx.operand(3), Value());
  if (!b.ok)
    return failure();
  ctx.setResults(y);
  return success();
}

static LogicalResult importQLinearConv(NodeContext &ctx) {
  NodeBuilder b{ctx};
  for (unsigned i = 0; i < 8; ++i)
    if (!ctx.operand(i)) {
      ctx.emitError() << "expects inputs x through y_zero_point";
      return failure();
    }
  Value acc = integerConv(ctx, b, ctx.operand(0), ctx.operand(2),
                          ctx.operand(3), ctx.operand(5), ctx.operand(8));
  if (!b.ok)
    return failure();
  Value y = requantize(b, acc, ctx.operand(1), ctx.operand(4), ctx.operand(6),
                       ctx.operand(7), channelShape(ctx.operand(3)));
  if (!b.ok)
    return failure();
  ctx.setResults(y);
  return success();
}

/// buildDynamicQuantization's three results.
static LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.operand(0);
  if (!x || !typeOf(x).getElementType().isF32()) {
    ctx.emitError() << "expects a float32 input x";
    return failure();
  }
  DynamicQuantization q =
      buildDynamicQuantization(ctx.getBuilder(), ctx.getLoc(), x);
  ctx.setResults({q.output, q.scale, q.zeroPoint});
  return success();
}

void mlir::aic::onnx_import::registerQuantizationOps(OpRegistry &registry) {
  static constexpr int64_t qdq[] = {10, 13, 19, 21, 23, 24, 25};
  registry.on("QuantizeLinear", qdq, 10, importQuantizeLinear);
  registry.on("DequantizeLinear", qdq, 10, importDequantizeLinear);
  registry.on("DynamicQuantizeLinear", {11}, 11, importDynamicQuantizeLinear);
  registry.on("MatMulInteger", {10}, 10, importMatMulInteger);
  registry.on("QLinearMatMul", {10, 21}, 10, importQLinearMatMul);
  registry.on("ConvInteger", {10}, 10, importConvInteger);
  registry.on("QLinearConv", {10}, 10, importQLinearConv);
}
