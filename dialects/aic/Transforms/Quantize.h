//===- Quantize.h - what aic-quantize quantizes -----------------*- C++ -*-===//
//
// The ops aic-quantize quantizes, for the pass and for aic-compile's
// calibration, which measures their activations first.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_TRANSFORMS_QUANTIZE_H
#define AIC_DIALECTS_AIC_TRANSFORMS_QUANTIZE_H

#include "mlir/IR/Operation.h"

#include <cstdint>
#include <string>

namespace mlir::aic {

/// The aic.matmul, aic.gemm and aic.conv ops under `root` that aic-quantize
/// quantizes, in walk order: f32 activations (operand 0) by a constant f32
/// matrix of weights (a Gemm without transposed A, of alpha and beta 1) or
/// constant f32 filters (a 2-D convolution of one group, C x Kh x Kw a
/// multiple of 4), their nodes not named in `exclude`.
SmallVector<Operation *> quantizationCandidates(Operation *root,
                                                ArrayRef<std::string> exclude);

/// How aic-quantize quantizes activations calibrated to [lo, hi]: uint8
/// with the range widened to hold 0, scale (hi - lo) / 255 (1 for an empty
/// range) and zero point -lo / scale rounded.
struct ActivationQuantization {
  float scale;
  uint8_t zeroPoint;
  ActivationQuantization(float lo, float hi);
  /// `value` quantized and dequantized.
  float roundTrip(float value) const;
};

} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_TRANSFORMS_QUANTIZE_H
