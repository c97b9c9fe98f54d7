//===- AicFolders.cpp - constant folding of the aic ops -------------------===//
//
// Folds the ops that shape computations are made of (Shape, Gather, Concat,
// Slice, Squeeze, Unsqueeze, Reshape, Cast and integer arithmetic, Neg
// and Abs) when
// their operands are small constants, so that Shape -> Gather -> Concat ->
// Reshape chains, as PyTorch and Paddle export them, become constants and
// the ops after them get static shapes. Large tensors are left alone.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/IR/AicOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::aic;

/// Constants up to this many elements are folded.
static constexpr int64_t kMaxFoldedElements = 4096;

/// The value of a small, inline constant operand, or null.
static DenseElementsAttr smallConstant(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldedElements)
    return nullptr;
  return dense;
}

static bool isStaticSmall(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() &&
         tensor.getNumElements() <= kMaxFoldedElements;
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Builds a result of `type` whose element at each multi-index is
/// `element(index)`.
static DenseElementsAttr
buildElements(RankedTensorType type,
              function_ref<Attribute(ArrayRef<int64_t>)> element) {
  SmallVector<Attribute> values;
  SmallVector<int64_t> index(type.getRank(), 0);
  for (int64_t n = 0; n < type.getNumElements(); ++n) {
    values.push_back(element(index));
    for (int64_t d = type.getRank() - 1; d >= 0; --d) {
      if (++index[d] < type.getDimSize(d))
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, values);
}

/// Element of `value` at the broadcast of `index` (numpy rules).
static Attribute broadcastElement(DenseElementsAttr value,
                                  ArrayRef<int64_t> index) {
  if (value.isSplat())
    return value.getSplatValue<Attribute>();
  ArrayRef<int64_t> shape = value.getType().getShape();
  SmallVector<int64_t> strides = stridesOf(shape);
  int64_t offset = index.size() - shape.size(), flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat += (shape[d] == 1 ? 0 : index[d + offset]) * strides[d];
  return value.getValues<Attribute>()[flat];
}

/// Folds an integer binary op elementwise with broadcasting.
static OpFoldResult foldIntegerBinary(
    Operation *op, ArrayRef<Attribute> operands,
    function_ref<std::optional<APInt>(const APInt &, const APInt &)> fn) {
  DenseElementsAttr lhs = smallConstant(operands[0]);
  DenseElementsAttr rhs = smallConstant(operands[1]);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !isStaticSmall(type) ||
      !type.getElementType().isSignlessInteger())
    return {};
  bool ok = true;
  DenseElementsAttr result =
      buildElements(type, [&](ArrayRef<int64_t> index) -> Attribute {
        APInt l = cast<IntegerAttr>(broadcastElement(lhs, index)).getValue();
        APInt r = cast<IntegerAttr>(broadcastElement(rhs, index)).getValue();
        std::optional<APInt> v = fn(l, r);
        ok &= v.has_value();
        return IntegerAttr::get(type.getElementType(), v ? *v : l);
      });
  return ok ? result : OpFoldResult();
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt; // Left to run time.
        return a.sdiv(b);
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sge(b) ? a : b;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sle(b) ? a : b;
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  bool fmod = getFmod();
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [fmod](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        APInt r = a.srem(b);
        // Without fmod the result takes the divisor's sign.
        if (!fmod && !r.isZero() && r.isNegative() != b.isNegative())
          r += b;
        return r;
      });
}

// Logic on i1 constants (shape conditions in exported attention graphs).
OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a & b;
      });
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a | b;
      });
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a ^ b;
      });
}

// The other binary ops do not fold yet.
OpFoldResult PowOp::fold(FoldAdaptor) { return {}; }
OpFoldResult PReluOp::fold(FoldAdaptor) { return {}; }

/// Folds an integer unary op elementwise.
static OpFoldResult foldIntegerUnary(Attribute operand,
                                     function_ref<APInt(const APInt &)> fn) {
  DenseElementsAttr value = smallConstant(operand);
  if (!value || !value.getElementType().isSignlessInteger())
    return {};
  return value.mapValues(value.getElementType(), fn);
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldIntegerUnary(adaptor.getInput(),
                          [](const APInt &a) { return -a; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldIntegerUnary(adaptor.getInput(),
                          [](const APInt &a) { return a.abs(); });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr value = smallConstant(adaptor.getInput());
  if (!value || !value.getElementType().isInteger(1))
    return {};
  SmallVector<bool> bits;
  for (bool b : value.getValues<bool>())
    bits.push_back(!b);
  return DenseElementsAttr::get(cast<ShapedType>(getType()), bits);
}

/// Folds an integer comparison elementwise with broadcasting.
static OpFoldResult
foldCompare(Operation *op, ArrayRef<Attribute> operands,
            function_ref<bool(const APInt &, const APInt &)> fn) {
  DenseElementsAttr lhs = smallConstant(operands[0]);
  DenseElementsAttr rhs = smallConstant(operands[1]);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !isStaticSmall(type) ||
      !lhs.getElementType().isSignlessInteger())
    return {};
  return buildElements(type, [&](ArrayRef<int64_t> index) -> Attribute {
    APInt l = cast<IntegerAttr>(broadcastElement(lhs, index)).getValue();
    APInt r = cast<IntegerAttr>(broadcastElement(rhs, index)).getValue();
    return IntegerAttr::get(type.getElementType(), fn(l, r));
  });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](const APInt &a, const APInt &b) { return a == b; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](const APInt &a, const APInt &b) { return a.slt(b); });
}
OpFoldResult LessOrEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](const APInt &a, const APInt &b) { return a.sle(b); });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](const APInt &a, const APInt &b) { return a.sgt(b); });
}
OpFoldResult GreaterOrEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](const APInt &a, const APInt &b) { return a.sge(b); });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr cond = smallConstant(adaptor.getCondition());
  DenseElementsAttr x = smallConstant(adaptor.getX());
  DenseElementsAttr y = smallConstant(adaptor.getY());
  auto type = cast<RankedTensorType>(getType());
  if (!cond || !x || !y || !isStaticSmall(type))
    return {};
  return buildElements(type, [&](ArrayRef<int64_t> index) -> Attribute {
    bool c = cast<IntegerAttr>(broadcastElement(cond, index))
                 .getValue()
                 .getBoolValue();
    return broadcastElement(c ? x : y, index);
  });
}

/// Same elements under the result's shape.
static OpFoldResult foldReshapeLike(Operation *op, Attribute input) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (op->getOperand(0).getType() == type)
    return op->getOperand(0);
  DenseElementsAttr value = smallConstant(input);
  if (!value || !type.hasStaticShape() ||
      value.getNumElements() != type.getNumElements())
    return {};
  return value.reshape(type);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getInput());
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getInput());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getInput());
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInput().getType() == type)
    return getInput();
  DenseElementsAttr value = smallConstant(adaptor.getInput());
  if (!value || !type.hasStaticShape())
    return {};
  Type to = type.getElementType();
  Type from = value.getElementType();
  // Casts to 8-bit floats saturate or not, and to sub-byte integers wrap;
  // they are left to run time.
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if ((isa<FloatType>(to) && toWidth <= 8) || (toWidth > 1 && toWidth < 8))
    return {};
  bool failedOnce = false;
  // bool and the unsigned types zero-extend: true is 1.
  bool fromUnsigned = from.isInteger(1) || from.isUnsignedInteger();
  auto convert = [&](Attribute a) -> Attribute {
    if (auto i = dyn_cast<IntegerAttr>(a)) {
      const APInt &v = i.getValue();
      if (to.isInteger(1))
        return IntegerAttr::get(to, !v.isZero());
      if (isa<IntegerType>(to)) {
        return IntegerAttr::get(
            to, fromUnsigned ? v.zextOrTrunc(to.getIntOrFloatBitWidth())
                             : v.sextOrTrunc(to.getIntOrFloatBitWidth()));
      }
      APFloat f(cast<FloatType>(to).getFloatSemantics());
      f.convertFromAPInt(v, /*IsSigned=*/!fromUnsigned,
                         APFloat::rmNearestTiesToEven);
      return FloatAttr::get(to, f);
    }
    APFloat f = cast<FloatAttr>(a).getValue();
    if (to.isInteger(1))
      return IntegerAttr::get(to, !f.isZero());
    if (isa<IntegerType>(to)) {
      APSInt result(to.getIntOrFloatBitWidth(), to.isUnsignedInteger());
      bool exact;
      if (f.isNaN() || f.convertToInteger(result, APFloat::rmTowardZero,
                                          &exact) != APFloat::opOK)
        failedOnce = true; // Out of range: left to run time.
      return IntegerAttr::get(to, result);
    }
    bool lost;
    f.convert(cast<FloatType>(to).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    return FloatAttr::get(to, f);
  };
  SmallVector<Attribute> values;
  for (Attribute a : value.getValues<Attribute>())
    values.push_back(convert(a));
  if (failedOnce)
    return {};
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getInput().getType());
  ArrayRef<int64_t> dims =
      type.getShape().slice(getStart(), getEnd() - getStart());
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return DenseElementsAttr::get(cast<RankedTensorType>(getType()), dims);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = smallConstant(adaptor.getData());
  DenseElementsAttr indices = smallConstant(adaptor.getIndices());
  auto type = cast<RankedTensorType>(getType());
  if (!data || !indices || !isStaticSmall(type))
    return {};
  int64_t axis = getAxis();
  ArrayRef<int64_t> dataShape = data.getType().getShape();
  int64_t indexRank = indices.getType().getRank();
  SmallVector<int64_t> dataStrides = stridesOf(dataShape);
  SmallVector<int64_t> indexStrides = stridesOf(indices.getType().getShape());
  auto indexValues = indices.getValues<APInt>();
  auto dataValues = data.getValues<Attribute>();
  bool ok = true;
  DenseElementsAttr result =
      buildElements(type, [&](ArrayRef<int64_t> index) -> Attribute {
        int64_t flatIndex = 0;
        for (int64_t d = 0; d < indexRank; ++d)
          flatIndex += index[axis + d] * indexStrides[d];
        int64_t i = indexValues[flatIndex].getSExtValue();
        if (i < 0)
          i += dataShape[axis];
        if (i < 0 || i >= dataShape[axis]) {
          ok = false; // Out of range: left to run time.
          i = 0;
        }
        int64_t flat = 0;
        for (int64_t d = 0; d < static_cast<int64_t>(dataShape.size()); ++d) {
          int64_t at = d < axis    ? index[d]
                       : d == axis ? i
                                   : index[d - 1 + indexRank];
          flat += at * dataStrides[d];
        }
        return data.isSplat() ? data.getSplatValue<Attribute>()
                              : dataValues[flat];
      });
  return ok ? result : OpFoldResult();
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInputs().size() == 1 && getInputs().front().getType() == type)
    return getInputs().front();
  SmallVector<DenseElementsAttr> values;
  for (Attribute a : adaptor.getInputs()) {
    values.push_back(smallConstant(a));
    if (!values.back())
      return {};
  }
  if (!isStaticSmall(type))
    return {};
  int64_t axis = getAxis();
  return buildElements(type, [&](ArrayRef<int64_t> index) -> Attribute {
    SmallVector<int64_t> at(index);
    for (DenseElementsAttr v : values) {
      int64_t extent = v.getType().getDimSize(axis);
      if (at[axis] < extent) {
        if (v.isSplat())
          return v.getSplatValue<Attribute>();
        SmallVector<int64_t> strides = stridesOf(v.getType().getShape());
        int64_t flat = 0;
        for (size_t d = 0; d < at.size(); ++d)
          flat += at[d] * strides[d];
        return v.getValues<Attribute>()[flat];
      }
      at[axis] -= extent;
    }
    llvm_unreachable("index past the concatenation");
  });
}

/// A small constant `input` rearranged into `type`: result element `index`
/// is the input's element at flat position `source(index, input strides)`.
static OpFoldResult
rearrange(Attribute input, Type type,
          function_ref<int64_t(ArrayRef<int64_t>, ArrayRef<int64_t>)> source) {
  DenseElementsAttr value = smallConstant(input);
  auto tensorType = cast<RankedTensorType>(type);
  if (!value || !isStaticSmall(tensorType))
    return {};
  if (value.isSplat())
    return DenseElementsAttr::get(tensorType, value.getSplatValue<Attribute>());
  SmallVector<int64_t> strides = stridesOf(value.getType().getShape());
  auto values = value.getValues<Attribute>();
  return buildElements(tensorType, [&](ArrayRef<int64_t> index) {
    return values[source(index, strides)];
  });
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  return rearrange(adaptor.getInput(), getType(),
                   [&](ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
                     int64_t flat = 0;
                     for (size_t d = 0; d < index.size(); ++d)
                       flat += index[d] * strides[perm[d]];
                     return flat;
                   });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInput().getType() == type &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  return rearrange(adaptor.getInput(), type,
                   [&](ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
                     int64_t flat = 0;
                     for (size_t d = 0; d < index.size(); ++d)
                       flat += (getStarts()[d] + index[d] * getSteps()[d]) *
                               strides[d];
                     return flat;
                   });
}
