//===- AttentionToLinalg.cpp - aic.attention to linalg --------------------===//
//
// Attention becomes two generic contractions around a masked softmax:
//
//   scores = (Q * sqrt(scale)) (K * sqrt(scale))^T     [B, Hq, Sq, Skv]
//   logits = softcap(scores) + bias, causal and length masks
//   probs  = softmax(logits) over the keys, 0 for fully masked rows
//   output = probs V                                   [B, Hq, Sq, Dv]
//
// Grouped-query attention reads key/value head h floordiv (Hq / Hkv) through
// the indexing maps, so K and V are never repeated in memory. Everything
// accumulates in f32 (f64 for f64); 16-bit types are rounded to their type
// where ONNX's reference rounds them. RotaryEmbedding is one generic.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/AicToLinalg/Scalar.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::aic;

namespace {
struct AttentionToLinalg : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    auto qType = cast<RankedTensorType>(q.getType());
    auto kType = cast<RankedTensorType>(k.getType());
    auto outputType = cast<RankedTensorType>(op.getOutput().getType());
    auto scoresType = cast<RankedTensorType>(op.getScores().getType());
    int64_t qHeads = qType.getDimSize(1), kvHeads = kType.getDimSize(1);
    if (ShapedType::isDynamic(qHeads) || ShapedType::isDynamic(kvHeads))
      return rewriter.notifyMatchFailure(op, "head counts known only at run "
                                             "time");
    int64_t group = qHeads / kvHeads;
    Type et = qType.getElementType();
    Type acc = et.isF64() ? et : rewriter.getF32Type();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();

    // Rounds an accumulator-typed value to the element type and back, where
    // the reference computes in the element type.
    auto round = [&](OpBuilder &nb, Location nl, Value x) -> Value {
      if (et == acc)
        return x;
      Value narrow = arith::TruncFOp::create(nb, nl, et, x);
      return arith::ExtFOp::create(nb, nl, acc, narrow);
    };
    auto widen = [&](OpBuilder &nb, Location nl, Value x) -> Value {
      return x.getType() == acc ? x : arith::ExtFOp::create(nb, nl, acc, x);
    };
    auto dims = [&](Value x) { return buildDynamicDims(b, loc, x); };

    // Q and K times sqrt(scale), in the element type.
    double rootScale =
        std::sqrt(static_cast<double>(op.getScale().convertToFloat()));
    auto scaled = [&](Value x) {
      auto type = cast<RankedTensorType>(x.getType());
      return buildParallelGeneric(
          b, loc, x, {b.getMultiDimIdentityMap(4)}, type, dims(x),
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            Scalar s{nb, nl};
            Value r = s.mul(widen(nb, nl, a[0]), s.constant(acc, rootScale));
            return r.getType() == et
                       ? r
                       : Value(arith::TruncFOp::create(nb, nl, et, r));
          });
    };
    Value qs = scaled(q), ks = scaled(k);

    // Dynamic dims of the [B, Hq, Sq, Skv] scores and [B, Hq, Sq, Dv]
    // output: the query's, then `lastDim` of `last`.
    auto sizesOf = [&](RankedTensorType type, Value last, int64_t lastDim) {
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < 4; ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(tensor::DimOp::create(b, loc, d < 3 ? q : last,
                                                d < 3 ? d : lastDim));
      return sizes;
    };
    auto accScoresType = scoresType.clone(acc);
    SmallVector<Value> scoreSizes = sizesOf(scoresType, k, 2);

    // A contraction over loop 4 of (b, h, i, j|e, 4): lhs[b, h, i, 4] and
    // rhs[b, h floordiv group, ., .] as `rhsExprs` say.
    AffineExpr bd, hd, id, jd, rd;
    bindDims(ctx, bd, hd, id, jd, rd);
    AffineExpr kvHead = hd.floorDiv(group);
    auto contract = [&](Value lhs, Value rhs, ArrayRef<AffineExpr> rhsExprs,
                        RankedTensorType resultType,
                        ValueRange sizes) -> Value {
      Value init =
          linalg::FillOp::create(b, loc, Scalar{b, loc}.constant(acc, 0),
                                 buildEmpty(b, loc, resultType, sizes))
              .getResult(0);
      SmallVector<AffineMap> maps = {
          AffineMap::get(5, 0, {bd, hd, id, rd}, ctx),
          AffineMap::get(5, 0, rhsExprs, ctx),
          AffineMap::get(5, 0, {bd, hd, id, jd}, ctx)};
      SmallVector<utils::IteratorType> iterators(4,
                                                 utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
      return linalg::GenericOp::create(
                 b, loc, resultType, ValueRange{lhs, rhs}, init, maps,
                 iterators,
                 [&](OpBuilder &nb, Location nl, ValueRange a) {
                   Scalar s{nb, nl};
                   Value product =
                       s.mul(widen(nb, nl, a[0]), widen(nb, nl, a[1]));
                   linalg::YieldOp::create(nb, nl, s.add(a[2], product));
                 })
          .getResult(0);
    };
    Value scores =
        contract(qs, ks, {bd, kvHead, jd, rd}, accScoresType, scoreSizes);

    // Softcap, then the bias and the masks.
    double softcap = op.getSoftcap().convertToFloat();
    auto identity = b.getMultiDimIdentityMap(4);
    Value capped = scores;
    if (softcap > 0 || et != acc)
      capped = buildParallelGeneric(
          b, loc, scores, {identity}, accScoresType, scoreSizes,
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            Scalar s{nb, nl};
            Value x = round(nb, nl, a[0]);
            if (softcap <= 0)
              return x;
            Value c = s.constant(acc, softcap);
            Value t = math::TanhOp::create(nb, nl, s.div(x, c));
            return round(nb, nl, s.mul(c, t));
          });

    SmallVector<Value> maskInputs = {capped};
    SmallVector<AffineMap> maskMaps = {identity};
    Value bias = adaptor.getBias(), lengths = adaptor.getKvLengths();
    if (bias) {
      maskInputs.push_back(bias);
      maskMaps.push_back(
          getBroadcastMap(cast<RankedTensorType>(bias.getType()), scoresType));
    }
    if (lengths) {
      maskInputs.push_back(lengths);
      maskMaps.push_back(AffineMap::get(4, 0, {getAffineDimExpr(0, ctx)}, ctx));
    }
    bool causal = op.getIsCausal();
    std::optional<int64_t> pastLength = op.getPastLength();
    Value queryLength =
        causal && lengths && !pastLength
            ? Value(arith::IndexCastOp::create(
                  b, loc, b.getI64Type(), tensor::DimOp::create(b, loc, q, 2)))
            : Value();
    Value logits = capped;
    if (bias || lengths || causal)
      logits = buildParallelGeneric(
          b, loc, maskInputs, maskMaps, accScoresType, scoreSizes,
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            Scalar s{nb, nl};
            Value x = a[0];
            unsigned next = 1;
            if (bias)
              x = round(nb, nl, s.add(x, widen(nb, nl, a[next++])));
            Value negInf =
                s.constant(acc, -std::numeric_limits<double>::infinity());
            auto index = [&](int64_t d) -> Value {
              return arith::IndexCastOp::create(
                  nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, d));
            };
            Value key = index(3);
            Value length = lengths ? a[next++] : Value();
            if (causal) {
              // Key j is visible to query i when j <= i + offset.
              Value offset = pastLength
                                 ? s.constant(nb.getI64Type(), *pastLength)
                             : length ? s.sub(length, queryLength)
                                      : s.constant(nb.getI64Type(), 0);
              Value last = s.add(index(2), offset);
              Value hidden = arith::CmpIOp::create(
                  nb, nl, arith::CmpIPredicate::sgt, key, last);
              x = s.select(hidden, negInf, x);
            }
            if (length) {
              Value padded = arith::CmpIOp::create(
                  nb, nl, arith::CmpIPredicate::sge, key, length);
              x = s.select(padded, negInf, x);
            }
            return x;
          });

    // Softmax over the keys; a row with every key masked gets zeros.
    Value rowMax =
        buildReduce(b, loc, logits, {}, {3}, Scalar{b, loc}.extreme(acc, true),
                    [](OpBuilder &nb, Location nl, ValueRange a) {
                      return Scalar{nb, nl}.max(a[1], a[0]);
                    });
    AffineMap rowMap = keptDimsMap(4, {3}, ctx);
    Value rowSum = buildReduce(b, loc, {logits, rowMax}, {rowMap}, {3},
                               Scalar{b, loc}.constant(acc, 0),
                               [](OpBuilder &nb, Location nl, ValueRange a) {
                                 Scalar s{nb, nl};
                                 return s.add(a[2], s.exp(s.sub(a[0], a[1])));
                               });
    Value probs = buildParallelGeneric(
        b, loc, {logits, rowMax, rowSum}, {identity, rowMap, rowMap},
        accScoresType, scoreSizes,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Scalar s{nb, nl};
          Value p = s.div(s.exp(s.sub(a[0], a[1])), a[2]);
          Value allMasked = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OEQ, a[1], s.extreme(acc, true));
          return round(nb, nl, s.select(allMasked, s.constant(acc, 0), p));
        });

    // probs V, with value head h floordiv group.
    Value output = contract(probs, v, {bd, kvHead, rd, jd},
                            outputType.clone(acc), sizesOf(outputType, v, 3));

    Value scoresResult;
    switch (op.getScoresMode()) {
    case 2:
      scoresResult = logits;
      break;
    case 3:
      scoresResult = probs;
      break;
    default:
      scoresResult = capped;
    }
    auto toElementType = [&](Value x) -> Value {
      if (et == acc)
        return x;
      auto type = cast<RankedTensorType>(x.getType());
      return buildParallelGeneric(
          b, loc, x, {identity}, type.clone(et), buildDynamicDims(b, loc, x),
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            return arith::TruncFOp::create(nb, nl, et, a[0]);
          });
    };
    rewriter.replaceOp(op,
                       {toElementType(output), toElementType(scoresResult)});
    return success();
  }
};

/// RotaryEmbedding as one generic over the output: feature d reads its
/// partner (d +- rotary_dim / 2, or d +- 1 interleaved) and the cos and sin
/// of its pair through tensor.extract; 16-bit floats compute in f32.
struct RotaryEmbeddingToLinalg : OpConversionPattern<RotaryEmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RotaryEmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), cos = adaptor.getCos(),
          sin = adaptor.getSin();
    auto type = cast<RankedTensorType>(x.getType());
    Type et = type.getElementType();
    Type acc = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    // rotary_dim 0: the whole head, whose size may be known only at run
    // time.
    Value rotary = adaptor.getRotaryDim()
                       ? arith::ConstantIndexOp::create(rewriter, loc,
                                                        adaptor.getRotaryDim())
                             .getResult()
                       : rewriter.createOrFold<tensor::DimOp>(loc, x, 3);
    Value half = rewriter.createOrFold<arith::DivUIOp>(
        loc, rotary, arith::ConstantIndexOp::create(rewriter, loc, 2));
    bool interleaved = adaptor.getInterleaved();
    unsigned seqDim = adaptor.getHeadsFirst() ? 2 : 1;
    Value result = buildParallelGeneric(
        rewriter, loc, x, {rewriter.getMultiDimIdentityMap(4)}, type,
        buildDynamicDims(rewriter, loc, x),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> at;
          for (unsigned i = 0; i < 4; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          Value d = at[3];
          auto index = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          auto widen = [&](Value v) -> Value {
            return v.getType() == acc ? v : arith::ExtFOp::create(b, l, acc, v);
          };
          // first: d is x1 of its pair; i: the pair; partner: the other.
          Value first, pair, partner;
          if (interleaved) {
            Value odd = arith::RemUIOp::create(b, l, d, index(2));
            first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, odd,
                                          index(0));
            pair = arith::DivUIOp::create(b, l, d, index(2));
            partner = arith::SelectOp::create(
                b, l, first, arith::AddIOp::create(b, l, d, index(1)),
                arith::SubIOp::create(b, l, d, index(1)));
          } else {
            first =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, d, half);
            pair = arith::SelectOp::create(
                b, l, first, d, arith::SubIOp::create(b, l, d, half));
            partner = arith::SelectOp::create(
                b, l, first, arith::AddIOp::create(b, l, d, half), pair);
          }
          Value rotated =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, d, rotary);
          // Beyond rotary_dim the pair index is clamped (its value unused).
          pair = arith::SelectOp::create(b, l, rotated, pair, index(0));
          partner = arith::SelectOp::create(b, l, rotated, partner, d);
          SmallVector<Value> partnerAt(at);
          partnerAt[3] = partner;
          SmallVector<Value> tableAt = {at[0], at[seqDim], pair};
          Value self = widen(args[0]);
          Value other = widen(tensor::ExtractOp::create(b, l, x, partnerAt));
          Value c = widen(tensor::ExtractOp::create(b, l, cos, tableAt));
          Value s = widen(tensor::ExtractOp::create(b, l, sin, tableAt));
          // x1: self cos - other sin; x2: other sin + self cos.
          Value sinTerm = arith::MulFOp::create(b, l, other, s);
          Value cosTerm = arith::MulFOp::create(b, l, self, c);
          Value value = arith::SelectOp::create(
              b, l, first, arith::SubFOp::create(b, l, cosTerm, sinTerm),
              arith::AddFOp::create(b, l, sinTerm, cosTerm));
          value = arith::SelectOp::create(b, l, rotated, value, self);
          return value.getType() == et
                     ? value
                     : arith::TruncFOp::create(b, l, et, value).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlir::aic::populateAttentionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<AttentionToLinalg, RotaryEmbeddingToLinalg>(
      converter, patterns.getContext());
}
