//===- ShapeOps.cpp - import of constants and shape operators -------------===//
//
// Constant, Identity, Reshape, Transpose and Flatten.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ShapeInference.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>

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

/// Normalizes one axis in [-rank, rank) to [0, rank).
static FailureOr<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                        int64_t rank) {
  if (axis < -rank || axis >= rank) {
    ctx.emitError() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

/// The integer values of an INTS attribute (older versions) or of a
/// constant input (newer ones); `present` is false where neither is given.
static FailureOr<SmallVector<int64_t>>
intsFromAttrOrInput(NodeContext &ctx, StringRef name, unsigned input,
                    int64_t inputSince, bool &present) {
  if (ctx.getSinceVersion() >= inputSince) {
    present = static_cast<bool>(ctx.operand(input));
    if (!present)
      return SmallVector<int64_t>();
    return ctx.constantInts(input, name);
  }
  present = ctx.hasAttr(name);
  return ctx.intsAttr(name, {});
}

static LogicalResult importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numOperands(); ++i)
    if (ctx.operand(i))
      inputs.push_back(ctx.operand(i));
  if (inputs.empty()) {
    ctx.emitError() << "expects at least one input";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", 1);
  if (failed(axis))
    return failure();
  FailureOr<int64_t> normalized = normalizeAxis(ctx, *axis, rankOf(inputs[0]));
  if (failed(normalized))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(ConcatOp::getOperationName(), inputs,
                    {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized))});
}

/// Squeeze and Unsqueeze: axes as an attribute before version 13, then as
/// an input. Squeeze without axes removes every static 1.
template <typename OpTy, bool Insert>
static LogicalResult importSqueeze(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  if (ctx.getSinceVersion() >= 13) {
    // Axes known only at run time.
    if (Value axesInput = ctx.runtimeOperand(1))
      return ctx.emitOp(OpTy::getOperationName(), {input, axesInput},
                        {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({}))});
  }
  bool present;
  FailureOr<SmallVector<int64_t>> axes =
      intsFromAttrOrInput(ctx, "axes", 1, 13, present);
  if (failed(axes))
    return failure();
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank() + (Insert ? axes->size() : 0);
  if (!present && !Insert) {
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.isDynamicDim(d)) {
        ctx.emitError() << "unsupported: Squeeze without axes on dynamic dims";
        return failure();
      }
      if (type.getDimSize(d) == 1)
        axes->push_back(d);
    }
  }
  SmallVector<int64_t> normalized;
  for (int64_t axis : *axes) {
    FailureOr<int64_t> a = normalizeAxis(ctx, axis, rank);
    if (failed(a))
      return failure();
    normalized.push_back(*a);
  }
  llvm::sort(normalized);
  return ctx.emitOp(
      OpTy::getOperationName(), input,
      {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(normalized))});
}

static LogicalResult importShape(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  int64_t rank = rankOf(input);
  FailureOr<int64_t> start = ctx.intAttr("start", 0);
  FailureOr<int64_t> end = ctx.intAttr("end", rank);
  if (failed(start) || failed(end))
    return failure();
  // Negative counts from the end; both clamp to [0, rank].
  auto clamp = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t s = clamp(*start), e = std::max(clamp(*end), clamp(*start));
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(ShapeOp::getOperationName(), input,
                    {b.getNamedAttr("start", b.getI64IntegerAttr(s)),
                     b.getNamedAttr("end", b.getI64IntegerAttr(e))});
}

static LogicalResult importSize(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  auto type = cast<RankedTensorType>(input.getType());
  if (!type.hasStaticShape()) {
    ctx.emitError() << "unsupported: Size of a dynamic shape";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  ctx.setResults(
      ConstantOp::create(
          b, ctx.getLoc(),
          DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                 b.getI64IntegerAttr(type.getNumElements())))
          .getResult());
  return success();
}

/// Gather and GatherElements: data, indices and a normalized axis.
/// Checks constant `indices` into `data`: the index at flat position p
/// addresses dim `dimOf(p)` of data, and must lie in [-extent, extent)
/// where that dim is static. Run-time indices are clamped into range by
/// the lowering instead, so that they never address outside the data.
static LogicalResult
checkConstantIndices(NodeContext &ctx, Value data, Value indices,
                     function_ref<int64_t(int64_t)> dimOf) {
  DenseIntElementsAttr values;
  if (!matchPattern(indices, m_Constant(&values)))
    return success();
  auto type = cast<RankedTensorType>(data.getType());
  int64_t p = 0;
  for (const APInt &value : values.getValues<APInt>()) {
    int64_t d = dimOf(p++), index = value.getSExtValue();
    if (d < 0 || d >= type.getRank() || type.isDynamicDim(d))
      continue;
    int64_t extent = type.getDimSize(d);
    if (index < -extent || index >= extent) {
      ctx.emitError() << "index " << index << " is out of range for a dim of "
                      << extent << " (data dim " << d << ")";
      return failure();
    }
  }
  return success();
}

template <typename OpTy>
static LogicalResult importGatherLike(NodeContext &ctx) {
  Value data = ctx.operand(0), indices = ctx.operand(1);
  if (!data || !indices) {
    ctx.emitError() << "expects inputs data and indices";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", 0);
  if (failed(axis))
    return failure();
  FailureOr<int64_t> normalized = normalizeAxis(ctx, *axis, rankOf(data));
  if (failed(normalized) ||
      failed(checkConstantIndices(ctx, data, indices,
                                  [&](int64_t) { return *normalized; })))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(OpTy::getOperationName(), {data, indices},
                    {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized))});
}

/// ONNX Slice: starts/ends/axes/steps (attributes before version 10, then
/// constant inputs) clamped against static dims into one start, size and
/// step per dim.
static LogicalResult importSlice(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  if (ctx.getSinceVersion() >= 10 &&
      llvm::any_of(ArrayRef<unsigned>{1, 2, 3, 4},
                   [&](unsigned i) { return ctx.runtimeOperand(i); })) {
    // Starts, ends, axes or steps known only at run time (as i64).
    if (!ctx.operand(1) || !ctx.operand(2)) {
      ctx.emitError() << "expects starts and ends";
      return failure();
    }
    OpBuilder &b = ctx.getBuilder();
    SmallVector<Value> operands = {input};
    for (unsigned i : {1u, 2u, 3u, 4u}) {
      Value v = ctx.operand(i);
      if (!v)
        continue;
      if (!cast<RankedTensorType>(v.getType()).getElementType().isInteger(64)) {
        FailureOr<SmallVector<Value>> wide =
            ctx.createOp(CastOp::getOperationName(), v,
                         {b.getNamedAttr("to", TypeAttr::get(b.getI64Type()))});
        if (failed(wide))
          return failure();
        v = wide->front();
      }
      operands.push_back(v);
    }
    return ctx.emitOp(
        DynamicSliceOp::getOperationName(), operands,
        {b.getNamedAttr("operandSegmentSizes",
                        b.getDenseI32ArrayAttr({1, 1, 1, ctx.operand(3) ? 1 : 0,
                                                ctx.operand(4) ? 1 : 0}))});
  }
  bool present;
  FailureOr<SmallVector<int64_t>> starts =
      intsFromAttrOrInput(ctx, "starts", 1, 10, present);
  FailureOr<SmallVector<int64_t>> ends =
      intsFromAttrOrInput(ctx, "ends", 2, 10, present);
  FailureOr<SmallVector<int64_t>> axes =
      intsFromAttrOrInput(ctx, "axes", 3, 10, present);
  if (failed(starts) || failed(ends) || failed(axes))
    return failure();
  bool hasAxes = present;
  SmallVector<int64_t> steps(starts->size(), 1);
  if (ctx.getSinceVersion() >= 10 && ctx.operand(4)) {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(4, "steps");
    if (failed(given))
      return failure();
    steps = *given;
  }
  if (!hasAxes)
    for (int64_t d = 0; d < static_cast<int64_t>(starts->size()); ++d)
      axes->push_back(d);
  if (type.getNumDynamicDims() > 0) {
    // Extents known only at run time: the bounds are clamped then.
    OpBuilder &b = ctx.getBuilder();
    auto vector = [&](ArrayRef<int64_t> values) -> Value {
      return ConstantOp::create(
          b, ctx.getLoc(),
          DenseElementsAttr::get(
              RankedTensorType::get({(int64_t)values.size()}, b.getI64Type()),
              values));
    };
    return ctx.emitOp(
        DynamicSliceOp::getOperationName(),
        {input, vector(*starts), vector(*ends), vector(*axes), vector(steps)},
        {b.getNamedAttr("operandSegmentSizes",
                        b.getDenseI32ArrayAttr({1, 1, 1, 1, 1}))});
  }
  if (ends->size() != starts->size() || axes->size() != starts->size() ||
      steps.size() != starts->size()) {
    ctx.emitError() << "expects starts, ends, axes and steps of equal length";
    return failure();
  }
  SmallVector<int64_t> outStarts(rank, 0), sizes(type.getShape()),
      outSteps(rank, 1);
  for (size_t i = 0; i < starts->size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(ctx, (*axes)[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = type.getDimSize(*axis), step = steps[i];
    if (step == 0) {
      ctx.emitError() << "expects non-zero steps";
      return failure();
    }
    auto [start, size] = clampSlice(dim, (*starts)[i], (*ends)[i], step);
    outStarts[*axis] = start;
    sizes[*axis] = size;
    outSteps[*axis] = step;
  }
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(
      SliceOp::getOperationName(), input,
      {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(outStarts)),
       b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
       b.getNamedAttr("steps", b.getDenseI64ArrayAttr(outSteps))});
}

/// OneHot: values[1] where the (wrapped) index equals the position along
/// the new `axis`, values[0] elsewhere, out-of-range indices included. A
/// depth known only at run time makes that dim dynamic.
static LogicalResult importOneHot(NodeContext &ctx) {
  Value indices = ctx.operand(0), depthInput = ctx.operand(1),
        values = ctx.operand(2);
  if (!indices || !depthInput || !values) {
    ctx.emitError() << "expects indices, depth and values";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", -1);
  if (failed(axis))
    return failure();
  int64_t rank = rankOf(indices) + 1;
  FailureOr<int64_t> a = normalizeAxis(ctx, *axis, rank);
  if (failed(a))
    return failure();
  auto valuesType = cast<RankedTensorType>(values.getType());
  auto depthType = cast<RankedTensorType>(depthInput.getType());
  if (valuesType.getRank() != 1 || valuesType.getDimSize(0) != 2 ||
      !depthType.hasStaticShape() || depthType.getNumElements() != 1) {
    ctx.emitError() << "expects a one-element depth and two values [off, on]";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  Type i64 = b.getI64Type();
  OpChain create(ctx);
  auto toI64 = [&](Value v) { return create.cast(v, i64); };
  // The depth as an i64 scalar (floats truncate, as ONNX says).
  Value depth = create(ReshapeOp::getOperationName(),
                       {toI64(depthInput),
                        ConstantOp::create(b, loc,
                                           DenseElementsAttr::get(
                                               RankedTensorType::get({0}, i64),
                                               ArrayRef<int64_t>{}))});
  // Indices as i64, negative ones wrapped once, with the new axis.
  Value index = toI64(indices);
  Value negative = create(LessOp::getOperationName(),
                          {index, scalarConstant(b, loc, i64, 0)});
  Value wrapped = create(AddOp::getOperationName(), {index, depth});
  index = create(WhereOp::getOperationName(), {negative, wrapped, index});
  index = create(UnsqueezeOp::getOperationName(), index,
                 {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(*a))});
  // Positions 0 .. depth - 1 along the axis, 1 along the others.
  Value positions;
  DenseIntElementsAttr known;
  if (create.ok() && matchPattern(depth, m_Constant(&known))) {
    int64_t n = (*known.getValues<APInt>().begin()).getSExtValue();
    if (n < 1) {
      ctx.emitError() << "expects a positive depth, got " << n;
      return failure();
    }
    positions = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({n}, i64),
            ArrayRef<int64_t>(llvm::to_vector(llvm::seq<int64_t>(0, n)))));
  } else if (create.ok()) {
    positions = RangeOp::create(
        b, loc, RankedTensorType::get({ShapedType::kDynamic}, i64),
        scalarConstant(b, loc, i64, 0), depth, scalarConstant(b, loc, i64, 1));
  }
  SmallVector<int64_t> others;
  for (int64_t d = 0; d < rank; ++d)
    if (d != *a)
      others.push_back(d);
  if (!others.empty())
    positions =
        create(UnsqueezeOp::getOperationName(), positions,
               {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(others))});
  Value hot = create(EqualOp::getOperationName(), {index, positions});
  auto pick = [&](int64_t i) -> Value {
    return create(GatherOp::getOperationName(),
                  {values, scalarConstant(b, loc, i64, i)},
                  {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
  };
  Value on = pick(1), off = pick(0);
  if (!create.ok())
    return failure();
  return ctx.emitOp(WhereOp::getOperationName(), {hot, on, off});
}

/// ScatterElements (and the older Scatter) and ScatterND.
template <bool ND> static LogicalResult importScatter(NodeContext &ctx) {
  Value data = ctx.operand(0), indices = ctx.operand(1),
        updates = ctx.operand(2);
  if (!data || !indices || !updates) {
    ctx.emitError() << "expects data, indices and updates";
    return failure();
  }
  FailureOr<int64_t> axis = ctx.intAttr("axis", 0);
  FailureOr<std::string> reduction = ctx.stringAttr("reduction", "none");
  if (failed(axis) || failed(reduction))
    return failure();
  int64_t a = 0;
  if (!ND) {
    FailureOr<int64_t> normalized = normalizeAxis(ctx, *axis, rankOf(data));
    if (failed(normalized))
      return failure();
    a = *normalized;
  }
  // ScatterND's index tuples run along the last dim of indices.
  ArrayRef<int64_t> indexShape =
      cast<RankedTensorType>(indices.getType()).getShape();
  int64_t tuple = ND && !indexShape.empty() ? indexShape.back() : 0;
  if (ShapedType::isDynamic(tuple) || tuple < 1)
    tuple = 0;
  if (failed(checkConstantIndices(ctx, data, indices, [&](int64_t p) {
        return ND ? (tuple ? p % tuple : -1) : a;
      })))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto op = ScatterOp::create(b, ctx.getLoc(), data.getType(), data, indices,
                              updates, b.getI64IntegerAttr(a),
                              b.getBoolAttr(ND), b.getStringAttr(*reduction));
  if (failed(ctx.verifyOp(op)))
    return failure();
  ctx.setResults(op.getResult());
  return success();
}

static LogicalResult importExpand(NodeContext &ctx) {
  if (!ctx.operand(0)) {
    ctx.emitError() << "expects inputs input and shape";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  if (Value shape = ctx.runtimeOperand(1)) // Known only at run time.
    return ctx.emitOp(ExpandOp::getOperationName(), {ctx.operand(0), shape},
                      {b.getNamedAttr("shape", b.getDenseI64ArrayAttr({}))});
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  return ctx.emitOp(ExpandOp::getOperationName(), ctx.operand(0),
                    {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(*shape))});
}

static LogicalResult importTile(NodeContext &ctx) {
  if (!ctx.operand(0)) {
    ctx.emitError() << "expects inputs input and repeats";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  if (Value repeats = ctx.runtimeOperand(1)) // Known only at run time.
    return ctx.emitOp(TileOp::getOperationName(), {ctx.operand(0), repeats},
                      {b.getNamedAttr("repeats", b.getDenseI64ArrayAttr({}))});
  FailureOr<SmallVector<int64_t>> repeats = ctx.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  return ctx.emitOp(
      TileOp::getOperationName(), ctx.operand(0),
      {b.getNamedAttr("repeats", b.getDenseI64ArrayAttr(*repeats))});
}

/// Split into slices along `axis`: sizes from `split` (attribute before
/// version 13, then input) or equal parts (the last one smaller).
/// Split by sizes known only at run time: part i is the dynamic slice from
/// the sum of the sizes before it to that sum plus its size.
static LogicalResult importRuntimeSplit(NodeContext &ctx, Value input,
                                        Value sizes, int64_t axis) {
  auto sizesType = cast<RankedTensorType>(sizes.getType());
  int64_t parts = ctx.numResults();
  if (sizesType.getRank() != 1 || sizesType.getDimSize(0) != parts ||
      !sizesType.getElementType().isInteger(64)) {
    ctx.emitError() << "expects " << parts << " int64 split sizes";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  auto cumsum = [&](bool exclusive) {
    return CumSumOp::create(b, loc, sizesType, sizes, Value(), 0, exclusive,
                            false)
        .getResult();
  };
  Value begins = cumsum(true), ends = cumsum(false);
  auto element = [&](Value v, int64_t i) -> FailureOr<Value> {
    FailureOr<SmallVector<Value>> one =
        ctx.createOp(SliceOp::getOperationName(), v,
                     {b.getNamedAttr("starts", b.getDenseI64ArrayAttr({i})),
                      b.getNamedAttr("sizes", b.getDenseI64ArrayAttr({1})),
                      b.getNamedAttr("steps", b.getDenseI64ArrayAttr({1}))});
    if (failed(one))
      return failure();
    return one->front();
  };
  Value axes = ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({1}, b.getI64Type()),
                             ArrayRef<int64_t>{axis}));
  SmallVector<Value> results;
  for (int64_t i = 0; i < parts; ++i) {
    FailureOr<Value> begin = element(begins, i), end = element(ends, i);
    if (failed(begin) || failed(end))
      return failure();
    FailureOr<SmallVector<Value>> part = ctx.createOp(
        DynamicSliceOp::getOperationName(), {input, *begin, *end, axes},
        {b.getNamedAttr("operandSegmentSizes",
                        b.getDenseI32ArrayAttr({1, 1, 1, 1, 0}))});
    if (failed(part))
      return failure();
    results.push_back(part->front());
  }
  ctx.setResults(results);
  return success();
}

static LogicalResult importSplit(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  auto type = cast<RankedTensorType>(input.getType());
  FailureOr<int64_t> axis = ctx.intAttr("axis", 0);
  if (failed(axis))
    return failure();
  FailureOr<int64_t> a = normalizeAxis(ctx, *axis, type.getRank());
  if (failed(a))
    return failure();
  int64_t dim = type.getDimSize(*a);
  if (ShapedType::isDynamic(dim)) {
    ctx.emitError() << "unsupported: Split of a dynamic dim";
    return failure();
  }
  if (Value sizes =
          ctx.getSinceVersion() >= 13 ? ctx.runtimeOperand(1) : Value())
    return importRuntimeSplit(ctx, input, sizes, *a);
  bool present;
  FailureOr<SmallVector<int64_t>> split =
      intsFromAttrOrInput(ctx, "split", 1, 13, present);
  if (failed(split))
    return failure();
  int64_t parts = ctx.numResults();
  if (!present) {
    FailureOr<int64_t> numOutputs = ctx.intAttr("num_outputs", parts);
    if (failed(numOutputs))
      return failure();
    int64_t n = *numOutputs, each = n > 0 ? (dim + n - 1) / n : 0;
    split->clear();
    for (int64_t i = 0, left = dim; i < n; ++i, left -= each)
      split->push_back(std::clamp<int64_t>(left, 0, each));
  }
  int64_t total = 0;
  for (int64_t s : *split)
    total += s;
  if (static_cast<int64_t>(split->size()) != parts || total != dim) {
    ctx.emitError() << "split sizes do not cover dim " << *a << " (" << dim
                    << ") in " << parts << " parts";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  SmallVector<Value> results;
  int64_t offset = 0;
  for (int64_t size : *split) {
    SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape()),
        steps(type.getRank(), 1);
    starts[*a] = size ? offset : 0;
    sizes[*a] = size;
    FailureOr<SmallVector<Value>> part =
        ctx.createOp(SliceOp::getOperationName(), input,
                     {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
                      b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
                      b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
    if (failed(part))
      return failure();
    results.push_back(part->front());
    offset += size;
  }
  ctx.setResults(results);
  return success();
}

/// Dropout at inference: the identity, and an all-true mask if asked for.
static LogicalResult importDropout(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  FailureOr<int64_t> training = ctx.intAttr("is_test", 1);
  if (failed(training))
    return failure();
  // A ratio of 0 drops nothing, in training too; otherwise training mode
  // draws random masks, which aic does not.
  DenseFPElementsAttr ratio;
  bool dropsNothing = ctx.operand(1) &&
                      matchPattern(ctx.operand(1), m_Constant(&ratio)) &&
                      llvm::all_of(ratio.getValues<APFloat>(),
                                   [](const APFloat &r) { return r.isZero(); });
  if (ctx.operand(2) && !dropsNothing) {
    if (ctx.runtimeOperand(2)) {
      ctx.emitError() << "unsupported: training_mode known only at run time "
                         "with a non-zero ratio (random masks)";
      return failure();
    }
    FailureOr<SmallVector<int64_t>> mode = ctx.constantInts(2, "training_mode");
    if (failed(mode))
      return failure();
    if (!mode->empty() && mode->front() != 0) {
      ctx.emitError() << "unsupported: training mode (random masks)";
      return failure();
    }
  }
  SmallVector<Value> results = {input};
  if (ctx.numResults() > 1) {
    auto type = cast<RankedTensorType>(input.getType());
    if (!type.hasStaticShape()) {
      ctx.emitError() << "unsupported: the mask output on dynamic shapes";
      return failure();
    }
    OpBuilder &b = ctx.getBuilder();
    auto maskType = RankedTensorType::get(type.getShape(), b.getI1Type());
    results.push_back(ConstantOp::create(
        b, ctx.getLoc(), DenseElementsAttr::get(maskType, true)));
  }
  ctx.setResults(results);
  return success();
}

static LogicalResult importConstantOfShape(NodeContext &ctx) {
  OpBuilder &b = ctx.getBuilder();
  Value runtimeShape = ctx.runtimeOperand(0);
  FailureOr<SmallVector<int64_t>> shape =
      runtimeShape ? SmallVector<int64_t>() : ctx.constantInts(0, "input");
  if (failed(shape))
    return failure();
  Attribute element = b.getF32FloatAttr(0.0f);
  if (ctx.hasAttr("value")) {
    FailureOr<Value> value = ctx.tensorAttr("value");
    if (failed(value))
      return failure();
    DenseElementsAttr dense;
    if (!matchPattern(*value, m_Constant(&dense)) ||
        dense.getNumElements() != 1) {
      ctx.emitError() << "expects a one-element value";
      return failure();
    }
    element = dense.getValues<Attribute>()[0];
  }
  for (int64_t d : *shape) {
    if (d < 0) {
      ctx.emitError() << "negative dimension " << d;
      return failure();
    }
  }
  Type elementType = cast<TypedAttr>(element).getType();
  if (runtimeShape) {
    // The value broadcast to a shape known only at run time.
    Value scalar = ConstantOp::create(
        b, ctx.getLoc(),
        DenseElementsAttr::get(RankedTensorType::get({}, elementType),
                               element));
    return ctx.emitOp(ExpandOp::getOperationName(), {scalar, runtimeShape},
                      {b.getNamedAttr("shape", b.getDenseI64ArrayAttr({}))});
  }
  ctx.setResults(ConstantOp::create(
                     b, ctx.getLoc(),
                     DenseElementsAttr::get(
                         RankedTensorType::get(*shape, elementType), element))
                     .getResult());
  return success();
}

/// Range with constant start, limit and delta: a constant.
static LogicalResult importRange(NodeContext &ctx) {
  OpBuilder &b = ctx.getBuilder();
  DenseElementsAttr values[3];
  Value bounds[3];
  bool known = true;
  for (unsigned i = 0; i < 3; ++i) {
    // Scalars; one-element tensors (as ONNX functions pass them) too.
    bounds[i] = ctx.operand(i);
    auto type = bounds[i] ? cast<RankedTensorType>(bounds[i].getType())
                          : RankedTensorType();
    if (!type || (type.getRank() != 0 &&
                  (!type.hasStaticShape() || type.getNumElements() != 1))) {
      ctx.emitError() << "expects scalar start, limit and delta";
      return failure();
    }
    if (type.getRank() != 0) {
      FailureOr<SmallVector<Value>> scalar = ctx.createOp(
          ReshapeOp::getOperationName(),
          {bounds[i],
           ConstantOp::create(b, ctx.getLoc(),
                              DenseElementsAttr::get(
                                  RankedTensorType::get({0}, b.getI64Type()),
                                  ArrayRef<int64_t>{}))});
      if (failed(scalar))
        return failure();
      bounds[i] = scalar->front();
    }
    known &= matchPattern(bounds[i], m_Constant(&values[i]));
  }
  if (!known) {
    // Bounds known only at run time: as many elements as they give.
    auto type = RankedTensorType::get(
        {ShapedType::kDynamic},
        cast<RankedTensorType>(bounds[0].getType()).getElementType());
    auto op =
        RangeOp::create(b, ctx.getLoc(), type, bounds[0], bounds[1], bounds[2]);
    if (failed(ctx.verifyOp(op)))
      return failure();
    ctx.setResults(op.getResult());
    return success();
  }
  Type elementType = values[0].getElementType();
  auto asDouble = [](DenseElementsAttr v) {
    Attribute a = v.getValues<Attribute>()[0];
    if (auto i = dyn_cast<IntegerAttr>(a))
      return static_cast<double>(i.getValue().getSExtValue());
    return cast<FloatAttr>(a).getValueAsDouble();
  };
  double start = asDouble(values[0]), limit = asDouble(values[1]),
         delta = asDouble(values[2]);
  if (delta == 0) {
    ctx.emitError() << "expects a non-zero delta";
    return failure();
  }
  int64_t count = std::max<int64_t>(
      0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
  if (count > (int64_t(1) << 24)) {
    ctx.emitError() << "unsupported: a Range of " << count << " elements";
    return failure();
  }
  SmallVector<Attribute> elements;
  for (int64_t i = 0; i < count; ++i) {
    if (isa<IntegerType>(elementType))
      elements.push_back(
          b.getIntegerAttr(elementType, static_cast<int64_t>(start) +
                                            i * static_cast<int64_t>(delta)));
    else
      elements.push_back(b.getFloatAttr(elementType, start + i * delta));
  }
  ctx.setResults(ConstantOp::create(
                     b, ctx.getLoc(),
                     DenseElementsAttr::get(
                         RankedTensorType::get({count}, elementType), elements))
                     .getResult());
  return success();
}

static LogicalResult importTrilu(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input || rankOf(input) < 2) {
    ctx.emitError() << "expects an input of rank >= 2";
    return failure();
  }
  // k is an attribute where it is a constant, else an operand read at run
  // time.
  int64_t k = 0;
  Value kInput = ctx.operand(1);
  if (kInput) {
    auto kType = cast<RankedTensorType>(kInput.getType());
    if (!kType.getElementType().isInteger(64) || !kType.hasStaticShape() ||
        kType.getNumElements() != 1) {
      ctx.emitError() << "expects a scalar int64 k";
      return failure();
    }
    DenseIntElementsAttr value;
    if (matchPattern(kInput, m_Constant(&value))) {
      k = (*value.getValues<APInt>().begin()).getSExtValue();
      kInput = Value();
    }
  }
  FailureOr<int64_t> upper = ctx.intAttr("upper", 1);
  if (failed(upper))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  ctx.setResults(TriluOp::create(b, ctx.getLoc(), input.getType(), input,
                                 kInput, b.getI64IntegerAttr(k),
                                 b.getBoolAttr(*upper != 0))
                     .getResult());
  return success();
}

/// Pad: pads (and from version 18 axes) as attributes before version 11,
/// then as constant inputs; the constant value as an attribute or an input.
FailureOr<Value> mlir::aic::onnx_import::buildPad(NodeContext &ctx, Value input,
                                                  Value value, StringRef mode,
                                                  ArrayRef<int64_t> pads,
                                                  Value padsInput,
                                                  ArrayRef<int64_t> axes) {
  OpBuilder &b = ctx.getBuilder();
  SmallVector<Value> operands = {input};
  if (value)
    operands.push_back(value);
  if (padsInput)
    operands.push_back(padsInput);
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
      b.getNamedAttr("mode", b.getStringAttr(mode)),
      b.getNamedAttr(
          "operandSegmentSizes",
          b.getDenseI32ArrayAttr({1, value ? 1 : 0, padsInput ? 1 : 0}))};
  if (padsInput && !axes.empty())
    attrs.push_back(b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)));
  FailureOr<SmallVector<Value>> padded =
      ctx.createOp(PadOp::getOperationName(), operands, attrs);
  if (failed(padded))
    return failure();
  return padded->front();
}

/// Pad's pads (input 1, begins then ends for the axes of input 3, whose
/// values are known only at run time) spread over all `rank` dims:
/// full[d] = sum over i of (axes[i] wrapped == d ? pads[i] : 0).
static FailureOr<Value> spreadRuntimePads(NodeContext &ctx, int64_t rank) {
  Value pads = ctx.operand(1), axes = ctx.operand(3);
  auto padsType = cast<RankedTensorType>(pads.getType());
  auto axesType = cast<RankedTensorType>(axes.getType());
  if (!pads || axesType.getRank() != 1 || axesType.isDynamicDim(0) ||
      padsType.getRank() != 1 ||
      padsType.getDimSize(0) != 2 * axesType.getDimSize(0)) {
    ctx.emitError() << "expects two pads per axis";
    return failure();
  }
  int64_t n = axesType.getDimSize(0);
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  Type i64 = b.getI64Type();
  OpChain create(ctx);
  auto toI64 = [&](Value v) { return create.cast(v, i64); };
  Value a = toI64(axes);
  Value wrapped = create(
      WhereOp::getOperationName(),
      {create(LessOp::getOperationName(), {a, scalarConstant(b, loc, i64, 0)}),
       create(AddOp::getOperationName(),
              {a, scalarConstant(b, loc, i64, rank)}),
       a});
  // [n, 1] against the dims [rank]: which dim each pad goes to.
  Value column = create(UnsqueezeOp::getOperationName(), wrapped,
                        {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({1}))});
  Value dims = ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({rank}, i64),
          ArrayRef<int64_t>(llvm::to_vector(llvm::seq<int64_t>(0, rank)))));
  Value hits = create(EqualOp::getOperationName(), {column, dims});
  Value p = toI64(pads);
  SmallVector<Value> halves;
  for (int64_t start : {int64_t(0), n}) {
    Value half =
        create(SliceOp::getOperationName(), p,
               {b.getNamedAttr("starts", b.getDenseI64ArrayAttr({start})),
                b.getNamedAttr("sizes", b.getDenseI64ArrayAttr({n})),
                b.getNamedAttr("steps", b.getDenseI64ArrayAttr({1}))});
    Value spread =
        create(WhereOp::getOperationName(),
               {hits,
                create(UnsqueezeOp::getOperationName(), half,
                       {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({1}))}),
                scalarConstant(b, loc, i64, 0)});
    halves.push_back(
        create(ReduceSumOp::getOperationName(), spread,
               {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({0})),
                b.getNamedAttr("keepdims", b.getBoolAttr(false))}));
  }
  Value full = create(ConcatOp::getOperationName(), halves,
                      {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
  if (!create.ok())
    return failure();
  return full;
}

static LogicalResult importPad(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  int64_t rank = rankOf(input);
  OpBuilder &b = ctx.getBuilder();
  FailureOr<std::string> mode = ctx.stringAttr("mode", "constant");
  if (failed(mode))
    return failure();
  SmallVector<int64_t> pads, axes;
  Value value, padsInput;
  auto type = cast<RankedTensorType>(input.getType());
  if (ctx.getSinceVersion() < 11) {
    FailureOr<SmallVector<int64_t>> given =
        ctx.intsAttr(ctx.getSinceVersion() < 2 ? "paddings" : "pads", {});
    FailureOr<float> constant = ctx.floatAttr("value", 0.0f);
    if (failed(given) || failed(constant))
      return failure();
    pads = *given;
    if (*constant != 0.0f) {
      auto scalar = RankedTensorType::get({}, type.getElementType());
      value = ConstantOp::create(
          b, ctx.getLoc(),
          DenseElementsAttr::get(
              scalar, b.getFloatAttr(type.getElementType(), *constant)));
    }
  } else {
    value = ctx.operand(2);
    if (ctx.runtimeOperand(3)) {
      // Axes known only at run time: spread the pads over all dims at run
      // time, then pad as with pads known only at run time.
      FailureOr<Value> spread = spreadRuntimePads(ctx, rank);
      if (failed(spread))
        return failure();
      padsInput = *spread;
      pads.assign(2 * rank, 0);
    } else if (ctx.operand(3)) {
      FailureOr<SmallVector<int64_t>> given = ctx.constantInts(3, "axes");
      if (failed(given))
        return failure();
      for (int64_t axis : *given) {
        FailureOr<int64_t> a = normalizeAxis(ctx, axis, rank);
        if (failed(a))
          return failure();
        axes.push_back(*a);
      }
    }
    if (!padsInput)
      padsInput = ctx.runtimeOperand(1);
    if (padsInput) {
      // Pads known only at run time: the lowering reads them.
      auto padsType = cast<RankedTensorType>(padsInput.getType());
      if (padsType.getRank() != 1 || !padsType.getElementType().isInteger(64)) {
        ctx.emitError() << "expects 1-D int64 pads";
        return failure();
      }
      pads.assign(2 * rank, 0);
    } else {
      FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "pads");
      if (failed(given))
        return failure();
      if (axes.empty()) {
        pads = *given;
      } else {
        // Pads for the listed axes only.
        if (given->size() != 2 * axes.size()) {
          ctx.emitError() << "expects two pads per axis";
          return failure();
        }
        pads.assign(2 * rank, 0);
        for (auto [i, axis] : llvm::enumerate(axes)) {
          pads[axis] = (*given)[i];
          pads[axis + rank] = (*given)[i + axes.size()];
        }
        axes.clear();
      }
    }
  }
  if (value) {
    // A one-element value tensor of any rank is the scalar.
    auto valueType = cast<RankedTensorType>(value.getType());
    if (valueType.getRank() != 0) {
      if (!valueType.hasStaticShape() || valueType.getNumElements() != 1) {
        ctx.emitError() << "expects a one-element constant_value";
        return failure();
      }
      FailureOr<SmallVector<Value>> scalar = ctx.createOp(
          SqueezeOp::getOperationName(), value,
          {b.getNamedAttr("axes",
                          b.getDenseI64ArrayAttr(llvm::to_vector(
                              llvm::seq<int64_t>(0, valueType.getRank()))))});
      if (failed(scalar))
        return failure();
      value = scalar->front();
    }
  }
  FailureOr<Value> padded =
      buildPad(ctx, input, value, *mode, pads, padsInput, axes);
  if (failed(padded))
    return failure();
  ctx.setResults(*padded);
  return success();
}

/// The values of a constant float input (roi, scales); empty when absent.
static FailureOr<SmallVector<float>>
constantFloats(NodeContext &ctx, unsigned i, StringRef what) {
  if (!ctx.operand(i))
    return SmallVector<float>();
  DenseFPElementsAttr values;
  if (!matchPattern(ctx.operand(i), m_Constant(&values))) {
    ctx.emitError() << "unsupported: input '" << what
                    << "' must be a constant (values known only at run time "
                       "are not supported yet)";
    return failure();
  }
  SmallVector<float> result;
  for (const APFloat &v : values.getValues<APFloat>())
    result.push_back(v.convertToDouble());
  return result;
}

/// Resize (from version 11): resolves scales or sizes (with axes and the
/// aspect-ratio policy) into one scale per dim and a static output shape;
/// scales, sizes or a roi known only at run time stay operands.
static LogicalResult importResize(NodeContext &ctx) {
  Value input = ctx.operand(0);
  if (!input) {
    ctx.emitError() << "expects an input";
    return failure();
  }
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  if (!isa<FloatType>(type.getElementType())) {
    ctx.emitError() << "unsupported: Resize of integers";
    return failure();
  }
  auto mode = ctx.stringAttr("mode", "nearest");
  auto coords = ctx.stringAttr("coordinate_transformation_mode", "half_pixel");
  auto nearest = ctx.stringAttr("nearest_mode", "round_prefer_floor");
  auto policy = ctx.stringAttr("keep_aspect_ratio_policy", "stretch");
  auto cubicA = ctx.floatAttr("cubic_coeff_a", -0.75f);
  auto exclude = ctx.intAttr("exclude_outside", 0);
  auto extrapolation = ctx.floatAttr("extrapolation_value", 0.0f);
  auto antialias = ctx.intAttr("antialias", 0);
  SmallVector<int64_t> allAxes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  auto axesAttr = ctx.intsAttr("axes", allAxes);
  if (failed(mode) || failed(coords) || failed(nearest) || failed(policy) ||
      failed(cubicA) || failed(exclude) || failed(extrapolation) ||
      failed(antialias) || failed(axesAttr))
    return failure();
  // Only tf_crop_and_resize reads the roi.
  Value runtimeRoi =
      *coords == "tf_crop_and_resize" ? ctx.runtimeOperand(1) : Value();
  Value runtimeScales = ctx.runtimeOperand(2);
  Value runtimeSizes = runtimeScales ? Value() : ctx.runtimeOperand(3);
  // Sizes for dims known only at run time: the scales they give are too.
  if (!runtimeScales && !runtimeSizes && ctx.operand(3) &&
      !type.hasStaticShape() &&
      cast<RankedTensorType>(ctx.operand(3).getType()).getNumElements() > 0)
    runtimeSizes = ctx.operand(3);
  FailureOr<SmallVector<float>> roi =
      runtimeRoi || *coords != "tf_crop_and_resize"
          ? SmallVector<float>()
          : constantFloats(ctx, 1, "roi");
  FailureOr<SmallVector<float>> scales =
      runtimeScales ? SmallVector<float>() : constantFloats(ctx, 2, "scales");
  if (failed(roi) || failed(scales))
    return failure();
  SmallVector<int64_t> sizes;
  if (ctx.operand(3) && !runtimeSizes && !runtimeScales) {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(3, "sizes");
    if (failed(given))
      return failure();
    sizes = *given;
  }
  SmallVector<int64_t> axes;
  for (int64_t axis : *axesAttr) {
    FailureOr<int64_t> a = normalizeAxis(ctx, axis, rank);
    if (failed(a))
      return failure();
    axes.push_back(*a);
  }
  size_t n = axes.size();
  SmallVector<float> fullScales(rank, 1.0f);
  SmallVector<int64_t> shape(type.getShape());
  if (runtimeScales || runtimeSizes) {
    // Resized to a size known at run time.
    Value given = runtimeScales ? runtimeScales : runtimeSizes;
    auto givenType = cast<RankedTensorType>(given.getType());
    int64_t entries = givenType.getRank() == 1 ? givenType.getDimSize(0) : -1;
    if (entries == -1 || (!ShapedType::isDynamic(entries) &&
                          entries != static_cast<int64_t>(n))) {
      ctx.emitError() << "expects " << n
                      << (runtimeScales ? " scales" : " sizes");
      return failure();
    }
    for (int64_t axis : axes)
      shape[axis] = ShapedType::kDynamic;
  } else if (!scales->empty()) {
    if (scales->size() != n) {
      ctx.emitError() << "expects " << n << " scales";
      return failure();
    }
    for (size_t i = 0; i < n; ++i) {
      fullScales[axes[i]] = (*scales)[i];
      if (!type.isDynamicDim(axes[i]))
        shape[axes[i]] = static_cast<int64_t>(
            std::floor(type.getDimSize(axes[i]) * (*scales)[i]));
    }
  } else if (!sizes.empty()) {
    if (sizes.size() != n) {
      ctx.emitError() << "expects " << n << " sizes";
      return failure();
    }
    if (*policy == "stretch") {
      for (size_t i = 0; i < n; ++i) {
        shape[axes[i]] = sizes[i];
        fullScales[axes[i]] =
            static_cast<float>(sizes[i]) / type.getDimSize(axes[i]);
      }
    } else if (*policy == "not_larger" || *policy == "not_smaller") {
      float scale = *policy == "not_larger" ? INFINITY : 0.0f;
      for (size_t i = 0; i < n; ++i) {
        float s = static_cast<float>(sizes[i]) / type.getDimSize(axes[i]);
        scale =
            *policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
      }
      for (size_t i = 0; i < n; ++i) {
        fullScales[axes[i]] = scale;
        shape[axes[i]] = static_cast<int64_t>(
            std::nearbyint(scale * type.getDimSize(axes[i])));
      }
    } else {
      ctx.emitError() << "unknown keep_aspect_ratio_policy '" << *policy << "'";
      return failure();
    }
  } else {
    ctx.emitError() << "expects scales or sizes";
    return failure();
  }
  SmallVector<float> fullRoi;
  if (runtimeRoi &&
      !cast<RankedTensorType>(runtimeRoi.getType()).isDynamicDim(0) &&
      cast<RankedTensorType>(runtimeRoi.getType()).getDimSize(0) !=
          static_cast<int64_t>(2 * n)) {
    ctx.emitError() << "expects " << 2 * n << " roi entries";
    return failure();
  }
  if (*coords == "tf_crop_and_resize") {
    fullRoi.assign(rank, 0.0f);
    fullRoi.append(rank, 1.0f);
    if (roi->size() == 2 * n) {
      for (size_t i = 0; i < n; ++i) {
        fullRoi[axes[i]] = (*roi)[i];
        fullRoi[axes[i] + rank] = (*roi)[i + n];
      }
    } else if (!roi->empty()) {
      ctx.emitError() << "expects " << 2 * n << " roi entries";
      return failure();
    }
  }
  OpBuilder &b = ctx.getBuilder();
  bool runtime = runtimeScales || runtimeSizes || runtimeRoi;
  auto op = ResizeOp::create(
      b, ctx.getLoc(), RankedTensorType::get(shape, type.getElementType()),
      input, runtimeScales, runtimeSizes, runtimeRoi, b.getStringAttr(*mode),
      b.getStringAttr(*coords), b.getStringAttr(*nearest),
      b.getDenseF32ArrayAttr(fullScales), b.getDenseF32ArrayAttr(fullRoi),
      b.getF32FloatAttr(*cubicA), b.getBoolAttr(*exclude != 0),
      b.getF32FloatAttr(*extrapolation),
      b.getDenseI64ArrayAttr(runtime ? ArrayRef<int64_t>(axes)
                                     : ArrayRef<int64_t>()),
      b.getStringAttr(*policy),
      // Nearest sampling has no filter to widen.
      b.getBoolAttr(*antialias != 0 && *mode != "nearest"));
  if (failed(mlir::verify(op))) {
    op->erase();
    return failure();
  }
  ctx.setResults(op.getResult());
  return success();
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
  registry.on("Concat", {1, 4, 11, 13}, 1, importConcat);
  registry.on("Squeeze", {1, 11, 13, 21, 23, 24, 25}, 1,
              importSqueeze<SqueezeOp, false>);
  registry.on("Unsqueeze", {1, 11, 13, 21, 23, 24, 25}, 1,
              importSqueeze<UnsqueezeOp, true>);
  // Shape-15 adds start and end.
  registry.on("Shape", {1, 13, 15, 19, 21, 23, 24, 25}, 1, importShape);
  registry.on("Size", {1, 13, 19, 21, 23, 24, 25}, 1, importSize);
  registry.on("Gather", {1, 11, 13}, 1, importGatherLike<GatherOp>);
  registry.on("Slice", {1, 10, 11, 13}, 1, importSlice);
  registry.on("Expand", {8, 13}, 8, importExpand);
  // Tile-1 took `tiles` and `axis` inputs.
  registry.on("Tile", {1, 6, 13}, 6, importTile);
  registry.on("Split", {1, 2, 11, 13, 18}, 2, importSplit);
  registry.on("Dropout", {1, 6, 7, 10, 12, 13, 22}, 7, importDropout);
  registry.on("ConstantOfShape", {9, 20, 21, 23, 24, 25}, 9,
              importConstantOfShape);
  registry.on("Range", {11}, 11, importRange);
  registry.on("OneHot", {9, 11}, 9, importOneHot);
  registry.on("ScatterElements", {11, 13, 16, 18}, 11, importScatter<false>);
  registry.on("Scatter", {9, 11}, 9, importScatter<false>);
  registry.on("ScatterND", {11, 13, 16, 18}, 11, importScatter<true>);
  registry.on("Trilu", {14}, 14, importTrilu);
  registry.on("Pad", {1, 2, 11, 13, 18, 19, 21, 23, 24, 25}, 1, importPad);
  registry.on("GatherElements", {11, 13}, 11,
              importGatherLike<GatherElementsOp>);
  // Resize-10 had its own coordinate rules; 18 adds axes, antialias and the
  // aspect-ratio policy, 19 half_pixel_symmetric.
  registry.on("Resize", {10, 11, 13, 18, 19}, 11, importResize);
}
