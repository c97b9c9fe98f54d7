//===- Quantization.h - building quantization in aic ops --------*- C++ -*-===//
//
// Quantization sequences of aic ops that the importer and the graph passes
// both build.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_IR_QUANTIZATION_H
#define AIC_DIALECTS_AIC_IR_QUANTIZATION_H

#include "mlir/IR/Builders.h"

namespace mlir::aic {

/// An f32 scalar (rank-0) aic.constant.
Value buildScalar(OpBuilder &b, Location loc, float value);

struct DynamicQuantization {
  /// `x` as uint8, its scale (f32) and zero point (ui8), both rank 0.
  Value output, scale, zeroPoint;
};

/// ONNX DynamicQuantizeLinear of the f32 tensor `x`: the range of its
/// values widened to hold 0, [lo, hi], mapped onto 0..255: scale
/// (hi - lo) / 255, zero point -lo / scale rounded and saturated.
DynamicQuantization buildDynamicQuantization(OpBuilder &b, Location loc,
                                             Value x);

} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_IR_QUANTIZATION_H
