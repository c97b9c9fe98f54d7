//===- Scalar.cpp - scalar bodies of the aic to linalg generics -----------===//

#include "compiler/Conversion/AicToLinalg/Scalar.h"

using namespace mlir;
using namespace mlir::aic;

Value Scalar::convert(Value x, Type to, bool toUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
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
  if (isa<FloatType>(from))
    return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, x))
                      : Value(arith::FPToSIOp::create(b, loc, to, x));
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
