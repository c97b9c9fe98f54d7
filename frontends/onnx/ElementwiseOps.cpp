//===- ElementwiseOps.cpp - import of elementwise operators ---------------===//
//
// Arithmetic, comparison and logic operators with numpy broadcasting, the
// variadic Max/Min/Sum/Mean, unary math and activations, Clip, Cast and
// CastLike.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"
#include "frontends/onnx/TensorData.h"

#include "dialects/aic/IR/AicOps.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// Checks that the node has its first `count` inputs.
static LogicalResult requireInputs(NodeContext &ctx, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    if (!ctx.operand(i)) {
      ctx.emitError() << "expects " << count << " inputs";
      return failure();
    }
  }
  return success();
}

/// Imports a node whose operands map one to one onto the op `OpTy`.
template <typename OpTy, unsigned NumOperands>
static LogicalResult importDirect(NodeContext &ctx) {
  if (failed(requireInputs(ctx, NumOperands)))
    return failure();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < NumOperands; ++i)
    operands.push_back(ctx.operand(i));
  return ctx.emitOp(OpTy::getOperationName(), operands);
}

/// `value` reshaped to its own dims followed by `ones` unit dims (0 in the
/// target copies the dim, so dynamic dims stay).
static FailureOr<Value> appendUnitDims(NodeContext &ctx, Value value,
                                       int64_t ones) {
  if (ones <= 0)
    return value;
  SmallVector<int64_t> target(rankOf(value), 0);
  target.append(ones, 1);
  OpBuilder &b = ctx.getBuilder();
  Value shape = ConstantOp::create(
      b, ctx.getLoc(),
      DenseElementsAttr::get(
          RankedTensorType::get({(int64_t)target.size()}, b.getI64Type()),
          ArrayRef<int64_t>(target)));
  FailureOr<SmallVector<Value>> reshaped =
      ctx.createOp(ReshapeOp::getOperationName(), {value, shape});
  if (failed(reshaped))
    return failure();
  return reshaped->front();
}

/// Binary ops before version 7 broadcast B against A only with `broadcast`
/// = 1, B's dims lined up with A's from `axis` (by default, A's trailing
/// dims). Appending unit dims to B gives that meaning under numpy rules.
template <typename OpTy>
static LogicalResult importLegacyBroadcast(NodeContext &ctx) {
  if (ctx.getSinceVersion() >= 7)
    return importDirect<OpTy, 2>(ctx);
  if (failed(requireInputs(ctx, 2)))
    return failure();
  Value a = ctx.operand(0), b = ctx.operand(1);
  int64_t rankA = rankOf(a), rankB = rankOf(b);
  FailureOr<int64_t> broadcast = ctx.intAttr("broadcast", 0);
  FailureOr<int64_t> axis = ctx.intAttr("axis", rankA - rankB);
  if (failed(broadcast) || failed(axis))
    return failure();
  auto typeA = cast<RankedTensorType>(a.getType());
  auto typeB = cast<RankedTensorType>(b.getType());
  if (!*broadcast) {
    if (typeA.hasStaticShape() && typeB.hasStaticShape() &&
        typeA.getShape() != typeB.getShape()) {
      ctx.emitError() << "expects inputs of one shape (broadcast = 0)";
      return failure();
    }
    return importDirect<OpTy, 2>(ctx);
  }
  if (*axis < 0)
    *axis += rankA;
  if (*axis < 0 || *axis + rankB > rankA) {
    ctx.emitError() << "axis " << *axis << " does not place B (rank " << rankB
                    << ") inside A (rank " << rankA << ")";
    return failure();
  }
  FailureOr<Value> aligned = appendUnitDims(ctx, b, rankA - *axis - rankB);
  if (failed(aligned))
    return failure();
  return ctx.emitOp(OpTy::getOperationName(), {a, *aligned});
}

/// PRelu before version 7 applies a 1-D slope along the channels (dim 1).
static LogicalResult importPRelu(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  Value x = ctx.operand(0), slope = ctx.operand(1);
  if (ctx.getSinceVersion() < 7 && rankOf(slope) == 1 && rankOf(x) > 2) {
    FailureOr<Value> aligned = appendUnitDims(ctx, slope, rankOf(x) - 2);
    if (failed(aligned))
      return failure();
    slope = *aligned;
  }
  return ctx.emitOp(PReluOp::getOperationName(), {x, slope});
}

/// Max, Min, Sum and Mean of any number of inputs, as a chain of binary ops
/// (Mean divides the sum by the count).
template <typename BinaryOpTy, bool IsMean = false>
static LogicalResult importVariadic(NodeContext &ctx) {
  if (ctx.numOperands() == 0 || !ctx.operand(0)) {
    ctx.emitError() << "expects at least one input";
    return failure();
  }
  Value result = ctx.operand(0);
  for (unsigned i = 1; i < ctx.numOperands(); ++i) {
    FailureOr<SmallVector<Value>> next =
        ctx.createOp(BinaryOpTy::getOperationName(), {result, ctx.operand(i)});
    if (failed(next))
      return failure();
    result = next->front();
  }
  if (IsMean && ctx.numOperands() > 1) {
    Type elementType =
        cast<RankedTensorType>(result.getType()).getElementType();
    auto countType = RankedTensorType::get({}, elementType);
    OpBuilder &b = ctx.getBuilder();
    Attribute count =
        isa<FloatType>(elementType)
            ? Attribute(b.getFloatAttr(elementType, ctx.numOperands()))
            : Attribute(b.getIntegerAttr(elementType, ctx.numOperands()));
    Value divisor = ConstantOp::create(
        b, ctx.getLoc(), DenseElementsAttr::get(countType, count));
    return ctx.emitOp(DivOp::getOperationName(), {result, divisor});
  }
  ctx.setResults(result);
  return success();
}

/// Integer division by a constant with a zero in it: ONNX leaves the result
/// undefined, and folding or running it would trap; the model is broken.
static LogicalResult checkConstantDivisor(NodeContext &ctx) {
  DenseIntElementsAttr divisor;
  if (!ctx.operand(1) || !matchPattern(ctx.operand(1), m_Constant(&divisor)))
    return success();
  if (llvm::any_of(divisor.getValues<APInt>(),
                   [](const APInt &v) { return v.isZero(); })) {
    ctx.emitError() << "integer division by zero (the divisor is a "
                       "constant that holds a 0)";
    return failure();
  }
  return success();
}

static LogicalResult importDiv(NodeContext &ctx) {
  if (failed(checkConstantDivisor(ctx)))
    return failure();
  return importLegacyBroadcast<DivOp>(ctx);
}

static LogicalResult importMod(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)) || failed(checkConstantDivisor(ctx)))
    return failure();
  FailureOr<int64_t> fmod = ctx.intAttr("fmod", 0);
  if (failed(fmod))
    return failure();
  Type elementType =
      cast<RankedTensorType>(ctx.operand(0).getType()).getElementType();
  if (isa<FloatType>(elementType) && *fmod == 0) {
    ctx.emitError() << "expects fmod=1 for floating-point inputs";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(ModOp::getOperationName(), {ctx.operand(0), ctx.operand(1)},
                    {b.getNamedAttr("fmod", b.getBoolAttr(*fmod != 0))});
}

/// An activation whose float attributes keep their ONNX names.
template <typename OpTy>
static ImportFn
importActivation(SmallVector<std::pair<StringRef, float>> params) {
  return [params](NodeContext &ctx) -> LogicalResult {
    if (failed(requireInputs(ctx, 1)))
      return failure();
    SmallVector<NamedAttribute> attrs;
    for (auto [name, defaultValue] : params) {
      FailureOr<float> value = ctx.floatAttr(name, defaultValue);
      if (failed(value))
        return failure();
      attrs.push_back(ctx.getBuilder().getNamedAttr(name, ctx.f32(*value)));
    }
    return ctx.emitOp(OpTy::getOperationName(), ctx.operand(0), attrs);
  };
}

static LogicalResult importGelu(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<std::string> approximate = ctx.stringAttr("approximate", "none");
  if (failed(approximate))
    return failure();
  if (*approximate != "none" && *approximate != "tanh") {
    ctx.emitError() << "unknown approximate '" << *approximate << "'";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(GeluOp::getOperationName(), ctx.operand(0),
                    {b.getNamedAttr("tanh_approximation",
                                    b.getBoolAttr(*approximate == "tanh"))});
}

/// IsNaN: x is not equal to itself.
static LogicalResult importIsNaN(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  Value x = ctx.operand(0);
  FailureOr<SmallVector<Value>> same =
      ctx.createOp(EqualOp::getOperationName(), {x, x});
  if (failed(same))
    return failure();
  return ctx.emitOp(NotOp::getOperationName(), same->front());
}

/// IsInf: x equals +inf (detect_positive) or -inf (detect_negative).
static LogicalResult importIsInf(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<int64_t> negative = ctx.intAttr("detect_negative", 1);
  FailureOr<int64_t> positive = ctx.intAttr("detect_positive", 1);
  if (failed(negative) || failed(positive))
    return failure();
  Value x = ctx.operand(0);
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  if (!isa<FloatType>(et)) {
    ctx.emitError() << "expects a float input";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  double inf = std::numeric_limits<double>::infinity();
  Value result;
  for (auto [detect, value] :
       {std::make_pair(*positive, inf), std::make_pair(*negative, -inf)}) {
    if (!detect)
      continue;
    FailureOr<SmallVector<Value>> is =
        ctx.createOp(EqualOp::getOperationName(),
                     {x, scalarConstant(b, ctx.getLoc(), et, value)});
    if (failed(is))
      return failure();
    FailureOr<SmallVector<Value>> either =
        result ? ctx.createOp(OrOp::getOperationName(), {result, is->front()})
               : is;
    if (failed(either))
      return failure();
    result = either->front();
  }
  if (!result) {
    // Neither sign detected: all false.
    FailureOr<SmallVector<Value>> never =
        ctx.createOp(LessOp::getOperationName(),
                     {x, scalarConstant(b, ctx.getLoc(), et, -inf)});
    if (failed(never))
      return failure();
    result = never->front();
  }
  ctx.setResults(result);
  return success();
}

/// Swish: x * sigmoid(alpha * x).
static LogicalResult importSwish(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<float> alpha = ctx.floatAttr("alpha", 1.0f);
  if (failed(alpha))
    return failure();
  Value x = ctx.operand(0);
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value scaled = x;
  if (*alpha != 1.0f) {
    FailureOr<SmallVector<Value>> mul = ctx.createOp(
        MulOp::getOperationName(),
        {x, scalarConstant(ctx.getBuilder(), ctx.getLoc(), et, *alpha)});
    if (failed(mul))
      return failure();
    scaled = mul->front();
  }
  FailureOr<SmallVector<Value>> gate =
      ctx.createOp(SigmoidOp::getOperationName(), scaled);
  if (failed(gate))
    return failure();
  return ctx.emitOp(MulOp::getOperationName(), {x, gate->front()});
}

/// BitShift: `direction` LEFT or RIGHT.
static LogicalResult importBitShift(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  FailureOr<std::string> direction = ctx.stringAttr("direction", "");
  if (failed(direction))
    return failure();
  if (*direction != "LEFT" && *direction != "RIGHT") {
    ctx.emitError() << "expects direction LEFT or RIGHT, got '" << *direction
                    << "'";
    return failure();
  }
  if (!cast<RankedTensorType>(ctx.operand(0).getType())
           .getElementType()
           .isUnsignedInteger()) {
    ctx.emitError() << "expects unsigned integers";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(
      BitShiftOp::getOperationName(), {ctx.operand(0), ctx.operand(1)},
      {b.getNamedAttr("left", b.getBoolAttr(*direction == "LEFT"))});
}

static LogicalResult importClip(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  Value input = ctx.operand(0), min = ctx.operand(1), max = ctx.operand(2);
  auto type = cast<RankedTensorType>(input.getType());
  OpBuilder &b = ctx.getBuilder();
  if (ctx.getSinceVersion() < 11) {
    // Clip-6 takes the bounds as attributes.
    auto bound = [&](StringRef name, float defaultValue) -> FailureOr<Value> {
      FailureOr<float> v = ctx.floatAttr(name, defaultValue);
      if (failed(v))
        return failure();
      auto scalar = RankedTensorType::get({}, type.getElementType());
      return ConstantOp::create(
                 b, ctx.getLoc(),
                 DenseElementsAttr::get(
                     scalar, b.getFloatAttr(type.getElementType(), *v)))
          .getResult();
    };
    FailureOr<Value> lo = bound("min", std::numeric_limits<float>::lowest());
    FailureOr<Value> hi = bound("max", std::numeric_limits<float>::max());
    if (failed(lo) || failed(hi))
      return failure();
    min = *lo;
    max = *hi;
  }
  for (Value v : {min, max}) {
    if (v && cast<RankedTensorType>(v.getType()) !=
                 RankedTensorType::get({}, type.getElementType())) {
      ctx.emitError() << "expects scalar bounds of the input's element type";
      return failure();
    }
  }
  ctx.setResults(
      ClipOp::create(b, ctx.getLoc(), type, input, min, max).getResult());
  return success();
}

/// Cast to `to`, folding where the input is constant.
/// Cast and CastLike; `saturate` (version 19 on) clamps casts to 8-bit
/// floats into their finite range, `round_mode` (version 24 on) rounds to
/// float8e8m0.
static LogicalResult emitCast(NodeContext &ctx, Type to) {
  OpBuilder &b = ctx.getBuilder();
  FailureOr<int64_t> saturate = ctx.intAttr("saturate", 1);
  FailureOr<std::string> roundMode = ctx.stringAttr("round_mode", "up");
  if (failed(saturate) || failed(roundMode))
    return failure();
  return ctx.emitOp(
      CastOp::getOperationName(), ctx.operand(0),
      {b.getNamedAttr("to", TypeAttr::get(to)),
       b.getNamedAttr("saturate", b.getBoolAttr(*saturate)),
       b.getNamedAttr("round_mode", b.getStringAttr(*roundMode))});
}

static LogicalResult importCast(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<int64_t> to = ctx.intAttr("to", 0);
  if (failed(to))
    return failure();
  Type type = getElementType(ctx.getBuilder().getContext(), *to);
  if (!type) {
    ctx.emitError() << "unsupported element type " << getDataTypeName(*to)
                    << " to cast to";
    return failure();
  }
  return emitCast(ctx, type);
}

static LogicalResult importCastLike(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  return emitCast(
      ctx, cast<RankedTensorType>(ctx.operand(1).getType()).getElementType());
}

void mlir::aic::onnx_import::registerElementwiseOps(OpRegistry &registry) {
  // Versions before 7 broadcast with `broadcast`/`axis` attributes, not
  // numpy-style; from 7 on they broadcast as numpy does. Version 1 differs
  // from 6 only by `consumed_inputs`.
  static constexpr int64_t arithmetic[] = {1, 6, 7, 13, 14};
  registry.on("Add", arithmetic, 1, importLegacyBroadcast<AddOp>);
  registry.on("Sub", arithmetic, 1, importLegacyBroadcast<SubOp>);
  registry.on("Mul", arithmetic, 1, importLegacyBroadcast<MulOp>);
  registry.on("Div", arithmetic, 1, importDiv);
  registry.on("Pow", {1, 7, 12, 13, 15}, 1, importLegacyBroadcast<PowOp>);
  registry.on("PRelu", {1, 6, 7, 9, 16}, 1, importPRelu);
  registry.on("Mod", {10, 13}, 10, importMod);
  registry.on("And", {1, 7}, 1, importLegacyBroadcast<AndOp>);
  registry.on("Or", {1, 7}, 1, importLegacyBroadcast<OrOp>);
  registry.on("Xor", {1, 7}, 1, importLegacyBroadcast<XorOp>);
  registry.on("Not", {1}, 1, importDirect<NotOp, 1>);
  // The bitwise ops share And, Or, Xor and Not, which act bitwise on
  // integers.
  registry.on("BitwiseAnd", {18}, 18, importDirect<AndOp, 2>);
  registry.on("BitwiseOr", {18}, 18, importDirect<OrOp, 2>);
  registry.on("BitwiseXor", {18}, 18, importDirect<XorOp, 2>);
  registry.on("BitwiseNot", {18}, 18, importDirect<NotOp, 1>);
  registry.on("BitShift", {11}, 11, importBitShift);
  registry.on("IsNaN", {9, 13, 20}, 9, importIsNaN);
  registry.on("IsInf", {10, 20}, 10, importIsInf);
  registry.on("Equal", {1, 7, 11, 13, 19}, 1, importLegacyBroadcast<EqualOp>);
  registry.on("Less", {1, 7, 9, 13}, 1, importLegacyBroadcast<LessOp>);
  registry.on("Greater", {1, 7, 9, 13}, 1, importLegacyBroadcast<GreaterOp>);
  registry.on("LessOrEqual", {12, 16}, 12, importDirect<LessOrEqualOp, 2>);
  registry.on("GreaterOrEqual", {12, 16}, 12,
              importDirect<GreaterOrEqualOp, 2>);
  registry.on("Where", {9, 16}, 9, importDirect<WhereOp, 3>);

  // Variadic forms: numpy broadcasting from version 8; before, inputs of
  // one shape, which numpy rules treat alike.
  registry.on("Max", {1, 6, 8, 12, 13}, 1, importVariadic<MaxOp>);
  registry.on("Min", {1, 6, 8, 12, 13}, 1, importVariadic<MinOp>);
  registry.on("Sum", {1, 6, 8, 13}, 1, importVariadic<AddOp>);
  registry.on("Mean", {1, 6, 8, 13}, 1, importVariadic<AddOp, true>);

  // Unary math. Versions before 6 differ only by `consumed_inputs`.
  static constexpr int64_t math[] = {1, 6, 13};
  registry.on("Relu", {1, 6, 13, 14}, 1, importDirect<ReluOp, 1>);
  registry.on("Abs", math, 1, importDirect<AbsOp, 1>);
  registry.on("Neg", math, 1, importDirect<NegOp, 1>);
  registry.on("Exp", math, 1, importDirect<ExpOp, 1>);
  registry.on("Log", math, 1, importDirect<LogOp, 1>);
  registry.on("Sqrt", math, 1, importDirect<SqrtOp, 1>);
  registry.on("Reciprocal", math, 1, importDirect<ReciprocalOp, 1>);
  registry.on("Floor", math, 1, importDirect<FloorOp, 1>);
  registry.on("Ceil", math, 1, importDirect<CeilOp, 1>);
  registry.on("Sigmoid", math, 1, importDirect<SigmoidOp, 1>);
  registry.on("Tanh", math, 1, importDirect<TanhOp, 1>);
  registry.on("Sign", {9, 13}, 9, importDirect<SignOp, 1>);
  registry.on("Erf", {9, 13}, 9, importDirect<ErfOp, 1>);
  registry.on("Round", {11, 22}, 11, importDirect<RoundOp, 1>);
  // Version 22 of these adds bfloat16.
  static constexpr int64_t trig[] = {7, 22};
  static constexpr int64_t hyperbolic[] = {9, 22};
  registry.on("Sin", trig, 7, importDirect<SinOp, 1>);
  registry.on("Cos", trig, 7, importDirect<CosOp, 1>);
  registry.on("Tan", trig, 7, importDirect<TanOp, 1>);
  registry.on("Asin", trig, 7, importDirect<AsinOp, 1>);
  registry.on("Acos", trig, 7, importDirect<AcosOp, 1>);
  registry.on("Atan", trig, 7, importDirect<AtanOp, 1>);
  registry.on("Sinh", hyperbolic, 9, importDirect<SinhOp, 1>);
  registry.on("Cosh", hyperbolic, 9, importDirect<CoshOp, 1>);
  registry.on("Asinh", hyperbolic, 9, importDirect<AsinhOp, 1>);
  registry.on("Acosh", hyperbolic, 9, importDirect<AcoshOp, 1>);
  registry.on("Atanh", hyperbolic, 9, importDirect<AtanhOp, 1>);
  registry.on("Softsign", {1, 22}, 1, importDirect<SoftsignOp, 1>);
  registry.on("Softplus", {1, 22}, 1, importDirect<SoftplusOp, 1>);
  registry.on("Mish", {18, 22}, 18, importDirect<MishOp, 1>);
  registry.on("HardSwish", {14, 22}, 14, importDirect<HardSwishOp, 1>);

  // Activations with parameters (ONNX defaults).
  registry.on("LeakyRelu", {1, 6, 16}, 6,
              importActivation<LeakyReluOp>({{"alpha", 0.01f}}));
  registry.on("Elu", {1, 6, 22}, 6, importActivation<EluOp>({{"alpha", 1.0f}}));
  registry.on("Celu", {12}, 12, importActivation<CeluOp>({{"alpha", 1.0f}}));
  registry.on(
      "Selu", {1, 6, 22}, 6,
      importActivation<SeluOp>({{"alpha", 1.67326319217681884765625f},
                                {"gamma", 1.05070102214813232421875f}}));
  registry.on("ThresholdedRelu", {10, 22}, 10,
              importActivation<ThresholdedReluOp>({{"alpha", 1.0f}}));
  registry.on(
      "HardSigmoid", {1, 6, 22}, 6,
      importActivation<HardSigmoidOp>({{"alpha", 0.2f}, {"beta", 0.5f}}));
  registry.on("Gelu", {20}, 20, importGelu);
  registry.on("Swish", {24}, 24, importSwish);
  registry.on("Clip", {1, 6, 11, 12, 13}, 6, importClip);

  // Version 1 of Cast names the type as a string.
  registry.on("Cast", {1, 6, 9, 13, 19, 21, 23, 24, 25}, 6, importCast);
  registry.on("CastLike", {15, 19, 21, 23, 24, 25}, 15, importCastLike);
}
