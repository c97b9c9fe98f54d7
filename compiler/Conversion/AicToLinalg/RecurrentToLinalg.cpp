//===- RecurrentToLinalg.cpp - aic.lstm to loops over linalg --------------===//
//
// LSTM becomes, per direction:
//
//   XW = X W^T + Wb + Rb                 one contraction for all steps
//   scf.for t (h, c, Y carried):
//     HR = h R^T                         one contraction per step
//     c, h, y_t = gates(XW[t], HR, c)    one generic over [B, H]
//     Y[t] = y_t
//
// The gates generic reads the i, o, f, c blocks of XW[t] and HR through
// offset indexing maps; past a sequence's length it keeps the state and
// writes zeros to Y. The reverse direction walks t from the end.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::aic;

namespace {
/// One of the activations of a recurrent op, with its parameters.
struct Activation {
  std::string name;
  float alpha, beta;
};
} // namespace

/// The activations of `names`, each taking its alpha and beta (where it has
/// them) from `alphas` and `betas` in order, else ONNX's defaults.
static SmallVector<Activation> readActivations(ArrayAttr names,
                                               ArrayRef<float> alphas,
                                               ArrayRef<float> betas) {
  SmallVector<Activation> result;
  for (Attribute attr : names) {
    StringRef name = cast<StringAttr>(attr).getValue();
    auto [alpha, beta] = llvm::StringSwitch<std::pair<float, float>>(name)
                             .Case("LeakyRelu", {0.01f, 0.0f})
                             .Case("HardSigmoid", {0.2f, 0.5f})
                             .Case("Affine", {1.0f, 0.0f})
                             .Default({1.0f, 1.0f});
    bool takesAlpha = !llvm::is_contained(
        {"Sigmoid", "Tanh", "Relu", "Softsign", "Softplus"}, name);
    bool takesBeta =
        llvm::is_contained({"HardSigmoid", "ScaledTanh", "Affine"}, name);
    if (takesAlpha && !alphas.empty()) {
      alpha = alphas.front();
      alphas = alphas.drop_front();
    }
    if (takesBeta && !betas.empty()) {
      beta = betas.front();
      betas = betas.drop_front();
    }
    result.push_back({name.str(), alpha, beta});
  }
  return result;
}

static Value applyActivation(OpBuilder &b, Location loc, const Activation &f,
                             Value x) {
  Type t = x.getType();
  auto c = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
  };
  auto mul = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto add = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  auto negative = [&](Value v) -> Value {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v, c(0));
  };
  StringRef name = f.name;
  if (name == "Sigmoid")
    return arith::DivFOp::create(
        b, loc, c(1),
        add(c(1),
            math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x))));
  if (name == "Tanh")
    return math::TanhOp::create(b, loc, x);
  if (name == "Relu")
    return arith::MaximumFOp::create(b, loc, x, c(0));
  if (name == "LeakyRelu")
    return arith::SelectOp::create(b, loc, negative(x), mul(x, c(f.alpha)), x);
  if (name == "ThresholdedRelu")
    return arith::SelectOp::create(
        b, loc,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(f.alpha)),
        x, c(0));
  if (name == "Elu")
    return arith::SelectOp::create(
        b, loc, negative(x),
        mul(c(f.alpha), arith::SubFOp::create(
                            b, loc, math::ExpOp::create(b, loc, x), c(1))),
        x);
  if (name == "HardSigmoid")
    return arith::MinimumFOp::create(
        b, loc, c(1),
        arith::MaximumFOp::create(b, loc, c(0),
                                  add(mul(x, c(f.alpha)), c(f.beta))));
  if (name == "ScaledTanh")
    return mul(c(f.alpha), math::TanhOp::create(b, loc, mul(x, c(f.beta))));
  if (name == "Affine")
    return add(mul(x, c(f.alpha)), c(f.beta));
  if (name == "Softsign")
    return arith::DivFOp::create(b, loc, x,
                                 add(c(1), math::AbsFOp::create(b, loc, x)));
  // Softplus (the verifier admits no others).
  return math::LogOp::create(b, loc, add(c(1), math::ExpOp::create(b, loc, x)));
}

/// Direction `d` of a [D, ...] tensor, without its leading dim.
static Value sliceDirection(OpBuilder &b, Location loc, Value v, int64_t d) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
      sizes = tensor::getMixedSizes(b, loc, v),
      strides(type.getRank(), b.getIndexAttr(1));
  offsets[0] = b.getIndexAttr(d);
  sizes[0] = b.getIndexAttr(1);
  auto resultType = RankedTensorType::get(type.getShape().drop_front(),
                                          type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, resultType, v, offsets, sizes,
                                        strides);
}

/// `count` consecutive blocks of `width` along the last dim of `v`.
static SmallVector<Value> splitLastDim(OpBuilder &b, Location loc, Value v,
                                       int64_t count, int64_t width) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = width;
  auto blockType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<Value> blocks;
  for (int64_t i = 0; i < count; ++i) {
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
        sizes = tensor::getMixedSizes(b, loc, v),
        strides(rank, b.getIndexAttr(1));
    offsets.back() = b.getIndexAttr(i * width);
    sizes.back() = b.getIndexAttr(width);
    blocks.push_back(tensor::ExtractSliceOp::create(b, loc, blockType, v,
                                                    offsets, sizes, strides));
  }
  return blocks;
}

/// A zero tensor of `shape` (dynamic dims from `dynamicSizes`).
static Value buildZeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        Type et, ValueRange dynamicSizes) {
  return linalg::FillOp::create(
             b, loc, buildZero(b, loc, et),
             buildEmpty(b, loc, RankedTensorType::get(shape, et), dynamicSizes))
      .getResult(0);
}

/// The steps of one direction of a recurrent op, given XW[t] ([B, G*H]),
/// the carried states and the row Y[t] to write: the new states, then the
/// new row.
using StepFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value step, Value xt,
                                    ValueRange states, Value yRow)>;

/// One direction: XW = X W^T (+ `xBias`, [G*H]) for all steps in one
/// contraction, then an scf.for over the steps (from the end when
/// `reverse`) carrying `initial` and Y [S, B, H], each step built by
/// `step`. Returns the final states, then Y.
static SmallVector<Value> buildDirection(OpBuilder &b, Location loc, Value x,
                                         Value w, Value xBias, int64_t gates,
                                         int64_t h, bool reverse,
                                         ValueRange initial, StepFn step) {
  MLIRContext *ctx = b.getContext();
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto xType = cast<RankedTensorType>(x.getType());
  Type et = xType.getElementType();
  int64_t seqExtent = xType.getDimSize(0), batchExtent = xType.getDimSize(1);
  Value seq = tensor::DimOp::create(b, loc, x, 0);
  auto xwType = RankedTensorType::get({seqExtent, batchExtent, gates * h}, et);
  Value xw = buildContraction(
      b, loc, x, w, AffineMap::get(4, 0, {dim(0), dim(1), dim(3)}, ctx),
      AffineMap::get(4, 0, {dim(2), dim(3)}, ctx),
      AffineMap::get(4, 0, {dim(0), dim(1), dim(2)}, ctx), xwType);
  if (xBias)
    xw = buildParallelGeneric(
        b, loc, {xw, xBias},
        {b.getMultiDimIdentityMap(3), AffineMap::get(3, 0, dim(2), ctx)},
        xwType, buildDynamicDims(b, loc, xw),
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::AddFOp::create(nb, nl, a[0], a[1]);
        });
  SmallVector<Value> yDyn;
  if (ShapedType::isDynamic(seqExtent))
    yDyn.push_back(seq);
  if (ShapedType::isDynamic(batchExtent))
    yDyn.push_back(tensor::DimOp::create(b, loc, x, 1));
  SmallVector<Value> inits(initial);
  inits.push_back(buildZeros(b, loc, {seqExtent, batchExtent, h}, et, yDyn));

  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, seq, one, inits,
      [&](OpBuilder &lb, Location l, Value t, ValueRange carried) {
        Value at = t;
        if (reverse)
          at = arith::SubIOp::create(lb, l,
                                     arith::SubIOp::create(lb, l, seq, one), t);
        Value y = carried.back();
        auto rowType = RankedTensorType::get({batchExtent, gates * h}, et);
        SmallVector<OpFoldResult> unit(3, lb.getIndexAttr(1));
        Value xt = tensor::ExtractSliceOp::create(
            lb, l, rowType, xw,
            ArrayRef<OpFoldResult>{at, lb.getIndexAttr(0), lb.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{lb.getIndexAttr(1),
                                   tensor::getMixedSize(lb, l, xw, 1),
                                   lb.getIndexAttr(gates * h)},
            unit);
        SmallVector<OpFoldResult> rowOffsets = {at, lb.getIndexAttr(0),
                                                lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> rowSizes = {lb.getIndexAttr(1),
                                              tensor::getMixedSize(lb, l, y, 1),
                                              lb.getIndexAttr(h)};
        auto stateType = RankedTensorType::get({batchExtent, h}, et);
        Value yRow = tensor::ExtractSliceOp::create(lb, l, stateType, y,
                                                    rowOffsets, rowSizes, unit);
        SmallVector<Value> next =
            step(lb, l, at, xt, carried.drop_back(), yRow);
        Value newRow = next.pop_back_val();
        next.push_back(tensor::InsertSliceOp::create(
            lb, l, newRow, y, rowOffsets, rowSizes, unit));
        scf::YieldOp::create(lb, l, next);
      });
  return SmallVector<Value>(loop.getResults());
}

/// A generic over [B, H] reading `inputs` through `maps` and updating
/// `outs` ([B, H]) in place; `body` gets the inputs' values, then the outs'
/// current ones.
static SmallVector<Value> buildStateGeneric(
    OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<AffineMap> maps,
    ValueRange outs,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<AffineMap> all(maps);
  for (size_t i = 0; i < outs.size(); ++i)
    all.push_back(b.getMultiDimIdentityMap(2));
  auto generic = linalg::GenericOp::create(
      b, loc, outs.getTypes(), inputs, outs, all,
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [&](OpBuilder &gb, Location gl, ValueRange a) {
        linalg::YieldOp::create(gb, gl, body(gb, gl, a));
      });
  return SmallVector<Value>(generic.getResults());
}

/// Where the step is past a sequence's end (`length` given): the old
/// states stay and Y gets zeros. `updates` pairs new and old values; the
/// last is Y's.
static SmallVector<Value>
maskPastEnd(OpBuilder &b, Location loc, Value step, Value length,
            ArrayRef<std::pair<Value, Value>> updates) {
  SmallVector<Value> result;
  Value valid;
  if (length) {
    Value at = arith::IndexCastOp::create(b, loc, length.getType(), step);
    valid =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, at, length);
  }
  for (auto [i, update] : llvm::enumerate(updates)) {
    auto [fresh, old] = update;
    if (!valid) {
      result.push_back(fresh);
      continue;
    }
    Value keep =
        i + 1 == updates.size()
            ? arith::ConstantOp::create(b, loc, fresh.getType(),
                                        b.getFloatAttr(fresh.getType(), 0.0))
                  .getResult()
            : old;
    result.push_back(arith::SelectOp::create(b, loc, valid, fresh, keep));
  }
  return result;
}

/// The parts of a recurrent op all its lowerings read.
template <typename OpTy> struct RecurrentParts {
  RecurrentParts(OpTy op, typename OpTy::Adaptor adaptor, OpBuilder &b)
      : adaptor(adaptor) {
    Location loc = op.getLoc();
    x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    et = xType.getElementType();
    h = adaptor.getHiddenSize();
    dirs = adaptor.getDirection() == "bidirectional" ? 2 : 1;
    reverseOnly = adaptor.getDirection() == "reverse";
    batchExtent = xType.getDimSize(1);
    if (ShapedType::isDynamic(batchExtent))
      batchDyn.push_back(tensor::DimOp::create(b, loc, x, 1));
    auto floats = [](ArrayAttr values) {
      return llvm::to_vector(llvm::map_range(values, [](Attribute a) {
        return (float)cast<FloatAttr>(a).getValueAsDouble();
      }));
    };
    activations = readActivations(adaptor.getActivations(),
                                  floats(adaptor.getActivationAlpha()),
                                  floats(adaptor.getActivationBeta()));
    if (adaptor.getClipAttr())
      clip = adaptor.getClipAttr().getValueAsDouble();
    stateType = RankedTensorType::get({batchExtent, h}, et);
  }

  bool reverse(int64_t d) const { return reverseOnly || d == 1; }
  /// Direction d's initial state from `given` [D, B, H], or zeros.
  Value initialState(OpBuilder &b, Location loc, Value given, int64_t d) const {
    if (!given)
      return buildZeros(b, loc, {batchExtent, h}, et, batchDyn);
    Value v = sliceDirection(b, loc, given, d);
    return v.getType() == stateType
               ? v
               : tensor::CastOp::create(b, loc, stateType, v).getResult();
  }
  /// The activation `f` applied after clipping.
  Value activate(OpBuilder &b, Location loc, const Activation &f,
                 Value v) const {
    if (clip) {
      auto c = [&](double value) -> Value {
        return arith::ConstantOp::create(b, loc, et, b.getFloatAttr(et, value));
      };
      v = arith::MinimumFOp::create(
          b, loc, c(*clip), arith::MaximumFOp::create(b, loc, c(-*clip), v));
    }
    return applyActivation(b, loc, f, v);
  }
  /// Stacks per-direction results: Y [S, D, B, H] (dirDim 1) or a state
  /// [D, B, H] (dirDim 0).
  Value stack(OpBuilder &b, Location loc, ArrayRef<Value> parts,
              RankedTensorType type, unsigned dirDim) const {
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(
            tensor::DimOp::create(b, loc, x, i == 0 && dirDim == 1 ? 0 : 1));
    Value result = buildEmpty(b, loc, type, dynamicSizes);
    for (auto [d, part] : llvm::enumerate(parts)) {
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
          sizes = tensor::getMixedSizes(b, loc, result),
          strides(type.getRank(), b.getIndexAttr(1));
      offsets[dirDim] = b.getIndexAttr(d);
      sizes[dirDim] = b.getIndexAttr(1);
      result = tensor::InsertSliceOp::create(b, loc, part, result, offsets,
                                             sizes, strides);
    }
    return result;
  }

  /// lhs [B, K] times rhs [width, K] transposed: [B, width].
  Value timesTransposed(OpBuilder &b, Location loc, Value lhs, Value rhs,
                        int64_t width) const {
    MLIRContext *ctx = b.getContext();
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    return buildContraction(b, loc, lhs, rhs,
                            AffineMap::get(3, 0, {dim(0), dim(2)}, ctx),
                            AffineMap::get(3, 0, {dim(1), dim(2)}, ctx),
                            AffineMap::get(3, 0, {dim(0), dim(1)}, ctx),
                            RankedTensorType::get({batchExtent, width}, et));
  }
  /// Direction d (see buildDirection) with its slice of W: its final
  /// states and its part of Y go to `finals` and `ys`.
  void runDirection(OpBuilder &b, Location loc, int64_t d, Value xBias,
                    int64_t gates, ValueRange initial, StepFn step) {
    Value w = sliceDirection(b, loc, adaptor.getW(), d);
    SmallVector<Value> results = buildDirection(b, loc, x, w, xBias, gates, h,
                                                reverse(d), initial, step);
    finals.resize(results.size() - 1);
    for (auto [i, state] : llvm::enumerate(ArrayRef(results).drop_back()))
      finals[i].push_back(state);
    ys.push_back(results.back());
  }
  /// Replaces `op` with Y (the directions' `ys` stacked) and its final
  /// states (each of `finals` stacked).
  void replace(ConversionPatternRewriter &rewriter, OpTy op) const {
    Location loc = op.getLoc();
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto stateType = cast<RankedTensorType>(op.getYH().getType());
    SmallVector<Value> results = {stack(rewriter, loc, ys, yType, 1)};
    for (ArrayRef<Value> perDirection : finals)
      results.push_back(stack(rewriter, loc, perDirection, stateType, 0));
    rewriter.replaceOp(op, results);
  }

  typename OpTy::Adaptor adaptor;
  Value x;
  Type et;
  int64_t h, dirs, batchExtent;
  bool reverseOnly;
  SmallVector<Value> batchDyn;
  SmallVector<Activation> activations;
  std::optional<float> clip;
  RankedTensorType stateType;
  /// Per direction: Y's part, and each final state.
  SmallVector<Value> ys;
  SmallVector<SmallVector<Value>> finals;
};

/// The sum of a [2G*H] bias's two halves (Wb + Rb) for the XW contraction.
static Value foldedBias(OpBuilder &b, Location loc, Value bias, int64_t d,
                        int64_t width) {
  SmallVector<Value> halves =
      splitLastDim(b, loc, sliceDirection(b, loc, bias, d), 2, width);
  auto type = cast<RankedTensorType>(halves[0].getType());
  MLIRContext *ctx = b.getContext();
  return buildParallelGeneric(
      b, loc, halves,
      {AffineMap::getMultiDimIdentityMap(1, ctx),
       AffineMap::getMultiDimIdentityMap(1, ctx)},
      type, {}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, nl, a[0], a[1]);
      });
}

namespace {
struct LstmToLinalg : OpConversionPattern<LstmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LstmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    RecurrentParts<LstmOp> parts(op, adaptor, b);
    int64_t h = parts.h;
    Type et = parts.et;
    Value lengths = adaptor.getSequenceLens();
    for (int64_t d = 0; d < parts.dirs; ++d) {
      ArrayRef<Activation> fgh = ArrayRef(parts.activations).slice(3 * d, 3);
      Value r = sliceDirection(b, loc, adaptor.getR(), d);
      Value bias = adaptor.getBias()
                       ? foldedBias(b, loc, adaptor.getBias(), d, 4 * h)
                       : Value();
      SmallVector<Value> peepholes;
      if (adaptor.getPeepholes())
        peepholes = splitLastDim(
            b, loc, sliceDirection(b, loc, adaptor.getPeepholes(), d), 3, h);
      SmallVector<Value> initial = {
          parts.initialState(b, loc, adaptor.getInitialH(), d),
          parts.initialState(b, loc, adaptor.getInitialC(), d)};
      auto step = [&](OpBuilder &lb, Location l, Value at, Value xt,
                      ValueRange states, Value yRow) -> SmallVector<Value> {
        Value hPrev = states[0], cPrev = states[1];
        Value hr = parts.timesTransposed(lb, l, hPrev, r, 4 * h);
        // The i, o, f, c blocks of XW[t] and HR, the peepholes (i, o, f),
        // the lengths.
        SmallVector<Value> inputs = splitLastDim(lb, l, xt, 4, h);
        llvm::append_range(inputs, splitLastDim(lb, l, hr, 4, h));
        SmallVector<AffineMap> maps(8, lb.getMultiDimIdentityMap(2));
        for (Value p : peepholes) {
          inputs.push_back(p);
          maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx));
        }
        if (lengths) {
          inputs.push_back(lengths);
          maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(0, ctx), ctx));
        }
        return buildStateGeneric(
            lb, l, inputs, maps, ValueRange{hPrev, cPrev, yRow},
            [&](OpBuilder &gb, Location gl, ValueRange a) {
              auto add = [&](Value p, Value q) -> Value {
                return arith::AddFOp::create(gb, gl, p, q);
              };
              auto mul = [&](Value p, Value q) -> Value {
                return arith::MulFOp::create(gb, gl, p, q);
              };
              unsigned next = 8;
              Value pi, po, pf, length;
              if (!peepholes.empty()) {
                pi = a[next++];
                po = a[next++];
                pf = a[next++];
              }
              if (lengths)
                length = a[next++];
              Value hOld = a[next], cOld = a[next + 1], yOld = a[next + 2];
              Value preI = add(a[0], a[4]);
              Value preO = add(a[1], a[5]);
              Value preF = add(a[2], a[6]);
              Value preC = add(a[3], a[7]);
              if (pi) {
                preI = add(preI, mul(pi, cOld));
                preF = add(preF, mul(pf, cOld));
              }
              Value i = parts.activate(gb, gl, fgh[0], preI);
              Value f = adaptor.getInputForget()
                            ? arith::SubFOp::create(
                                  gb, gl,
                                  arith::ConstantOp::create(
                                      gb, gl, et, gb.getFloatAttr(et, 1.0)),
                                  i)
                                  .getResult()
                            : parts.activate(gb, gl, fgh[0], preF);
              Value g = parts.activate(gb, gl, fgh[1], preC);
              Value cNew = add(mul(f, cOld), mul(i, g));
              if (po)
                preO = add(preO, mul(po, cNew));
              Value o = parts.activate(gb, gl, fgh[0], preO);
              Value hNew = mul(o, applyActivation(gb, gl, fgh[2], cNew));
              return maskPastEnd(gb, gl, at, length,
                                 {{hNew, hOld}, {cNew, cOld}, {hNew, yOld}});
            });
      };
      parts.runDirection(b, loc, d, bias, 4, initial, step);
    }
    parts.replace(rewriter, op);
    return success();
  }
};

/// GRU: per step, HR = h R^T; z and r from their blocks; the candidate from
/// (r h) R_h^T (a second contraction), or with linear_before_reset from
/// r (HR_h + Rb_h); h = (1 - z) candidate + z h.
struct GruToLinalg : OpConversionPattern<GruOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GruOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    RecurrentParts<GruOp> parts(op, adaptor, b);
    int64_t h = parts.h;
    Type et = parts.et;
    bool linearBeforeReset = adaptor.getLinearBeforeReset();
    Value lengths = adaptor.getSequenceLens();
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    for (int64_t d = 0; d < parts.dirs; ++d) {
      ArrayRef<Activation> fg = ArrayRef(parts.activations).slice(2 * d, 2);
      Value r = sliceDirection(b, loc, adaptor.getR(), d);
      // R's h block (rows 2H .. 3H).
      Value rH = tensor::ExtractSliceOp::create(
          b, loc, r,
          ArrayRef<OpFoldResult>{b.getIndexAttr(2 * h), b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(h), b.getIndexAttr(h)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
      // XW's bias: Wb, plus Rb for z and r (and for h unless it multiplies
      // by r first).
      Value xBias, rbH;
      if (Value bias = adaptor.getBias()) {
        SmallVector<Value> halves =
            splitLastDim(b, loc, sliceDirection(b, loc, bias, d), 2, 3 * h);
        SmallVector<Value> rb = splitLastDim(b, loc, halves[1], 3, h);
        rbH = rb[2];
        Value rbFolded = halves[1];
        if (linearBeforeReset) {
          // Rb without its h block.
          Value zeros = buildZeros(b, loc, {h}, et, {});
          rbFolded = tensor::InsertSliceOp::create(
              b, loc, zeros, halves[1],
              ArrayRef<OpFoldResult>{b.getIndexAttr(2 * h)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(h)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
        }
        auto type = cast<RankedTensorType>(halves[0].getType());
        xBias = buildParallelGeneric(
            b, loc, {halves[0], rbFolded},
            {AffineMap::getMultiDimIdentityMap(1, ctx),
             AffineMap::getMultiDimIdentityMap(1, ctx)},
            type, {}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              return arith::AddFOp::create(nb, nl, a[0], a[1]);
            });
      }
      AffineMap identity = b.getMultiDimIdentityMap(2);
      AffineMap alongHidden = AffineMap::get(2, 0, dim(1), ctx);
      AffineMap alongBatch = AffineMap::get(2, 0, dim(0), ctx);
      auto step = [&](OpBuilder &lb, Location l, Value at, Value xt,
                      ValueRange states, Value yRow) -> SmallVector<Value> {
        Value hPrev = states[0];
        SmallVector<Value> x3 = splitLastDim(lb, l, xt, 3, h);
        Value hr = parts.timesTransposed(lb, l, hPrev, r, 3 * h);
        SmallVector<Value> h3 = splitLastDim(lb, l, hr, 3, h);
        auto sigmoidOf = [&](OpBuilder &gb, Location gl, Value x, Value y) {
          return parts.activate(gb, gl, fg[0],
                                arith::AddFOp::create(gb, gl, x, y));
        };
        Value candidateInput; // [B, H]: what g's sum takes from h.
        if (!linearBeforeReset) {
          // (r * h) R_h^T.
          Value rh =
              buildStateGeneric(
                  lb, l, {x3[1], h3[1], hPrev}, {identity, identity, identity},
                  ValueRange{
                      buildEmpty(lb, l, parts.stateType, parts.batchDyn)},
                  [&](OpBuilder &gb, Location gl, ValueRange a) {
                    Value reset = sigmoidOf(gb, gl, a[0], a[1]);
                    return SmallVector<Value>{
                        arith::MulFOp::create(gb, gl, reset, a[2])};
                  })
                  .front();
          candidateInput = parts.timesTransposed(lb, l, rh, rH, h);
        }
        SmallVector<Value> inputs = {
            x3[0], h3[0], x3[1],
            h3[1], x3[2], linearBeforeReset ? h3[2] : candidateInput};
        SmallVector<AffineMap> maps(6, identity);
        if (linearBeforeReset && rbH) {
          inputs.push_back(rbH);
          maps.push_back(alongHidden);
        }
        if (lengths) {
          inputs.push_back(lengths);
          maps.push_back(alongBatch);
        }
        return buildStateGeneric(
            lb, l, inputs, maps, ValueRange{hPrev, yRow},
            [&](OpBuilder &gb, Location gl, ValueRange a) {
              auto add = [&](Value p, Value q) -> Value {
                return arith::AddFOp::create(gb, gl, p, q);
              };
              auto mul = [&](Value p, Value q) -> Value {
                return arith::MulFOp::create(gb, gl, p, q);
              };
              unsigned next = 6;
              Value rb, length;
              if (linearBeforeReset && rbH)
                rb = a[next++];
              if (lengths)
                length = a[next++];
              Value hOld = a[next], yOld = a[next + 1];
              Value z = sigmoidOf(gb, gl, a[0], a[1]);
              Value fromH = a[5];
              if (linearBeforeReset) {
                Value reset = sigmoidOf(gb, gl, a[2], a[3]);
                fromH = mul(reset, rb ? add(fromH, rb) : fromH);
              }
              Value candidate = parts.activate(gb, gl, fg[1], add(a[4], fromH));
              Value one =
                  arith::ConstantOp::create(gb, gl, et, gb.getFloatAttr(et, 1));
              Value hNew =
                  add(mul(arith::SubFOp::create(gb, gl, one, z), candidate),
                      mul(z, hOld));
              return maskPastEnd(gb, gl, at, length,
                                 {{hNew, hOld}, {hNew, yOld}});
            });
      };
      parts.runDirection(b, loc, d, xBias, 3,
                         {parts.initialState(b, loc, adaptor.getInitialH(), d)},
                         step);
    }
    parts.replace(rewriter, op);
    return success();
  }
};

/// RNN: per step h = f(XW[t] + h R^T).
struct RnnToLinalg : OpConversionPattern<RnnOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RnnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    RecurrentParts<RnnOp> parts(op, adaptor, b);
    int64_t h = parts.h;
    Value lengths = adaptor.getSequenceLens();
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    for (int64_t d = 0; d < parts.dirs; ++d) {
      const Activation &f = parts.activations[d];
      Value r = sliceDirection(b, loc, adaptor.getR(), d);
      Value bias = adaptor.getBias()
                       ? foldedBias(b, loc, adaptor.getBias(), d, h)
                       : Value();
      auto step = [&](OpBuilder &lb, Location l, Value at, Value xt,
                      ValueRange states, Value yRow) -> SmallVector<Value> {
        Value hPrev = states[0];
        Value hr = parts.timesTransposed(lb, l, hPrev, r, h);
        SmallVector<Value> inputs = {xt, hr};
        SmallVector<AffineMap> maps(2, lb.getMultiDimIdentityMap(2));
        if (lengths) {
          inputs.push_back(lengths);
          maps.push_back(AffineMap::get(2, 0, dim(0), ctx));
        }
        return buildStateGeneric(
            lb, l, inputs, maps, ValueRange{hPrev, yRow},
            [&](OpBuilder &gb, Location gl, ValueRange a) {
              Value length = lengths ? a[2] : Value();
              Value hOld = a[lengths ? 3 : 2], yOld = a[lengths ? 4 : 3];
              Value hNew = parts.activate(
                  gb, gl, f, arith::AddFOp::create(gb, gl, a[0], a[1]));
              return maskPastEnd(gb, gl, at, length,
                                 {{hNew, hOld}, {hNew, yOld}});
            });
      };
      parts.runDirection(b, loc, d, bias, 1,
                         {parts.initialState(b, loc, adaptor.getInitialH(), d)},
                         step);
    }
    parts.replace(rewriter, op);
    return success();
  }
};
} // namespace

void mlir::aic::populateRecurrentToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LstmToLinalg, GruToLinalg, RnnToLinalg>(converter,
                                                       patterns.getContext());
}
