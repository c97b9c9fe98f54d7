//===- Scalar.cpp - scalar bodies of the aic to linalg generics -----------===//

#include "compiler/Conversion/AicToLinalg/Scalar.h"

using namespace mlir;
using namespace mlir::aic;

Value Scalar::convert(Value x, Type to, bool toUnsigned, bool saturate) {
  Type from = x.getType();
  if (from == to)
    return x;
  // 8-bit floats go through f32.
  Type f32 = b.getF32Type();
  if (auto small = dyn_cast<FloatType>(from); small && small.getWidth() <= 8)
    return convert(arith::ExtFOp::create(b, loc, f32, x), to, toUnsigned,
                   saturate);
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
