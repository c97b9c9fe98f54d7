//===- Quantize.cpp - the aic-quantize pass -------------------------------===//
//
// Quantizes float matmuls and convolutions by constant weights into QDQ
// form (Passes.td): weights per column (per filter) at compile time,
// activations per tensor from a calibrated range or at run time.
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

/// `v` (f32 weights) as DequantizeLinear(int8 weights, scales per element
/// of dim `axis`: a matmul's columns, 1, or a convolution's filters, 0):
/// symmetric, each scale the largest magnitude along it / 127.
Value quantizeWeights(OpBuilder &b, Location loc, Value v,
                      ArrayRef<float> weights, int64_t axis) {
  RankedTensorType type = tensorType(v);
  int64_t channels = type.getDimSize(axis);
  // Element i's channel: (i / inner) % channels.
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  auto channelOf = [&](size_t i) { return (int64_t(i) / inner) % channels; };
  SmallVector<float> scales(channels, 0.0f);
  for (size_t i = 0; i < weights.size(); ++i)
    scales[channelOf(i)] =
        std::max(scales[channelOf(i)], std::fabs(weights[i]));
  for (float &s : scales)
    s = s > 0 ? s / 127.0f : 1.0f;
  std::vector<char> data(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    float q = std::nearbyint(weights[i] / scales[channelOf(i)]);
    data[i] = (char)(int8_t)std::clamp(q, -127.0f, 127.0f);
  }
  auto i8 = b.getIntegerType(8);
  Value values = ConstantOp::create(
      b, loc, resourceElements(type.clone(i8), "quantized", data));
  auto scaleType = RankedTensorType::get({channels}, b.getF32Type());
  Value scale = ConstantOp::create(
      b, loc, DenseElementsAttr::get(scaleType, ArrayRef(scales)));
  Value zeroPoint = ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({channels}, i8),
                             b.getIntegerAttr(i8, 0)));
  return DequantizeOp::create(b, loc, type, values, scale, zeroPoint,
                              b.getI64IntegerAttr(axis),
                              b.getI64IntegerAttr(0));
}

/// `x` as DequantizeLinear(QuantizeLinear(x)) in uint8 per tensor: by the
/// range [lo, hi] where given (multiplying by the scale's reciprocal, which
/// is as good a rule for scales of our own choosing, and faster), else by
/// its range at run time.
Value quantizeActivations(OpBuilder &b, Location loc, Value x,
                          std::optional<std::pair<float, float>> range) {
  Type u8 = b.getIntegerType(8, /*isSigned=*/false);
  Value q, scale, zeroPoint;
  if (range) {
    ActivationQuantization rule(range->first, range->second);
    scale = buildScalar(b, loc, rule.scale);
    zeroPoint = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({}, u8),
            b.getIntegerAttr(u8, APInt(8, (uint64_t)rule.zeroPoint))));
    q = QuantizeOp::create(b, loc, tensorType(x).clone(u8), x, scale, zeroPoint,
                           b.getI64IntegerAttr(1), b.getI64IntegerAttr(0),
                           b.getBoolAttr(true), b.getBoolAttr(true));
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

/// Whether `conv` is one aic-fold-quantized-matmuls makes an 8-bit one
/// whose codegen runs dot products: 2-D, one group, f32, by constant
/// weights whose C x Kh x Kw is a multiple of 4 (the bytes of one).
bool isQuantizableConv(ConvOp conv) {
  RankedTensorType weightType = tensorType(conv.getWeight());
  return conv.getGroup() == 1 && weightType.getRank() == 4 &&
         weightType.hasStaticShape() &&
         tensorType(conv.getInput()).getElementType().isF32() &&
         weightType.getElementType().isF32() &&
         (weightType.getNumElements() / weightType.getDimSize(0)) % 4 == 0 &&
         constantFloats(conv.getWeight()).has_value();
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
      Operation *op = candidate;
      if (auto gemm = dyn_cast<GemmOp>(candidate)) {
        Attribute range = gemm->getAttr("aic.input_range");
        op = gemmAsMatMul(b, gemm);
        if (op && range)
          op->setAttr("aic.input_range", range);
      }
      // Dynamic quantization (the activations' range measured on each run,
      // a reduction per op) is for matmuls; a CNN's convolutions take
      // calibrated ranges, as ONNX Runtime recommends.
      if (!op || (dynamic && isa<ConvOp>(op)))
        continue;
      std::optional<std::pair<float, float>> range;
      if (!dynamic) {
        auto bounds = op->getAttrOfType<DenseF32ArrayAttr>("aic.input_range");
        if (!bounds || bounds.size() != 2)
          continue;
        range = {bounds[0], bounds[1]};
      }
      // Activations are operand 0, weights operand 1: a matmul's per
      // column, a convolution's per filter.
      OpOperand &x = op->getOpOperand(0), &w = op->getOpOperand(1);
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      x.set(quantizeActivations(b, loc, x.get(), range));
      w.set(quantizeWeights(b, loc, w.get(), *constantFloats(w.get()),
                            isa<ConvOp>(op) ? 0 : 1));
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
    auto conv = dyn_cast<ConvOp>(op);
    if ((matmul && isMatMulByConstant(matmul)) ||
        (gemm && isMatMulByConstant(gemm)) || (conv && isQuantizableConv(conv)))
      candidates.push_back(op);
  });
  return candidates;
}

mlir::aic::ActivationQuantization::ActivationQuantization(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
  zeroPoint = (uint8_t)std::clamp(std::nearbyint(-lo / scale), 0.0f, 255.0f);
}

float mlir::aic::ActivationQuantization::roundTrip(float value) const {
  float q = std::clamp(std::nearbyint(value / scale) + zeroPoint, 0.0f, 255.0f);
  return (q - zeroPoint) * scale;
}
