//===- Quantization.cpp - building quantization in aic ops ----------------===//

#include "dialects/aic/IR/Quantization.h"

#include "dialects/aic/IR/AicOps.h"

using namespace mlir;
using namespace mlir::aic;

Value mlir::aic::buildScalar(OpBuilder &b, Location loc, float value) {
  auto type = RankedTensorType::get({}, b.getF32Type());
  return ConstantOp::create(b, loc,
                            DenseElementsAttr::get(type, ArrayRef(value)));
}

DynamicQuantization mlir::aic::buildDynamicQuantization(OpBuilder &b,
                                                        Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> all =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  auto reduce = [&](auto op) {
    return decltype(op)::create(b, loc, x, Value(), b.getDenseI64ArrayAttr(all),
                                b.getBoolAttr(false))
        .getResult();
  };
  Value zero = buildScalar(b, loc, 0.0f);
  Value lo = MinOp::create(b, loc, reduce(ReduceMinOp()), zero);
  Value hi = MaxOp::create(b, loc, reduce(ReduceMaxOp()), zero);
  Value scale = DivOp::create(b, loc, SubOp::create(b, loc, hi, lo),
                              buildScalar(b, loc, 255.0f));
  Type u8 = b.getIntegerType(8, /*isSigned=*/false);
  auto quantize = [&](Value v, Value zeroPoint) {
    return QuantizeOp::create(b, loc,
                              cast<RankedTensorType>(v.getType()).clone(u8), v,
                              scale, zeroPoint, b.getI64IntegerAttr(1),
                              b.getI64IntegerAttr(0), b.getBoolAttr(true))
        .getResult();
  };
  Value zeroPoint = quantize(NegOp::create(b, loc, lo), Value());
  return {quantize(x, zeroPoint), scale, zeroPoint};
}
