//===- ReductionOps.cpp - import of reductions, normalizations, pooling ---===//
//
// The Reduce* family, ArgMax/ArgMin, Softmax/LogSoftmax, BatchNormalization,
// LayerNormalization and the pooling operators.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"
#include "frontends/onnx/TensorData.h"

#include "dialects/aic/IR/AicOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// Normalizes ONNX axes (negative from the end) to sorted, distinct axes.
static FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeContext &ctx, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank) {
      ctx.emitError() << "axis " << axis << " is out of range for rank "
                      << rank;
      return failure();
    }
    result.push_back(axis < 0 ? axis + rank : axis);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end()) {
    ctx.emitError() << "repeats an axis";
    return failure();
  }
  return result;
}

/// Reduce*: axes from the attribute (older versions) or the optional second
/// input (from `axesInputSince` on); empty axes mean all of them unless
/// noop_with_empty_axes.
template <typename OpTy> static ImportFn importReduce(int64_t axesInputSince) {
  return [axesInputSince](NodeContext &ctx) -> LogicalResult {
    Value input = ctx.operand(0);
    if (!input) {
      ctx.emitError() << "expects an input";
      return failure();
    }
    int64_t rank = rankOf(input);
    SmallVector<int64_t> axes;
    OpBuilder &b = ctx.getBuilder();
    FailureOr<int64_t> keepDims = ctx.intAttr("keepdims", 1);
    if (failed(keepDims))
      return failure();
    if (ctx.getSinceVersion() >= axesInputSince) {
      if (Value axesInput = ctx.runtimeOperand(1)) {
        // Axes known only at run time (at least one of them).
        return ctx.emitOp(
            OpTy::getOperationName(), {input, axesInput},
            {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({})),
             b.getNamedAttr("keepdims", b.getBoolAttr(*keepDims))});
      }
      if (ctx.operand(1)) {
        FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "axes");
        if (failed(given))
          return failure();
        axes = *given;
      }
    } else {
      FailureOr<SmallVector<int64_t>> given = ctx.intsAttr("axes", {});
      if (failed(given))
        return failure();
      axes = *given;
    }
    FailureOr<int64_t> noop = ctx.intAttr("noop_with_empty_axes", 0);
    if (failed(noop))
      return failure();
    if (axes.empty()) {
      if (*noop) {
        ctx.setResults(input);
        return success();
      }
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    }
    FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(ctx, axes, rank);
    if (failed(normalized))
      return failure();
    return ctx.emitOp(
        OpTy::getOperationName(), input,
        {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(*normalized)),
         b.getNamedAttr("keepdims", b.getBoolAttr(*keepDims))});
  };
}

/// CumSum and CumProd: the axis is an input, an attribute where it is a
/// constant.
template <typename OpTy>
static LogicalResult importCumulative(NodeContext &ctx) {
  Value input = ctx.operand(0), axisInput = ctx.operand(1);
  if (!input || !axisInput || rankOf(input) == 0) {
    ctx.emitError() << "expects an input of rank >= 1 and an axis";
    return failure();
  }
  FailureOr<int64_t> exclusive = ctx.intAttr("exclusive", 0);
  FailureOr<int64_t> reverse = ctx.intAttr("reverse", 0);
  if (failed(exclusive) || failed(reverse))
    return failure();
  auto axisType = cast<RankedTensorType>(axisInput.getType());
  if (!axisType.hasStaticShape() || axisType.getNumElements() != 1 ||
      !isa<IntegerType>(axisType.getElementType())) {
    ctx.emitError() << "expects a one-element integer axis";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  int64_t axis = 0;
  DenseIntElementsAttr value;
  if (matchPattern(axisInput, m_Constant(&value))) {
    FailureOr<SmallVector<int64_t>> normalized =
        normalizeAxes(ctx, {(*value.getValues<APInt>().begin()).getSExtValue()},
                      rankOf(input));
    if (failed(normalized))
      return failure();
    axis = normalized->front();
    axisInput = Value();
  }
  auto op = OpTy::create(b, ctx.getLoc(), input.getType(), input, axisInput,
                         axis, *exclusive != 0, *reverse != 0);
  if (failed(ctx.verifyOp(op)))
    return failure();
  ctx.setResults(op.getResult());
  return success();
}

template <typename OpTy>
static LogicalResult importArgReduce(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", 0);
  FailureOr<int64_t> keepDims = ctx.intAttr("keepdims", 1);
  FailureOr<int64_t> last = ctx.intAttr("select_last_index", 0);
  if (failed(axis) || failed(keepDims) || failed(last))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(ctx, {*axis}, rankOf(input));
  if (failed(normalized))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(
      OpTy::getOperationName(), input,
      {b.getNamedAttr("axis", b.getI64IntegerAttr(normalized->front())),
       b.getNamedAttr("keepdims", b.getBoolAttr(*keepDims)),
       b.getNamedAttr("select_last_index", b.getBoolAttr(*last))});
}

/// The input (rank >= 1) and its `axis` attribute, normalized, of the ops
/// that work along one axis.
static FailureOr<std::pair<Value, int64_t>> inputAndAxis(NodeContext &ctx,
                                                         int64_t defaultAxis) {
  Value input = ctx.operand(0);
  if (!input || rankOf(input) == 0) {
    ctx.emitError() << "expects an input of rank >= 1";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", defaultAxis);
  if (failed(axis))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(ctx, {*axis}, rankOf(input));
  if (failed(normalized))
    return failure();
  return std::make_pair(input, normalized->front());
}

/// TopK. Version 1 takes k as an attribute, later versions as an input,
/// which may be known only at run time; from 11 `largest` picks the order
/// (`sorted` = 0 leaves the order open, so sorted results serve too).
static LogicalResult importTopK(NodeContext &ctx) {
  FailureOr<std::pair<Value, int64_t>> operand = inputAndAxis(ctx, -1);
  FailureOr<int64_t> largest = ctx.intAttr("largest", 1);
  if (failed(operand) || failed(largest))
    return failure();
  auto [input, a] = *operand;
  OpBuilder &b = ctx.getBuilder();
  auto kType = RankedTensorType::get({1}, b.getI64Type());
  Value k = ctx.operand(1);
  if (ctx.getSinceVersion() < 10) {
    FailureOr<int64_t> attr = ctx.intAttr("k", -1);
    if (failed(attr))
      return failure();
    if (!ctx.hasAttr("k")) {
      ctx.emitError() << "expects a k attribute";
      return failure();
    }
    k = ConstantOp::create(b, ctx.getLoc(),
                           DenseElementsAttr::get(kType, *attr));
  } else if (auto type = k ? cast<RankedTensorType>(k.getType()) : nullptr;
             !type || !type.getElementType().isInteger(64) ||
             (type.hasStaticShape() && type.getNumElements() != 1)) {
    ctx.emitError() << "expects a K input of one int64";
    return failure();
  }
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t extent = inputType.getDimSize(a), kept = ShapedType::kDynamic;
  DenseIntElementsAttr value;
  if (matchPattern(k, m_Constant(&value))) {
    kept = (*value.getValues<APInt>().begin()).getSExtValue();
    if (kept < 0 || (extent != ShapedType::kDynamic && kept > extent)) {
      ctx.emitError() << "k " << kept << " is outside [0, " << extent
                      << "], the extent of axis " << a;
      return failure();
    }
  }
  SmallVector<int64_t> shape(inputType.getShape());
  shape[a] = kept;
  if (k.getType() != kType) {
    FailureOr<SmallVector<Value>> reshaped = ctx.createOp(
        ReshapeOp::getOperationName(),
        {k, ConstantOp::create(b, ctx.getLoc(),
                               DenseElementsAttr::get(kType, int64_t{1}))});
    if (failed(reshaped))
      return failure();
    k = reshaped->front();
  }
  auto topK =
      TopKOp::create(b, ctx.getLoc(), inputType.clone(shape),
                     RankedTensorType::get(shape, b.getI64Type()), input, k,
                     b.getI64IntegerAttr(a), b.getBoolAttr(*largest != 0));
  if (failed(ctx.verifyOp(topK)))
    return failure();
  ctx.setResults(topK.getResults());
  return success();
}

/// The positions 0 .. n - 1 along dim `axis` of a rank-`rank` i64 tensor
/// whose other dims are 1 (to compare against indices along that axis).
static Value positionsAlong(NodeContext &ctx, int64_t n, int64_t axis,
                            int64_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = n;
  OpBuilder &b = ctx.getBuilder();
  return ConstantOp::create(
      b, ctx.getLoc(),
      DenseElementsAttr::get(
          RankedTensorType::get(shape, b.getI64Type()),
          ArrayRef<int64_t>(llvm::to_vector(llvm::seq<int64_t>(0, n)))));
}

/// Hardmax-13: 1 where the first maximum along `axis` is, 0 elsewhere
/// (ArgMax compared against the positions along the axis).
static LogicalResult importHardmax(NodeContext &ctx) {
  FailureOr<std::pair<Value, int64_t>> operand = inputAndAxis(ctx, -1);
  if (failed(operand))
    return failure();
  auto [input, a] = *operand;
  int64_t rank = rankOf(input);
  auto type = cast<RankedTensorType>(input.getType());
  if (type.isDynamicDim(a)) {
    ctx.emitError() << "unsupported: Hardmax along a dim known only at run "
                       "time";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  FailureOr<SmallVector<Value>> first =
      ctx.createOp(ArgMaxOp::getOperationName(), input,
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(a)),
                    b.getNamedAttr("keepdims", b.getBoolAttr(true)),
                    b.getNamedAttr("select_last_index", b.getBoolAttr(false))});
  if (failed(first))
    return failure();
  FailureOr<SmallVector<Value>> hot = ctx.createOp(
      EqualOp::getOperationName(),
      {positionsAlong(ctx, type.getDimSize(a), a, rank), first->front()});
  if (failed(hot))
    return failure();
  return ctx.emitOp(
      CastOp::getOperationName(), hot->front(),
      {b.getNamedAttr("to", TypeAttr::get(type.getElementType()))});
}

/// LpNormalization: x / ||x||_p along `axis` (p 1 or 2); a zero vector
/// stays zero, as in ONNX's reference.
static LogicalResult importLpNormalization(NodeContext &ctx) {
  FailureOr<std::pair<Value, int64_t>> operand = inputAndAxis(ctx, -1);
  FailureOr<int64_t> p = ctx.intAttr("p", 2);
  if (failed(operand) || failed(p))
    return failure();
  if (*p != 1 && *p != 2) {
    ctx.emitError() << "expects p 1 or 2, got " << *p;
    return failure();
  }
  auto [input, a] = *operand;
  OpBuilder &b = ctx.getBuilder();
  FailureOr<SmallVector<Value>> norm = ctx.createOp(
      *p == 1 ? ReduceL1Op::getOperationName() : ReduceL2Op::getOperationName(),
      input,
      {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({a})),
       b.getNamedAttr("keepdims", b.getBoolAttr(true))});
  if (failed(norm))
    return failure();
  // A zero norm divides by 1 instead, as ONNX's reference does.
  Type et = cast<RankedTensorType>(input.getType()).getElementType();
  Value zero = scalarConstant(b, ctx.getLoc(), et, 0.0);
  Value one = scalarConstant(b, ctx.getLoc(), et, 1.0);
  FailureOr<SmallVector<Value>> isZero =
      ctx.createOp(EqualOp::getOperationName(), {norm->front(), zero});
  if (failed(isZero))
    return failure();
  FailureOr<SmallVector<Value>> divisor = ctx.createOp(
      WhereOp::getOperationName(), {isZero->front(), one, norm->front()});
  if (failed(divisor))
    return failure();
  return ctx.emitOp(DivOp::getOperationName(), {input, divisor->front()});
}

/// The negative log-likelihood loss of `logProb` [N, C, d...] at `target`
/// [N, d...] as ONNX's reference computes it: each element's -logProb at
/// its class, weighted by `weight` of that class (where given), ignored
/// elements (target == ignore_index) 0 and out of the weights' sum; then
/// none, sum, or mean (over the weights' sum where there are weights).
static FailureOr<Value> buildNllLoss(NodeContext &ctx, Value logProb,
                                     Value target, Value weight) {
  FailureOr<std::string> reduction = ctx.stringAttr("reduction", "mean");
  if (failed(reduction))
    return failure();
  if (*reduction != "none" && *reduction != "sum" && *reduction != "mean") {
    ctx.emitError() << "unknown reduction '" << *reduction << "'";
    return failure();
  }
  auto type = cast<RankedTensorType>(logProb.getType());
  auto targetType = cast<RankedTensorType>(target.getType());
  if (type.getRank() < 2 || targetType.getRank() != type.getRank() - 1 ||
      !isa<IntegerType>(targetType.getElementType())) {
    ctx.emitError() << "expects input [N, C, d...] and integer target [N, "
                       "d...]";
    return failure();
  }
  int64_t classes = type.getDimSize(1);
  if (ShapedType::isDynamic(classes)) {
    ctx.emitError() << "unsupported: a class count known only at run time";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  Type et = type.getElementType(), i64 = b.getI64Type();
  OpChain create(ctx);
  auto axesAttr = [&](ArrayRef<int64_t> axes) {
    return b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes));
  };
  Value t = create.cast(target, i64);
  // Ignored elements: weight 0, class 0 (any class in range would do).
  Value mask;
  if (ctx.hasAttr("ignore_index")) {
    FailureOr<int64_t> ignore = ctx.intAttr("ignore_index", 0);
    if (failed(ignore))
      return failure();
    Value ignored = create(EqualOp::getOperationName(),
                           {t, scalarConstant(b, loc, i64, *ignore)});
    t = create(WhereOp::getOperationName(),
               {ignored, scalarConstant(b, loc, i64, 0), t});
    mask = create.cast(create(NotOp::getOperationName(), ignored), et);
  }
  // Classes clamped into range, as the reference's np.take(mode="clip").
  t = create(MaxOp::getOperationName(),
             {create(MinOp::getOperationName(),
                     {t, scalarConstant(b, loc, i64, classes - 1)}),
              scalarConstant(b, loc, i64, 0)});
  Value picked =
      create(SqueezeOp::getOperationName(),
             create(GatherElementsOp::getOperationName(),
                    {logProb,
                     create(UnsqueezeOp::getOperationName(), t, axesAttr({1}))},
                    {b.getNamedAttr("axis", b.getI64IntegerAttr(1))}),
             axesAttr({1}));
  Value loss = create(NegOp::getOperationName(), picked);
  Value weights = mask;
  if (weight) {
    Value taken = create(GatherOp::getOperationName(), {weight, t},
                         {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
    weights = mask ? create(MulOp::getOperationName(), {taken, mask}) : taken;
  }
  if (weights)
    loss = create(MulOp::getOperationName(), {loss, weights});
  if (!create.ok())
    return failure();
  if (*reduction == "none")
    return loss;
  SmallVector<int64_t> all =
      llvm::to_vector(llvm::seq<int64_t>(0, targetType.getRank()));
  auto reduce = [&](StringRef name, Value v) {
    return create(
        name, v,
        {axesAttr(all), b.getNamedAttr("keepdims", b.getBoolAttr(false))});
  };
  Value result;
  if (*reduction == "sum")
    result = reduce(ReduceSumOp::getOperationName(), loss);
  else if (weights)
    result = create(DivOp::getOperationName(),
                    {reduce(ReduceSumOp::getOperationName(), loss),
                     reduce(ReduceSumOp::getOperationName(), weights)});
  else
    result = reduce(ReduceMeanOp::getOperationName(), loss);
  if (!create.ok())
    return failure();
  return result;
}

static LogicalResult importNllLoss(NodeContext &ctx) {
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects input and target";
    return failure();
  }
  FailureOr<Value> loss =
      buildNllLoss(ctx, ctx.operand(0), ctx.operand(1), ctx.operand(2));
  if (failed(loss))
    return failure();
  ctx.setResults(*loss);
  return success();
}

/// SoftmaxCrossEntropyLoss: the NLL loss of LogSoftmax over the classes,
/// and the log probabilities as the optional second output.
static LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &ctx) {
  if (!ctx.operand(0) || !ctx.operand(1) || rankOf(ctx.operand(0)) < 2) {
    ctx.emitError() << "expects scores [N, C, d...] and labels";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  FailureOr<SmallVector<Value>> logProb =
      ctx.createOp(LogSoftmaxOp::getOperationName(), ctx.operand(0),
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(1))});
  if (failed(logProb))
    return failure();
  FailureOr<Value> loss =
      buildNllLoss(ctx, logProb->front(), ctx.operand(1), ctx.operand(2));
  if (failed(loss))
    return failure();
  ctx.setResults({*loss, logProb->front()});
  return success();
}

/// Softmax and LogSoftmax. Before version 13 the input is coerced to 2-D at
/// `axis` and normalized over the second dim; from 13 over `axis` alone.
template <typename OpTy> static LogicalResult importSoftmax(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  bool coerce = ctx.getSinceVersion() < 13;
  int64_t rank = rankOf(input);
  FailureOr<int64_t> axis = ctx.intAttr("axis", coerce ? 1 : -1);
  if (failed(axis))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(ctx, {*axis}, std::max<int64_t>(rank, 1));
  if (failed(normalized))
    return failure();
  int64_t a = normalized->front();
  OpBuilder &b = ctx.getBuilder();
  if (!coerce || a == rank - 1)
    return ctx.emitOp(OpTy::getOperationName(), input,
                      {b.getNamedAttr("axis", b.getI64IntegerAttr(a))});
  auto type = cast<RankedTensorType>(input.getType());
  if (!type.hasStaticShape()) {
    ctx.emitError() << "unsupported: the opset < 13 form on dynamic shapes";
    return failure();
  }
  FailureOr<SmallVector<Value>> flat =
      ctx.createOp(FlattenOp::getOperationName(), input,
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(a))});
  if (failed(flat))
    return failure();
  FailureOr<SmallVector<Value>> normalizedFlat =
      ctx.createOp(OpTy::getOperationName(), flat->front(),
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(1))});
  if (failed(normalizedFlat))
    return failure();
  auto shapeType = RankedTensorType::get({rank}, b.getI64Type());
  Value shape = ConstantOp::create(
      b, ctx.getLoc(), DenseElementsAttr::get(shapeType, type.getShape()));
  return ctx.emitOp(ReshapeOp::getOperationName(),
                    {normalizedFlat->front(), shape});
}

/// Only the first output of a node that ONNX gives optional training or
/// statistics outputs.
static LogicalResult requireOneOutput(NodeContext &ctx, StringRef what) {
  if (ctx.numResults() > 1) {
    ctx.emitError() << "unsupported: the " << what << " outputs";
    return failure();
  }
  return success();
}

/// BatchNormalization in training mode (opset 14+): normalizes with the
/// batch's own mean and (population) variance over all dims but the
/// channels, and returns the running statistics updated with `momentum`:
/// running = given * momentum + batch * (1 - momentum).
static LogicalResult importBatchNormTraining(NodeContext &ctx, float epsilon) {
  FailureOr<float> momentum = ctx.floatAttr("momentum", 0.9f);
  if (failed(momentum))
    return failure();
  Value x = ctx.operand(0);
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getRank() < 2) {
    ctx.emitError() << "expects an input of rank >= 2";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  Type et = type.getElementType();
  OpChain create(ctx);
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < type.getRank(); ++d)
    axes.push_back(d);
  auto mean = [&](Value v, bool keep) {
    return create(ReduceMeanOp::getOperationName(), v,
                  {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                   b.getNamedAttr("keepdims", b.getBoolAttr(keep))});
  };
  Value centered =
      create(SubOp::getOperationName(), {x, mean(x, /*keep=*/true)});
  Value squares = create(MulOp::getOperationName(), {centered, centered});
  Value variance = mean(squares, /*keep=*/true);
  Value batchMean = mean(x, /*keep=*/false);
  Value batchVariance = mean(squares, /*keep=*/false);
  // The channel parameters as [C, 1, ...] against [N, C, ...].
  SmallVector<int64_t> trailing;
  for (int64_t d = 1; d < type.getRank() - 1; ++d)
    trailing.push_back(d);
  auto perChannel = [&](Value v) {
    return trailing.empty()
               ? v
               : create(UnsqueezeOp::getOperationName(), v,
                        {b.getNamedAttr("axes",
                                        b.getDenseI64ArrayAttr(trailing))});
  };
  Value denominator =
      create(SqrtOp::getOperationName(),
             create(AddOp::getOperationName(),
                    {variance, scalarConstant(b, loc, et, epsilon)}));
  Value y = create(
      AddOp::getOperationName(),
      {create(MulOp::getOperationName(),
              {create(DivOp::getOperationName(), {centered, denominator}),
               perChannel(ctx.operand(1))}),
       perChannel(ctx.operand(2))});
  auto running = [&](Value given, Value batch) {
    return create(
        AddOp::getOperationName(),
        {create(MulOp::getOperationName(),
                {given, scalarConstant(b, loc, et, *momentum)}),
         create(MulOp::getOperationName(),
                {batch, scalarConstant(b, loc, et, 1.0 - *momentum)})});
  };
  Value runningMean = running(ctx.operand(3), batchMean);
  Value runningVariance = running(ctx.operand(4), batchVariance);
  if (!create.ok())
    return failure();
  ctx.setResults({y, runningMean, runningVariance});
  return success();
}

static LogicalResult importBatchNorm(NodeContext &ctx) {
  for (unsigned i = 0; i < 5; ++i) {
    if (!ctx.operand(i)) {
      ctx.emitError() << "expects 5 inputs";
      return failure();
    }
  }
  FailureOr<int64_t> training = ctx.intAttr("training_mode", 0);
  FailureOr<float> epsilon = ctx.floatAttr("epsilon", 1e-5f);
  if (failed(training) || failed(epsilon))
    return failure();
  if (*training)
    return importBatchNormTraining(ctx, *epsilon);
  if (failed(requireOneOutput(ctx, "training")))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto type = cast<RankedTensorType>(ctx.operand(0).getType());
  ctx.setResults(BatchNormOp::create(b, ctx.getLoc(), type, ctx.operand(0),
                                     ctx.operand(1), ctx.operand(2),
                                     ctx.operand(3), ctx.operand(4),
                                     b.getF32FloatAttr(*epsilon))
                     .getResult());
  return success();
}

/// The element type statistics are computed in: ONNX's stash_type (1 is
/// float32, the default).
static FailureOr<Type> stashType(NodeContext &ctx, Type inputType) {
  FailureOr<int64_t> stash = ctx.intAttr("stash_type", 1);
  if (failed(stash))
    return failure();
  if (*stash == 1)
    return Type(ctx.getBuilder().getF32Type());
  Type type = getElementType(ctx.getBuilder().getContext(), *stash);
  if (!type || !isa<FloatType>(type)) {
    ctx.emitError() << "unsupported: stash_type " << *stash;
    return failure();
  }
  return type;
}

static LogicalResult importLayerNorm(NodeContext &ctx) {
  Value input = ctx.operand(0), scale = ctx.operand(1), bias = ctx.operand(2);
  if (!input || !scale) {
    ctx.emitError() << "expects inputs X and Scale";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", -1);
  FailureOr<float> epsilon = ctx.floatAttr("epsilon", 1e-5f);
  auto type = cast<RankedTensorType>(input.getType());
  FailureOr<Type> stash = stashType(ctx, type.getElementType());
  if (failed(axis) || failed(epsilon) || failed(stash))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(ctx, {*axis}, rankOf(input));
  if (failed(normalized))
    return failure();
  int64_t a = normalized->front();
  SmallVector<int64_t> statsShape(type.getShape());
  for (int64_t d = a; d < type.getRank(); ++d)
    statsShape[d] = 1;
  auto statsType = RankedTensorType::get(statsShape, *stash);
  OpBuilder &b = ctx.getBuilder();
  auto op = LayerNormOp::create(
      b, ctx.getLoc(), TypeRange{type, statsType, statsType}, input, scale,
      bias, b.getI64IntegerAttr(a), b.getF32FloatAttr(*epsilon));
  if (failed(mlir::verify(op))) {
    op->erase();
    return failure();
  }
  ctx.setResults(op->getResults());
  return success();
}

/// Normalizes `x` over its dims from `axis` on (an aic.layer_norm with a
/// unit scale), then scales and shifts per channel (dim 1).
static FailureOr<Value> normalizePerChannel(NodeContext &ctx, Value x,
                                            int64_t axis, float epsilon,
                                            Value scale, Value bias,
                                            Value channelShaped) {
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  auto type = cast<RankedTensorType>(x.getType());
  Type et = type.getElementType();
  FailureOr<Type> stash = stashType(ctx, et);
  if (failed(stash))
    return failure();
  SmallVector<int64_t> statsShape(type.getShape());
  for (int64_t d = axis; d < type.getRank(); ++d)
    statsShape[d] = 1;
  auto statsType = RankedTensorType::get(statsShape, *stash);
  Value one =
      ConstantOp::create(b, loc,
                         DenseElementsAttr::get(RankedTensorType::get({}, et),
                                                b.getFloatAttr(et, 1.0)));
  auto norm = LayerNormOp::create(b, loc, TypeRange{type, statsType, statsType},
                                  x, one, Value(), b.getI64IntegerAttr(axis),
                                  b.getF32FloatAttr(epsilon));
  if (failed(mlir::verify(norm))) {
    norm->erase();
    return failure();
  }
  Value y = norm.getResult(0);
  // Back to the input's shape, then scale and bias as [C, 1, ...].
  auto inputType = cast<RankedTensorType>(channelShaped.getType());
  auto reshape = [&](Value v, ArrayRef<int64_t> shape) -> FailureOr<Value> {
    Value target = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({(int64_t)shape.size()}, b.getI64Type()),
            shape));
    FailureOr<SmallVector<Value>> r =
        ctx.createOp(ReshapeOp::getOperationName(), {v, target});
    if (failed(r))
      return failure();
    return r->front();
  };
  if (type != inputType) {
    FailureOr<Value> back = reshape(y, inputType.getShape());
    if (failed(back))
      return failure();
    y = *back;
  }
  SmallVector<int64_t> channel(inputType.getRank() - 1, 1);
  channel[0] = -1;
  FailureOr<Value> s = reshape(scale, channel), bb = reshape(bias, channel);
  if (failed(s) || failed(bb))
    return failure();
  FailureOr<SmallVector<Value>> scaled =
      ctx.createOp(MulOp::getOperationName(), {y, *s});
  if (failed(scaled))
    return failure();
  FailureOr<SmallVector<Value>> shifted =
      ctx.createOp(AddOp::getOperationName(), {scaled->front(), *bb});
  if (failed(shifted))
    return failure();
  return shifted->front();
}

/// InstanceNormalization: per (batch, channel) over the spatial dims.
static LogicalResult importInstanceNorm(NodeContext &ctx) {
  Value x = ctx.operand(0), scale = ctx.operand(1), bias = ctx.operand(2);
  if (!x || !scale || !bias || rankOf(x) < 3) {
    ctx.emitError() << "expects inputs input (rank >= 3), scale and B";
    return failure();
  }
  FailureOr<float> epsilon = ctx.floatAttr("epsilon", 1e-5f);
  if (failed(epsilon))
    return failure();
  FailureOr<Value> y = normalizePerChannel(ctx, x, 2, *epsilon, scale, bias, x);
  if (failed(y))
    return failure();
  ctx.setResults(*y);
  return success();
}

/// GroupNormalization-21: per (batch, group of channels) over the group's
/// channels and the spatial dims, then scale and bias per channel.
static LogicalResult importGroupNorm(NodeContext &ctx) {
  Value x = ctx.operand(0), scale = ctx.operand(1), bias = ctx.operand(2);
  FailureOr<int64_t> groups = ctx.intAttr("num_groups", 0);
  FailureOr<float> epsilon = ctx.floatAttr("epsilon", 1e-5f);
  if (failed(groups) || failed(epsilon))
    return failure();
  if (!x || !scale || !bias || rankOf(x) < 3) {
    ctx.emitError() << "expects inputs X (rank >= 3), scale and bias";
    return failure();
  }
  auto type = cast<RankedTensorType>(x.getType());
  int64_t channels = type.getDimSize(1);
  if (!type.hasStaticShape() || *groups <= 0 || channels % *groups != 0) {
    ctx.emitError() << "unsupported: " << *groups << " groups of " << channels
                    << " channels (or a dynamic shape)";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Value target = ConstantOp::create(
      b, ctx.getLoc(),
      DenseElementsAttr::get(RankedTensorType::get({3}, b.getI64Type()),
                             ArrayRef<int64_t>{0, *groups, -1}));
  FailureOr<SmallVector<Value>> grouped =
      ctx.createOp(ReshapeOp::getOperationName(), {x, target});
  if (failed(grouped))
    return failure();
  FailureOr<Value> y =
      normalizePerChannel(ctx, grouped->front(), 2, *epsilon, scale, bias, x);
  if (failed(y))
    return failure();
  ctx.setResults(*y);
  return success();
}

static LogicalResult importRmsNorm(NodeContext &ctx) {
  Value input = ctx.operand(0), scale = ctx.operand(1);
  if (!input || !scale) {
    ctx.emitError() << "expects inputs X and scale";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", -1);
  FailureOr<float> epsilon = ctx.floatAttr("epsilon", 1e-5f);
  if (failed(axis) || failed(epsilon))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(ctx, {*axis}, rankOf(input));
  if (failed(normalized))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto op = RmsNormOp::create(b, ctx.getLoc(), input.getType(), input, scale,
                              b.getI64IntegerAttr(normalized->front()),
                              b.getF32FloatAttr(*epsilon));
  if (failed(mlir::verify(op))) {
    op->erase();
    return failure();
  }
  ctx.setResults(op.getResult());
  return success();
}

static LogicalResult importLrn(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input || rankOf(input) < 2) {
    ctx.emitError() << "expects an input of rank >= 2";
    return failure();
  }
  FailureOr<float> alpha = ctx.floatAttr("alpha", 1e-4f);
  FailureOr<float> beta = ctx.floatAttr("beta", 0.75f);
  FailureOr<float> bias = ctx.floatAttr("bias", 1.0f);
  FailureOr<int64_t> size = ctx.intAttr("size", 0);
  if (failed(alpha) || failed(beta) || failed(bias) || failed(size))
    return failure();
  if (*size < 1) {
    ctx.emitError() << "expects a positive size";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  ctx.setResults(
      LrnOp::create(b, ctx.getLoc(), input.getType(), input,
                    b.getF32FloatAttr(*alpha), b.getF32FloatAttr(*beta),
                    b.getF32FloatAttr(*bias), b.getI64IntegerAttr(*size))
          .getResult());
  return success();
}

/// MaxPool and AveragePool: resolves auto_pad and defaults.
template <typename OpTy> static LogicalResult importPool(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  bool indices = std::is_same_v<OpTy, MaxPoolOp> && ctx.numResults() > 1;
  auto type = cast<RankedTensorType>(input.getType());
  int64_t spatial = type.getRank() - 2;
  if (spatial < 1) {
    ctx.emitError() << "expects an input of rank >= 3";
    return failure();
  }
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  auto kernel = ctx.intsAttr("kernel_shape", {});
  auto strides = ctx.intsAttr("strides", ones);
  auto dilations = ctx.intsAttr("dilations", ones);
  auto pads = ctx.intsAttr("pads", zeros);
  auto ceilMode = ctx.intAttr("ceil_mode", 0);
  auto autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  auto storageOrder = ctx.intAttr("storage_order", 0);
  auto countIncludePad = ctx.intAttr("count_include_pad", 0);
  if (failed(kernel) || failed(strides) || failed(dilations) || failed(pads) ||
      failed(ceilMode) || failed(autoPad) || failed(storageOrder) ||
      failed(countIncludePad))
    return failure();
  if (static_cast<int64_t>(kernel->size()) != spatial ||
      static_cast<int64_t>(strides->size()) != spatial ||
      static_cast<int64_t>(dilations->size()) != spatial ||
      static_cast<int64_t>(pads->size()) != 2 * spatial) {
    ctx.emitError() << "expects kernel_shape, strides and dilations of "
                    << spatial << " entries and " << 2 * spatial << " pads";
    return failure();
  }
  if (failed(resolveAutoPad(ctx, *autoPad, type, *kernel, *strides, *dilations,
                            *pads)))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("kernel", b.getDenseI64ArrayAttr(*kernel)),
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(*strides)),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(*dilations)),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*pads)),
      b.getNamedAttr("ceil_mode", b.getBoolAttr(*ceilMode != 0))};
  if (std::is_same_v<OpTy, AveragePoolOp>)
    attrs.push_back(b.getNamedAttr("count_include_pad",
                                   b.getBoolAttr(*countIncludePad != 0)));
  FailureOr<SmallVector<Value>> pooled =
      ctx.createOp(OpTy::getOperationName(), input, attrs);
  if (failed(pooled))
    return failure();
  SmallVector<Value> results = {pooled->front()};
  if (indices) {
    // Indices: where each maximum is (a second pass over the windows).
    attrs.push_back(
        b.getNamedAttr("column_major", b.getBoolAttr(*storageOrder != 0)));
    FailureOr<SmallVector<Value>> at =
        ctx.createOp(MaxPoolIndicesOp::getOperationName(), input, attrs);
    if (failed(at))
      return failure();
    results.push_back(at->front());
  }
  ctx.setResults(results);
  return success();
}

/// GlobalAveragePool and GlobalMaxPool: a reduction over the spatial dims.
template <typename ReduceOpTy>
static LogicalResult importGlobalPool(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input || rankOf(input) < 3) {
    ctx.emitError() << "expects an input of rank >= 3";
    return failure();
  }
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rankOf(input); ++d)
    axes.push_back(d);
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(ReduceOpTy::getOperationName(), input,
                    {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                     b.getNamedAttr("keepdims", b.getBoolAttr(true))});
}

void mlir::aic::onnx_import::registerReductionOps(OpRegistry &registry) {
  // Reduce*: `axes` moved from an attribute to an input in version 13 for
  // ReduceSum and in 18 for the others; 12 and 20 add element types.
  registry.on("ReduceSum", {1, 11, 13}, 1, importReduce<ReduceSumOp>(13));
  static constexpr int64_t reduce[] = {1, 11, 13, 18};
  static constexpr int64_t reduceMinMax[] = {1, 11, 12, 13, 18, 20};
  registry.on("ReduceMean", reduce, 1, importReduce<ReduceMeanOp>(18));
  registry.on("ReduceMax", reduceMinMax, 1, importReduce<ReduceMaxOp>(18));
  registry.on("ReduceMin", reduceMinMax, 1, importReduce<ReduceMinOp>(18));
  registry.on("ReduceProd", reduce, 1, importReduce<ReduceProdOp>(18));
  registry.on("ReduceL1", reduce, 1, importReduce<ReduceL1Op>(18));
  registry.on("ReduceL2", reduce, 1, importReduce<ReduceL2Op>(18));
  registry.on("ReduceSumSquare", reduce, 1,
              importReduce<ReduceSumSquareOp>(18));
  registry.on("ReduceLogSum", reduce, 1, importReduce<ReduceLogSumOp>(18));
  registry.on("ReduceLogSumExp", reduce, 1,
              importReduce<ReduceLogSumExpOp>(18));
  registry.on("ArgMax", {1, 11, 12, 13}, 1, importArgReduce<ArgMaxOp>);
  registry.on("ArgMin", {1, 11, 12, 13}, 1, importArgReduce<ArgMinOp>);

  registry.on("TopK", {1, 10, 11, 24}, 1, importTopK);
  // Hardmax before 13 coerced the input to 2-D.
  registry.on("Hardmax", {1, 11, 13}, 13, importHardmax);
  registry.on("LpNormalization", {1, 22}, 1, importLpNormalization);
  registry.on("Softmax", {1, 11, 13}, 1, importSoftmax<SoftmaxOp>);
  registry.on("NegativeLogLikelihoodLoss", {12, 13, 22}, 12, importNllLoss);
  registry.on("SoftmaxCrossEntropyLoss", {12, 13}, 12,
              importSoftmaxCrossEntropyLoss);
  registry.on("LogSoftmax", {1, 11, 13}, 1, importSoftmax<LogSoftmaxOp>);
  // Versions before 6 carry `consumed_inputs`, before 7 `is_test`.
  registry.on("BatchNormalization", {1, 6, 7, 9, 14, 15}, 6, importBatchNorm);
  registry.on("CumSum", {11, 14}, 11, importCumulative<CumSumOp>);
  registry.on("CumProd", {26}, 26, importCumulative<CumProdOp>);
  registry.on("LayerNormalization", {17}, 17, importLayerNorm);
  registry.on("InstanceNormalization", {1, 6, 22}, 6, importInstanceNorm);
  // Version 18 took scale and bias per group.
  registry.on("GroupNormalization", {18, 21}, 21, importGroupNorm);
  registry.on("RMSNormalization", {23}, 23, importRmsNorm);
  registry.on("LRN", {1, 13}, 1, importLrn);

  registry.on("MaxPool", {1, 8, 10, 11, 12, 22}, 1, importPool<MaxPoolOp>);
  registry.on("AveragePool", {1, 7, 10, 11, 19, 22}, 1,
              importPool<AveragePoolOp>);
  registry.on("GlobalAveragePool", {1, 22}, 1, importGlobalPool<ReduceMeanOp>);
  registry.on("GlobalMaxPool", {1, 22}, 1, importGlobalPool<ReduceMaxOp>);
}
