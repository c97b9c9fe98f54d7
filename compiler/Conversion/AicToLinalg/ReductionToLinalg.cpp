//===- ReductionToLinalg.cpp - reductions, normalizations, pooling --------===//
//
// Reductions become linalg.generic ops with reduction iterators (then a
// unit-dim expand for keepdims); softmax, batch and layer normalization are
// reductions plus broadcasting elementwise generics; pooling is a generic
// over output and window positions with padding as tensor.pad. TopK is a
// sequential selection on buffers.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/AicToLinalg/Scalar.h"
#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>
#include <tuple>

using namespace mlir;
using namespace mlir::aic;

static bool isFloat(Type t) { return isa<FloatType>(t); }

/// Puts the reduced dims back as 1s (keepdims).
static Value restoreReducedDims(OpBuilder &b, Location loc, Value reduced,
                                RankedTensorType resultType,
                                ArrayRef<int64_t> axes) {
  if (reduced.getType() == resultType)
    return reduced;
  SmallVector<ReassociationIndices> groups =
      unitDimGroups(resultType.getRank(), axes);
  if (groups.empty()) // Everything reduced: from rank 0.
    return tensor::ExpandShapeOp::create(b, loc, resultType, reduced,
                                         ArrayRef<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(b, loc, resultType, reduced, groups);
}

/// Elementwise `body` over `inputs` of the shape of the first, reading the
/// others through `maps`.
static Value buildMapped(OpBuilder &b, Location loc, ValueRange inputs,
                         ArrayRef<AffineMap> maps, Type elementType,
                         const ScalarBodyFn &body) {
  Value first = inputs.front();
  auto type = cast<RankedTensorType>(first.getType());
  auto resultType = RankedTensorType::get(type.getShape(), elementType);
  return buildParallelGeneric(b, loc, inputs, maps, resultType,
                              buildDynamicDims(b, loc, first), body);
}

/// The number of elements over `axes`, as a scalar of `type`.
static Value buildCount(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> axes, Type type,
                        ArrayRef<Value> runtimeFlags = {}) {
  auto inputType = cast<RankedTensorType>(input.getType());
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = one;
  for (int64_t d : axes)
    count = arith::MulIOp::create(b, loc, count,
                                  tensor::DimOp::create(b, loc, input, d));
  // Axes known at run time: the dims whose flag is set.
  for (auto [d, flag] : llvm::enumerate(runtimeFlags))
    count = arith::MulIOp::create(
        b, loc, count,
        arith::SelectOp::create(b, loc, flag,
                                tensor::DimOp::create(b, loc, input, d), one));
  if (!isFloat(type))
    return arith::IndexCastOp::create(b, loc, type, count);
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  (void)inputType;
  return arith::SIToFPOp::create(b, loc, type, i64);
}

/// Reduces `input` over the dims whose flag is set, one dim at a time (an
/// scf.if on each flag), keeping reduced dims as 1; a dim that may be
/// reduced becomes dynamic.
static Value reduceRuntimeAxes(OpBuilder &b, Location loc, Value input,
                               ArrayRef<Value> flags, Value init,
                               CombineFn combine) {
  Value x = input;
  for (auto [d, flag] : llvm::enumerate(flags)) {
    auto type = cast<RankedTensorType>(x.getType());
    if (type.getDimSize(d) == 1)
      continue; // Reducing it changes nothing.
    SmallVector<int64_t> shape(type.getShape());
    shape[d] = ShapedType::kDynamic;
    auto dynamicType = type.clone(shape);
    shape[d] = 1;
    auto keptType = type.clone(shape);
    auto branch = scf::IfOp::create(b, loc, TypeRange{dynamicType}, flag,
                                    /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    Value reduced = buildReduce(b, loc, x, {}, {(int64_t)d}, init, combine);
    Value kept = restoreReducedDims(b, loc, reduced, keptType, {(int64_t)d});
    scf::YieldOp::create(
        b, loc, ValueRange{tensor::CastOp::create(b, loc, dynamicType, kept)});
    b.setInsertionPointToStart(branch.elseBlock());
    scf::YieldOp::create(
        b, loc, ValueRange{tensor::CastOp::create(b, loc, dynamicType, x)});
    x = branch.getResult(0);
  }
  return x;
}

/// log-sum-exp over run-time axes: the max (kept dims as 1) is read back
/// for each element at index 0 in the dims whose flag is set.
static Value logSumExpRuntimeAxes(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<Value> flags) {
  auto type = cast<RankedTensorType>(input.getType());
  Type et = type.getElementType();
  Value max =
      reduceRuntimeAxes(b, loc, input, flags, Scalar{b, loc}.extreme(et, true),
                        [](OpBuilder &nb, Location nl, ValueRange a) {
                          return Scalar{nb, nl}.max(a[1], a[0]);
                        });
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto maxAt = [&](OpBuilder &nb, Location nl) {
    SmallVector<Value> index;
    for (auto [d, flag] : llvm::enumerate(flags))
      index.push_back(arith::SelectOp::create(
          nb, nl, flag, zero, linalg::IndexOp::create(nb, nl, d)));
    Value m = tensor::ExtractOp::create(nb, nl, max, index);
    // All -inf: no shift (the sum is 0 and the result -inf).
    Value isInf = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, m,
                                        Scalar{nb, nl}.extreme(et, true));
    return arith::SelectOp::create(nb, nl, isInf,
                                   Scalar{nb, nl}.constant(et, 0), m);
  };
  Value shifted = buildParallelGeneric(
      b, loc, input, {b.getMultiDimIdentityMap(type.getRank())}, type,
      buildDynamicDims(b, loc, input),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Scalar s{nb, nl};
        return s.exp(s.sub(a[0], maxAt(nb, nl)));
      });
  Value sum =
      reduceRuntimeAxes(b, loc, shifted, flags, Scalar{b, loc}.constant(et, 0),
                        [](OpBuilder &nb, Location nl, ValueRange a) {
                          return Scalar{nb, nl}.add(a[1], a[0]);
                        });
  auto sumType = cast<RankedTensorType>(sum.getType());
  AffineMap id = b.getMultiDimIdentityMap(sumType.getRank());
  return buildParallelGeneric(
      b, loc, {sum, max}, {id, id}, sumType, buildDynamicDims(b, loc, sum),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Scalar s{nb, nl};
        Value isInf = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                            a[1], s.extreme(et, true));
        return s.select(isInf, a[1], s.add(s.log(a[0]), a[1]));
      });
}

namespace {
enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp
};

template <typename OpTy, ReduceKind Kind>
struct ReduceToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    Value input = adaptor.getInput();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    Type et = resultType.getElementType();
    ArrayRef<int64_t> axes = adaptor.getAxes();
    OpBuilder &b = rewriter;
    // Axes known only at run time: which dims they name.
    Value axesInput = adaptor.getAxesInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<Value> flags = axesInput
                                   ? runtimeAxisFlags(b, loc, axesInput, rank)
                                   : SmallVector<Value>();
    auto reduceWith = [&](Value init, auto combine) {
      auto fn = [&](OpBuilder &nb, Location nl, ValueRange a) {
        return combine(nb, nl, a[0], a[1]);
      };
      if (axesInput)
        return reduceRuntimeAxes(b, loc, input, flags, init, fn);
      return buildReduce(b, loc, input, {}, axes, init, fn);
    };
    auto zero = [&] { return Scalar{b, loc, isUnsigned}.constant(et, 0); };
    auto post = [&](Value reduced, auto fn) {
      auto type = cast<RankedTensorType>(reduced.getType());
      return buildParallelGeneric(
          b, loc, reduced, {b.getMultiDimIdentityMap(type.getRank())}, type,
          buildDynamicDims(b, loc, reduced),
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            return fn(nb, nl, a[0]);
          });
    };
    auto sumOf = [&](auto pre) {
      auto add = [&](OpBuilder &nb, Location nl, ValueRange a) {
        return Scalar{nb, nl, isUnsigned}.add(a[1], a[0]);
      };
      if (axesInput) // One dim at a time: `pre` first, on its own.
        return reduceRuntimeAxes(b, loc, post(input, pre), flags, zero(), add);
      return reduceWith(zero(),
                        [&](OpBuilder &nb, Location nl, Value x, Value acc) {
                          Scalar s{nb, nl, isUnsigned};
                          return s.add(acc, pre(nb, nl, x));
                        });
    };
    auto identity = [](OpBuilder &, Location, Value x) { return x; };

    Value reduced;
    switch (Kind) {
    case ReduceKind::Sum:
      reduced = sumOf(identity);
      break;
    case ReduceKind::Mean: {
      Value count = buildCount(b, loc, input, axes, et, flags);
      reduced = post(sumOf(identity), [&](OpBuilder &nb, Location nl, Value s) {
        return Scalar{nb, nl, isUnsigned}.div(s, count);
      });
      break;
    }
    case ReduceKind::Max:
    case ReduceKind::Min: {
      bool isMax = Kind == ReduceKind::Max;
      reduced =
          reduceWith(Scalar{b, loc, isUnsigned}.extreme(et, isMax),
                     [&](OpBuilder &nb, Location nl, Value x, Value acc) {
                       return isMax ? Scalar{nb, nl, isUnsigned}.max(acc, x)
                                    : Scalar{nb, nl, isUnsigned}.min(acc, x);
                     });
      break;
    }
    case ReduceKind::Prod:
      reduced = reduceWith(Scalar{b, loc, isUnsigned}.constant(et, 1),
                           [&](OpBuilder &nb, Location nl, Value x, Value acc) {
                             Scalar s{nb, nl, isUnsigned};
                             return s.mul(acc, x);
                           });
      break;
    case ReduceKind::L1:
      reduced = sumOf([](OpBuilder &nb, Location nl, Value x) -> Value {
        if (isFloat(x.getType()))
          return math::AbsFOp::create(nb, nl, x);
        return math::AbsIOp::create(nb, nl, x);
      });
      break;
    case ReduceKind::SumSquare:
    case ReduceKind::L2: {
      reduced = sumOf([](OpBuilder &nb, Location nl, Value x) {
        return Scalar{nb, nl}.mul(x, x);
      });
      if (Kind == ReduceKind::L2) {
        if (!isFloat(et))
          return rewriter.notifyMatchFailure(op, "integer ReduceL2");
        reduced = post(reduced, [](OpBuilder &nb, Location nl, Value s) {
          return Scalar{nb, nl}.sqrt(s);
        });
      }
      break;
    }
    case ReduceKind::LogSum:
      if (!isFloat(et))
        return rewriter.notifyMatchFailure(op, "integer ReduceLogSum");
      reduced = post(sumOf(identity), [](OpBuilder &nb, Location nl, Value s) {
        return Scalar{nb, nl}.log(s);
      });
      break;
    case ReduceKind::LogSumExp: {
      if (!isFloat(et))
        return rewriter.notifyMatchFailure(op, "integer ReduceLogSumExp");
      // max + ln(sum(e^(x - max))), which does not overflow.
      if (axesInput) {
        reduced = logSumExpRuntimeAxes(b, loc, input, flags);
        break;
      }
      Value max = buildReduce(b, loc, input, {}, axes,
                              Scalar{b, loc, isUnsigned}.extreme(et, true),
                              [](OpBuilder &nb, Location nl, ValueRange a) {
                                return Scalar{nb, nl}.max(a[1], a[0]);
                              });
      int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
      AffineMap keptMap = keptDimsMap(rank, axes, b.getContext());
      Value sum = buildReduce(
          b, loc, {input, max}, {keptMap}, axes, zero(),
          [](OpBuilder &nb, Location nl, ValueRange a) {
            return Scalar{nb, nl}.add(
                a[2], Scalar{nb, nl}.exp(Scalar{nb, nl}.sub(a[0], a[1])));
          });
      auto type = cast<RankedTensorType>(sum.getType());
      AffineMap id = b.getMultiDimIdentityMap(type.getRank());
      reduced = buildParallelGeneric(
          b, loc, {sum, max}, {id, id}, type, buildDynamicDims(b, loc, sum),
          [](OpBuilder &nb, Location nl, ValueRange a) {
            // All -inf: the sum is 0 and the result -inf.
            Value isInf = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, a[1],
                Scalar{nb, nl}.extreme(a[1].getType(), true));
            Value logSum = Scalar{nb, nl}.add(Scalar{nb, nl}.log(a[0]), a[1]);
            return arith::SelectOp::create(nb, nl, isInf, a[1], logSum);
          });
      break;
    }
    }
    rewriter.replaceOp(
        op,
        axesInput
            ? (op.getKeepdims()
                   ? Value(tensor::CastOp::create(b, loc, resultType, reduced))
                   : dropRuntimeUnitDims(b, loc, reduced, flags, resultType))
            : restoreReducedDims(b, loc, reduced, resultType, axes));
    return success();
  }
};

template <typename OpTy, bool IsMax>
struct ArgReduceToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t axis = adaptor.getAxis(), rank = inputType.getRank();
    bool last = adaptor.getSelectLastIndex();
    OpBuilder &b = rewriter;
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        shape.push_back(inputType.getDimSize(d));
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && inputType.isDynamicDim(d))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, d));
    Type et = inputType.getElementType();
    auto valueType = RankedTensorType::get(shape, et);
    auto indexType = RankedTensorType::get(shape, b.getI64Type());
    Value values = linalg::FillOp::create(
                       b, loc, Scalar{b, loc, isUnsigned}.extreme(et, IsMax),
                       buildEmpty(b, loc, valueType, dynamicSizes))
                       .getResult(0);
    Value indices =
        linalg::FillOp::create(
            b, loc, Scalar{b, loc, isUnsigned}.constant(b.getI64Type(), 0),
            buildEmpty(b, loc, indexType, dynamicSizes))
            .getResult(0);
    AffineMap outMap = keptDimsMap(rank, {axis}, b.getContext());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{valueType, indexType}, input,
        ValueRange{values, indices},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap, outMap},
        iterators, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Scalar s{nb, nl, isUnsigned};
          Value x = a[0], best = a[1], bestIndex = a[2];
          Value index = arith::IndexCastOp::create(
              nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, axis));
          arith::CmpFPredicate fp = IsMax ? (last ? arith::CmpFPredicate::OGE
                                                  : arith::CmpFPredicate::OGT)
                                          : (last ? arith::CmpFPredicate::OLE
                                                  : arith::CmpFPredicate::OLT);
          arith::CmpIPredicate ip = IsMax ? (last ? arith::CmpIPredicate::sge
                                                  : arith::CmpIPredicate::sgt)
                                          : (last ? arith::CmpIPredicate::sle
                                                  : arith::CmpIPredicate::slt);
          Value better = s.compare(fp, ip, x, best);
          // The first element always counts (also when it is the extreme).
          Value first =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, index,
                                    s.constant(nb.getI64Type(), 0));
          better = arith::OrIOp::create(nb, nl, better, first);
          linalg::YieldOp::create(
              nb, nl,
              ValueRange{
                  arith::SelectOp::create(nb, nl, better, x, best),
                  arith::SelectOp::create(nb, nl, better, index, bestIndex)});
        });
    rewriter.replaceOp(op, restoreReducedDims(b, loc, generic.getResult(1),
                                              resultType, {axis}));
    return success();
  }
};

template <typename OpTy, bool IsLog>
struct SoftmaxToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    if (type.getRank() == 0) {
      // Softmax of a scalar is 1 (log: 0).
      rewriter.replaceOp(
          op,
          buildMapped(
              rewriter, loc, x, {rewriter.getMultiDimIdentityMap(0)},
              type.getElementType(),
              [](OpBuilder &nb, Location nl, ValueRange a) {
                return Scalar{nb, nl}.constant(a[0].getType(), IsLog ? 0 : 1);
              }));
      return success();
    }
    int64_t axis = adaptor.getAxis(), rank = type.getRank();
    OpBuilder &b = rewriter;
    Type et = type.getElementType();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(rank, {axis}, b.getContext());
    Value max =
        buildReduce(b, loc, x, {}, {axis}, Scalar{b, loc}.extreme(et, true),
                    [](OpBuilder &nb, Location nl, ValueRange a) {
                      return Scalar{nb, nl}.max(a[1], a[0]);
                    });
    // e = exp(x - max), sum = sum(e).
    Value sum = buildReduce(
        b, loc, {x, max}, {kept}, {axis}, Scalar{b, loc}.constant(et, 0),
        [](OpBuilder &nb, Location nl, ValueRange a) {
          return Scalar{nb, nl}.add(
              a[2], Scalar{nb, nl}.exp(Scalar{nb, nl}.sub(a[0], a[1])));
        });
    Value result = buildMapped(
        b, loc, {x, max, sum}, {id, kept, kept}, et,
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value shifted = Scalar{nb, nl}.sub(a[0], a[1]);
          if (IsLog)
            return Scalar{nb, nl}.sub(shifted, Scalar{nb, nl}.log(a[2]));
          return Scalar{nb, nl}.div(Scalar{nb, nl}.exp(shifted), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchNormToLinalg : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx);
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    float epsilon = adaptor.getEpsilon().convertToFloat();
    Value result = buildMapped(
        rewriter, loc,
        {adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
         adaptor.getMean(), adaptor.getVariance()},
        {id, channel, channel, channel, channel}, type.getElementType(),
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Scalar s{nb, nl};
          Value eps = s.constant(a[0].getType(), epsilon);
          Value inv = s.sqrt(s.add(a[4], eps));
          Value normalized = s.div(s.sub(a[0], a[3]), inv);
          return s.add(s.mul(normalized, a[1]), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Layer and RMS normalization over dims [axis, rank), with statistics in
/// `accType`: y = (x - mean) * invStd * scale + bias (no mean for RMS).
/// Returns y and the reduced mean (null for RMS) and inverse deviation.
static std::tuple<Value, Value, Value>
buildNormalization(OpBuilder &b, Location loc, Value x, int64_t axis,
                   float epsilon, Value scale, Value bias, bool centered,
                   Type accType) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  Type et = type.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap kept = keptDimsMap(rank, axes, b.getContext());
  auto widen = [accType](OpBuilder &nb, Location nl, Value v) -> Value {
    return v.getType() == accType ? v
                                  : arith::ExtFOp::create(nb, nl, accType, v);
  };
  Value count = buildCount(b, loc, x, axes, accType);
  Value zero = Scalar{b, loc}.constant(accType, 0);
  Value mean;
  if (centered) {
    Value sum = buildReduce(b, loc, x, {}, axes, zero,
                            [&](OpBuilder &nb, Location nl, ValueRange a) {
                              Scalar s{nb, nl};
                              return s.add(a[1], widen(nb, nl, a[0]));
                            });
    auto statsType = cast<RankedTensorType>(sum.getType());
    mean = buildParallelGeneric(b, loc, sum,
                                {b.getMultiDimIdentityMap(statsType.getRank())},
                                statsType, buildDynamicDims(b, loc, sum),
                                [&](OpBuilder &nb, Location nl, ValueRange a) {
                                  Scalar s{nb, nl};
                                  return s.div(a[0], count);
                                });
  }
  SmallVector<Value> sqInputs = {x};
  SmallVector<AffineMap> sqMaps;
  if (mean) {
    sqInputs.push_back(mean);
    sqMaps.push_back(kept);
  }
  Value squares = buildReduce(b, loc, sqInputs, sqMaps, axes, zero,
                              [&](OpBuilder &nb, Location nl, ValueRange a) {
                                Scalar s{nb, nl};
                                Value v = widen(nb, nl, a[0]);
                                if (a.size() > 2)
                                  v = s.sub(v, a[1]);
                                return s.add(a.back(), s.mul(v, v));
                              });
  auto statsType = cast<RankedTensorType>(squares.getType());
  Value invStd = buildParallelGeneric(
      b, loc, squares, {b.getMultiDimIdentityMap(statsType.getRank())},
      statsType, buildDynamicDims(b, loc, squares),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Scalar s{nb, nl};
        Value var = s.div(a[0], count);
        Value eps = s.constant(accType, epsilon);
        return s.div(s.constant(accType, 1), s.sqrt(s.add(var, eps)));
      });
  SmallVector<Value> inputs = {x, invStd, scale};
  SmallVector<AffineMap> maps = {
      id, kept, getBroadcastMap(cast<RankedTensorType>(scale.getType()), type)};
  if (mean) {
    inputs.push_back(mean);
    maps.push_back(kept);
  }
  int64_t biasIndex = inputs.size();
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(
        getBroadcastMap(cast<RankedTensorType>(bias.getType()), type));
  }
  Value y = buildMapped(
      b, loc, inputs, maps, et, [&](OpBuilder &nb, Location nl, ValueRange a) {
        Scalar s{nb, nl};
        Value v = widen(nb, nl, a[0]);
        if (mean)
          v = s.sub(v, a[3]);
        v = s.mul(s.mul(v, a[1]), widen(nb, nl, a[2]));
        if (bias)
          v = s.add(v, widen(nb, nl, a[biasIndex]));
        return v.getType() == et
                   ? v
                   : Value(arith::TruncFOp::create(nb, nl, et, v));
      });
  return {y, mean, invStd};
}

struct LayerNormToLinalg : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto statsType = cast<RankedTensorType>(op.getMean().getType());
    auto [y, mean, invStd] =
        buildNormalization(rewriter, loc, adaptor.getInput(), adaptor.getAxis(),
                           adaptor.getEpsilon().convertToFloat(),
                           adaptor.getScale(), adaptor.getBias(),
                           /*centered=*/true, statsType.getElementType());
    SmallVector<int64_t> axes;
    for (int64_t d = adaptor.getAxis(); d < statsType.getRank(); ++d)
      axes.push_back(d);
    rewriter.replaceOp(
        op, {y, restoreReducedDims(rewriter, loc, mean, statsType, axes),
             restoreReducedDims(rewriter, loc, invStd, statsType, axes)});
    return success();
  }
};

struct RmsNormToLinalg : OpConversionPattern<RmsNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RmsNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto [y, mean, invStd] = buildNormalization(
        rewriter, op.getLoc(), adaptor.getInput(), adaptor.getAxis(),
        adaptor.getEpsilon().convertToFloat(), adaptor.getScale(), Value(),
        /*centered=*/false, rewriter.getF32Type());
    (void)mean;
    (void)invStd;
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Cumulative sums and products: along a known axis, one generic whose
/// extra reduction loop k combines the elements before (or after) each
/// position; along an axis known at run time, one such generic per axis
/// under scf.if's on its value.
template <typename OpTy, bool IsProduct>
struct CumulativeToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    auto along = [&](OpBuilder &b, int64_t axis) -> Value {
      return cumulative(b, loc, x, axis, op.getExclusive(), op.getReverse(),
                        isUnsigned);
    };
    Value axisInput = adaptor.getAxisInput();
    if (!axisInput) {
      rewriter.replaceOp(op, along(rewriter, op.getAxis()));
      return success();
    }
    // The axis's value, negative from the end, as i64.
    auto axisType = cast<RankedTensorType>(axisInput.getType());
    SmallVector<Value> zeros(axisType.getRank(),
                             arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value axis = tensor::ExtractOp::create(rewriter, loc, axisInput, zeros);
    Type i64 = rewriter.getI64Type();
    if (axis.getType() != i64)
      axis = arith::ExtSIOp::create(rewriter, loc, i64, axis);
    auto c = [&](OpBuilder &b, int64_t v) -> Value {
      return arith::ConstantIntOp::create(b, loc, i64, v);
    };
    Value negative = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::slt, axis, c(rewriter, 0));
    axis = arith::SelectOp::create(
        rewriter, loc, negative,
        arith::AddIOp::create(rewriter, loc, axis, c(rewriter, rank)), axis);
    // if axis == 0 ... else if axis == 1 ... else the last axis.
    std::function<Value(OpBuilder &, int64_t)> chain = [&](OpBuilder &b,
                                                           int64_t d) -> Value {
      if (d == rank - 1)
        return along(b, d);
      Value is = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, axis,
                                       c(b, d));
      auto branch = scf::IfOp::create(b, loc, TypeRange{type}, is,
                                      /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(branch.thenBlock());
      scf::YieldOp::create(b, loc, ValueRange{along(b, d)});
      b.setInsertionPointToStart(branch.elseBlock());
      scf::YieldOp::create(b, loc, ValueRange{chain(b, d + 1)});
      return branch.getResult(0);
    };
    rewriter.replaceOp(op, chain(rewriter, 0));
    return success();
  }

  /// loops (i_0 .. i_{r-1}, k): y[i] += x[i with i_axis = k] (*= for
  /// products) where k is before i_axis (after it when `reverse`; equal
  /// counts unless `exclusive`).
  static Value cumulative(OpBuilder &b, Location loc, Value x, int64_t axis,
                          bool exclusive, bool reverse, bool isUnsigned) {
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> in, out;
    for (int64_t d = 0; d < rank; ++d) {
      out.push_back(getAffineDimExpr(d, ctx));
      in.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    }
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Type et = type.getElementType();
    Value init = linalg::FillOp::create(
                     b, loc, Scalar{b, loc}.constant(et, IsProduct ? 1 : 0),
                     buildEmpty(b, loc, type, buildDynamicDims(b, loc, x)))
                     .getResult(0);
    arith::CmpIPredicate pred = reverse
                                    ? (exclusive ? arith::CmpIPredicate::ugt
                                                 : arith::CmpIPredicate::uge)
                                    : (exclusive ? arith::CmpIPredicate::ult
                                                 : arith::CmpIPredicate::ule);
    return linalg::GenericOp::create(
               b, loc, type, x, init,
               ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, in, ctx),
                                   AffineMap::get(rank + 1, 0, out, ctx)},
               iterators,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Scalar s{nb, nl, isUnsigned};
                 Value k = linalg::IndexOp::create(nb, nl, rank);
                 Value i = linalg::IndexOp::create(nb, nl, axis);
                 Value counts = arith::CmpIOp::create(nb, nl, pred, k, i);
                 Value term =
                     s.select(counts, a[0],
                              s.constant(a[0].getType(), IsProduct ? 1 : 0));
                 linalg::YieldOp::create(
                     nb, nl, IsProduct ? s.mul(a[1], term) : s.add(a[1], term));
               })
        .getResult(0);
  }
};

/// Trilu: a generic that keeps (i, j) where j - i >= k (upper) or <= k.
struct TriluToLinalg : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    bool upper = adaptor.getUpper();
    Location loc = op.getLoc();
    Value k;
    if (Value kInput = adaptor.getKInput()) {
      auto kType = cast<RankedTensorType>(kInput.getType());
      SmallVector<Value> zeros(
          kType.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
      k = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          tensor::ExtractOp::create(rewriter, loc, kInput, zeros));
    } else {
      k = arith::ConstantIndexOp::create(rewriter, loc, adaptor.getK());
    }
    Value result = buildMapped(
        rewriter, op.getLoc(), x, {rewriter.getMultiDimIdentityMap(rank)},
        type.getElementType(),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Scalar s{nb, nl};
          Value i = linalg::IndexOp::create(nb, nl, rank - 2);
          Value j = linalg::IndexOp::create(nb, nl, rank - 1);
          Value diff = arith::SubIOp::create(nb, nl, j, i);
          Value keep = arith::CmpIOp::create(nb, nl,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diff, k);
          return arith::SelectOp::create(nb, nl, keep, a[0],
                                         s.constant(a[0].getType(), 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// LRN: the sum of squares over a channel window (zero-padded), then
/// x / (bias + alpha / size * sum)^beta, computed in f32.
struct LrnToLinalg : OpConversionPattern<LrnOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LrnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank(), size = adaptor.getSize();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Type et = type.getElementType();
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0)),
        high(rank, b.getIndexAttr(0));
    low[1] = b.getIndexAttr(before);
    high[1] = b.getIndexAttr(after);
    Value padded = tensor::PadOp::create(b, loc, Type(), x, low, high,
                                         Scalar{b, loc}.constant(et, 0));
    // Loops: the result dims, then the window (reduction).
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr e = getAffineDimExpr(d, ctx);
      inExprs.push_back(d == 1 ? e + getAffineDimExpr(rank, ctx) : e);
      outExprs.push_back(e);
    }
    Type f32 = b.getF32Type();
    auto sumType = RankedTensorType::get(type.getShape(), f32);
    Value init = linalg::FillOp::create(
                     b, loc, Scalar{b, loc}.constant(f32, 0),
                     buildEmpty(b, loc, sumType, buildDynamicDims(b, loc, x)))
                     .getResult(0);
    Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{size}, et);
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    Value sums =
        linalg::GenericOp::create(
            b, loc, sumType, ValueRange{padded, window}, init,
            ArrayRef<AffineMap>{
                AffineMap::get(rank + 1, 0, inExprs, ctx),
                AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx), ctx),
                AffineMap::get(rank + 1, 0, outExprs, ctx)},
            iterators,
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Scalar s{nb, nl};
              Value v = a[0].getType() == f32
                            ? a[0]
                            : Value(arith::ExtFOp::create(nb, nl, f32, a[0]));
              linalg::YieldOp::create(nb, nl, s.add(a[2], s.mul(v, v)));
            })
            .getResult(0);
    float alpha = adaptor.getAlpha().convertToFloat(),
          beta = adaptor.getBeta().convertToFloat(),
          bias = adaptor.getBias().convertToFloat();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    Value result = buildMapped(
        b, loc, {x, sums}, {id, id}, et,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Scalar s{nb, nl};
          Value v = a[0].getType() == f32
                        ? a[0]
                        : Value(arith::ExtFOp::create(nb, nl, f32, a[0]));
          Value base = s.add(s.constant(f32, bias),
                             s.mul(s.constant(f32, alpha / size), a[1]));
          Value denom =
              math::PowFOp::create(nb, nl, base, s.constant(f32, beta));
          Value r = s.div(v, denom);
          return r.getType() == et
                     ? r
                     : Value(arith::TruncFOp::create(nb, nl, et, r));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// MaxPool and AveragePool over any number of spatial dims; with `Indices`
/// (MaxPool's Indices output) the reduction also carries where the first
/// maximum of each window is, as a flat index into the unpadded input.
template <typename OpTy, bool IsMax, bool Indices = false>
struct PoolToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    int64_t rank = inputType.getRank(), spatial = rank - 2;
    ArrayRef<int64_t> kernel = adaptor.getKernel(),
                      strides = adaptor.getStrides(),
                      dilations = adaptor.getDilations(),
                      pads = adaptor.getPads();
    bool dynamicSpatial = false;
    for (int64_t d = 2; d < rank; ++d)
      dynamicSpatial |= inputType.isDynamicDim(d);
    bool anyPads = llvm::any_of(pads, [](int64_t p) { return p != 0; });
    // ceil_mode's extra padding and per-position averaging counts are
    // computed at compile time, which needs the sizes.
    if (dynamicSpatial && (adaptor.getCeilMode() || (!IsMax && anyPads)))
      return op.emitOpError("cannot be lowered yet: ceil_mode or padded "
                            "averaging on dynamic spatial dims");
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Type et = inputType.getElementType();

    // Pad explicitly, plus what ceil_mode's last window reaches past that.
    SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
        high(2, b.getIndexAttr(0));
    bool padded = false;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t size = inputType.getDimSize(i + 2);
      int64_t span = dilations[i] * (kernel[i] - 1) + 1;
      int64_t out = resultType.getDimSize(i + 2);
      int64_t extra =
          dynamicSpatial
              ? 0
              : std::max<int64_t>(0, (out - 1) * strides[i] + span -
                                         (size + pads[i] + pads[i + spatial]));
      low.push_back(b.getIndexAttr(pads[i]));
      high.push_back(b.getIndexAttr(pads[i + spatial] + extra));
      padded |= pads[i] || pads[i + spatial] || extra;
    }
    if (padded)
      input = tensor::PadOp::create(
          b, loc, Type(), input, low, high,
          IsMax ? Scalar{b, loc, isUnsigned}.extreme(et, true)
                : Scalar{b, loc, isUnsigned}.constant(et, 0));

    // Loops: n, c, o_1..o_s (parallel), k_1..k_s (reduction).
    int64_t numLoops = 2 + 2 * spatial;
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> inExprs = {dim(0), dim(1)},
                            outExprs = {dim(0), dim(1)}, windowExprs;
    for (int64_t i = 0; i < spatial; ++i) {
      inExprs.push_back(dim(2 + i) * strides[i] +
                        dim(2 + spatial + i) * dilations[i]);
      outExprs.push_back(dim(2 + i));
      windowExprs.push_back(dim(2 + spatial + i));
    }
    Value window = tensor::EmptyOp::create(b, loc, kernel, et);
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      Value size = tensor::DimOp::create(b, loc, adaptor.getInput(), d);
      dynamicSizes.push_back(
          d < 2 ? size
                : buildWindowExtent(b, loc, size, b.getIndexAttr(kernel[d - 2]),
                                    strides[d - 2], dilations[d - 2],
                                    pads[d - 2], pads[d - 2 + spatial]));
    }
    auto valueType = resultType.clone(et);
    Value init = linalg::FillOp::create(
                     b, loc,
                     IsMax ? Scalar{b, loc, isUnsigned}.extreme(et, true)
                           : Scalar{b, loc, isUnsigned}.constant(et, 0),
                     buildEmpty(b, loc, valueType, dynamicSizes))
                     .getResult(0);
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::parallel);
    for (int64_t i = 0; i < spatial; ++i)
      iterators[2 + spatial + i] = utils::IteratorType::reduction;
    if constexpr (Indices) {
      rewriter.replaceOp(
          op, buildArgmax(b, loc, op, input, window, init, dynamicSizes,
                          AffineMap::get(numLoops, 0, inExprs, ctx),
                          AffineMap::get(numLoops, 0, windowExprs, ctx),
                          AffineMap::get(numLoops, 0, outExprs, ctx), iterators,
                          isUnsigned));
      return success();
    }
    Value pooled =
        linalg::GenericOp::create(
            b, loc, resultType, ValueRange{input, window}, init,
            ArrayRef<AffineMap>{AffineMap::get(numLoops, 0, inExprs, ctx),
                                AffineMap::get(numLoops, 0, windowExprs, ctx),
                                AffineMap::get(numLoops, 0, outExprs, ctx)},
            iterators,
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl,
                                      IsMax ? Scalar{nb, nl}.max(a[2], a[0])
                                            : Scalar{nb, nl}.add(a[2], a[0]));
            })
            .getResult(0);
    if constexpr (!IsMax) {
      pooled = divideByWindowCounts(b, loc, op, pooled, inputType, resultType);
    }
    rewriter.replaceOp(op, pooled);
    return success();
  }

  /// The windows' (first) maxima and their flat indices into the unpadded
  /// input: row-major, or with the spatial dims reversed (column-major).
  static Value buildArgmax(OpBuilder &b, Location loc, OpTy op, Value input,
                           Value window, Value valueInit,
                           ValueRange dynamicSizes, AffineMap inMap,
                           AffineMap windowMap, AffineMap outMap,
                           ArrayRef<utils::IteratorType> iterators,
                           bool isUnsigned) {
    auto indexType = cast<RankedTensorType>(op.getType());
    Value original = op->getOperand(0);
    int64_t rank = indexType.getRank(), spatial = rank - 2;
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads();
    bool columnMajor = false;
    if constexpr (Indices)
      columnMajor = op.getColumnMajor();
    SmallVector<Value> sizes;
    for (int64_t d = 1; d < rank; ++d)
      sizes.push_back(b.createOrFold<tensor::DimOp>(loc, original, d));
    Value indexInit =
        linalg::FillOp::create(
            b, loc,
            arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0).getResult(),
            buildEmpty(b, loc, indexType, dynamicSizes))
            .getResult(0);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{valueInit.getType(), indexType},
        ValueRange{input, window}, ValueRange{valueInit, indexInit},
        ArrayRef<AffineMap>{inMap, windowMap, outMap, outMap}, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Scalar s{nb, nl, isUnsigned};
          Value greater = s.compare(arith::CmpFPredicate::OGT,
                                    arith::CmpIPredicate::sgt, a[0], a[2]);
          auto c = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(nb, nl, v);
          };
          auto mul = [&](Value x, Value y) -> Value {
            return arith::MulIOp::create(nb, nl, x, y);
          };
          auto add = [&](Value x, Value y) -> Value {
            return arith::AddIOp::create(nb, nl, x, y);
          };
          // Flat index: (n * C + c) * prod(S) + the spatial position.
          Value flat = add(mul(linalg::IndexOp::create(nb, nl, 0), sizes[0]),
                           linalg::IndexOp::create(nb, nl, 1));
          SmallVector<Value> positions;
          for (int64_t i = 0; i < spatial; ++i) {
            Value o = linalg::IndexOp::create(nb, nl, 2 + i);
            Value k = linalg::IndexOp::create(nb, nl, 2 + spatial + i);
            positions.push_back(arith::SubIOp::create(
                nb, nl, add(mul(o, c(strides[i])), mul(k, c(dilations[i]))),
                c(pads[i])));
          }
          SmallVector<int64_t> order =
              llvm::to_vector(llvm::seq<int64_t>(0, spatial));
          if (columnMajor)
            std::reverse(order.begin(), order.end());
          for (int64_t i : order)
            flat = add(mul(flat, sizes[1 + i]), positions[i]);
          Value at = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), flat);
          linalg::YieldOp::create(nb, nl,
                                  ValueRange{s.select(greater, a[0], a[2]),
                                             s.select(greater, at, a[3])});
        });
    return generic.getResult(1);
  }

  /// Average: divides each sum by the number of window positions that count
  /// (inside the input, or also in the explicit padding with
  /// count_include_pad; never in ceil_mode's extra padding).
  static Value divideByWindowCounts(OpBuilder &b, Location loc, OpTy op,
                                    Value sums, RankedTensorType inputType,
                                    RankedTensorType resultType) {
    int64_t spatial = inputType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    Type et = resultType.getElementType();
    if (!resultType.hasStaticShape()) {
      // Unpadded windows without ceil_mode all hold the whole kernel.
      int64_t window = 1;
      for (int64_t k : kernel)
        window *= k;
      Value count = Scalar{b, loc}.constant(et, window);
      return buildMapped(b, loc, sums,
                         {b.getMultiDimIdentityMap(resultType.getRank())}, et,
                         [&](OpBuilder &nb, Location nl, ValueRange a) {
                           Scalar s{nb, nl};
                           return s.div(a[0], count);
                         });
    }
    bool includePad = false;
    if constexpr (std::is_same_v<OpTy, AveragePoolOp>)
      includePad = op.getCountIncludePad();
    SmallVector<int64_t> outShape(resultType.getShape().drop_front(2));
    SmallVector<SmallVector<int64_t>> perDim(spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t size = inputType.getDimSize(i + 2);
      int64_t lo = includePad ? -pads[i] : 0;
      int64_t hi = includePad ? size + pads[i + spatial] : size;
      for (int64_t o = 0; o < outShape[i]; ++o) {
        int64_t count = 0;
        for (int64_t k = 0; k < kernel[i]; ++k) {
          int64_t at = o * strides[i] + k * dilations[i] - pads[i];
          count += at >= lo && at < hi;
        }
        perDim[i].push_back(std::max<int64_t>(count, 1));
      }
    }
    SmallVector<Attribute> counts;
    SmallVector<int64_t> index(spatial, 0);
    int64_t total = 1;
    for (int64_t e : outShape)
      total *= e;
    for (int64_t n = 0; n < total; ++n) {
      int64_t c = 1;
      for (int64_t i = 0; i < spatial; ++i)
        c *= perDim[i][index[i]];
      counts.push_back(isFloat(et) ? Attribute(b.getFloatAttr(et, c))
                                   : Attribute(b.getIntegerAttr(et, c)));
      for (int64_t i = spatial - 1; i >= 0; --i) {
        if (++index[i] < outShape[i])
          break;
        index[i] = 0;
      }
    }
    Value countTensor = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(outShape, et), counts));
    int64_t rank = resultType.getRank();
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> spatialExprs;
    for (int64_t i = 0; i < spatial; ++i)
      spatialExprs.push_back(getAffineDimExpr(2 + i, ctx));
    return buildMapped(b, loc, {sums, countTensor},
                       {b.getMultiDimIdentityMap(rank),
                        AffineMap::get(rank, 0, spatialExprs, ctx)},
                       et, [](OpBuilder &nb, Location nl, ValueRange a) {
                         return Scalar{nb, nl}.div(a[0], a[1]);
                       });
  }
};
} // namespace

namespace {
/// TopK as one sequential selection per slice, on buffers: each element in
/// turn is inserted into the sorted list of the best k seen so far, those it
/// beats shifting down one place (O(n k) per slice, and strict comparisons
/// keep the lower index first among equals). The results are fresh buffers
/// handed back as tensors.
struct TopKToLinalg : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto valuesType =
        cast<RankedTensorType>(toSignless(op.getValues().getType()));
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t rank = inputType.getRank(), axis = adaptor.getAxis();
    bool largest = adaptor.getLargest();
    Scalar s{rewriter, loc, isUnsignedElement(op.getInput().getType())};
    MLIRContext *ctx = rewriter.getContext();

    // The input as a buffer of any layout, read only.
    SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
    auto inputBufferType = MemRefType::get(
        inputType.getShape(), inputType.getElementType(),
        StridedLayoutAttr::get(ctx, ShapedType::kDynamic, strides));
    Value input = bufferization::ToBufferOp::create(
        rewriter, loc, inputBufferType, adaptor.getInput(), /*readOnly=*/true);

    // k, and the result buffers.
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value k = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(),
        tensor::ExtractOp::create(rewriter, loc, adaptor.getK(), zero));
    SmallVector<Value> sizes, dynamicSizes;
    for (int64_t i = 0; i < rank; ++i) {
      Value size = i == axis ? k
                             : tensor::DimOp::create(rewriter, loc,
                                                     adaptor.getInput(), i)
                                   .getResult();
      sizes.push_back(size);
      if (valuesType.isDynamicDim(i))
        dynamicSizes.push_back(size);
    }
    Value extent =
        tensor::DimOp::create(rewriter, loc, adaptor.getInput(), axis);
    auto bufferOf = [](RankedTensorType type) {
      return MemRefType::get(type.getShape(), type.getElementType());
    };
    Value values = memref::AllocOp::create(rewriter, loc, bufferOf(valuesType),
                                           dynamicSizes);
    Value indices = memref::AllocOp::create(
        rewriter, loc, bufferOf(indicesType), dynamicSizes);

    // One selection per position of the other dims.
    SmallVector<Value> lbs(rank, zero), steps(rank, one), ubs(sizes);
    ubs[axis] = one;
    scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps,
        [&](OpBuilder &b, Location l, ValueRange outer) {
          SmallVector<Value> at(outer);
          auto better = [&](Value x, Value y) {
            Scalar t{b, l, s.isUnsigned};
            return largest ? t.compare(arith::CmpFPredicate::OGT,
                                       arith::CmpIPredicate::sgt, x, y)
                           : t.compare(arith::CmpFPredicate::OLT,
                                       arith::CmpIPredicate::slt, x, y);
          };
          auto indexed = [&](Value position) {
            SmallVector<Value> where(at);
            where[axis] = position;
            return where;
          };
          auto loop =
              scf::ForOp::create(b, l, zero, extent, one, ValueRange{zero});
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          Value i = loop.getInductionVar();
          Value count = loop.getRegionIterArg(0);
          Value v = memref::LoadOp::create(b, l, input, indexed(i));

          // j walks up from the end of the kept list past those v beats.
          auto walk = scf::WhileOp::create(b, l, b.getIndexType(), count);
          Block *before =
              b.createBlock(&walk.getBefore(), {}, b.getIndexType(), l);
          Value j = before->getArgument(0);
          Value positive =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, j, zero);
          auto beats = scf::IfOp::create(
              b, l, positive,
              [&](OpBuilder &nb, Location nl) {
                Value prev = arith::SubIOp::create(nb, nl, j, one);
                Value kept =
                    memref::LoadOp::create(nb, nl, values, indexed(prev));
                scf::YieldOp::create(nb, nl, better(v, kept));
              },
              [&](OpBuilder &nb, Location nl) {
                scf::YieldOp::create(
                    nb, nl,
                    arith::ConstantIntOp::create(nb, nl, 0, 1).getResult());
              });
          scf::ConditionOp::create(b, l, beats.getResult(0), j);

          Block *after =
              b.createBlock(&walk.getAfter(), {}, b.getIndexType(), l);
          j = after->getArgument(0);
          Value prev = arith::SubIOp::create(b, l, j, one);
          Value inside =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, k);
          scf::IfOp::create(b, l, inside, [&](OpBuilder &nb, Location nl) {
            for (Value buffer : {values, indices}) {
              Value moved =
                  memref::LoadOp::create(nb, nl, buffer, indexed(prev));
              memref::StoreOp::create(nb, nl, moved, buffer, indexed(j));
            }
            scf::YieldOp::create(nb, nl);
          });
          scf::YieldOp::create(b, l, prev);

          // v lands at j if that is within the k kept.
          b.setInsertionPointAfter(walk);
          j = walk.getResult(0);
          inside = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, k);
          scf::IfOp::create(b, l, inside, [&](OpBuilder &nb, Location nl) {
            memref::StoreOp::create(nb, nl, v, values, indexed(j));
            Value position =
                arith::IndexCastOp::create(nb, nl, nb.getI64Type(), i);
            memref::StoreOp::create(nb, nl, position, indices, indexed(j));
            scf::YieldOp::create(nb, nl);
          });
          Value next = arith::MinUIOp::create(
              b, l, arith::AddIOp::create(b, l, count, one), k);
          scf::YieldOp::create(b, l, next);
        });

    auto asTensor = [&](Value buffer, RankedTensorType type) -> Value {
      return bufferization::ToTensorOp::create(rewriter, loc, type, buffer,
                                               /*restrict=*/true,
                                               /*writable=*/true);
    };
    rewriter.replaceOp(
        op, {asTensor(values, valuesType), asTensor(indices, indicesType)});
    return success();
  }
};
} // namespace

namespace {
/// Scatter on buffers: a copy of data, then a loop nest over the updates in
/// order (so later updates win) storing each, combined with what is there
/// for a reduction, at its destination: its own position with dim `axis`
/// replaced by its index (elements), or the position the last dim of
/// indices gives, followed by the update's trailing dims (nd). An update
/// whose index is out of range fails the run and is not stored.
struct ScatterToLinalg : OpConversionPattern<ScatterOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    auto dataType = cast<RankedTensorType>(data.getType());
    int64_t rank = dataType.getRank();
    bool isUnsigned = isUnsignedElement(op.getData().getType());
    auto anyLayout = [&](RankedTensorType type) {
      SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
      return MemRefType::get(
          type.getShape(), type.getElementType(),
          StridedLayoutAttr::get(ctx, ShapedType::kDynamic, strides));
    };
    auto readOnly = [&](Value v) -> Value {
      return bufferization::ToBufferOp::create(
          rewriter, loc, anyLayout(cast<RankedTensorType>(v.getType())), v,
          /*readOnly=*/true);
    };
    Value dataBuffer = readOnly(data), indexBuffer = readOnly(indices),
          updateBuffer = readOnly(updates);
    Value out = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get(dataType.getShape(), dataType.getElementType()),
        buildDynamicDims(rewriter, loc, data));
    memref::CopyOp::create(rewriter, loc, dataBuffer, out);

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto updatesType = cast<RankedTensorType>(updates.getType());
    SmallVector<Value> lbs(updatesType.getRank(), zero),
        steps(updatesType.getRank(), one),
        ubs = buildDims(rewriter, loc, updates);
    SmallVector<Value> dataDims = buildDims(rewriter, loc, data);
    StringRef reduction = adaptor.getReduction();
    int64_t axis = adaptor.getAxis();
    bool nd = adaptor.getNd();
    // ND: the last dim of indices (k entries) addresses data's first k
    // dims; the ranks give k.
    int64_t q =
        nd ? cast<RankedTensorType>(indices.getType()).getRank() - 1 : 0;
    int64_t k = nd ? q + rank - updatesType.getRank() : 0;
    scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps,
        [&](OpBuilder &b, Location l, ValueRange at) {
          // An index read as `index`, wrapped once if negative; `inside`
          // gathers whether each is within its dim.
          Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
          auto readIndex = [&](ValueRange where, int64_t dim) -> Value {
            Value v = memref::LoadOp::create(b, l, indexBuffer, where);
            v = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
            Value negative =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v, zero);
            v = arith::SelectOp::create(
                b, l, negative, arith::AddIOp::create(b, l, v, dataDims[dim]),
                v);
            Value fits = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, v, zero),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v,
                                      dataDims[dim]));
            inside = arith::AndIOp::create(b, l, inside, fits);
            return v;
          };
          SmallVector<Value> dest;
          if (!nd) {
            dest.assign(at.begin(), at.end());
            dest[axis] = readIndex(at, axis);
          } else {
            SmallVector<Value> where(at.take_front(q));
            for (int64_t j = 0; j < k; ++j) {
              where.push_back(arith::ConstantIndexOp::create(b, l, j));
              dest.push_back(readIndex(where, j));
              where.pop_back();
            }
            llvm::append_range(dest, at.drop_front(q));
          }
          // An index out of range fails the run and writes nothing.
          buildRunCheck(b, l, inside, indexRangeMessage(loc));
          scf::IfOp::create(b, l, inside, [&](OpBuilder &ib, Location il) {
            Value value = memref::LoadOp::create(ib, il, updateBuffer, at);
            if (reduction != "none") {
              Scalar s{ib, il, isUnsigned};
              Value old = memref::LoadOp::create(ib, il, out, dest);
              value = reduction == "add"   ? s.add(old, value)
                      : reduction == "mul" ? s.mul(old, value)
                      : reduction == "max" ? s.max(old, value)
                                           : s.min(old, value);
            }
            memref::StoreOp::create(ib, il, value, out, dest);
            scf::YieldOp::create(ib, il);
          });
        });
    rewriter.replaceOp(op, bufferization::ToTensorOp::create(
                               rewriter, loc, dataType, out, /*restrict=*/true,
                               /*writable=*/true));
    return success();
  }

  /// Every dim of `value` as an index.
  static SmallVector<Value> buildDims(OpBuilder &b, Location loc, Value value) {
    SmallVector<Value> dims;
    for (int64_t d = 0; d < cast<RankedTensorType>(value.getType()).getRank();
         ++d)
      dims.push_back(b.createOrFold<tensor::DimOp>(loc, value, d));
    return dims;
  }
};
} // namespace

void mlir::aic::populateReductionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<
      ReduceToLinalg<ReduceSumOp, ReduceKind::Sum>,
      ReduceToLinalg<ReduceMeanOp, ReduceKind::Mean>,
      ReduceToLinalg<ReduceMaxOp, ReduceKind::Max>,
      ReduceToLinalg<ReduceMinOp, ReduceKind::Min>,
      ReduceToLinalg<ReduceProdOp, ReduceKind::Prod>,
      ReduceToLinalg<ReduceL1Op, ReduceKind::L1>,
      ReduceToLinalg<ReduceL2Op, ReduceKind::L2>,
      ReduceToLinalg<ReduceSumSquareOp, ReduceKind::SumSquare>,
      ReduceToLinalg<ReduceLogSumOp, ReduceKind::LogSum>,
      ReduceToLinalg<ReduceLogSumExpOp, ReduceKind::LogSumExp>,
      ArgReduceToLinalg<ArgMaxOp, true>, ArgReduceToLinalg<ArgMinOp, false>,
      TopKToLinalg, ScatterToLinalg, SoftmaxToLinalg<SoftmaxOp, false>,
      SoftmaxToLinalg<LogSoftmaxOp, true>, BatchNormToLinalg, LayerNormToLinalg,
      RmsNormToLinalg, TriluToLinalg, CumulativeToLinalg<CumSumOp, false>,
      CumulativeToLinalg<CumProdOp, true>, LrnToLinalg,
      PoolToLinalg<MaxPoolOp, true>, PoolToLinalg<AveragePoolOp, false>,
      PoolToLinalg<MaxPoolIndicesOp, true, true>>(converter, context);
}
