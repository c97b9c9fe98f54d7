//===- ContractionToLinalg.cpp - MatMul, Gemm and Conv to linalg ----------===//
//
// MatMul and Gemm become zero-filled generic contractions whose indexing
// maps encode broadcasting and transposes (the codegen pipeline specializes
// them to named ops where they match); Conv becomes the named linalg
// convolution of its rank, grouped through NGCHW where group > 1, with its
// padding as tensor.pad and its bias as the accumulator's initial value.
// ConvTranspose becomes a Conv of its upsampled input.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/AicToLinalg/Scalar.h"
#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;
using namespace mlir::aic;

/// sum += lhs * rhs for the element type.
static Value buildMultiplyAccumulate(OpBuilder &b, Location loc, Value lhs,
                                     Value rhs, Value acc) {
  if (isa<FloatType>(acc.getType())) {
    Value product = arith::MulFOp::create(b, loc, lhs, rhs);
    return arith::AddFOp::create(b, loc, acc, product);
  }
  Value product = arith::MulIOp::create(b, loc, lhs, rhs);
  return arith::AddIOp::create(b, loc, acc, product);
}

/// The 8-bit `v` widened to i32, zero-extended where `isUnsigned` (its aic
/// type's signedness), else sign-extended.
static Value widenToI32(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type i32 = b.getI32Type();
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, i32, v);
  return arith::ExtSIOp::create(b, loc, i32, v);
}

/// The type to accumulate `elementType` products in: f32 for 16-bit floats.
static Type getAccumulatorType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

/// `value` with its elements rounded to `elementType` (a no-op when they
/// already are).
static Value truncateTo(OpBuilder &b, Location loc, Value value,
                        Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  auto resultType = RankedTensorType::get(type.getShape(), elementType);
  return buildParallelGeneric(
      b, loc, value, {b.getMultiDimIdentityMap(type.getRank())}, resultType,
      buildDynamicDims(b, loc, value),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        return arith::TruncFOp::create(nb, nl, elementType, a[0]);
      });
}

/// The dims of a contraction's result known only at run time, from an
/// operand indexing the same loop.
static SmallVector<Value>
contractionDynamicSizes(OpBuilder &b, Location loc, Value lhs, Value rhs,
                        AffineMap lhsMap, AffineMap rhsMap, AffineMap outMap,
                        RankedTensorType resultType) {
  SmallVector<Value> dynamicSizes;
  for (auto [pos, expr] : llvm::enumerate(outMap.getResults())) {
    if (!resultType.isDynamicDim(pos))
      continue;
    unsigned loop = cast<AffineDimExpr>(expr).getPosition();
    for (auto [operand, map] : {std::pair{lhs, lhsMap}, {rhs, rhsMap}}) {
      std::optional<unsigned> dim =
          map.getResultPosition(b.getAffineDimExpr(loop));
      if (dim) {
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, operand, *dim));
        break;
      }
    }
  }
  return dynamicSizes;
}

Value mlir::aic::buildContraction(OpBuilder &b, Location loc, Value lhs,
                                  Value rhs, AffineMap lhsMap, AffineMap rhsMap,
                                  AffineMap outMap,
                                  RankedTensorType resultType) {
  unsigned numLoops = outMap.getNumDims();
  SmallVector<Value> dynamicSizes = contractionDynamicSizes(
      b, loc, lhs, rhs, lhsMap, rhsMap, outMap, resultType);
  // 16-bit floats accumulate in f32 and round once at the end.
  Type elementType = resultType.getElementType();
  Type accType = getAccumulatorType(elementType);
  auto accTensorType = RankedTensorType::get(resultType.getShape(), accType);
  Value zero = buildZero(b, loc, accType);
  Value init =
      linalg::FillOp::create(b, loc, zero,
                             buildEmpty(b, loc, accTensorType, dynamicSizes))
          .getResult(0);
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, accTensorType, ValueRange{lhs, rhs}, init,
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value l = args[0], r = args[1];
        if (accType != elementType) {
          l = arith::ExtFOp::create(nb, nloc, accType, l);
          r = arith::ExtFOp::create(nb, nloc, accType, r);
        }
        linalg::YieldOp::create(
            nb, nloc, buildMultiplyAccumulate(nb, nloc, l, r, args[2]));
      });
  return truncateTo(b, loc, generic.getResult(0), elementType);
}

/// The 8-bit zero point `zeroPoint` of an aic.matmul_integer operand as one
/// value, where it is a constant that is the same for every row or column.
static std::optional<int64_t> uniformZeroPoint(Value zeroPoint,
                                               bool isUnsigned) {
  if (!zeroPoint)
    return 0;
  std::optional<SmallVector<int64_t>> values =
      constantIntegers(zeroPoint, isUnsigned);
  if (!values || values->empty() ||
      llvm::any_of(*values, [&](int64_t v) { return v != values->front(); }))
    return std::nullopt;
  return values->front();
}

/// A constant 8-bit `weight` less its zero point `zeroPoint` (none, one
/// value, or one per element of dim `axis`) as signed bytes with no zero
/// point, where every difference fits one: unsigned weights with a zero
/// point of 128 (as older quantizers write them), or of small values. That
/// is the form whose contraction the codegen's dot products take, and the
/// same values. Null where it does not apply.
static Value foldWeightZeroPoint(OpBuilder &b, Location loc, Value weight,
                                 bool isUnsigned, Value zeroPoint,
                                 int64_t axis) {
  auto type = cast<RankedTensorType>(weight.getType());
  if ((!isUnsigned && !zeroPoint) || !type.hasStaticShape() ||
      axis >= type.getRank())
    return Value();
  std::optional<SmallVector<int64_t>> values =
      constantIntegers(weight, isUnsigned);
  SmallVector<int64_t> zeros = {0};
  if (zeroPoint) {
    std::optional<SmallVector<int64_t>> z =
        constantIntegers(zeroPoint, isUnsigned);
    if (!z || z->empty())
      return Value();
    zeros = *z;
  }
  int64_t channels = type.getDimSize(axis);
  if (!values || (zeros.size() != 1 && (int64_t)zeros.size() != channels))
    return Value();
  // Element i's channel: (i / inner) % channels.
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  std::vector<char> data(values->size());
  for (auto [i, v] : llvm::enumerate(*values)) {
    int64_t difference =
        v - zeros[zeros.size() == 1 ? 0 : (int64_t(i) / inner) % channels];
    if (difference < -128 || difference > 127)
      return Value();
    data[i] = char(int8_t(difference));
  }
  return resourceConstant(b, loc, type, "weights", data);
}

/// -z * `sums` as an i32 vector: z the 8-bit zero point `zeroPoint`
/// (extended as `isUnsigned` says), `value` where it is a constant (the
/// vector then one too), else read at run time (dynamic quantization's one
/// value) by a generic. What an accumulator starts from so that the 8-bit
/// values themselves can be contracted: sum (x - z) w = sum x w - z sum w.
static Value buildZeroPointCorrection(OpBuilder &b, Location loc,
                                      SmallVector<int32_t> sums,
                                      std::optional<int64_t> value,
                                      Value zeroPoint, bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  Type i32 = b.getI32Type();
  int64_t length = sums.size();
  auto vectorType = RankedTensorType::get({length}, i32);
  if (value) {
    for (int32_t &sum : sums)
      sum *= -int32_t(*value);
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, ArrayRef(sums)));
  }
  Value constantSums = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vectorType, ArrayRef(sums)));
  auto zeroType = cast<RankedTensorType>(zeroPoint.getType());
  AffineMap zeroMap =
      AffineMap::get(1, 0,
                     SmallVector<AffineExpr>(zeroType.getRank(),
                                             getAffineConstantExpr(0, ctx)),
                     ctx);
  Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{length}, i32);
  return linalg::GenericOp::create(
             b, loc, vectorType, ValueRange{constantSums, zeroPoint},
             ValueRange{empty},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1), zeroMap,
                                 b.getMultiDimIdentityMap(1)},
             SmallVector<utils::IteratorType>(1, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value zero = widenToI32(nb, l, args[1], isUnsigned);
               Value product = arith::MulIOp::create(nb, l, zero, args[0]);
               linalg::YieldOp::create(
                   nb, l,
                   arith::SubIOp::create(nb, l, buildZero(nb, l, i32), product)
                       .getResult());
             })
      .getResult(0);
}

/// sum_k (lhs - lhsZero)(rhs - rhsZero) in i32 over 8-bit `lhs` and `rhs`
/// (each extended as its aic type's signedness says), through the maps of
/// a matmul's loops (batch..., m, n, k). A zero point is per tensor, per
/// row (M) or per column (N).
///
/// Where `rhs` is a constant matrix (weights) with zero points of zero and
/// `lhsZero` one constant za, the generic contracts the 8-bit values
/// themselves, `acc + lhs * rhs`, into an accumulator that starts from
/// -za * sum_k rhs[k, n]: per column, summed at compile time (so the
/// kernel's operands stay 8-bit, as integer dot-product instructions take
/// them). Otherwise the generic subtracts the zero points inside.
static Value buildIntegerContraction(OpBuilder &b, Location loc, Value lhs,
                                     Value rhs, bool lhsUnsigned,
                                     bool rhsUnsigned, Value lhsZero,
                                     Value rhsZero, AffineMap lhsMap,
                                     AffineMap rhsMap, AffineMap outMap,
                                     RankedTensorType resultType) {
  MLIRContext *ctx = b.getContext();
  unsigned numLoops = outMap.getNumDims();
  unsigned outRank = outMap.getNumResults();
  AffineExpr m = outMap.getResult(outRank - 2),
             n = outMap.getResult(outRank - 1),
             k = getAffineDimExpr(numLoops - 1, ctx);
  Type i32 = b.getI32Type();
  SmallVector<Value> dynamicSizes = contractionDynamicSizes(
      b, loc, lhs, rhs, lhsMap, rhsMap, outMap, resultType);
  Value empty = buildEmpty(b, loc, resultType, dynamicSizes);
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;

  std::optional<int64_t> za = uniformZeroPoint(lhsZero, lhsUnsigned),
                         zb = uniformZeroPoint(rhsZero, rhsUnsigned);
  // A zero point of one value known only at run time (dynamic
  // quantization's).
  auto zeroType =
      lhsZero ? cast<RankedTensorType>(lhsZero.getType()) : RankedTensorType();
  bool runtimeZa = !za && zeroType && zeroType.hasStaticShape() &&
                   zeroType.getNumElements() == 1;
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  std::optional<SmallVector<int64_t>> weights;
  if ((za || runtimeZa) && zb == 0 && rhsType.getRank() == 2 &&
      rhsMap.getResults() == ArrayRef<AffineExpr>{k, n})
    weights = constantIntegers(rhs, rhsUnsigned);
  if (weights) {
    Value init;
    if (za == 0) {
      init = linalg::FillOp::create(b, loc, buildZero(b, loc, i32), empty)
                 .getResult(0);
    } else {
      int64_t rows = rhsType.getDimSize(0), columns = rhsType.getDimSize(1);
      SmallVector<int32_t> sums(columns, 0);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < columns; ++c)
          sums[c] += int32_t((*weights)[r * columns + c]);
      Value column =
          buildZeroPointCorrection(b, loc, sums, za, lhsZero, lhsUnsigned);
      init = linalg::BroadcastOp::create(
                 b, loc, column, empty,
                 llvm::to_vector(llvm::seq<int64_t>(0, outRank - 1)))
                 ->getResult(0);
    }
    return linalg::GenericOp::create(
               b, loc, resultType, ValueRange{lhs, rhs}, init,
               ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
               [&](OpBuilder &nb, Location l, ValueRange args) {
                 Value product = arith::MulIOp::create(
                     nb, l, widenToI32(nb, l, args[0], lhsUnsigned),
                     widenToI32(nb, l, args[1], rhsUnsigned));
                 linalg::YieldOp::create(
                     nb, l,
                     arith::AddIOp::create(nb, l, args[2], product)
                         .getResult());
               })
        .getResult(0);
  }

  // The zero points read per tensor, per row (m) or per column (n); one
  // whose length is known only at run time (1, or M or N) at the loop's
  // index clamped to its last element, in the body.
  SmallVector<Value> inputs = {lhs, rhs};
  SmallVector<AffineMap> maps = {lhsMap, rhsMap};
  struct Clamped {
    Value zeroPoint, last;
    unsigned loop;
  };
  SmallVector<std::optional<Clamped>> clamped;
  auto addZeroPoint = [&](Value zeroPoint, AffineExpr along) {
    if (!zeroPoint)
      return;
    auto type = cast<RankedTensorType>(zeroPoint.getType());
    if (type.getRank() == 1 && type.isDynamicDim(0)) {
      Value length = tensor::DimOp::create(b, loc, zeroPoint, 0);
      Value last = arith::SubIOp::create(
          b, loc, length, arith::ConstantIndexOp::create(b, loc, 1));
      clamped.push_back(
          Clamped{zeroPoint, last, cast<AffineDimExpr>(along).getPosition()});
      return;
    }
    SmallVector<AffineExpr> exprs;
    if (type.getRank() == 1)
      exprs.push_back(type.getDimSize(0) == 1 ? getAffineConstantExpr(0, ctx)
                                              : along);
    clamped.push_back(std::nullopt);
    inputs.push_back(zeroPoint);
    maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
  };
  addZeroPoint(lhsZero, m);
  addZeroPoint(rhsZero, n);
  maps.push_back(outMap);
  Value init = linalg::FillOp::create(b, loc, buildZero(b, loc, i32), empty)
                   .getResult(0);
  return linalg::GenericOp::create(
             b, loc, resultType, inputs, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               unsigned next = 2;
               auto zeroPointAt = [&](const std::optional<Clamped> &c) {
                 if (!c)
                   return args[next++];
                 Value index = arith::MinUIOp::create(
                     nb, l, linalg::IndexOp::create(nb, l, c->loop), c->last);
                 return tensor::ExtractOp::create(nb, l, c->zeroPoint, index)
                     .getResult();
               };
               Value a = widenToI32(nb, l, args[0], lhsUnsigned);
               Value w = widenToI32(nb, l, args[1], rhsUnsigned);
               unsigned z = 0;
               if (lhsZero)
                 a = arith::SubIOp::create(
                     nb, l, a,
                     widenToI32(nb, l, zeroPointAt(clamped[z++]), lhsUnsigned));
               if (rhsZero)
                 w = arith::SubIOp::create(
                     nb, l, w,
                     widenToI32(nb, l, zeroPointAt(clamped[z++]), rhsUnsigned));
               Value product = arith::MulIOp::create(nb, l, a, w);
               linalg::YieldOp::create(
                   nb, l,
                   arith::AddIOp::create(nb, l, args.back(), product)
                       .getResult());
             })
      .getResult(0);
}

namespace {
/// Einsum: one generic with a loop per letter, the result's letters
/// parallel and the others reductions; each operand is read through its
/// letters (a repeated letter reads the diagonal).
struct EinsumToLinalg : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [lhs, output] = op.getEquation().split("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    // Loops: the result's letters, then the summed ones in order of use.
    std::string letters = output.str();
    for (StringRef term : terms)
      for (char c : term)
        if (letters.find(c) == std::string::npos)
          letters.push_back(c);
    MLIRContext *ctx = rewriter.getContext();
    auto mapOf = [&](StringRef term) {
      SmallVector<AffineExpr> exprs;
      for (char c : term)
        exprs.push_back(getAffineDimExpr(letters.find(c), ctx));
      return AffineMap::get(letters.size(), 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (StringRef term : terms)
      maps.push_back(mapOf(term));
    maps.push_back(mapOf(output));
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    // Dynamic result dims from an operand with the letter.
    SmallVector<Value> dynamicSizes;
    for (auto [pos, c] : llvm::enumerate(output)) {
      if (!resultType.isDynamicDim(pos))
        continue;
      for (auto [term, operand] : llvm::zip(terms, adaptor.getInputs()))
        if (size_t at = term.find(c); at != StringRef::npos) {
          dynamicSizes.push_back(tensor::DimOp::create(
              rewriter, loc, operand, static_cast<int64_t>(at)));
          break;
        }
    }
    Type elementType = resultType.getElementType();
    Type accType = getAccumulatorType(elementType);
    auto accTensorType = resultType.clone(accType);
    Value init = linalg::FillOp::create(
                     rewriter, loc, buildZero(rewriter, loc, accType),
                     buildEmpty(rewriter, loc, accTensorType, dynamicSizes))
                     .getResult(0);
    SmallVector<utils::IteratorType> iterators;
    for (size_t i = 0; i < letters.size(); ++i)
      iterators.push_back(i < output.size() ? utils::IteratorType::parallel
                                            : utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, accTensorType, adaptor.getInputs(), init, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Scalar s{b, l};
          Value product;
          for (Value v : args.drop_back()) {
            v = s.convert(v, accType);
            product = product ? s.mul(product, v) : v;
          }
          linalg::YieldOp::create(b, l, s.add(args.back(), product));
        });
    rewriter.replaceOp(
        op, truncateTo(rewriter, loc, generic.getResult(0), elementType));
    return success();
  }
};

} // namespace

/// Builds a contraction of `lhs` by `rhs` through the maps of its loops
/// into a result of type `outType`.
using ContractionBuilder = llvm::function_ref<Value(
    OpBuilder &, Location, Value lhs, Value rhs, AffineMap lhsMap,
    AffineMap rhsMap, AffineMap outMap, RankedTensorType outType)>;

/// `op` as a numpy matmul of `lhs` by `rhs` (its converted operands): 1-D
/// operands promoted to matrices, batch dims broadcast through the maps of
/// loops (batch..., m, n, k), dims known only at run time checked to agree,
/// and `contract` building the contraction.
static LogicalResult replaceWithMatMul(ConversionPatternRewriter &rewriter,
                                       Operation *op, Value lhs, Value rhs,
                                       ContractionBuilder contract) {
  Location loc = op->getLoc();
  auto resultType =
      cast<RankedTensorType>(toSignless(op->getResult(0).getType()));
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  // numpy promotes 1-D operands to matrices and drops the new dim after.
  bool dropM = lhsType.getRank() == 1, dropN = rhsType.getRank() == 1;
  if (dropM) {
    lhsType = lhsType.clone({1, lhsType.getDimSize(0)});
    lhs = tensor::ExpandShapeOp::create(rewriter, loc, lhsType, lhs,
                                        {ReassociationIndices{0, 1}});
  }
  if (dropN) {
    rhsType = rhsType.clone({rhsType.getDimSize(0), 1});
    rhs = tensor::ExpandShapeOp::create(rewriter, loc, rhsType, rhs,
                                        {ReassociationIndices{0, 1}});
  }
  int64_t lhsBatch = lhsType.getRank() - 2, rhsBatch = rhsType.getRank() - 2;
  int64_t batch = std::max(lhsBatch, rhsBatch);
  SmallVector<int64_t> outShape(resultType.getShape().take_front(batch));
  outShape.push_back(lhsType.getDimSize(lhsBatch));
  outShape.push_back(rhsType.getDimSize(rhsBatch + 1));
  auto outType = resultType.clone(outShape);

  MLIRContext *ctx = rewriter.getContext();
  unsigned numLoops = batch + 3;
  AffineExpr m = getAffineDimExpr(batch, ctx),
             n = getAffineDimExpr(batch + 1, ctx),
             k = getAffineDimExpr(batch + 2, ctx);
  auto batchExprs = [&](RankedTensorType type, int64_t rank) {
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t loop = batch - rank + i;
      bool broadcast = type.getDimSize(i) == 1 && outShape[loop] != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(loop, ctx));
    }
    return exprs;
  };
  SmallVector<AffineExpr> lhsExprs = batchExprs(lhsType, lhsBatch);
  lhsExprs.append({m, k});
  SmallVector<AffineExpr> rhsExprs = batchExprs(rhsType, rhsBatch);
  rhsExprs.append({k, n});
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < batch; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  outExprs.append({m, n});
  auto build = [&](OpBuilder &b, Location l) {
    return contract(b, l, lhs, rhs, AffineMap::get(numLoops, 0, lhsExprs, ctx),
                    AffineMap::get(numLoops, 0, rhsExprs, ctx),
                    AffineMap::get(numLoops, 0, outExprs, ctx), outType);
  };
  // Dims known only at run time that must agree (K, and the batch dims
  // both operands have) are checked at run time; where they disagree the
  // run fails and the contraction, which would read past the smaller
  // operand, is skipped for zeros.
  SmallVector<std::pair<int64_t, int64_t>> pairs = {{lhsBatch + 1, rhsBatch}};
  for (int64_t i = 0; i < batch; ++i) {
    int64_t li = i - (batch - lhsBatch), ri = i - (batch - rhsBatch);
    if (li >= 0 && ri >= 0 && lhsType.getDimSize(li) != 1 &&
        rhsType.getDimSize(ri) != 1)
      pairs.push_back({li, ri});
  }
  Value agree;
  for (auto [li, ri] : pairs) {
    if (!lhsType.isDynamicDim(li) && !rhsType.isDynamicDim(ri))
      continue;
    Value same =
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                              tensor::DimOp::create(rewriter, loc, lhs, li),
                              tensor::DimOp::create(rewriter, loc, rhs, ri));
    agree = agree ? arith::AndIOp::create(rewriter, loc, agree, same) : same;
  }
  // The result's dynamic dims, from the operands that have them.
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; agree && i < outType.getRank(); ++i) {
    if (!outType.isDynamicDim(i))
      continue;
    if (i == batch) {
      dynamicSizes.push_back(
          tensor::DimOp::create(rewriter, loc, lhs, lhsBatch));
    } else if (i == batch + 1) {
      dynamicSizes.push_back(
          tensor::DimOp::create(rewriter, loc, rhs, rhsBatch + 1));
    } else {
      int64_t li = i - (batch - lhsBatch), ri = i - (batch - rhsBatch);
      bool fromLhs = li >= 0 && lhsType.getDimSize(li) != 1;
      dynamicSizes.push_back(
          fromLhs ? tensor::DimOp::create(rewriter, loc, lhs, li)
                  : tensor::DimOp::create(rewriter, loc, rhs, ri));
    }
  }
  Value result = buildGuarded(
      rewriter, loc, agree,
      "inputs of '" + nodeName(loc) +
          "' disagree on a dim known only at run time (MatMul's inner "
          "dim, or a batch dim)",
      outType, dynamicSizes, build);

  if (dropM || dropN) {
    std::optional<SmallVector<ReassociationIndices>> reassociation =
        getReassociationIndicesForCollapse(outType.getShape(),
                                           resultType.getShape());
    if (!reassociation)
      return rewriter.notifyMatchFailure(op, "cannot drop promoted dims");
    result = tensor::CollapseShapeOp::create(rewriter, loc, resultType, result,
                                             *reassociation);
  }
  rewriter.replaceOp(op, result);
  return success();
}

namespace {
struct MatMulToLinalg : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return replaceWithMatMul(rewriter, op, adaptor.getLhs(), adaptor.getRhs(),
                             buildContraction);
  }
};

/// The contraction of the 8-bit values (buildIntegerContraction), as a
/// matmul.
struct MatMulIntegerToLinalg : OpConversionPattern<MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto isUnsigned = [](Value v) {
      return getElementTypeOrSelf(v.getType()).isUnsignedInteger();
    };
    bool lhsUnsigned = isUnsigned(op.getLhs()),
         rhsUnsigned = isUnsigned(op.getRhs());
    Value lhsZero = adaptor.getLhsZeroPoint(),
          rhsZero = adaptor.getRhsZeroPoint();
    // Constant weights (a K x N matrix) with their zero point per column
    // folded in, where that fits signed bytes.
    Value rhs = adaptor.getRhs();
    if (cast<RankedTensorType>(rhs.getType()).getRank() == 2)
      if (Value folded = foldWeightZeroPoint(rewriter, op.getLoc(), rhs,
                                             rhsUnsigned, rhsZero, 1)) {
        rhs = folded;
        rhsUnsigned = false;
        rhsZero = Value();
      }
    return replaceWithMatMul(
        rewriter, op, adaptor.getLhs(), rhs,
        [&](OpBuilder &b, Location l, Value lhs, Value rhs, AffineMap lhsMap,
            AffineMap rhsMap, AffineMap outMap, RankedTensorType outType) {
          return buildIntegerContraction(b, l, lhs, rhs, lhsUnsigned,
                                         rhsUnsigned, lhsZero, rhsZero, lhsMap,
                                         rhsMap, outMap, outType);
        });
  }
};

struct GemmToLinalg : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    Type elementType = resultType.getElementType();
    float alpha = adaptor.getAlpha().convertToFloat();
    float beta = adaptor.getBeta().convertToFloat();
    bool scaled = alpha != 1.0f || (adaptor.getC() && beta != 1.0f);
    if (scaled && !isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "alpha/beta on integer Gemm");

    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    auto map = [&](AffineExpr a, AffineExpr b) {
      return AffineMap::get(3, 0, {a, b}, ctx);
    };
    Value result = buildContraction(
        rewriter, loc, adaptor.getA(), adaptor.getB(),
        adaptor.getTransA() ? map(k, m) : map(m, k),
        adaptor.getTransB() ? map(n, k) : map(k, n), map(m, n), resultType);
    if (!scaled && !adaptor.getC()) {
      rewriter.replaceOp(op, result);
      return success();
    }

    // Epilogue: alpha * AB + beta * C, with C broadcast to [M, N].
    SmallVector<Value> inputs = {result};
    if (adaptor.getC())
      inputs.push_back(adaptor.getC());
    result = buildBroadcastElementwise(
        rewriter, loc, inputs, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          auto scale = [&](Value v, float s) -> Value {
            if (s == 1.0f)
              return v;
            Value c = arith::ConstantOp::create(b, l, elementType,
                                                b.getFloatAttr(elementType, s));
            return arith::MulFOp::create(b, l, v, c);
          };
          Value ab = scale(args[0], alpha);
          if (args.size() == 1)
            return ab;
          Value c = scale(args[1], beta);
          if (isa<FloatType>(elementType))
            return arith::AddFOp::create(b, l, ab, c);
          return arith::AddIOp::create(b, l, ab, c);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A grouped convolution of any rank as a generic op on NG... layouts:
/// out[n, g, f, o...] += in[n, g, c, o * stride + k * dilation] * w[g, f, c,
/// k].
static Value buildGroupedConvGeneric(OpBuilder &b, Location loc, Value input,
                                     Value weight, Value init,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  int64_t spatial = strides.size();
  // Loops: n, g, f, o_1..o_s (parallel), c, k_1..k_s (reduction).
  unsigned numLoops = 4 + 2 * spatial;
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned c = 3 + spatial;
  SmallVector<AffineExpr> inExprs = {dim(0), dim(1), dim(c)};
  SmallVector<AffineExpr> wExprs = {dim(1), dim(2), dim(c)};
  SmallVector<AffineExpr> outExprs = {dim(0), dim(1), dim(2)};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = dim(3 + i), k = dim(c + 1 + i);
    inExprs.push_back(o * strides[i] + k * dilations[i]);
    wExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::reduction);
  for (unsigned i = 0; i < 3 + spatial; ++i)
    iterators[i] = utils::IteratorType::parallel;
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{input, weight}, init,
      ArrayRef<AffineMap>{AffineMap::get(numLoops, 0, inExprs, ctx),
                          AffineMap::get(numLoops, 0, wExprs, ctx),
                          AffineMap::get(numLoops, 0, outExprs, ctx)},
      iterators, [](OpBuilder &nb, Location nloc, ValueRange args) {
        Type accType = args[2].getType();
        Value x = args[0], w = args[1];
        if (x.getType() != accType) {
          x = arith::ExtFOp::create(nb, nloc, accType, x);
          w = arith::ExtFOp::create(nb, nloc, accType, w);
        }
        linalg::YieldOp::create(
            nb, nloc, buildMultiplyAccumulate(nb, nloc, x, w, args[2]));
      });
  return generic.getResult(0);
}

/// A 2-D convolution of 8-bit values into i32 as a generic op with the
/// named linalg.conv_2d_nchw_fchw's loops and maps, each operand widened
/// as its signedness says (the named op only sign-extends).
static Value buildByteConv2D(OpBuilder &b, Location loc, Value input,
                             Value weight, Value init,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations, bool inputUnsigned,
                             bool weightUnsigned) {
  MLIRContext *ctx = b.getContext();
  // Loops: n, f, oh, ow (parallel), c, kh, kw (reduction).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0,
                     {d(0), d(4), d(2) * strides[0] + d(5) * dilations[0],
                      d(3) * strides[1] + d(6) * dilations[1]},
                     ctx),
      AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx),
      AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{input, weight}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l,
                   buildMultiplyAccumulate(
                       nb, l, widenToI32(nb, l, args[0], inputUnsigned),
                       widenToI32(nb, l, args[1], weightUnsigned), args[2]));
             })
      .getResult(0);
}

/// What a convolution's lowering takes besides its operands: the value the
/// padding reads (zero where none), the accumulator's start made in its
/// empty tensor (the bias, or zero, where none) and, for 8-bit operands
/// into i32 (2-D, one group), their signedness.
struct ConvLowering {
  Value padValue;
  llvm::function_ref<Value(Value)> buildInit;
  std::optional<std::pair<bool, bool>> unsignedBytes;
};

/// A convolution (aic.conv's attributes, operands already converted) as
/// linalg: the named convolution of its rank, grouped through NGCHW where
/// group > 1, its padding a tensor.pad and its bias the accumulator's
/// start. Fails with the op's error where it cannot.
template <typename OpTy>
static FailureOr<Value> buildConvolution(ConversionPatternRewriter &rewriter,
                                         OpTy op, Value input, Value weight,
                                         Value bias, const ConvLowering &how) {
  auto cannotLower = [&](StringRef reason) {
    return op.emitOpError("cannot be lowered yet: ") << reason;
  };
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  Type elementType = resultType.getElementType();
  int64_t rank = resultType.getRank(), spatial = rank - 2;
  int64_t group = op.getGroup();
  if (group > 1 && (inputType.isDynamicDim(1) || weightType.isDynamicDim(0)))
    return cannotLower("grouped convolution with dynamic channels");
  if (group == 1 && spatial > 3)
    return cannotLower("convolution with more than 3 spatial dims");

  // Explicit padding, of zeros or `how.padValue`.
  Value unpadded = input;
  ArrayRef<int64_t> pads = op.getPads();
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
    SmallVector<OpFoldResult> low(2, rewriter.getIndexAttr(0)),
        high(2, rewriter.getIndexAttr(0));
    for (int64_t i = 0; i < spatial; ++i) {
      low.push_back(rewriter.getIndexAttr(pads[i]));
      high.push_back(rewriter.getIndexAttr(pads[i + spatial]));
    }
    Value padValue = how.padValue
                         ? how.padValue
                         : buildZero(rewriter, loc, inputType.getElementType());
    input = tensor::PadOp::create(rewriter, loc, Type(), input, low, high,
                                  padValue);
  }

  // The accumulator starts as the bias (broadcast) or zero; 16-bit floats
  // accumulate in f32 (the bias is added after) and round once.
  SmallVector<Value> dynamicSizes;
  if (resultType.isDynamicDim(0))
    dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, input, 0));
  if (resultType.isDynamicDim(1))
    dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, weight, 0));
  for (int64_t i = 0; i < spatial; ++i) {
    if (!resultType.isDynamicDim(i + 2))
      continue;
    Value size = tensor::DimOp::create(rewriter, loc, unpadded, i + 2);
    dynamicSizes.push_back(buildWindowExtent(
        rewriter, loc, size, tensor::getMixedSize(rewriter, loc, weight, i + 2),
        op.getStrides()[i], op.getDilations()[i], pads[i], pads[i + spatial]));
  }
  Type accType = getAccumulatorType(elementType);
  RankedTensorType finalType = resultType;
  resultType = RankedTensorType::get(resultType.getShape(), accType);
  Value lateBias = accType != elementType ? bias : Value();
  Value init = buildEmpty(rewriter, loc, resultType, dynamicSizes);
  if (how.buildInit) {
    init = how.buildInit(init);
  } else if (Value earlyBias = lateBias ? Value() : bias) {
    SmallVector<int64_t> dims = {0};
    for (int64_t i = 2; i < rank; ++i)
      dims.push_back(i);
    init = linalg::BroadcastOp::create(rewriter, loc, earlyBias, init, dims)
               .getResult()[0];
  } else {
    init = linalg::FillOp::create(rewriter, loc,
                                  buildZero(rewriter, loc, accType), init)
               .getResult(0);
  }

  auto i64Vector = [&](ArrayRef<int64_t> values) {
    return DenseIntElementsAttr::get(
        RankedTensorType::get({(int64_t)values.size()}, rewriter.getI64Type()),
        values);
  };
  Attribute strides = i64Vector(op.getStrides());
  Attribute dilations = i64Vector(op.getDilations());
  Value result;
  if (how.unsignedBytes) {
    if (group != 1 || spatial != 2)
      return cannotLower("8-bit convolution other than 2-D of one group");
    result = buildByteConv2D(
        rewriter, loc, input, weight, init, op.getStrides(), op.getDilations(),
        how.unsignedBytes->first, how.unsignedBytes->second);
  } else if (group == 1) {
    TypeRange types(resultType);
    SmallVector<Value, 2> ins = {input, weight};
    if (spatial == 1)
      result = linalg::Conv1DNcwFcwOp::create(rewriter, loc, types, ins, init,
                                              strides, dilations)
                   .getResult(0);
    else if (spatial == 2)
      result = linalg::Conv2DNchwFchwOp::create(rewriter, loc, types, ins, init,
                                                strides, dilations)
                   .getResult(0);
    else
      result = linalg::Conv3DNcdhwFcdhwOp::create(rewriter, loc, types, ins,
                                                  init, strides, dilations)
                   .getResult(0);
  } else {
    // Split channels into groups: NC... -> NGC..., FC... -> GFC....
    auto paddedType = cast<RankedTensorType>(input.getType());
    int64_t channels = paddedType.getDimSize(1);
    int64_t filters = weightType.getDimSize(0);
    auto split = [&](Value v, RankedTensorType type, int64_t dim,
                     int64_t total) -> Value {
      SmallVector<int64_t> shape(type.getShape());
      shape[dim] = total / group;
      shape.insert(shape.begin() + dim, group);
      SmallVector<ReassociationIndices> reassociation;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        if (i < dim)
          reassociation.push_back({i});
        else if (i == dim)
          reassociation.push_back({i, i + 1});
        else
          reassociation.push_back({i + 1});
      }
      auto splitType = RankedTensorType::get(shape, type.getElementType());
      SmallVector<OpFoldResult> outputShape =
          tensor::getMixedSizes(rewriter, loc, v);
      outputShape[dim] = rewriter.getIndexAttr(total / group);
      outputShape.insert(outputShape.begin() + dim,
                         rewriter.getIndexAttr(group));
      return tensor::ExpandShapeOp::create(rewriter, loc, splitType, v,
                                           reassociation, outputShape);
    };
    Value groupedInput = split(input, paddedType, 1, channels);
    Value groupedWeight = split(weight, weightType, 0, filters);
    Value groupedInit = split(init, resultType, 1, filters);
    Value grouped = spatial == 2
                        ? linalg::Conv2DNgchwGfchwOp::create(
                              rewriter, loc, TypeRange(groupedInit.getType()),
                              ValueRange{groupedInput, groupedWeight},
                              groupedInit, strides, dilations)
                              .getResult(0)
                        : buildGroupedConvGeneric(
                              rewriter, loc, groupedInput, groupedWeight,
                              groupedInit, op.getStrides(), op.getDilations());
    SmallVector<ReassociationIndices> reassociation = {{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      reassociation.push_back({3 + i});
    result = tensor::CollapseShapeOp::create(rewriter, loc, resultType, grouped,
                                             reassociation);
  }
  if (accType != elementType) {
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<Value> inputs = {result};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (lateBias) {
      inputs.push_back(lateBias);
      maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx));
    }
    result = buildParallelGeneric(
        rewriter, loc, inputs, maps, finalType,
        buildDynamicDims(rewriter, loc, result),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value acc = a[0];
          if (a.size() > 1)
            acc = arith::AddFOp::create(
                nb, nl, acc, arith::ExtFOp::create(nb, nl, accType, a[1]));
          return arith::TruncFOp::create(nb, nl, elementType, acc);
        });
  }
  return result;
}

struct ConvToLinalg : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<Value> result =
        buildConvolution(rewriter, op, adaptor.getInput(), adaptor.getWeight(),
                         adaptor.getBias(), ConvLowering{});
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// aic.conv_integer. A 2-D one of one group whose weights are constants
/// with zero points of zero (or none, or folded into signed bytes:
/// foldWeightZeroPoint) and whose input's zero point zx is
/// one value (a constant, or dynamic quantization's at run time) contracts
/// the 8-bit values themselves (buildByteConv2D, as the codegen's
/// dot-product kernels take them): the padding reads zx, and the
/// accumulator starts from -zx * each filter's sum of weights. Any other
/// widens the operands to i32 less their zero points and convolves those.
struct ConvIntegerToLinalg : OpConversionPattern<ConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto isUnsigned = [](Value v) {
      return getElementTypeOrSelf(v.getType()).isUnsignedInteger();
    };
    bool inputUnsigned = isUnsigned(op.getInput()),
         weightUnsigned = isUnsigned(op.getWeight());
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    Value inputZero = adaptor.getInputZeroPoint(),
          weightZero = adaptor.getWeightZeroPoint();
    // Constant filters with their zero point (per filter) folded in, where
    // that fits signed bytes.
    if (Value folded = foldWeightZeroPoint(rewriter, loc, weight,
                                           weightUnsigned, weightZero, 0)) {
      weight = folded;
      weightUnsigned = false;
      weightZero = Value();
    }
    auto weightType = cast<RankedTensorType>(weight.getType());
    std::optional<int64_t> zx = uniformZeroPoint(inputZero, inputUnsigned);
    bool runtimeZx =
        !zx && inputZero &&
        cast<RankedTensorType>(inputZero.getType()).getNumElements() == 1;
    std::optional<SmallVector<int64_t>> weights;
    if (op.getGroup() == 1 && weightType.getRank() == 4 &&
        weightType.hasStaticShape() && (zx || runtimeZx) &&
        uniformZeroPoint(weightZero, weightUnsigned) == 0)
      weights = constantIntegers(weight, weightUnsigned);
    Type i32 = rewriter.getI32Type();
    FailureOr<Value> result;
    if (weights) {
      int64_t filters = weightType.getDimSize(0);
      int64_t perFilter = weightType.getNumElements() / filters;
      SmallVector<int32_t> sums(filters, 0);
      for (int64_t f = 0; f < filters; ++f)
        for (int64_t i = 0; i < perFilter; ++i)
          sums[f] += int32_t((*weights)[f * perFilter + i]);
      Type byte = rewriter.getI8Type();
      Value padValue =
          zx ? arith::ConstantIntOp::create(rewriter, loc, byte, *zx)
                   .getResult()
             : tensor::ExtractOp::create(
                   rewriter, loc, inputZero,
                   SmallVector<Value>(
                       cast<RankedTensorType>(inputZero.getType()).getRank(),
                       arith::ConstantIndexOp::create(rewriter, loc, 0)))
                   .getResult();
      auto buildInit = [&](Value empty) -> Value {
        if (zx == 0)
          return linalg::FillOp::create(rewriter, loc,
                                        buildZero(rewriter, loc, i32), empty)
              .getResult(0);
        Value column = buildZeroPointCorrection(rewriter, loc, sums, zx,
                                                inputZero, inputUnsigned);
        return linalg::BroadcastOp::create(rewriter, loc, column, empty,
                                           ArrayRef<int64_t>{0, 2, 3})
            ->getResult(0);
      };
      result = buildConvolution(
          rewriter, op, input, weight, Value(),
          ConvLowering{padValue, buildInit,
                       std::pair{inputUnsigned, weightUnsigned}});
    } else {
      // Each operand widened less its zero point: per tensor, or (the
      // weight's) per output channel, dim 0.
      auto widen = [&](Value v, Value zeroPoint, bool isUnsigned,
                       bool perChannel) {
        auto type = cast<RankedTensorType>(v.getType());
        MLIRContext *ctx = rewriter.getContext();
        SmallVector<Value> inputs = {v};
        SmallVector<AffineMap> maps = {
            rewriter.getMultiDimIdentityMap(type.getRank())};
        if (zeroPoint) {
          auto zeroType = cast<RankedTensorType>(zeroPoint.getType());
          SmallVector<AffineExpr> exprs;
          if (zeroType.getRank() == 1)
            exprs.push_back(perChannel && zeroType.getDimSize(0) != 1
                                ? getAffineDimExpr(0, ctx)
                                : getAffineConstantExpr(0, ctx));
          inputs.push_back(zeroPoint);
          maps.push_back(AffineMap::get(type.getRank(), 0, exprs, ctx));
        }
        return buildParallelGeneric(
            rewriter, loc, inputs, maps, type.clone(i32),
            buildDynamicDims(rewriter, loc, v),
            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
              Value wide = widenToI32(b, l, args[0], isUnsigned);
              if (args.size() == 1)
                return wide;
              return arith::SubIOp::create(
                  b, l, wide, widenToI32(b, l, args[1], isUnsigned));
            });
      };
      Value wideInput = widen(input, inputZero, inputUnsigned, false);
      Value wideWeight = widen(weight, weightZero, weightUnsigned, true);
      result = buildConvolution(rewriter, op, wideInput, wideWeight, Value(),
                                ConvLowering{});
    }
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// ConvTranspose's weight [C, M/g, k...] as a Conv weight [M, C/g, k...]:
/// w'[g * M/g + m, c, k] = w[g * C/g + c, m, K - 1 - k]. Folded here where
/// the weight is a constant (the usual case), else a copying generic.
static Value buildFlippedWeight(OpBuilder &b, Location loc, Value weight,
                                int64_t group) {
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t rank = type.getRank();
  int64_t channelsPerGroup = type.getDimSize(0) / group;
  int64_t filtersPerGroup = type.getDimSize(1);
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = filtersPerGroup * group;
  shape[1] = channelsPerGroup;
  auto flippedType = RankedTensorType::get(shape, type.getElementType());

  DenseElementsAttr constant;
  if (matchPattern(weight, m_Constant(&constant)) &&
      type.getElementTypeBitWidth() % 8 == 0) {
    if (constant.isSplat())
      return arith::ConstantOp::create(b, loc, constant.reshape(flippedType));
    ArrayRef<char> raw = constant.getRawData();
    size_t bytes = type.getElementTypeBitWidth() / 8;
    int64_t kernelSize = type.getNumElements() / (shape[0] * shape[1]);
    SmallVector<int64_t> kernel(shape.begin() + 2, shape.end());
    std::vector<char> flipped(raw.size());
    SmallVector<int64_t> k(rank - 2);
    for (int64_t f = 0; f < shape[0]; ++f) {
      int64_t g = f / filtersPerGroup, m = f % filtersPerGroup;
      for (int64_t c = 0; c < channelsPerGroup; ++c) {
        int64_t from = (g * channelsPerGroup + c) * filtersPerGroup + m;
        int64_t to = f * channelsPerGroup + c;
        for (int64_t i = 0; i < kernelSize; ++i) {
          // The kernel offset of i and of its mirror, row-major.
          int64_t rest = i, mirrored = 0, stride = 1;
          for (int64_t d = rank - 3; d >= 0; --d) {
            mirrored += (kernel[d] - 1 - rest % kernel[d]) * stride;
            rest /= kernel[d];
            stride *= kernel[d];
          }
          std::memcpy(&flipped[(to * kernelSize + i) * bytes],
                      &raw[(from * kernelSize + mirrored) * bytes], bytes);
        }
      }
    }
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::getFromRawBuffer(flippedType, flipped));
  }

  MLIRContext *ctx = b.getContext();
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> exprs;
  if (group == 1) {
    exprs = {dim(1), dim(0)};
  } else {
    exprs = {dim(0).floorDiv(filtersPerGroup) * channelsPerGroup + dim(1),
             dim(0) % filtersPerGroup};
  }
  for (int64_t i = 2; i < rank; ++i)
    exprs.push_back(type.getDimSize(i) - 1 - dim(i));
  return buildParallelGeneric(
      b, loc, weight, {AffineMap::get(rank, 0, exprs, ctx)}, flippedType, {},
      [](OpBuilder &, Location, ValueRange a) -> Value { return a[0]; });
}

/// size * scale + offset, folded where size is a constant.
static OpFoldResult scaleIndex(OpBuilder &b, Location loc, OpFoldResult size,
                               int64_t scale, int64_t offset) {
  if (std::optional<int64_t> known = getConstantIntValue(size))
    return b.getIndexAttr(*known * scale + offset);
  Value v = cast<Value>(size);
  v = arith::MulIOp::create(b, loc, v,
                            arith::ConstantIndexOp::create(b, loc, scale));
  return arith::AddIOp::create(b, loc, v,
                               arith::ConstantIndexOp::create(b, loc, offset))
      .getResult();
}

/// ConvTranspose as a convolution of the stride-upsampled input (zeros
/// between the elements) with the flipped, channel-transposed weight, padded
/// by dilation * (k - 1) less the op's pads; a negative conv pad crops the
/// upsampled input instead. The resulting aic.conv is lowered in turn.
struct ConvTransposeToLinalg : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(toSignless(op.getType()));
    auto weightType = cast<RankedTensorType>(adaptor.getWeight().getType());
    if (!weightType.hasStaticShape())
      return op.emitOpError("cannot be lowered yet: ")
             << "a weight of a shape known only at run time";
    Type elementType = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2;
    ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                      dilations = adaptor.getDilations();

    // Upsample: up[n, c, i * s] = x[n, c, i].
    Value input = adaptor.getInput();
    if (llvm::any_of(strides, [](int64_t s) { return s != 1; })) {
      auto inputType = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, loc, input);
      SmallVector<OpFoldResult> upSizes(sizes), offsets, steps;
      SmallVector<int64_t> upShape(inputType.getShape());
      for (int64_t i = 0; i < spatial; ++i) {
        upSizes[i + 2] =
            scaleIndex(rewriter, loc, sizes[i + 2], strides[i], 1 - strides[i]);
        if (!inputType.isDynamicDim(i + 2))
          upShape[i + 2] = (upShape[i + 2] - 1) * strides[i] + 1;
      }
      for (int64_t i = 0; i < spatial + 2; ++i) {
        offsets.push_back(rewriter.getIndexAttr(0));
        steps.push_back(rewriter.getIndexAttr(i < 2 ? 1 : strides[i - 2]));
      }
      SmallVector<Value> dynamicSizes;
      for (auto [size, extent] : llvm::zip(upSizes, upShape))
        if (ShapedType::isDynamic(extent))
          dynamicSizes.push_back(
              getValueOrCreateConstantIndexOp(rewriter, loc, size));
      Value zeros =
          linalg::FillOp::create(
              rewriter, loc, buildZero(rewriter, loc, elementType),
              buildEmpty(rewriter, loc, inputType.clone(upShape), dynamicSizes))
              .getResult(0);
      input = tensor::InsertSliceOp::create(rewriter, loc, input, zeros,
                                            offsets, sizes, steps);
    }

    // Pads of the equivalent convolution; negative ones crop.
    SmallVector<int64_t> convPads(2 * spatial);
    SmallVector<OpFoldResult> cropOffsets(2, rewriter.getIndexAttr(0)),
        cropSizes = tensor::getMixedSizes(rewriter, loc, input);
    bool crop = false;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t span = dilations[i] * (weightType.getDimSize(i + 2) - 1);
      int64_t low = span - pads[i], high = span - pads[i + spatial];
      convPads[i] = std::max<int64_t>(low, 0);
      convPads[i + spatial] = std::max<int64_t>(high, 0);
      int64_t cropBegin = std::max<int64_t>(-low, 0);
      int64_t cropEnd = std::max<int64_t>(-high, 0);
      crop |= cropBegin || cropEnd;
      cropOffsets.push_back(rewriter.getIndexAttr(cropBegin));
      cropSizes[i + 2] =
          scaleIndex(rewriter, loc, cropSizes[i + 2], 1, -cropBegin - cropEnd);
    }
    if (crop) {
      SmallVector<OpFoldResult> ones(spatial + 2, rewriter.getIndexAttr(1));
      input = tensor::ExtractSliceOp::create(rewriter, loc, input, cropOffsets,
                                             cropSizes, ones);
    }

    Value weight = buildFlippedWeight(rewriter, loc, adaptor.getWeight(),
                                      adaptor.getGroup());
    Value conv = ConvOp::create(
        rewriter, loc, input, weight, adaptor.getBias(),
        rewriter.getDenseI64ArrayAttr(SmallVector<int64_t>(spatial, 1)),
        adaptor.getDilationsAttr(), rewriter.getDenseI64ArrayAttr(convPads),
        adaptor.getGroupAttr());
    if (conv.getType() != resultType)
      conv = tensor::CastOp::create(rewriter, loc, resultType, conv);
    rewriter.replaceOp(op, conv);
    return success();
  }
};
} // namespace

void mlir::aic::populateContractionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns
      .add<MatMulToLinalg, MatMulIntegerToLinalg, GemmToLinalg, ConvToLinalg,
           ConvIntegerToLinalg, ConvTransposeToLinalg, EinsumToLinalg>(
          converter, patterns.getContext());
}
