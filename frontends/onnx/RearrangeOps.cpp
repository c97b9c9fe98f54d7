//===- RearrangeOps.cpp - operators built from reshapes and friends -------===//
//
// Operators the importer builds from other aic ops: DepthToSpace and
// SpaceToDepth (reshape, transpose, reshape), CenterCropPad (slice and
// pad), EyeLike (a constant), Shrink and MeanVarianceNormalization
// (elementwise ops and reductions).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"
#include "frontends/onnx/TensorData.h"

#include "dialects/aic/IR/AicOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// An i64 vector constant.
static Value i64Vector(NodeContext &ctx, ArrayRef<int64_t> values) {
  OpBuilder &b = ctx.getBuilder();
  return ConstantOp::create(
      b, ctx.getLoc(),
      DenseElementsAttr::get(
          RankedTensorType::get({(int64_t)values.size()}, b.getI64Type()),
          values));
}

/// reshape(input, first) -> transpose(perm) -> reshape(final).
static LogicalResult rearrange(NodeContext &ctx, Value input,
                               ArrayRef<int64_t> first, ArrayRef<int64_t> perm,
                               ArrayRef<int64_t> final) {
  OpBuilder &b = ctx.getBuilder();
  OpChain create(ctx);
  Value split =
      create(ReshapeOp::getOperationName(), {input, i64Vector(ctx, first)});
  Value moved = create(TransposeOp::getOperationName(), split,
                       {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
  Value merged =
      create(ReshapeOp::getOperationName(), {moved, i64Vector(ctx, final)});
  if (!create.ok())
    return failure();
  ctx.setResults(merged);
  return success();
}

/// The [N, C, H, W] input (C, H, W known) and blocksize of DepthToSpace and
/// SpaceToDepth.
static FailureOr<std::pair<RankedTensorType, int64_t>>
blockOperands(NodeContext &ctx) {
  Value input = ctx.operand(0);
  FailureOr<int64_t> block = ctx.intAttr("blocksize", 0);
  if (!input || failed(block))
    return failure();
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() != 4 || *block < 1) {
    ctx.emitError() << "expects an input of rank 4 and a positive blocksize";
    return failure();
  }
  if (llvm::any_of(type.getShape().drop_front(),
                   [](int64_t d) { return ShapedType::isDynamic(d); })) {
    ctx.emitError() << "unsupported: channels or spatial dims known only at "
                       "run time";
    return failure();
  }
  return std::make_pair(type, *block);
}

static LogicalResult importDepthToSpace(NodeContext &ctx) {
  FailureOr<std::pair<RankedTensorType, int64_t>> operands = blockOperands(ctx);
  FailureOr<std::string> mode = ctx.stringAttr("mode", "DCR");
  if (failed(operands) || failed(mode))
    return failure();
  auto [type, bs] = *operands;
  int64_t c = type.getDimSize(1), h = type.getDimSize(2),
          w = type.getDimSize(3);
  if (c % (bs * bs) != 0) {
    ctx.emitError() << "expects channels divisible by blocksize^2";
    return failure();
  }
  SmallVector<int64_t> final = {0, c / (bs * bs), h * bs, w * bs};
  if (*mode == "DCR")
    return rearrange(ctx, ctx.operand(0), {0, bs, bs, c / (bs * bs), h, w},
                     {0, 3, 4, 1, 5, 2}, final);
  if (*mode == "CRD")
    return rearrange(ctx, ctx.operand(0), {0, c / (bs * bs), bs, bs, h, w},
                     {0, 1, 4, 2, 5, 3}, final);
  ctx.emitError() << "unknown mode '" << *mode << "'";
  return failure();
}

static LogicalResult importSpaceToDepth(NodeContext &ctx) {
  FailureOr<std::pair<RankedTensorType, int64_t>> operands = blockOperands(ctx);
  if (failed(operands))
    return failure();
  auto [type, bs] = *operands;
  int64_t c = type.getDimSize(1), h = type.getDimSize(2),
          w = type.getDimSize(3);
  if (h % bs != 0 || w % bs != 0) {
    ctx.emitError() << "expects spatial dims divisible by blocksize";
    return failure();
  }
  return rearrange(ctx, ctx.operand(0), {0, c, h / bs, bs, w / bs, bs},
                   {0, 3, 5, 1, 2, 4}, {0, c * bs * bs, h / bs, w / bs});
}

/// CenterCropPad: each listed axis cropped (from (dim - size) / 2) or
/// padded with zeros ((size - dim) / 2 before) to the given size.
static LogicalResult importCenterCropPad(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input || !ctx.operand(1)) {
    ctx.emitError() << "expects input_data and shape";
    return failure();
  }
  FailureOr<SmallVector<int64_t>> sizes = ctx.constantInts(1, "shape");
  int64_t rank = rankOf(input);
  FailureOr<SmallVector<int64_t>> axes =
      ctx.intsAttr("axes", llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (failed(sizes) || failed(axes))
    return failure();
  if (sizes->size() != axes->size()) {
    ctx.emitError() << "expects one size per axis";
    return failure();
  }
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> starts(rank, 0), kept(type.getShape()), steps(rank, 1),
      pads(2 * rank, 0);
  for (auto [axis, size] : llvm::zip(*axes, *sizes)) {
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank || size < 0) {
      ctx.emitError() << "axis " << axis << " or size " << size
                      << " out of range";
      return failure();
    }
    int64_t dim = type.getDimSize(a);
    if (ShapedType::isDynamic(dim)) {
      ctx.emitError() << "unsupported: a dim known only at run time";
      return failure();
    }
    if (size < dim) {
      starts[a] = (dim - size) / 2;
      kept[a] = size;
    } else {
      pads[a] = (size - dim) / 2;
      pads[a + rank] = size - dim - pads[a];
    }
  }
  OpBuilder &b = ctx.getBuilder();
  OpChain create(ctx);
  Value cropped =
      create(SliceOp::getOperationName(), input,
             {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
              b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(kept)),
              b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
  if (!create.ok())
    return failure();
  FailureOr<Value> padded = buildPad(ctx, cropped, Value(), "constant", pads);
  if (failed(padded))
    return failure();
  ctx.setResults(*padded);
  return success();
}

/// EyeLike: ones where column - row == k, of the input's 2-D shape and
/// `dtype` (the input's type by default).
static LogicalResult importEyeLike(NodeContext &ctx) {
  Value input = ctx.operand(0);
  FailureOr<int64_t> k = ctx.intAttr("k", 0);
  FailureOr<int64_t> dtype = ctx.intAttr("dtype", 0);
  if (!input || failed(k) || failed(dtype))
    return failure();
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() != 2 || !type.hasStaticShape()) {
    ctx.emitError() << "expects a 2-D input of known shape";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Type et =
      *dtype ? getElementType(b.getContext(), *dtype) : type.getElementType();
  if (!et) {
    ctx.emitError() << "unsupported dtype " << *dtype;
    return failure();
  }
  auto resultType = type.clone(et);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < type.getDimSize(0); ++i)
    for (int64_t j = 0; j < type.getDimSize(1); ++j) {
      int64_t v = j - i == *k;
      values.push_back(isa<FloatType>(et) ? Attribute(b.getFloatAttr(et, v))
                                          : Attribute(b.getIntegerAttr(et, v)));
    }
  ctx.setResults(ConstantOp::create(b, ctx.getLoc(),
                                    DenseElementsAttr::get(resultType, values))
                     .getResult());
  return success();
}

/// Shrink: x + bias below -lambd, x - bias above lambd, else 0.
static LogicalResult importShrink(NodeContext &ctx) {
  Value x = ctx.operand(0);
  FailureOr<float> bias = ctx.floatAttr("bias", 0.0f);
  FailureOr<float> lambd = ctx.floatAttr("lambd", 0.5f);
  if (!x || failed(bias) || failed(lambd))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  auto c = [&](double v) { return scalarConstant(b, loc, et, v); };
  OpChain create(ctx);
  Value below = create(LessOp::getOperationName(), {x, c(-*lambd)});
  Value above = create(GreaterOp::getOperationName(), {x, c(*lambd)});
  Value raised = create(AddOp::getOperationName(), {x, c(*bias)});
  Value lowered = create(SubOp::getOperationName(), {x, c(*bias)});
  Value outer = create(WhereOp::getOperationName(), {above, lowered, c(0)});
  Value result = create(WhereOp::getOperationName(), {below, raised, outer});
  if (!create.ok())
    return failure();
  ctx.setResults(result);
  return success();
}

/// MeanVarianceNormalization as its ONNX function: (x - E[x]) /
/// (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes` (default N, H, W).
static LogicalResult importMeanVarianceNormalization(NodeContext &ctx) {
  Value x = ctx.operand(0);
  FailureOr<SmallVector<int64_t>> axes = ctx.intsAttr("axes", {0, 2, 3});
  if (!x || failed(axes))
    return failure();
  int64_t rank = rankOf(x);
  for (int64_t &a : *axes) {
    if (a < -rank || a >= rank) {
      ctx.emitError() << "axis " << a << " is out of range for rank " << rank;
      return failure();
    }
    if (a < 0)
      a += rank;
  }
  OpBuilder &b = ctx.getBuilder();
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  OpChain create(ctx);
  auto mean = [&](Value v) {
    return create(ReduceMeanOp::getOperationName(), v,
                  {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(*axes)),
                   b.getNamedAttr("keepdims", b.getBoolAttr(true))});
  };
  Value m = mean(x);
  Value squares = mean(create(MulOp::getOperationName(), {x, x}));
  Value variance = create(SubOp::getOperationName(),
                          {squares, create(MulOp::getOperationName(), {m, m})});
  Value deviation = create(AddOp::getOperationName(),
                           {create(SqrtOp::getOperationName(), variance),
                            scalarConstant(b, ctx.getLoc(), et, 1e-9)});
  Value result = create(DivOp::getOperationName(),
                        {create(SubOp::getOperationName(), {x, m}), deviation});
  if (!create.ok())
    return failure();
  ctx.setResults(result);
  return success();
}

void mlir::aic::onnx_import::registerRearrangeOps(OpRegistry &registry) {
  registry.on("DepthToSpace", {1, 11, 13}, 1, importDepthToSpace);
  registry.on("SpaceToDepth", {1, 13}, 1, importSpaceToDepth);
  registry.on("CenterCropPad", {18}, 18, importCenterCropPad);
  registry.on("EyeLike", {9, 22}, 9, importEyeLike);
  registry.on("Shrink", {9}, 9, importShrink);
  registry.on("MeanVarianceNormalization", {9, 13}, 9,
              importMeanVarianceNormalization);
}
