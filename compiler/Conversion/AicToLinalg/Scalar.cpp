//===- Scalar.cpp - scalar bodies of the aic to linalg generics -----------===//

#include "compiler/Conversion/AicToLinalg/Scalar.h"

using namespace mlir;
using namespace mlir::aic;

/// f32 `x` to f8E8M0FNU (2^(code - 127), 0xFF NaN), on its bits as ONNX
/// defines it: the exponent field, plus one where `roundMode` rounds up
/// (up: any mantissa; nearest: past half, or half with an odd exponent
/// field); NaN and infinity become NaN, and with `saturate` rounding does
/// not carry past the largest power.
static Value truncToE8M0(Scalar &s, Value x, Type to, bool saturate,
                         StringRef roundMode) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Type i32 = b.getI32Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(v));
  };
  auto eq = [&](Value p, Value q) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, p, q);
  };
  auto ne = [&](Value p, Value q) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, p, q);
  };
  auto bitsAt = [&](Value bits, int64_t mask) -> Value {
    return ne(arith::AndIOp::create(b, loc, bits, c(mask)), c(0));
  };
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value exponent = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c(23)), c(0xFF));
  Value up;
  if (roundMode == "up") {
    up = bitsAt(bits, 0x7FFFFF);
  } else if (roundMode == "nearest") {
    Value guard = bitsAt(bits, 0x400000);
    Value rest = arith::OrIOp::create(b, loc, bitsAt(bits, 0x3FFFFF),
                                      ne(exponent, c(0)));
    up = arith::AndIOp::create(b, loc, guard, rest);
  }
  Value code = exponent;
  if (up) {
    if (saturate)
      up = arith::AndIOp::create(b, loc, up, ne(exponent, c(0xFE)));
    code = arith::AddIOp::create(b, loc, exponent,
                                 arith::ExtUIOp::create(b, loc, i32, up));
  }
  code = s.select(eq(exponent, c(0xFF)), c(0xFF), code);
  Value byte = arith::TruncIOp::create(b, loc, b.getI8Type(), code);
  return arith::BitcastOp::create(b, loc, to, byte);
}

Value Scalar::convert(Value x, Type to, bool toUnsigned, bool saturate,
                      StringRef roundMode) {
  Type from = x.getType();
  if (from == to)
    return x;
  // 8-bit floats go through f32.
  Type f32 = b.getF32Type();
  if (auto small = dyn_cast<FloatType>(from); small && small.getWidth() <= 8)
    return convert(arith::ExtFOp::create(b, loc, f32, x), to, toUnsigned,
                   saturate, roundMode);
  if (isa<Float8E8M0FNUType>(to))
    return truncToE8M0(*this, convert(x, f32), to, saturate, roundMode);
  if (auto small = dyn_cast<FloatType>(to); small && small.getWidth() <= 8) {
    Value wide = convert(x, f32);
    if (!APFloat::semanticsHasNaN(small.getFloatSemantics())) {
      // No NaN to become (float4e2m1): ONNX makes it -0, and clamps
      // whatever else is out of range.
      Value isNaN =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, wide, wide);
      wide = select(isNaN, constant(f32, -0.0), wide);
      saturate = true;
    }
    if (saturate) {
      // Clamps into the finite range; NaN compares false and stays NaN.
      APFloat largest = APFloat::getLargest(small.getFloatSemantics());
      bool lost;
      largest.convert(APFloat::IEEEsingle(), APFloat::rmTowardZero, &lost);
      Value hi = constant(f32, largest.convertToFloat());
      Value lo = constant(f32, -largest.convertToFloat());
      wide = select(compare(arith::CmpFPredicate::OGT,
                            arith::CmpIPredicate::sgt, wide, hi),
                    hi, wide);
      wide = select(compare(arith::CmpFPredicate::OLT,
                            arith::CmpIPredicate::slt, wide, lo),
                    lo, wide);
    }
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (to.isInteger(1))
    return compare(arith::CmpFPredicate::UNE, arith::CmpIPredicate::ne, x,
                   constant(from, 0));
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (auto fromFloat = dyn_cast<FloatType>(from))
      return toFloat.getWidth() > fromFloat.getWidth()
                 ? Value(arith::ExtFOp::create(b, loc, to, x))
                 : Value(arith::TruncFOp::create(b, loc, to, x));
    if (isUnsigned || from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  if (isa<FloatType>(from)) {
    unsigned width = to.getIntOrFloatBitWidth();
    if (width > 1 && width < 8) {
      // To the sub-byte integers ONNX truncates toward zero and wraps: the
      // low bits of the 32-bit integer (fptosi to i4 itself would make
      // values out of its range poison).
      Value wide = arith::FPToSIOp::create(b, loc, b.getI32Type(), x);
      return arith::TruncIOp::create(b, loc, to, wide);
    }
    return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, x))
                      : Value(arith::FPToSIOp::create(b, loc, to, x));
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth(),
           toWidth = to.getIntOrFloatBitWidth();
  if (toWidth < fromWidth)
    return arith::TruncIOp::create(b, loc, to, x);
  if (isUnsigned || from.isInteger(1))
    return arith::ExtUIOp::create(b, loc, to, x);
  return arith::ExtSIOp::create(b, loc, to, x);
}

Value Scalar::extreme(Type type, bool lowest) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, type,
        b.getFloatAttr(type, APFloat::getInf(f.getFloatSemantics(), lowest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v;
  if (isUnsigned || width == 1)
    v = lowest ? APInt::getMinValue(width) : APInt::getMaxValue(width);
  else
    v = lowest ? APInt::getSignedMinValue(width)
               : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v));
}
