//===- Scalar.h - scalar bodies of the aic to linalg generics ---*- C++ -*-===//
//
// The arithmetic that the bodies of generated linalg.generic ops are built
// from, picking float, signed or unsigned arith ops by element type.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_COMPILER_CONVERSION_AICTOLINALG_SCALAR_H
#define AIC_COMPILER_CONVERSION_AICTOLINALG_SCALAR_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"

namespace mlir::aic {

/// Scalar helpers. Integers are signed unless `isUnsigned` (the aic op's
/// operands were unsigned before they became signless); bools (i1) are
/// always unsigned.
struct Scalar {
  OpBuilder &b;
  Location loc;
  bool isUnsigned = false;

  Value constant(Type type, double value) {
    if (isa<FloatType>(type))
      return arith::ConstantOp::create(b, loc, type,
                                       b.getFloatAttr(type, value));
    return arith::ConstantOp::create(b, loc, type,
                                     b.getIntegerAttr(type, (int64_t)value));
  }
  // Arithmetic folds where both operands are constants (shape and scale
  // computations outside the generic bodies).
  Value add(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? b.createOrFold<arith::AddFOp>(loc, x, y)
               : b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value sub(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? b.createOrFold<arith::SubFOp>(loc, x, y)
               : b.createOrFold<arith::SubIOp>(loc, x, y);
  }
  Value mul(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? b.createOrFold<arith::MulFOp>(loc, x, y)
               : b.createOrFold<arith::MulIOp>(loc, x, y);
  }
  Value div(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? b.createOrFold<arith::DivFOp>(loc, x, y)
           : isUnsigned ? b.createOrFold<arith::DivUIOp>(loc, x, y)
                        : b.createOrFold<arith::DivSIOp>(loc, x, y);
  }
  /// Integer x / y and x % y that cannot trap (x86's div faults on a zero
  /// divisor and on the lowest value / -1): `divisor` is y with those
  /// replaced by 1 (lowest / -1 then wraps to lowest, and its remainder is
  /// 0), and `byZero` whether y was 0, where the caller's result is 0.
  void guardDivisor(Value x, Value y, Value &divisor, Value &byZero) {
    Type type = y.getType();
    Value zero = constant(type, 0), one = constant(type, 1);
    byZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
    Value traps = byZero;
    if (!isUnsigned && !type.isInteger(1)) {
      Value lowest = arith::ConstantOp::create(
          b, loc, type,
          b.getIntegerAttr(
              type, APInt::getSignedMinValue(type.getIntOrFloatBitWidth())));
      Value minusOne = constant(type, -1);
      Value overflows = arith::AndIOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, lowest),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, minusOne));
      traps = arith::OrIOp::create(b, loc, traps, overflows);
    }
    divisor = select(traps, one, y);
  }
  /// Elementwise x / y (ONNX Div): integers by guardDivisor, 0 where y is 0.
  Value divide(Value x, Value y) {
    if (isa<FloatType>(x.getType()))
      return div(x, y);
    Value divisor, byZero;
    guardDivisor(x, y, divisor, byZero);
    return select(byZero, constant(x.getType(), 0), div(x, divisor));
  }
  // Bools (i1) compare unsigned: true is the larger.
  Value max(Value x, Value y) {
    if (isa<FloatType>(x.getType()))
      return arith::MaximumFOp::create(b, loc, x, y);
    if (isUnsigned || x.getType().isInteger(1))
      return arith::MaxUIOp::create(b, loc, x, y);
    return arith::MaxSIOp::create(b, loc, x, y);
  }
  Value min(Value x, Value y) {
    if (isa<FloatType>(x.getType()))
      return arith::MinimumFOp::create(b, loc, x, y);
    if (isUnsigned || x.getType().isInteger(1))
      return arith::MinUIOp::create(b, loc, x, y);
    return arith::MinSIOp::create(b, loc, x, y);
  }
  /// x `pred` y, with float predicates ordered (false on NaN) and the
  /// signed integer predicates made unsigned for unsigned operands.
  Value compare(arith::CmpFPredicate fp, arith::CmpIPredicate ip, Value x,
                Value y) {
    if (isa<FloatType>(x.getType()))
      return arith::CmpFOp::create(b, loc, fp, x, y);
    if (isUnsigned)
      ip = toUnsigned(ip);
    return arith::CmpIOp::create(b, loc, ip, x, y);
  }
  static arith::CmpIPredicate toUnsigned(arith::CmpIPredicate ip) {
    switch (ip) {
    case arith::CmpIPredicate::slt:
      return arith::CmpIPredicate::ult;
    case arith::CmpIPredicate::sle:
      return arith::CmpIPredicate::ule;
    case arith::CmpIPredicate::sgt:
      return arith::CmpIPredicate::ugt;
    case arith::CmpIPredicate::sge:
      return arith::CmpIPredicate::uge;
    default:
      return ip;
    }
  }
  Value lessThanZero(Value x) {
    if (isUnsigned && isa<IntegerType>(x.getType()))
      return constant(b.getI1Type(), 0);
    return compare(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt, x,
                   constant(x.getType(), 0));
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// `fn` on `x`, computed in f32 where x is a 16-bit float.
  Value math(Value x, function_ref<Value(Value)> fn) {
    Type type = x.getType();
    if (!type.isF16() && !type.isBF16())
      return fn(x);
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    return arith::TruncFOp::create(b, loc, type, fn(wide));
  }
  template <typename MathOp> Value unary(Value x) {
    return math(x, [&](Value v) { return MathOp::create(b, loc, v); });
  }
  Value exp(Value x) { return unary<math::ExpOp>(x); }
  Value log(Value x) { return unary<math::LogOp>(x); }
  Value sqrt(Value x) { return unary<math::SqrtOp>(x); }
  /// The lowest (or highest) value of `type`: the identity of max (min).
  Value extreme(Type type, bool lowest);
  /// `x` converted to `to` (signless), which is unsigned if `toUnsigned`.
  /// To an 8-bit float, `saturate` clamps to its finite range first; to
  /// f8E8M0FNU, `roundMode` (up, down or nearest) picks the power of two.
  Value convert(Value x, Type to, bool toUnsigned = false, bool saturate = true,
                StringRef roundMode = "up");
};

} // namespace mlir::aic

#endif // AIC_COMPILER_CONVERSION_AICTOLINALG_SCALAR_H
