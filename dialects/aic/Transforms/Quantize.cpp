//===- Quantize.cpp - the aic-quantize pass -------------------------------===//
//
// Quantizes float matmuls by constant weights into QDQ form (Passes.td):
// weights per column at compile time, activations per tensor from a
// calibrated range or at run time.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/Transforms/Quantize.h"
#include "dialects/aic/Transforms/Passes.h"

#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ConstantData.h"
#include "dialects/aic/IR/Quantization.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

namespace mlir::aic {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "dialects/aic/Transforms/Passes.h.inc"
} // namespace mlir::aic

using namespace mlir;
using namespace mlir::aic;

namespace {
RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The node name of an op's location, if it has one.
StringRef nodeName(Operation *op) {
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    return named.getName().strref();
  return {};
}

/// `v` (K x N f32 weights) as DequantizeLinear(int8 weights, per-column
/// scales): symmetric, each column's scale its largest magnitude / 127.
Value quantizeWeights(OpBuilder &b, Location loc, Value v,
                      ArrayRef<float> weights) {
  RankedTensorType type = tensorType(v);
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  SmallVector<float> scales(columns, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      scales[c] = std::max(scales[c], std::fabs(weights[r * columns + c]));
  for (float &s : scales)
    s = s > 0 ? s / 127.0f : 1.0f;
  std::vector<char> data(rows * columns);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) {
      float q = std::nearbyint(weights[r * columns + c] / scales[c]);
      data[r * columns + c] = (char)(int8_t)std::clamp(q, -127.0f, 127.0f);
    }
  auto i8 = b.getIntegerType(8);
  Value values = ConstantOp::create(
      b, loc, resourceElements(type.clone(i8), "quantized", data));
  auto scaleType = RankedTensorType::get({columns}, b.getF32Type());
  Value scale = ConstantOp::create(
      b, loc, DenseElementsAttr::get(scaleType, ArrayRef(scales)));
  Value zeroPoint = ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({columns}, i8),
                             b.getIntegerAttr(i8, 0)));
  return DequantizeOp::create(b, loc, type, values, scale, zeroPoint,
                              b.getI64IntegerAttr(1), b.getI64IntegerAttr(0));
}

/// `x` as DequantizeLinear(QuantizeLinear(x)) in uint8 per tensor: by the
/// range [lo, hi] where given, else by its range at run time.
Value quantizeActivations(OpBuilder &b, Location loc, Value x,
                          std::optional<std::pair<float, float>> range) {
  Type u8 = b.getIntegerType(8, /*isSigned=*/false);
  Value q, scale, zeroPoint;
  if (range) {
    float lo = std::min(range->first, 0.0f), hi = std::max(range->second, 0.0f);
    float s = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    float z = std::clamp(std::nearbyint(-lo / s), 0.0f, 255.0f);
    scale = buildScalar(b, loc, s);
    zeroPoint = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, u8),
                               b.getIntegerAttr(u8, APInt(8, (uint64_t)z))));
    q = QuantizeOp::create(b, loc, tensorType(x).clone(u8), x, scale, zeroPoint,
                           b.getI64IntegerAttr(1), b.getI64IntegerAttr(0),
                           b.getBoolAttr(true));
  } else {
    DynamicQuantization dynamic = buildDynamicQuantization(b, loc, x);
    q = dynamic.output;
    scale = dynamic.scale;
    zeroPoint = dynamic.zeroPoint;
  }
  return DequantizeOp::create(b, loc, tensorType(x), q, scale, zeroPoint,
                              b.getI64IntegerAttr(1), b.getI64IntegerAttr(0));
}

/// Whether `gemm` is a matmul by constant weights: no transposed A, alpha
/// and beta of 1, f32.
bool isMatMulByConstant(GemmOp gemm) {
  return !gemm.getTransA() && gemm.getAlpha().convertToFloat() == 1.0f &&
         gemm.getBeta().convertToFloat() == 1.0f &&
         tensorType(gemm.getA()).getElementType().isF32() &&
         tensorType(gemm.getB()).getRank() == 2 &&
         constantBytes(gemm.getB()).has_value();
}

bool isMatMulByConstant(MatMulOp op) {
  return tensorType(op.getLhs()).getElementType().isF32() &&
         tensorType(op.getRhs()).getElementType().isF32() &&
         tensorType(op.getRhs()).getRank() == 2 &&
         constantFloats(op.getRhs()).has_value();
}

/// A Gemm that is a matmul by constant weights (isMatMulByConstant) as
/// aic.matmul (by the weights transposed at compile time
/// where trans_b) plus its C; returns the matmul.
MatMulOp gemmAsMatMul(OpBuilder &b, GemmOp gemm) {
  std::optional<SmallVector<float>> weights = constantFloats(gemm.getB());
  if (!weights)
    return {};
  b.setInsertionPoint(gemm);
  Location loc = gemm.getLoc();
  Value rhs = gemm.getB();
  if (gemm.getTransB()) {
    RankedTensorType type = tensorType(rhs);
    int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
    std::vector<char> data(rows * columns * sizeof(float));
    auto *out = reinterpret_cast<float *>(data.data());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < columns; ++c)
        out[c * rows + r] = (*weights)[r * columns + c];
    rhs = ConstantOp::create(
        b, loc,
        resourceElements(type.clone({columns, rows}), "transposed", data));
  }
  auto matmul = MatMulOp::create(b, loc, gemm.getA(), rhs);
  Value result = matmul.getResult();
  if (gemm.getC())
    result = AddOp::create(b, loc, result, gemm.getC());
  gemm.getResult().replaceAllUsesWith(result);
  gemm.erase();
  return matmul;
}

struct QuantizePass : aic::impl::QuantizePassBase<QuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    bool dynamic = mode == "int8-dynamic";
    if (!dynamic && mode != "int8") {
      getOperation()->emitError()
          << "aic-quantize: mode must be int8 or int8-dynamic, not '" << mode
          << "'";
      return signalPassFailure();
    }
    OpBuilder b(&getContext());
    for (Operation *candidate :
         quantizationCandidates(getOperation(), llvm::to_vector(exclude))) {
      auto op = dyn_cast<MatMulOp>(candidate);
      if (auto gemm = dyn_cast<GemmOp>(candidate)) {
        Attribute range = gemm->getAttr("aic.input_range");
        op = gemmAsMatMul(b, gemm);
        if (op && range)
          op->setAttr("aic.input_range", range);
      }
      if (!op)
        continue;
      std::optional<std::pair<float, float>> range;
      if (!dynamic) {
        auto bounds = op->getAttrOfType<DenseF32ArrayAttr>("aic.input_range");
        if (!bounds || bounds.size() != 2)
          continue;
        range = {bounds[0], bounds[1]};
      }
      Value x = op.getLhs(), w = op.getRhs();
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      op.getLhsMutable().assign(quantizeActivations(b, loc, x, range));
      op.getRhsMutable().assign(quantizeWeights(b, loc, w, *constantFloats(w)));
      op->removeAttr("aic.input_range");
    }
  }
};
} // namespace

SmallVector<Operation *>
mlir::aic::quantizationCandidates(Operation *root,
                                  ArrayRef<std::string> exclude) {
  SmallVector<Operation *> candidates;
  root->walk([&](Operation *op) {
    if (llvm::is_contained(exclude, nodeName(op).str()))
      return;
    auto matmul = dyn_cast<MatMulOp>(op);
    auto gemm = dyn_cast<GemmOp>(op);
    if ((matmul && isMatMulByConstant(matmul)) ||
        (gemm && isMatMulByConstant(gemm)))
      candidates.push_back(op);
  });
  return candidates;
}
