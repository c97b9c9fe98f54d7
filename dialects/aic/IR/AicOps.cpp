//===- AicOps.cpp - aic operations ----------------------------------------===//
//
// Type inference and folding of the aic operations. The shape rules live in
// ShapeInference.cpp; this file adapts them to each op's operands and
// attributes.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ShapeInference.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringSwitch.h"

#include "llvm/Support/InterleavedRange.h"
#include <functional>

using namespace mlir;
using namespace mlir::aic;

namespace {
/// Emits an error at `loc` when there is one; inference during parsing or
/// building may run without a location.
struct LocError {
  std::optional<Location> loc;
  InFlightDiagnostic operator()() const {
    return loc ? mlir::emitError(*loc) : InFlightDiagnostic();
  }
};
} // namespace

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// The length of a run-time list operand (axes, sizes, pads, ...), which
/// must be 1-D; failure, with an error at `loc`, where it is not.
static FailureOr<int64_t> listLength(Value v, std::optional<Location> loc) {
  ArrayRef<int64_t> shape = shapeOf(v);
  if (shape.size() == 1)
    return shape[0];
  if (loc)
    mlir::emitError(*loc) << "expects a 1-D list operand, got rank "
                          << shape.size();
  return failure();
}

static Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Pushes `tensor<shape x elementType>` when `shape` was inferred.
static LogicalResult pushTensor(FailureOr<Shape> shape, Type elementType,
                                SmallVectorImpl<Type> &results) {
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

/// Result types are compatible when element types agree and shapes agree
/// wherever both are static; a pass may refine `?` dims.
static bool compatibleTensorTypes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    if (getElementTypeOrSelf(l) != getElementTypeOrSelf(r) ||
        failed(verifyCompatibleShape(l, r)))
      return false;
  }
  return true;
}

static std::optional<ArrayRef<int64_t>> optionalShape(Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

#define AIC_COMPATIBLE_RETURN_TYPES(Op)                                        \
  bool Op::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                 \
    return compatibleTensorTypes(l, r);                                        \
  }
AIC_COMPATIBLE_RETURN_TYPES(AddOp)
AIC_COMPATIBLE_RETURN_TYPES(AttentionOp)
AIC_COMPATIBLE_RETURN_TYPES(EinsumOp)
AIC_COMPATIBLE_RETURN_TYPES(DynamicSliceOp)
AIC_COMPATIBLE_RETURN_TYPES(SubOp)
AIC_COMPATIBLE_RETURN_TYPES(MulOp)
AIC_COMPATIBLE_RETURN_TYPES(DivOp)
AIC_COMPATIBLE_RETURN_TYPES(MatMulOp)
AIC_COMPATIBLE_RETURN_TYPES(MatMulIntegerOp)
AIC_COMPATIBLE_RETURN_TYPES(GemmOp)
AIC_COMPATIBLE_RETURN_TYPES(ConvOp)
AIC_COMPATIBLE_RETURN_TYPES(ConvIntegerOp)
AIC_COMPATIBLE_RETURN_TYPES(ConvTransposeOp)
AIC_COMPATIBLE_RETURN_TYPES(ReshapeOp)
AIC_COMPATIBLE_RETURN_TYPES(TransposeOp)
AIC_COMPATIBLE_RETURN_TYPES(FlattenOp)
AIC_COMPATIBLE_RETURN_TYPES(PowOp)
AIC_COMPATIBLE_RETURN_TYPES(MaxOp)
AIC_COMPATIBLE_RETURN_TYPES(MinOp)
AIC_COMPATIBLE_RETURN_TYPES(PReluOp)
AIC_COMPATIBLE_RETURN_TYPES(AndOp)
AIC_COMPATIBLE_RETURN_TYPES(OrOp)
AIC_COMPATIBLE_RETURN_TYPES(XorOp)
AIC_COMPATIBLE_RETURN_TYPES(ModOp)
AIC_COMPATIBLE_RETURN_TYPES(BitShiftOp)
AIC_COMPATIBLE_RETURN_TYPES(EqualOp)
AIC_COMPATIBLE_RETURN_TYPES(LessOp)
AIC_COMPATIBLE_RETURN_TYPES(LessOrEqualOp)
AIC_COMPATIBLE_RETURN_TYPES(GreaterOp)
AIC_COMPATIBLE_RETURN_TYPES(GreaterOrEqualOp)
AIC_COMPATIBLE_RETURN_TYPES(WhereOp)
AIC_COMPATIBLE_RETURN_TYPES(CastOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceSumOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceMeanOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceMaxOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceMinOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceProdOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceL1Op)
AIC_COMPATIBLE_RETURN_TYPES(ReduceL2Op)
AIC_COMPATIBLE_RETURN_TYPES(ReduceSumSquareOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceLogSumOp)
AIC_COMPATIBLE_RETURN_TYPES(ReduceLogSumExpOp)
AIC_COMPATIBLE_RETURN_TYPES(ArgMaxOp)
AIC_COMPATIBLE_RETURN_TYPES(ArgMinOp)
AIC_COMPATIBLE_RETURN_TYPES(MaxPoolOp)
AIC_COMPATIBLE_RETURN_TYPES(MaxPoolIndicesOp)
AIC_COMPATIBLE_RETURN_TYPES(AveragePoolOp)
AIC_COMPATIBLE_RETURN_TYPES(ConcatOp)
AIC_COMPATIBLE_RETURN_TYPES(SqueezeOp)
AIC_COMPATIBLE_RETURN_TYPES(UnsqueezeOp)
AIC_COMPATIBLE_RETURN_TYPES(ShapeOp)
AIC_COMPATIBLE_RETURN_TYPES(GatherOp)
AIC_COMPATIBLE_RETURN_TYPES(SliceOp)
AIC_COMPATIBLE_RETURN_TYPES(ExpandOp)
AIC_COMPATIBLE_RETURN_TYPES(TileOp)
AIC_COMPATIBLE_RETURN_TYPES(PadOp)
AIC_COMPATIBLE_RETURN_TYPES(GatherElementsOp)
#undef AIC_COMPATIBLE_RETURN_TYPES

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferBinary(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  return pushTensor(inferBroadcastShape(shapeOf(adaptor.getLhs()),
                                        shapeOf(adaptor.getRhs()),
                                        LocError{loc}),
                    elementTypeOf(adaptor.getLhs()), results);
}

#define AIC_INFER_BINARY(Op)                                                   \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &results) {                                        \
    return inferBinary(loc, adaptor, results);                                 \
  }
AIC_INFER_BINARY(AddOp)
AIC_INFER_BINARY(SubOp)
AIC_INFER_BINARY(MulOp)
AIC_INFER_BINARY(DivOp)
AIC_INFER_BINARY(PowOp)
AIC_INFER_BINARY(MaxOp)
AIC_INFER_BINARY(MinOp)
AIC_INFER_BINARY(PReluOp)
AIC_INFER_BINARY(AndOp)
AIC_INFER_BINARY(OrOp)
AIC_INFER_BINARY(XorOp)
AIC_INFER_BINARY(ModOp)
AIC_INFER_BINARY(BitShiftOp)
#undef AIC_INFER_BINARY

template <typename Adaptor>
static LogicalResult inferCompare(MLIRContext *context,
                                  std::optional<Location> loc, Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  return pushTensor(inferBroadcastShape(shapeOf(adaptor.getLhs()),
                                        shapeOf(adaptor.getRhs()),
                                        LocError{loc}),
                    IntegerType::get(context, 1), results);
}

#define AIC_INFER_COMPARE(Op)                                                  \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,      \
      SmallVectorImpl<Type> &results) {                                        \
    return inferCompare(context, loc, adaptor, results);                       \
  }
AIC_INFER_COMPARE(EqualOp)
AIC_INFER_COMPARE(LessOp)
AIC_INFER_COMPARE(LessOrEqualOp)
AIC_INFER_COMPARE(GreaterOp)
AIC_INFER_COMPARE(GreaterOrEqualOp)
#undef AIC_INFER_COMPARE

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  FailureOr<Shape> xy = inferBroadcastShape(
      shapeOf(adaptor.getX()), shapeOf(adaptor.getY()), LocError{loc});
  if (failed(xy))
    return failure();
  return pushTensor(
      inferBroadcastShape(shapeOf(adaptor.getCondition()), *xy, LocError{loc}),
      elementTypeOf(adaptor.getX()), results);
}

LogicalResult ClipOp::verify() {
  for (Value bound : {getMin(), getMax()}) {
    if (bound && cast<RankedTensorType>(bound.getType()).getRank() != 0)
      return emitOpError("expects scalar (rank-0) bounds, got ")
             << bound.getType();
  }
  return success();
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  Type to = adaptor.getTo();
  if (!to.isIntOrFloat() || to.isSignedInteger()) {
    if (loc)
      mlir::emitError(*loc) << "cannot cast to " << to;
    return failure();
  }
  results.push_back(RankedTensorType::get(shapeOf(adaptor.getInput()), to));
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return pushTensor(inferMatMulShape(shapeOf(adaptor.getLhs()),
                                     shapeOf(adaptor.getRhs()), LocError{loc}),
                    elementTypeOf(adaptor.getLhs()), results);
}

LogicalResult
MatMulIntegerOp::inferReturnTypes(MLIRContext *context,
                                  std::optional<Location> loc, Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  return pushTensor(inferMatMulShape(shapeOf(adaptor.getLhs()),
                                     shapeOf(adaptor.getRhs()), LocError{loc}),
                    IntegerType::get(context, 32), results);
}

/// Checks an integer op's 8-bit `operand` and its zero point (if any): of
/// the operand's element type, and one value or (where `along` gives the
/// operand's extent there, dynamic or not) one per `alongName`.
static LogicalResult verifyEightBitOperand(Operation *op, Value operand,
                                           Value zeroPoint, StringRef name,
                                           std::optional<int64_t> along,
                                           StringRef alongName) {
  Type et = elementTypeOf(operand);
  if (!et.isInteger(8))
    return op->emitOpError("expects 8-bit integers as ")
           << name << ", not " << et;
  if (!zeroPoint)
    return success();
  if (elementTypeOf(zeroPoint) != et)
    return op->emitOpError("expects the zero point of ")
           << name << " of its element type";
  ArrayRef<int64_t> shape = shapeOf(zeroPoint);
  int64_t elements = shape.empty() ? 1 : shape[0];
  bool matches =
      elements == 1 || ShapedType::isDynamic(elements) ||
      (along && (ShapedType::isDynamic(*along) || elements == *along));
  if (shape.size() > 1 || !matches) {
    InFlightDiagnostic error = op->emitOpError("expects the zero point of ")
                               << name << " per tensor";
    if (along)
      error << " or per " << alongName;
    return error;
  }
  return success();
}

LogicalResult MatMulIntegerOp::verify() {
  // A zero point per tensor, or per row of lhs / column of rhs (dim 0 / 1
  // of a matrix's last two).
  auto check = [&](Value operand, Value zeroPoint, int64_t dim,
                   StringRef name) {
    ArrayRef<int64_t> shape = shapeOf(operand);
    std::optional<int64_t> along;
    if (shape.size() >= 2)
      along = shape[shape.size() - 2 + dim];
    return verifyEightBitOperand(*this, operand, zeroPoint, name, along,
                                 dim == 0 ? "row" : "column");
  };
  if (failed(check(getLhs(), getLhsZeroPoint(), 0, "lhs")) ||
      failed(check(getRhs(), getRhsZeroPoint(), 1, "rhs")))
    return failure();
  if (!elementTypeOf(getOutput()).isInteger(32))
    return emitOpError("expects an i32 result");
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  return pushTensor(
      inferGemmShape(shapeOf(adaptor.getA()), shapeOf(adaptor.getB()),
                     optionalShape(adaptor.getC()), adaptor.getTransA(),
                     adaptor.getTransB(), LocError{loc}),
      elementTypeOf(adaptor.getA()), results);
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  return pushTensor(
      inferConvShape(shapeOf(adaptor.getInput()), shapeOf(adaptor.getWeight()),
                     optionalShape(adaptor.getBias()), adaptor.getStrides(),
                     adaptor.getDilations(), adaptor.getPads(),
                     adaptor.getGroup(), LocError{loc}),
      elementTypeOf(adaptor.getInput()), results);
}

LogicalResult ConvIntegerOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  return pushTensor(
      inferConvShape(shapeOf(adaptor.getInput()), shapeOf(adaptor.getWeight()),
                     std::nullopt, adaptor.getStrides(), adaptor.getDilations(),
                     adaptor.getPads(), adaptor.getGroup(), LocError{loc}),
      IntegerType::get(context, 32), results);
}

LogicalResult ConvIntegerOp::verify() {
  // The input's zero point per tensor; the weight's per tensor or per
  // output channel (its dim 0).
  ArrayRef<int64_t> weightShape = shapeOf(getWeight());
  if (failed(verifyEightBitOperand(*this, getInput(), getInputZeroPoint(),
                                   "input", std::nullopt, "")) ||
      failed(verifyEightBitOperand(
          *this, getWeight(), getWeightZeroPoint(), "weight",
          weightShape.empty() ? std::nullopt
                              : std::optional<int64_t>(weightShape[0]),
          "channel")))
    return failure();
  if (!elementTypeOf(getOutput()).isInteger(32))
    return emitOpError("expects an i32 result");
  return success();
}

LogicalResult
ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  return pushTensor(inferConvTransposeShape(
                        shapeOf(adaptor.getInput()),
                        shapeOf(adaptor.getWeight()),
                        optionalShape(adaptor.getBias()), adaptor.getStrides(),
                        adaptor.getDilations(), adaptor.getPads(),
                        adaptor.getGroup(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

/// The operands' and the result's letters of an explicit einsum equation.
static FailureOr<std::pair<SmallVector<StringRef>, StringRef>>
parseEinsum(StringRef equation) {
  auto [lhs, rhs] = equation.split("->");
  if (rhs.data() == nullptr || equation.count("->") != 1)
    return failure();
  SmallVector<StringRef> operands;
  lhs.split(operands, ',');
  return std::make_pair(operands, rhs);
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  LocError emitError{loc};
  auto parsed = parseEinsum(adaptor.getEquation());
  if (failed(parsed) || parsed->first.size() != adaptor.getInputs().size() ||
      adaptor.getInputs().empty()) {
    emitError() << "expects an explicit equation with one term per operand, "
                   "got '"
                << adaptor.getEquation() << "'";
    return failure();
  }
  llvm::StringMap<int64_t> sizes;
  Type et = elementTypeOf(adaptor.getInputs().front());
  for (auto [term, operand] : llvm::zip(parsed->first, adaptor.getInputs())) {
    ArrayRef<int64_t> shape = shapeOf(operand);
    if (term.size() != shape.size() || elementTypeOf(operand) != et) {
      emitError() << "term '" << term << "' does not fit an operand of rank "
                  << shape.size() << " (or its element type differs)";
      return failure();
    }
    for (auto [letter, size] : llvm::zip(term, shape)) {
      int64_t &known = sizes[StringRef(&letter, 1)];
      if (known == 0 || known == ShapedType::kDynamic)
        known = size;
      else if (size != ShapedType::kDynamic && size != known) {
        emitError() << "letter '" << letter << "' has sizes " << known
                    << " and " << size;
        return failure();
      }
    }
  }
  Shape result;
  for (char letter : parsed->second) {
    auto it = sizes.find(StringRef(&letter, 1));
    if (it == sizes.end()) {
      emitError() << "result letter '" << letter << "' is in no operand";
      return failure();
    }
    result.push_back(it->second);
  }
  results.push_back(RankedTensorType::get(result, et));
  return success();
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  FailureOr<std::pair<Shape, Shape>> shapes = inferAttentionShapes(
      shapeOf(adaptor.getQuery()), shapeOf(adaptor.getKey()),
      shapeOf(adaptor.getValue()), optionalShape(adaptor.getBias()),
      LocError{loc});
  if (failed(shapes))
    return failure();
  Type et = elementTypeOf(adaptor.getQuery());
  results.push_back(RankedTensorType::get(shapes->first, et));
  results.push_back(RankedTensorType::get(shapes->second, et));
  return success();
}

LogicalResult AttentionOp::verify() {
  Type et = elementTypeOf(getQuery());
  for (Value v : {getKey(), getValue(), getBias()})
    if (v && elementTypeOf(v) != et)
      return emitOpError("expects query, key, value and bias of one element "
                         "type");
  if (Value lengths = getKvLengths()) {
    if (shapeOf(lengths).size() != 1 || shapeOf(getQuery()).empty())
      return emitOpError("expects a query with a batch dim and 1-D kv "
                         "lengths");
    int64_t batch = shapeOf(getQuery())[0], n = shapeOf(lengths)[0];
    if (batch != ShapedType::kDynamic && n != ShapedType::kDynamic &&
        batch != n)
      return emitOpError("expects one kv length per batch, got ")
             << n << " for a batch of " << batch;
  }
  if (getPastLength() && *getPastLength() < 0)
    return emitOpError("expects a non-negative past_length");
  if (getScoresMode() < 0 || getScoresMode() > 3)
    return emitOpError("expects scores_mode 0..3, got ") << getScoresMode();
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Checks that `scale` (and `zeroPoint`, of its shape) applies to `input`
/// per tensor, per `axis` or per block along it; `axis` is normalized.
static LogicalResult verifyQuantizationParams(Operation *op, Value input,
                                              Value scale, Value zeroPoint,
                                              int64_t axis, int64_t blockSize) {
  ArrayRef<int64_t> x = shapeOf(input), s = shapeOf(scale);
  if (zeroPoint && shapeOf(zeroPoint) != s)
    return op->emitOpError("expects the zero point of the scale's shape");
  if (s.empty())
    return success();
  int64_t rank = x.size();
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  auto known = [](int64_t d) { return d != ShapedType::kDynamic; };
  if (blockSize <= 0) {
    if (s.size() != 1 || (known(s[0]) && known(x[axis]) && s[0] != x[axis]))
      return op->emitOpError("expects a scale of one value per element of "
                             "axis ")
             << axis;
    return success();
  }
  if (static_cast<int64_t>(s.size()) != rank)
    return op->emitOpError("expects a blocked scale of the input's rank");
  for (int64_t d = 0; d < rank; ++d) {
    if (!known(s[d]) || !known(x[d]))
      continue;
    int64_t expected = d == axis ? llvm::divideCeil(x[d], blockSize) : x[d];
    if (s[d] != expected)
      return op->emitOpError("expects scale dim ")
             << d << " to be " << expected << ", got " << s[d];
  }
  return success();
}

LogicalResult BitcastOp::verify() {
  auto from = cast<RankedTensorType>(getInput().getType());
  auto to = cast<RankedTensorType>(getType());
  if (from.getShape() != to.getShape() ||
      from.getElementTypeBitWidth() != to.getElementTypeBitWidth())
    return emitOpError("expects a result of the input's shape and bit width");
  return success();
}

LogicalResult CastOp::verify() {
  StringRef mode = getRoundMode();
  if (mode != "up" && mode != "down" && mode != "nearest")
    return emitOpError("unknown round_mode '") << mode << "'";
  return success();
}

template <typename OpTy> static LogicalResult verifyCumulative(OpTy op) {
  int64_t rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
  if (rank == 0)
    return op.emitOpError("expects an input of rank >= 1");
  if (Value axis = op.getAxisInput()) {
    if (cast<RankedTensorType>(axis.getType()).getNumElements() != 1)
      return op.emitOpError("expects an axis_input of one element");
  } else if (op.getAxis() < 0 || op.getAxis() >= rank) {
    return op.emitOpError("axis ")
           << op.getAxis() << " is out of range for rank " << rank;
  }
  return success();
}

LogicalResult CumSumOp::verify() { return verifyCumulative(*this); }
LogicalResult CumProdOp::verify() { return verifyCumulative(*this); }

LogicalResult RangeOp::verify() {
  Type et = elementTypeOf(getStart());
  for (Value v : {getStart(), getLimit(), getDelta()})
    if (shapeOf(v).size() != 0 || elementTypeOf(v) != et)
      return emitOpError("expects scalar bounds of one element type");
  auto type = cast<RankedTensorType>(getType());
  if (type.getRank() != 1 || type.getElementType() != et)
    return emitOpError("expects a 1-D result of the bounds' element type");
  return success();
}

LogicalResult TriluOp::verify() {
  if (Value k = getKInput();
      k && cast<RankedTensorType>(k.getType()).getNumElements() != 1)
    return emitOpError("expects a k_input of one element");
  return success();
}

/// Activations a recurrent op may apply, and how many of activation_alpha
/// and activation_beta each takes.
static std::optional<std::pair<int, int>>
recurrentActivationParams(StringRef name) {
  return llvm::StringSwitch<std::optional<std::pair<int, int>>>(name)
      .Cases({"Sigmoid", "Tanh", "Relu", "Softsign", "Softplus"}, {{0, 0}})
      .Cases({"LeakyRelu", "ThresholdedRelu", "Elu"}, {{1, 0}})
      .Cases({"HardSigmoid", "ScaledTanh", "Affine"}, {{1, 1}})
      .Default(std::nullopt);
}

/// The checks LSTM, GRU and RNN share, for `gates` gates and
/// `activationsPerDirection` activations; `extra` checks the op's own
/// operands and results (with `check(value, shape, name)`).
template <typename OpTy, typename CheckFn, typename ExtraFn>
static LogicalResult verifyRecurrent(OpTy op, int64_t gates,
                                     int64_t activationsPerDirection,
                                     ExtraFn extra) {
  ArrayRef<int64_t> x = shapeOf(op.getInput()), w = shapeOf(op.getW()),
                    r = shapeOf(op.getR());
  StringRef direction = op.getDirection();
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return op.emitOpError("unknown direction '") << direction << "'";
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t h = op.getHiddenSize();
  if (h < 1)
    return op.emitOpError("expects a positive hidden_size");
  if (x.size() != 3 || w.size() != 3 || r.size() != 3)
    return op.emitOpError("expects X, W and R of rank 3");
  auto mismatch = [](int64_t a, int64_t b) {
    return a != ShapedType::kDynamic && b != ShapedType::kDynamic && a != b;
  };
  if (mismatch(w[0], dirs) || mismatch(w[1], gates * h) ||
      mismatch(w[2], x[2]) || mismatch(r[0], dirs) ||
      mismatch(r[1], gates * h) || mismatch(r[2], h))
    return op.emitOpError("expects W [")
           << dirs << ", " << gates * h << ", " << x[2] << "] and R [" << dirs
           << ", " << gates * h << ", " << h << "]";
  CheckFn check = [&](Value v, ArrayRef<int64_t> want,
                      StringRef what) -> LogicalResult {
    if (!v)
      return success();
    ArrayRef<int64_t> shape = shapeOf(v);
    if (shape.size() != want.size() ||
        llvm::any_of(llvm::zip(shape, want), [&](auto pair) {
          return mismatch(std::get<0>(pair), std::get<1>(pair));
        }))
      return op.emitOpError("expects ")
             << what << " of shape [" << llvm::interleaved(want) << "]";
    return success();
  };
  if (failed(check(op.getBias(), {dirs, 2 * gates * h}, "B")) ||
      failed(check(op.getSequenceLens(), {x[1]}, "sequence_lens")) ||
      failed(check(op.getInitialH(), {dirs, x[1], h}, "initial_h")) ||
      failed(check(op.getY(), {x[0], dirs, x[1], h}, "Y")) ||
      failed(check(op.getYH(), {dirs, x[1], h}, "Y_h")) ||
      failed(extra(check, dirs, x[1], h)))
    return failure();
  if ((int64_t)op.getActivations().size() != activationsPerDirection * dirs)
    return op.emitOpError("expects ")
           << activationsPerDirection * dirs << " activations";
  int alphas = 0, betas = 0;
  for (Attribute name : op.getActivations()) {
    auto params = recurrentActivationParams(cast<StringAttr>(name).getValue());
    if (!params)
      return op.emitOpError("unsupported activation '")
             << cast<StringAttr>(name).getValue() << "'";
    alphas += params->first;
    betas += params->second;
  }
  if ((int)op.getActivationAlpha().size() > alphas ||
      (int)op.getActivationBeta().size() > betas)
    return op.emitOpError("expects at most ")
           << alphas << " activation_alpha and " << betas
           << " activation_beta values";
  return success();
}

using RecurrentCheck =
    std::function<LogicalResult(Value, ArrayRef<int64_t>, StringRef)>;

LogicalResult LstmOp::verify() {
  return verifyRecurrent<LstmOp, RecurrentCheck>(
      *this, 4, 3,
      [&](RecurrentCheck &check, int64_t dirs, int64_t batch, int64_t h) {
        if (failed(check(getInitialC(), {dirs, batch, h}, "initial_c")) ||
            failed(check(getPeepholes(), {dirs, 3 * h}, "P")) ||
            failed(check(getYC(), {dirs, batch, h}, "Y_c")))
          return failure();
        return success();
      });
}

LogicalResult GruOp::verify() {
  return verifyRecurrent<GruOp, RecurrentCheck>(
      *this, 3, 2,
      [](RecurrentCheck &, int64_t, int64_t, int64_t) { return success(); });
}

LogicalResult RnnOp::verify() {
  return verifyRecurrent<RnnOp, RecurrentCheck>(
      *this, 1, 1,
      [](RecurrentCheck &, int64_t, int64_t, int64_t) { return success(); });
}

LogicalResult RotaryEmbeddingOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.size() != 4)
    return emitOpError("expects a 4-D input");
  int64_t rotary = getRotaryDim() ? getRotaryDim() : input[3];
  if (rotary != ShapedType::kDynamic &&
      (rotary < 0 || rotary % 2 != 0 ||
       (input[3] != ShapedType::kDynamic && rotary > input[3])))
    return emitOpError("expects an even rotary_dim in [0, ")
           << input[3] << "], got " << rotary;
  int64_t seq = input[getHeadsFirst() ? 2 : 1];
  SmallVector<int64_t> expected = {
      input[0], seq,
      rotary == ShapedType::kDynamic ? ShapedType::kDynamic : rotary / 2};
  for (Value table : {getCos(), getSin()}) {
    ArrayRef<int64_t> shape = shapeOf(table);
    if (shape.size() != 3)
      return emitOpError("expects cos and sin of shape [B, S, rotary_dim / "
                         "2]");
    for (auto [size, want] : llvm::zip(shape, expected))
      if (size != ShapedType::kDynamic && want != ShapedType::kDynamic &&
          size != want)
        return emitOpError("expects cos and sin of shape [")
               << input[0] << ", " << seq << ", " << rotary / 2 << "], got ["
               << llvm::interleaved(shape) << "]";
  }
  return success();
}

LogicalResult ScatterOp::verify() {
  ArrayRef<int64_t> data = shapeOf(getData()), indices = shapeOf(getIndices()),
                    updates = shapeOf(getUpdates());
  StringRef reduction = getReduction();
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return emitOpError("unknown reduction '") << reduction << "'";
  auto differ = [](int64_t a, int64_t b) {
    return a != ShapedType::kDynamic && b != ShapedType::kDynamic && a != b;
  };
  if (!getNd()) {
    if (indices.size() != data.size() || updates != indices || getAxis() < 0 ||
        getAxis() >= (int64_t)data.size())
      return emitOpError("expects indices and updates of one shape and "
                         "data's rank, and an axis in range");
    return success();
  }
  // The last dim of indices addresses k dims of data; the ranks give k.
  int64_t q = (int64_t)indices.size() - 1;
  int64_t k = q + (int64_t)data.size() - (int64_t)updates.size();
  if (q < 0 || k < 1 || k > (int64_t)data.size() || differ(indices.back(), k))
    return emitOpError("expects indices [..., k] with k in [1, ")
           << data.size() << "] and updates of rank q + rank(data) - k";
  for (int64_t i = 0; i < q; ++i)
    if (differ(updates[i], indices[i]))
      return emitOpError("expects updates to start with indices' leading dims");
  for (int64_t i = k; i < (int64_t)data.size(); ++i)
    if (differ(updates[q + i - k], data[i]))
      return emitOpError("expects updates to end with data's trailing dims");
  return success();
}

LogicalResult TopKOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= (int64_t)input.size())
    return emitOpError("expects an axis in [0, ") << input.size() << ")";
  if (cast<RankedTensorType>(getK().getType()).getNumElements() != 1)
    return emitOpError("expects a k of one element");
  if (elementTypeOf(getValues()) != elementTypeOf(getInput()))
    return emitOpError("expects values of the input's element type");
  for (Value result : {Value(getValues()), Value(getIndices())}) {
    ArrayRef<int64_t> shape = shapeOf(result);
    if (shape.size() != input.size())
      return emitOpError("expects results of the input's rank");
    for (auto [i, size] : llvm::enumerate(shape)) {
      if ((int64_t)i == axis || size == ShapedType::kDynamic ||
          input[i] == ShapedType::kDynamic)
        continue;
      if (size != input[i])
        return emitOpError("expects results of the input's shape but along ")
               << "axis " << axis;
    }
  }
  if (shapeOf(getValues())[axis] != shapeOf(getIndices())[axis])
    return emitOpError("expects values and indices of one shape");
  DenseIntElementsAttr k;
  int64_t extent = input[axis], kept = shapeOf(getValues())[axis];
  if (matchPattern(getK(), m_Constant(&k))) {
    int64_t value = (*k.getValues<APInt>().begin()).getSExtValue();
    if (value < 0 || (extent != ShapedType::kDynamic && value > extent))
      return emitOpError("expects k in [0, ") << extent << "], got " << value;
    if (kept != ShapedType::kDynamic && kept != value)
      return emitOpError("expects ") << value << " results along the axis";
  }
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("expects the result of the input's shape");
  Type et = elementTypeOf(getOutput());
  if (!isa<IntegerType>(et) &&
      !(isa<FloatType>(et) && et.getIntOrFloatBitWidth() <= 8))
    return emitOpError("quantizes to integers or 8-bit floats, not ") << et;
  if (getZeroPoint() && elementTypeOf(getZeroPoint()) != et)
    return emitOpError("expects the zero point of the result's type");
  return verifyQuantizationParams(*this, getInput(), getScale(), getZeroPoint(),
                                  getAxis(), getBlockSize());
}

LogicalResult DequantizeOp::verify() {
  if (shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("expects the result of the input's shape");
  if (getZeroPoint() &&
      elementTypeOf(getZeroPoint()) != elementTypeOf(getInput()))
    return emitOpError("expects the zero point of the input's type");
  return verifyQuantizationParams(*this, getInput(), getScale(), getZeroPoint(),
                                  getAxis(), getBlockSize());
}

//===----------------------------------------------------------------------===//
// Reductions, normalizations, pooling
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  if (Value axes = adaptor.getAxesInput()) {
    FailureOr<int64_t> n = listLength(axes, loc);
    if (failed(n))
      return failure();
    return pushTensor(inferRuntimeAxesReduceShape(shapeOf(adaptor.getInput()),
                                                  *n, adaptor.getKeepdims(),
                                                  LocError{loc}),
                      elementTypeOf(adaptor.getInput()), results);
  }
  return pushTensor(inferReduceShape(shapeOf(adaptor.getInput()),
                                     adaptor.getAxes(), adaptor.getKeepdims(),
                                     LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

#define AIC_INFER_REDUCE(Op)                                                   \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &results) {                                        \
    return inferReduce(loc, adaptor, results);                                 \
  }
AIC_INFER_REDUCE(ReduceSumOp)
AIC_INFER_REDUCE(ReduceMeanOp)
AIC_INFER_REDUCE(ReduceMaxOp)
AIC_INFER_REDUCE(ReduceMinOp)
AIC_INFER_REDUCE(ReduceProdOp)
AIC_INFER_REDUCE(ReduceL1Op)
AIC_INFER_REDUCE(ReduceL2Op)
AIC_INFER_REDUCE(ReduceSumSquareOp)
AIC_INFER_REDUCE(ReduceLogSumOp)
AIC_INFER_REDUCE(ReduceLogSumExpOp)
#undef AIC_INFER_REDUCE

template <typename Adaptor>
static LogicalResult
inferArgReduce(MLIRContext *context, std::optional<Location> loc,
               Adaptor adaptor, SmallVectorImpl<Type> &results) {
  int64_t axis = adaptor.getAxis();
  return pushTensor(inferReduceShape(shapeOf(adaptor.getInput()), {axis},
                                     adaptor.getKeepdims(), LocError{loc}),
                    IntegerType::get(context, 64), results);
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArgReduce(context, loc, adaptor, results);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArgReduce(context, loc, adaptor, results);
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return op->emitOpError("expects axis in [0, ")
           << std::max<int64_t>(rank, 1) << "), got " << axis;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType().getRank());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType().getRank());
}

LogicalResult BatchNormOp::verify() {
  auto type = cast<RankedTensorType>(getInput().getType());
  if (type.getRank() < 2)
    return emitOpError("expects an input of rank >= 2, got ") << type;
  int64_t channels = type.getDimSize(1);
  for (Value v : {getScale(), getBias(), getMean(), getVariance()}) {
    auto vt = cast<RankedTensorType>(v.getType());
    if (vt.getRank() != 1 || (!vt.isDynamicDim(0) && !type.isDynamicDim(1) &&
                              vt.getDimSize(0) != channels))
      return emitOpError("expects per-channel vectors of size ")
             << channels << ", got " << vt;
  }
  return success();
}

/// Checks that `scale` and `bias` broadcast to the dims of `input` from
/// `axis` on.
static LogicalResult verifyNormalization(Operation *op, Value input,
                                         int64_t axis, ValueRange params) {
  auto type = cast<RankedTensorType>(input.getType());
  if (failed(verifyAxis(op, axis, type.getRank())))
    return failure();
  ArrayRef<int64_t> normalized = type.getShape().drop_front(axis);
  for (Value v : params) {
    if (!v)
      continue;
    auto vt = cast<RankedTensorType>(v.getType());
    auto diag = [&] {
      return op->emitOpError("expects scale and bias to broadcast to the "
                             "normalized dims, got ")
             << vt;
    };
    if (vt.getRank() > static_cast<int64_t>(normalized.size()))
      return diag();
    ArrayRef<int64_t> tail = normalized.take_back(vt.getRank());
    for (auto [d, n] : llvm::zip(vt.getShape(), tail))
      if (d != 1 && d != ShapedType::kDynamic && n != ShapedType::kDynamic &&
          d != n)
        return diag();
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  if (failed(verifyNormalization(*this, getInput(), getAxis(),
                                 {getScale(), getBias()})))
    return failure();
  auto type = cast<RankedTensorType>(getInput().getType());
  auto stats = cast<RankedTensorType>(getMean().getType());
  SmallVector<int64_t> expected(type.getShape());
  for (int64_t d = getAxis(); d < type.getRank(); ++d)
    expected[d] = 1;
  if (failed(verifyCompatibleShape(stats.getShape(), expected)))
    return emitOpError("expects statistics of shape [")
           << llvm::make_range(expected.begin(), expected.end()) << "], got "
           << stats;
  return success();
}

LogicalResult RmsNormOp::verify() {
  return verifyNormalization(*this, getInput(), getAxis(), {getScale()});
}

template <typename Adaptor>
static LogicalResult inferPool(std::optional<Location> loc, Adaptor adaptor,
                               SmallVectorImpl<Type> &results,
                               Type elementType = {}) {
  return pushTensor(
      inferPoolShape(shapeOf(adaptor.getInput()), adaptor.getKernel(),
                     adaptor.getStrides(), adaptor.getDilations(),
                     adaptor.getPads(), adaptor.getCeilMode(), LocError{loc}),
      elementType ? elementType : elementTypeOf(adaptor.getInput()), results);
}

LogicalResult
MaxPoolIndicesOp::inferReturnTypes(MLIRContext *context,
                                   std::optional<Location> loc, Adaptor adaptor,
                                   SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor, results, IntegerType::get(context, 64));
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor, results);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor, results);
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  Type elementType = elementTypeOf(adaptor.getInput());
  auto shapeType = cast<RankedTensorType>(adaptor.getShape().getType());
  DenseIntElementsAttr target;
  Shape dims;
  if (matchPattern(adaptor.getShape(), m_Constant(&target))) {
    dims = llvm::to_vector(
        llvm::map_range(target.getValues<APInt>(),
                        [](const APInt &v) { return v.getSExtValue(); }));
  } else {
    if (failed(listLength(adaptor.getShape(), loc)))
      return failure();
    if (shapeType.isDynamicDim(0)) {
      if (loc)
        mlir::emitError(*loc) << "expects a shape operand of static length";
      return failure();
    }
    // Only the rank is known until the shape is, unless the shape is empty
    // and the result a scalar, whose one element the input must hold.
    if (shapeType.getDimSize(0) != 0) {
      results.push_back(RankedTensorType::get(
          Shape(shapeType.getDimSize(0), ShapedType::kDynamic), elementType));
      return success();
    }
  }
  return pushTensor(inferReshapeShape(shapeOf(adaptor.getInput()), dims,
                                      adaptor.getAllowzero(), LocError{loc}),
                    elementType, results);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return pushTensor(inferTransposeShape(shapeOf(adaptor.getInput()),
                                        adaptor.getPerm(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return pushTensor(inferFlattenShape(shapeOf(adaptor.getInput()),
                                      adaptor.getAxis(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty()) {
    if (loc)
      mlir::emitError(*loc) << "expects at least one input";
    return failure();
  }
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : adaptor.getInputs())
    shapes.push_back(shapeOf(v));
  return pushTensor(inferConcatShape(shapes, adaptor.getAxis(), LocError{loc}),
                    elementTypeOf(adaptor.getInputs().front()), results);
}

/// Squeeze (insert = false) and Unsqueeze (insert = true): axes as an
/// attribute, or a 1-D list known at run time.
template <typename Adaptor>
static LogicalResult inferSqueezeLike(std::optional<Location> loc,
                                      Adaptor adaptor, bool insert,
                                      SmallVectorImpl<Type> &results) {
  FailureOr<Shape> shape = failure();
  if (Value axes = adaptor.getAxesInput()) {
    FailureOr<int64_t> n = listLength(axes, loc);
    if (failed(n))
      return failure();
    shape = inferRuntimeAxesReshapeShape(shapeOf(adaptor.getInput()), *n,
                                         insert, LocError{loc});
  } else {
    shape = inferSqueezeShape(shapeOf(adaptor.getInput()), adaptor.getAxes(),
                              insert, LocError{loc});
  }
  return pushTensor(shape, elementTypeOf(adaptor.getInput()), results);
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferSqueezeLike(loc, adaptor, /*insert=*/false, results);
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferSqueezeLike(loc, adaptor, /*insert=*/true, results);
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  int64_t rank = shapeOf(adaptor.getInput()).size();
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  if (start < 0 || end > rank || start > end) {
    if (loc)
      mlir::emitError(*loc) << "expects 0 <= start <= end <= " << rank
                            << ", got " << start << " and " << end;
    return failure();
  }
  results.push_back(
      RankedTensorType::get({end - start}, IntegerType::get(context, 64)));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return pushTensor(inferGatherShape(shapeOf(adaptor.getData()),
                                     shapeOf(adaptor.getIndices()),
                                     adaptor.getAxis(), LocError{loc}),
                    elementTypeOf(adaptor.getData()), results);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  return pushTensor(inferSliceShape(shapeOf(adaptor.getInput()),
                                    adaptor.getStarts(), adaptor.getSizes(),
                                    adaptor.getSteps(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

LogicalResult DynamicSliceOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  FailureOr<int64_t> length = listLength(adaptor.getStarts(), loc);
  if (failed(length))
    return failure();
  int64_t n = *length;
  int64_t rank = shapeOf(adaptor.getInput()).size();
  for (Value v : {adaptor.getEnds(), adaptor.getAxes(), adaptor.getSteps()})
    if (v && (shapeOf(v).size() != 1 || shapeOf(v)[0] != n)) {
      if (loc)
        mlir::emitError(*loc)
            << "expects starts, ends, axes and steps of one length";
      return failure();
    }
  if (n == ShapedType::kDynamic || n > rank ||
      (!adaptor.getAxes() && n > rank)) {
    if (loc)
      mlir::emitError(*loc)
          << "expects at most " << rank << " starts of a known count";
    return failure();
  }
  // Dims no axis names keep their extent; with constant bounds, a sliced
  // dim of known extent has a known size.
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  auto constants = [](Value v) -> std::optional<SmallVector<int64_t>> {
    DenseIntElementsAttr attr;
    if (!v || !matchPattern(v, m_Constant(&attr)))
      return std::nullopt;
    return llvm::to_vector(
        llvm::map_range(attr.getValues<APInt>(),
                        [](const APInt &x) { return x.getSExtValue(); }));
  };
  std::optional<SmallVector<int64_t>> axes =
      adaptor.getAxes() ? constants(adaptor.getAxes())
                        : llvm::to_vector(llvm::seq<int64_t>(0, n));
  if (axes) {
    ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
    shape.assign(input.begin(), input.end());
    std::optional<SmallVector<int64_t>> starts = constants(adaptor.getStarts());
    std::optional<SmallVector<int64_t>> ends = constants(adaptor.getEnds());
    std::optional<SmallVector<int64_t>> steps =
        adaptor.getSteps() ? constants(adaptor.getSteps())
                           : SmallVector<int64_t>(n, 1);
    for (auto [i, a] : llvm::enumerate(*axes)) {
      if (a < -rank || a >= rank) {
        if (loc)
          mlir::emitError(*loc)
              << "axis " << a << " is out of range for rank " << rank;
        return failure();
      }
      int64_t d = a < 0 ? a + rank : a;
      shape[d] = ShapedType::kDynamic;
      if (starts && ends && steps && (*steps)[i] != 0 &&
          !ShapedType::isDynamic(input[d]))
        shape[d] =
            clampSlice(input[d], (*starts)[i], (*ends)[i], (*steps)[i]).second;
    }
  }
  results.push_back(
      RankedTensorType::get(shape, elementTypeOf(adaptor.getInput())));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (Value shape = adaptor.getShapeInput()) {
    FailureOr<int64_t> length = listLength(shape, loc);
    if (failed(length))
      return failure();
    int64_t n = *length, rank = shapeOf(adaptor.getInput()).size();
    if (n == ShapedType::kDynamic) {
      if (loc)
        mlir::emitError(*loc) << "expects a shape of known length";
      return failure();
    }
    return pushTensor(Shape(std::max(n, rank), ShapedType::kDynamic),
                      elementTypeOf(adaptor.getInput()), results);
  }
  return pushTensor(inferBroadcastShape(shapeOf(adaptor.getInput()),
                                        adaptor.getShape(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  if (Value repeats = adaptor.getRepeatsInput()) {
    int64_t rank = shapeOf(adaptor.getInput()).size();
    FailureOr<int64_t> n = listLength(repeats, loc);
    if (failed(n))
      return failure();
    if (*n != rank) {
      if (loc)
        mlir::emitError(*loc) << "expects " << rank << " repeats";
      return failure();
    }
    return pushTensor(Shape(rank, ShapedType::kDynamic),
                      elementTypeOf(adaptor.getInput()), results);
  }
  return pushTensor(inferTileShape(shapeOf(adaptor.getInput()),
                                   adaptor.getRepeats(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  StringRef mode = adaptor.getMode();
  auto fail = [&](const Twine &message) {
    if (loc)
      mlir::emitError(*loc) << message;
    return failure();
  };
  if (pads.size() != 2 * input.size())
    return fail("expects " + Twine(2 * input.size()) + " pads, got " +
                Twine(pads.size()));
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return fail("unknown pad mode '" + mode + "'");
  if (adaptor.getValue() && shapeOf(adaptor.getValue()).size() != 0)
    return fail("expects a scalar pad value");
  // Dims whose pads are known only at run time.
  SmallVector<bool> runtime(input.size(), false);
  if (Value padsInput = adaptor.getPadsInput()) {
    SmallVector<int64_t> axes =
        adaptor.getAxes()
            ? SmallVector<int64_t>(*adaptor.getAxes())
            : llvm::to_vector(llvm::seq<int64_t>(0, input.size()));
    for (int64_t axis : axes) {
      if (axis < 0 || axis >= (int64_t)input.size() || runtime[axis])
        return fail("expects distinct axes in [0, " + Twine(input.size()) +
                    ")");
      runtime[axis] = true;
    }
    if (shapeOf(padsInput).size() != 1)
      return fail("expects 1-D pads_input");
    int64_t count = shapeOf(padsInput)[0];
    if (!ShapedType::isDynamic(count) && count != 2 * (int64_t)axes.size())
      return fail("expects " + Twine(2 * axes.size()) + " pads_input " +
                  "entries, got " + Twine(count));
  } else if (adaptor.getAxes()) {
    return fail("expects axes only with pads_input");
  }
  Shape result;
  for (size_t d = 0; d < input.size(); ++d) {
    if (ShapedType::isDynamic(input[d]) || runtime[d]) {
      result.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t size = input[d] + pads[d] + pads[d + input.size()];
    if (size < 0)
      return fail("pads crop dim " + Twine(d) + " below zero");
    if (mode != "constant" && size > 0 && input[d] == 0)
      return fail("cannot pad an empty dim in " + mode + " mode");
    result.push_back(size);
  }
  results.push_back(
      RankedTensorType::get(result, elementTypeOf(adaptor.getInput())));
  return success();
}

LogicalResult
GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &results) {
  ArrayRef<int64_t> data = shapeOf(adaptor.getData());
  ArrayRef<int64_t> indices = shapeOf(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (data.size() != indices.size() || axis < 0 ||
      axis >= static_cast<int64_t>(data.size())) {
    if (loc)
      mlir::emitError(*loc) << "expects data and indices of equal rank and "
                               "an axis below it";
    return failure();
  }
  results.push_back(
      RankedTensorType::get(indices, elementTypeOf(adaptor.getData())));
  return success();
}

LogicalResult ResizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto resultType = cast<RankedTensorType>(getType());
  int64_t rank = inputType.getRank();
  if (resultType.getRank() != rank ||
      static_cast<int64_t>(getScales().size()) != rank)
    return emitOpError("expects one scale per dim and a result of rank ")
           << rank;
  if (!getRoi().empty() && static_cast<int64_t>(getRoi().size()) != 2 * rank)
    return emitOpError("expects an empty roi or ") << 2 * rank << " entries";
  StringRef mode = getMode(), coords = getCoordinateMode(),
            nearest = getNearestMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOpError("unknown mode '") << mode << "'";
  if (!llvm::is_contained({"half_pixel", "half_pixel_symmetric",
                           "pytorch_half_pixel", "align_corners", "asymmetric",
                           "tf_crop_and_resize", "tf_half_pixel_for_nn"},
                          coords))
    return emitOpError("unknown coordinate_transformation_mode '")
           << coords << "'";
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          nearest))
    return emitOpError("unknown nearest_mode '") << nearest << "'";
  for (float scale : getScales())
    if (!(scale > 0))
      return emitOpError("expects positive scales");
  if (getScalesInput() && getSizesInput())
    return emitOpError("expects scales or sizes, not both");
  int64_t n = getAxes().size();
  for (Value v : {getScalesInput(), getSizesInput(), getRoiInput()}) {
    if (!v)
      continue;
    int64_t expected = v == getRoiInput() ? 2 * n : n;
    if (shapeOf(v).size() != 1)
      return emitOpError("expects 1-D run-time scales, sizes and roi");
    int64_t entries = shapeOf(v)[0];
    if (n == 0 || (!ShapedType::isDynamic(entries) && entries != expected))
      return emitOpError("expects ")
             << expected << " run-time entries for the " << n << " axes";
  }
  if (!llvm::is_contained({"stretch", "not_larger", "not_smaller"},
                          getAspectPolicy()))
    return emitOpError("unknown aspect_policy '") << getAspectPolicy() << "'";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/aic/IR/AicOps.cpp.inc"
