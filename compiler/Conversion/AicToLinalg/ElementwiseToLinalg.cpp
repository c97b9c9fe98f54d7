//===- ElementwiseToLinalg.cpp - elementwise aic ops to linalg ------------===//
//
// Every elementwise aic op becomes one broadcasting linalg.generic; this
// file holds only the scalar body of each, picked by element type.
// Transcendental functions on 16-bit floats are computed in f32.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/AicToLinalg/Scalar.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::aic;

namespace {
/// The scalar body of an elementwise op: its block arguments (one per
/// operand) to the result element.
using ElementwiseBody =
    std::function<Value(OpBuilder &, Location, Operation *, ValueRange)>;

struct ElementwiseToGeneric : ConversionPattern {
  ElementwiseToGeneric(const TypeConverter &converter, StringRef opName,
                       MLIRContext *context, ElementwiseBody body)
      : ConversionPattern(converter, opName, /*benefit=*/1, context),
        body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        cast<RankedTensorType>(toSignless(op->getResult(0).getType()));
    // Narrow floats compute in f32 (a bitcast keeps its bits).
    bool keepBits = isa<BitcastOp>(op);
    auto isNarrowFloat = [&](Type t) {
      return !keepBits && isa<FloatType>(t) && t.getIntOrFloatBitWidth() < 32;
    };
    Value result = buildBroadcastElementwise(
        rewriter, op->getLoc(), operands, resultType,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          // 8- and 16-bit floats compute in f32 and round once, as the
          // ONNX reference does.
          SmallVector<Value> wide(args);
          for (Value &v : wide)
            if (isNarrowFloat(v.getType()))
              v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
          Value r = body(b, loc, op, wide);
          Type et = resultType.getElementType();
          if (r.getType() != et && isNarrowFloat(et))
            r = arith::TruncFOp::create(b, loc, et, r);
          return r;
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  ElementwiseBody body;
};

/// Whether any operand of `op` holds unsigned integers.
bool hasUnsignedOperand(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isUnsignedElement);
}

/// A math dialect function of one operand.
template <typename MathOp>
Value mathBody(OpBuilder &b, Location loc, Operation *, ValueRange a) {
  Scalar s{b, loc};
  return s.unary<MathOp>(a[0]);
}

#define BODY                                                                   \
  [](OpBuilder & b, Location loc, Operation * op, ValueRange a) -> Value
#define S                                                                      \
  Scalar s { b, loc, hasUnsignedOperand(op) }
} // namespace

void mlir::aic::populateElementwiseToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  auto add = [&](StringRef name, ElementwiseBody body) {
    patterns.add<ElementwiseToGeneric>(converter, name, context,
                                       std::move(body));
  };

  // Binary arithmetic.
  add(
      AddOp::getOperationName(), BODY {
        S;
        return s.add(a[0], a[1]);
      });
  add(
      SubOp::getOperationName(), BODY {
        S;
        return s.sub(a[0], a[1]);
      });
  add(
      MulOp::getOperationName(), BODY {
        S;
        return s.mul(a[0], a[1]);
      });
  add(
      DivOp::getOperationName(), BODY {
        S;
        return s.divide(a[0], a[1]);
      });
  add(
      MaxOp::getOperationName(), BODY {
        S;
        return s.max(a[0], a[1]);
      });
  add(
      MinOp::getOperationName(), BODY {
        S;
        return s.min(a[0], a[1]);
      });
  add(
      PowOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        if (isa<FloatType>(type))
          return s.math(a[0], [&](Value x) {
            return math::PowFOp::create(b, loc, x,
                                        s.convert(a[1], x.getType()));
          });
        if (isa<FloatType>(a[1].getType())) {
          // Integer base, float exponent: computed in the exponent's type.
          Value base = s.convert(a[0], a[1].getType());
          return s.convert(math::PowFOp::create(b, loc, base, a[1]), type);
        }
        return math::IPowIOp::create(b, loc, a[0], s.convert(a[1], type));
      });
  add(
      PReluOp::getOperationName(), BODY {
        S;
        return s.select(s.lessThanZero(a[0]), s.mul(a[0], a[1]), a[0]);
      });
  add(
      ModOp::getOperationName(), BODY {
        S;
        if (isa<FloatType>(a[0].getType()))
          return arith::RemFOp::create(b, loc, a[0], a[1]);
        // Integers: 0 where the divisor is 0 (see Scalar::guardDivisor).
        Value divisor, byZero;
        s.guardDivisor(a[0], a[1], divisor, byZero);
        Value zero = s.constant(a[0].getType(), 0);
        if (s.isUnsigned)
          return s.select(byZero, zero,
                          arith::RemUIOp::create(b, loc, a[0], divisor));
        Value rem = s.select(byZero, zero,
                             arith::RemSIOp::create(b, loc, a[0], divisor));
        if (cast<ModOp>(op).getFmod())
          return rem;
        // The result takes the divisor's sign (Python's %).
        Value nonZero =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
        Value signsDiffer = arith::XOrIOp::create(b, loc, s.lessThanZero(rem),
                                                  s.lessThanZero(a[1]));
        Value fix = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
        return s.select(fix, s.add(rem, a[1]), rem);
      });

  // Logic and comparisons.
  add(
      AndOp::getOperationName(),
      BODY { return arith::AndIOp::create(b, loc, a[0], a[1]); });
  add(
      OrOp::getOperationName(),
      BODY { return arith::OrIOp::create(b, loc, a[0], a[1]); });
  add(
      XorOp::getOperationName(),
      BODY { return arith::XOrIOp::create(b, loc, a[0], a[1]); });
  // All ones: logical not on bools, bitwise not on integers.
  add(
      NotOp::getOperationName(), BODY {
        S;
        return arith::XOrIOp::create(b, loc, a[0],
                                     s.constant(a[0].getType(), -1));
      });
  add(
      BitShiftOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        Value shifted = cast<BitShiftOp>(op).getLeft()
                            ? Value(arith::ShLIOp::create(b, loc, a[0], a[1]))
                            : Value(arith::ShRUIOp::create(b, loc, a[0], a[1]));
        Value tooFar = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::uge, a[1],
            s.constant(type, type.getIntOrFloatBitWidth()));
        return s.select(tooFar, s.constant(type, 0), shifted);
      });
  auto compare = [&](StringRef name, arith::CmpFPredicate fp,
                     arith::CmpIPredicate ip) {
    add(name,
        [fp, ip](OpBuilder &b, Location loc, Operation *op,
                 ValueRange a) -> Value {
          S;
          return s.compare(fp, ip, a[0], a[1]);
        });
  };
  compare(EqualOp::getOperationName(), arith::CmpFPredicate::OEQ,
          arith::CmpIPredicate::eq);
  compare(LessOp::getOperationName(), arith::CmpFPredicate::OLT,
          arith::CmpIPredicate::slt);
  compare(LessOrEqualOp::getOperationName(), arith::CmpFPredicate::OLE,
          arith::CmpIPredicate::sle);
  compare(GreaterOp::getOperationName(), arith::CmpFPredicate::OGT,
          arith::CmpIPredicate::sgt);
  compare(GreaterOrEqualOp::getOperationName(), arith::CmpFPredicate::OGE,
          arith::CmpIPredicate::sge);
  add(
      WhereOp::getOperationName(), BODY {
        S;
        return s.select(a[0], a[1], a[2]);
      });

  // Unary math.
  add(
      ReluOp::getOperationName(), BODY {
        S;
        // maximumf propagates NaN, as numpy.maximum does.
        return s.max(a[0], s.constant(a[0].getType(), 0));
      });
  add(
      AbsOp::getOperationName(), BODY {
        if (hasUnsignedOperand(op))
          return a[0];
        if (isa<FloatType>(a[0].getType()))
          return math::AbsFOp::create(b, loc, a[0]);
        return math::AbsIOp::create(b, loc, a[0]);
      });
  add(
      NegOp::getOperationName(), BODY {
        S;
        if (isa<FloatType>(a[0].getType()))
          return arith::NegFOp::create(b, loc, a[0]);
        return s.sub(s.constant(a[0].getType(), 0), a[0]);
      });
  add(
      SignOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        Value zero = s.constant(type, 0);
        Value positive = s.compare(arith::CmpFPredicate::OGT,
                                   arith::CmpIPredicate::sgt, a[0], zero);
        Value negative = s.lessThanZero(a[0]);
        return s.select(positive, s.constant(type, 1),
                        s.select(negative, s.constant(type, -1),
                                 isa<FloatType>(type) ? a[0] : zero));
      });
  add(
      ReciprocalOp::getOperationName(), BODY {
        S;
        return s.div(s.constant(a[0].getType(), 1), a[0]);
      });
  add(ExpOp::getOperationName(), mathBody<math::ExpOp>);
  add(LogOp::getOperationName(), mathBody<math::LogOp>);
  add(SqrtOp::getOperationName(), mathBody<math::SqrtOp>);
  add(FloorOp::getOperationName(), mathBody<math::FloorOp>);
  add(CeilOp::getOperationName(), mathBody<math::CeilOp>);
  add(RoundOp::getOperationName(), mathBody<math::RoundEvenOp>);
  add(ErfOp::getOperationName(), mathBody<math::ErfOp>);
  add(TanhOp::getOperationName(), mathBody<math::TanhOp>);
  add(SinOp::getOperationName(), mathBody<math::SinOp>);
  add(CosOp::getOperationName(), mathBody<math::CosOp>);
  add(TanOp::getOperationName(), mathBody<math::TanOp>);
  add(AsinOp::getOperationName(), mathBody<math::AsinOp>);
  add(AcosOp::getOperationName(), mathBody<math::AcosOp>);
  add(AtanOp::getOperationName(), mathBody<math::AtanOp>);
  add(SinhOp::getOperationName(), mathBody<math::SinhOp>);
  add(CoshOp::getOperationName(), mathBody<math::CoshOp>);
  add(AsinhOp::getOperationName(), mathBody<math::AsinhOp>);
  add(AcoshOp::getOperationName(), mathBody<math::AcoshOp>);
  add(AtanhOp::getOperationName(), mathBody<math::AtanhOp>);
  add(
      SigmoidOp::getOperationName(), BODY {
        S;
        return s.math(a[0], [&](Value x) {
          Value one = s.constant(x.getType(), 1);
          Value e =
              math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
          return s.div(one, s.add(one, e));
        });
      });
  add(
      SoftsignOp::getOperationName(), BODY {
        S;
        Value one = s.constant(a[0].getType(), 1);
        return s.div(a[0], s.add(one, math::AbsFOp::create(b, loc, a[0])));
      });
  // softplus(x) = max(x, 0) + log1p(e^-|x|), which does not overflow.
  auto softplus = [](Scalar &s, Value x) -> Value {
    Value negAbs =
        arith::NegFOp::create(s.b, s.loc, math::AbsFOp::create(s.b, s.loc, x));
    Value tail = math::Log1pOp::create(s.b, s.loc,
                                       math::ExpOp::create(s.b, s.loc, negAbs));
    return s.add(s.max(x, s.constant(x.getType(), 0)), tail);
  };
  add(SoftplusOp::getOperationName(),
      [softplus](OpBuilder &b, Location loc, Operation *op, ValueRange a) {
        S;
        return s.math(a[0], [&](Value x) { return softplus(s, x); });
      });
  add(MishOp::getOperationName(),
      [softplus](OpBuilder &b, Location loc, Operation *op, ValueRange a) {
        S;
        return s.math(a[0], [&](Value x) {
          return s.mul(x, math::TanhOp::create(b, loc, softplus(s, x)));
        });
      });
  add(
      HardSwishOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        Value t = s.add(s.mul(a[0], s.constant(type, 1.0 / 6.0)),
                        s.constant(type, 0.5));
        t = s.max(s.constant(type, 0), s.min(s.constant(type, 1), t));
        return s.mul(a[0], t);
      });

  // Activations with parameters.
  add(
      LeakyReluOp::getOperationName(), BODY {
        S;
        Value alpha = s.constant(
            a[0].getType(), cast<LeakyReluOp>(op).getAlpha().convertToFloat());
        return s.select(s.lessThanZero(a[0]), s.mul(alpha, a[0]), a[0]);
      });
  add(
      EluOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        Value alpha =
            s.constant(type, cast<EluOp>(op).getAlpha().convertToFloat());
        Value negative = s.mul(alpha, s.sub(s.exp(a[0]), s.constant(type, 1)));
        return s.select(s.lessThanZero(a[0]), negative, a[0]);
      });
  add(
      CeluOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        Value alpha =
            s.constant(type, cast<CeluOp>(op).getAlpha().convertToFloat());
        Value zero = s.constant(type, 0);
        Value negative =
            s.mul(alpha, s.sub(s.exp(s.div(a[0], alpha)), s.constant(type, 1)));
        return s.add(s.max(zero, a[0]), s.min(zero, negative));
      });
  add(
      SeluOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        auto selu = cast<SeluOp>(op);
        Value alpha = s.constant(type, selu.getAlpha().convertToFloat());
        Value gamma = s.constant(type, selu.getGamma().convertToFloat());
        Value zero = s.constant(type, 0);
        Value negative = s.mul(alpha, s.sub(s.exp(a[0]), s.constant(type, 1)));
        Value positive = s.compare(arith::CmpFPredicate::OGT,
                                   arith::CmpIPredicate::sgt, a[0], zero);
        return s.mul(gamma, s.select(positive, a[0], negative));
      });
  add(
      ThresholdedReluOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        Value alpha = s.constant(
            type, cast<ThresholdedReluOp>(op).getAlpha().convertToFloat());
        Value above = s.compare(arith::CmpFPredicate::OGT,
                                arith::CmpIPredicate::sgt, a[0], alpha);
        return s.select(above, a[0], s.constant(type, 0));
      });
  add(
      HardSigmoidOp::getOperationName(), BODY {
        S;
        Type type = a[0].getType();
        auto hs = cast<HardSigmoidOp>(op);
        Value t =
            s.add(s.mul(s.constant(type, hs.getAlpha().convertToFloat()), a[0]),
                  s.constant(type, hs.getBeta().convertToFloat()));
        return s.max(s.constant(type, 0), s.min(s.constant(type, 1), t));
      });
  add(
      GeluOp::getOperationName(), BODY {
        S;
        bool tanhApprox = cast<GeluOp>(op).getTanhApproximation();
        return s.math(a[0], [&](Value x) {
          Type type = x.getType();
          Value half = s.constant(type, 0.5), one = s.constant(type, 1);
          Value inner;
          if (tanhApprox) {
            Value cube = s.mul(s.mul(x, x), x);
            Value arg =
                s.mul(s.constant(type, std::sqrt(2.0 / M_PI)),
                      s.add(x, s.mul(s.constant(type, 0.044715), cube)));
            inner = math::TanhOp::create(b, loc, arg);
          } else {
            inner = math::ErfOp::create(b, loc,
                                        s.mul(x, s.constant(type, M_SQRT1_2)));
          }
          return s.mul(s.mul(half, x), s.add(one, inner));
        });
      });
  add(
      ClipOp::getOperationName(), BODY {
        S;
        auto clip = cast<ClipOp>(op);
        Value x = a[0];
        unsigned next = 1;
        // Compare-and-select keeps NaN inputs NaN.
        if (clip.getMin()) {
          Value lo = a[next++];
          x = s.select(s.compare(arith::CmpFPredicate::OLT,
                                 arith::CmpIPredicate::slt, x, lo),
                       lo, x);
        }
        if (clip.getMax()) {
          Value hi = a[next++];
          x = s.select(s.compare(arith::CmpFPredicate::OGT,
                                 arith::CmpIPredicate::sgt, x, hi),
                       hi, x);
        }
        return x;
      });
  add(
      BitcastOp::getOperationName(), BODY {
        Type to = toSignless(op->getResult(0).getType());
        return arith::BitcastOp::create(b, loc, getElementTypeOrSelf(to), a[0]);
      });
  add(
      CastOp::getOperationName(), BODY {
        S;
        auto cast_ = cast<CastOp>(op);
        Type to = cast_.getTo();
        return s.convert(a[0], toSignless(to), to.isUnsignedInteger(),
                         cast_.getSaturate(), cast_.getRoundMode());
      });
}
