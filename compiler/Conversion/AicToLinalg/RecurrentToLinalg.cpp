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

namespace {
struct LstmToLinalg : OpConversionPattern<LstmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LstmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type et = xType.getElementType();
    int64_t h = adaptor.getHiddenSize();
    StringRef direction = adaptor.getDirection();
    int64_t dirs = direction == "bidirectional" ? 2 : 1;
    int64_t seqExtent = xType.getDimSize(0), batchExtent = xType.getDimSize(1);
    Value seq = tensor::DimOp::create(b, loc, x, 0);
    Value batch = tensor::DimOp::create(b, loc, x, 1);
    SmallVector<Value> batchDyn;
    if (ShapedType::isDynamic(batchExtent))
      batchDyn.push_back(batch);
    SmallVector<Activation> activations = readActivations(
        adaptor.getActivations(),
        llvm::to_vector(llvm::map_range(
            adaptor.getActivationAlpha(),
            [](Attribute a) {
              return (float)cast<FloatAttr>(a).getValueAsDouble();
            })),
        llvm::to_vector(
            llvm::map_range(adaptor.getActivationBeta(), [](Attribute a) {
              return (float)cast<FloatAttr>(a).getValueAsDouble();
            })));
    std::optional<float> clip;
    if (adaptor.getClipAttr())
      clip = adaptor.getClipAttr().getValueAsDouble();
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };

    SmallVector<Value> ys, hs, cs;
    for (int64_t d = 0; d < dirs; ++d) {
      bool reverse = direction == "reverse" || d == 1;
      ArrayRef<Activation> fgh = ArrayRef(activations).slice(3 * d, 3);
      Value w = sliceDirection(b, loc, adaptor.getW(), d);
      Value r = sliceDirection(b, loc, adaptor.getR(), d);

      // XW[s, b, g] = sum_k X[s, b, k] W[g, k] (+ Wb[g] + Rb[g]).
      auto xwType = RankedTensorType::get({seqExtent, batchExtent, 4 * h}, et);
      Value xw = buildContraction(
          b, loc, x, w, AffineMap::get(4, 0, {dim(0), dim(1), dim(3)}, ctx),
          AffineMap::get(4, 0, {dim(2), dim(3)}, ctx),
          AffineMap::get(4, 0, {dim(0), dim(1), dim(2)}, ctx), xwType);
      if (Value bias = adaptor.getBias()) {
        SmallVector<Value> halves =
            splitLastDim(b, loc, sliceDirection(b, loc, bias, d), 2, 4 * h);
        AffineMap alongGates = AffineMap::get(3, 0, dim(2), ctx);
        xw = buildParallelGeneric(
            b, loc, {xw, halves[0], halves[1]},
            {b.getMultiDimIdentityMap(3), alongGates, alongGates}, xwType,
            buildDynamicDims(b, loc, xw),
            [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              return arith::AddFOp::create(
                  nb, nl, a[0], arith::AddFOp::create(nb, nl, a[1], a[2]));
            });
      }
      // The carried state has the type the gates give it.
      auto stateType = RankedTensorType::get({batchExtent, h}, et);
      auto initialState = [&](Value given) -> Value {
        if (!given)
          return buildZeros(b, loc, {batchExtent, h}, et, batchDyn);
        Value v = sliceDirection(b, loc, given, d);
        return v.getType() == stateType
                   ? v
                   : tensor::CastOp::create(b, loc, stateType, v).getResult();
      };
      Value h0 = initialState(adaptor.getInitialH());
      Value c0 = initialState(adaptor.getInitialC());
      SmallVector<Value> yDyn;
      if (ShapedType::isDynamic(seqExtent))
        yDyn.push_back(seq);
      llvm::append_range(yDyn, batchDyn);
      Value y0 = buildZeros(b, loc, {seqExtent, batchExtent, h}, et, yDyn);
      SmallVector<Value> peepholes;
      if (adaptor.getPeepholes())
        peepholes = splitLastDim(
            b, loc, sliceDirection(b, loc, adaptor.getPeepholes(), d), 3, h);
      Value lengths = adaptor.getSequenceLens();

      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto loop = scf::ForOp::create(
          b, loc, zero, seq, one, ValueRange{h0, c0, y0},
          [&](OpBuilder &lb, Location l, Value t, ValueRange state) {
            Value hPrev = state[0], cPrev = state[1], y = state[2];
            Value step = t;
            if (reverse)
              step = arith::SubIOp::create(
                  lb, l, arith::SubIOp::create(lb, l, seq, one), t);
            // XW[step] as [B, 4H].
            auto rowType = RankedTensorType::get({batchExtent, 4 * h}, et);
            Value xt = tensor::ExtractSliceOp::create(
                lb, l, rowType, xw,
                ArrayRef<OpFoldResult>{step, lb.getIndexAttr(0),
                                       lb.getIndexAttr(0)},
                ArrayRef<OpFoldResult>{lb.getIndexAttr(1),
                                       tensor::getMixedSize(lb, l, xw, 1),
                                       lb.getIndexAttr(4 * h)},
                ArrayRef<OpFoldResult>{lb.getIndexAttr(1), lb.getIndexAttr(1),
                                       lb.getIndexAttr(1)});
            Value hr = buildContraction(
                lb, l, hPrev, r, AffineMap::get(3, 0, {dim(0), dim(2)}, ctx),
                AffineMap::get(3, 0, {dim(1), dim(2)}, ctx),
                AffineMap::get(3, 0, {dim(0), dim(1)}, ctx), rowType);

            // Inputs: the i, o, f, c blocks of XW[t] and HR, then the
            // peepholes (i, o, f) and the lengths where given. Outputs: h,
            // c and Y[step], updated in place.
            SmallVector<Value> inputs = splitLastDim(lb, l, xt, 4, h);
            llvm::append_range(inputs, splitLastDim(lb, l, hr, 4, h));
            SmallVector<AffineMap> maps(8, lb.getMultiDimIdentityMap(2));
            for (Value p : peepholes) {
              inputs.push_back(p);
              maps.push_back(AffineMap::get(2, 0, dim(1), ctx));
            }
            if (lengths) {
              inputs.push_back(lengths);
              maps.push_back(AffineMap::get(2, 0, dim(0), ctx));
            }
            SmallVector<OpFoldResult> rowOffsets = {step, lb.getIndexAttr(0),
                                                    lb.getIndexAttr(0)};
            SmallVector<OpFoldResult> rowSizes = {
                lb.getIndexAttr(1), tensor::getMixedSize(lb, l, y, 1),
                lb.getIndexAttr(h)};
            SmallVector<OpFoldResult> unit(3, lb.getIndexAttr(1));
            Value yRow = tensor::ExtractSliceOp::create(
                lb, l, stateType, y, rowOffsets, rowSizes, unit);
            for (int i = 0; i < 3; ++i)
              maps.push_back(lb.getMultiDimIdentityMap(2));
            auto gates = linalg::GenericOp::create(
                lb, l, TypeRange{stateType, stateType, stateType}, inputs,
                ValueRange{hPrev, cPrev, yRow}, maps,
                SmallVector<utils::IteratorType>(2,
                                                 utils::IteratorType::parallel),
                [&](OpBuilder &gb, Location gl, ValueRange a) {
                  auto add = [&](Value p, Value q) -> Value {
                    return arith::AddFOp::create(gb, gl, p, q);
                  };
                  auto mul = [&](Value p, Value q) -> Value {
                    return arith::MulFOp::create(gb, gl, p, q);
                  };
                  auto constant = [&](double v) -> Value {
                    return arith::ConstantOp::create(gb, gl, et,
                                                     gb.getFloatAttr(et, v));
                  };
                  auto activate = [&](const Activation &f, Value v) {
                    if (clip)
                      v = arith::MinimumFOp::create(
                          gb, gl, constant(*clip),
                          arith::MaximumFOp::create(gb, gl, constant(-*clip),
                                                    v));
                    return applyActivation(gb, gl, f, v);
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
                  Value hOld = a[next], cOld = a[next + 1];
                  Value preI = add(a[0], a[4]);
                  Value preO = add(a[1], a[5]);
                  Value preF = add(a[2], a[6]);
                  Value preC = add(a[3], a[7]);
                  if (pi) {
                    preI = add(preI, mul(pi, cOld));
                    preF = add(preF, mul(pf, cOld));
                  }
                  Value i = activate(fgh[0], preI);
                  Value f = adaptor.getInputForget()
                                ? arith::SubFOp::create(gb, gl, constant(1), i)
                                      .getResult()
                                : activate(fgh[0], preF);
                  Value g = activate(fgh[1], preC);
                  Value cNew = add(mul(f, cOld), mul(i, g));
                  if (po)
                    preO = add(preO, mul(po, cNew));
                  Value o = activate(fgh[0], preO);
                  Value hNew = mul(o, applyActivation(gb, gl, fgh[2], cNew));
                  Value yNew = hNew;
                  if (length) {
                    // Past the sequence's end: keep the state, write zeros.
                    Value at = arith::IndexCastOp::create(
                        gb, gl, length.getType(), step);
                    Value valid = arith::CmpIOp::create(
                        gb, gl, arith::CmpIPredicate::slt, at, length);
                    cNew = arith::SelectOp::create(gb, gl, valid, cNew, cOld);
                    hNew = arith::SelectOp::create(gb, gl, valid, hNew, hOld);
                    yNew = arith::SelectOp::create(gb, gl, valid, yNew,
                                                   constant(0));
                  }
                  linalg::YieldOp::create(gb, gl, ValueRange{hNew, cNew, yNew});
                });
            // Y[step] = y_t.
            Value yNext = tensor::InsertSliceOp::create(
                lb, l, gates.getResult(2), y, rowOffsets, rowSizes, unit);
            scf::YieldOp::create(
                lb, l,
                ValueRange{gates.getResult(0), gates.getResult(1), yNext});
          });
      hs.push_back(loop.getResult(0));
      cs.push_back(loop.getResult(1));
      ys.push_back(loop.getResult(2));
    }

    // Stack the directions: Y [S, D, B, H], Y_h and Y_c [D, B, H].
    auto stack = [&](ArrayRef<Value> parts, RankedTensorType type,
                     unsigned dirDim) -> Value {
      SmallVector<Value> dynamicSizes;
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          dynamicSizes.push_back(i == 0 && dirDim == 1 ? seq : batch);
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
    };
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto stateType = cast<RankedTensorType>(op.getYH().getType());
    rewriter.replaceOp(op, {stack(ys, yType, 1), stack(hs, stateType, 0),
                            stack(cs, stateType, 0)});
    return success();
  }
};
} // namespace

void mlir::aic::populateRecurrentToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LstmToLinalg>(converter, patterns.getContext());
}
