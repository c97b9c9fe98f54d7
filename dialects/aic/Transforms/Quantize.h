//===- Quantize.h - what aic-quantize quantizes -----------------*- C++ -*-===//
//
// The ops aic-quantize quantizes, for the pass and for aic-compile's
// calibration, which measures their activations first.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_TRANSFORMS_QUANTIZE_H
#define AIC_DIALECTS_AIC_TRANSFORMS_QUANTIZE_H

#include "mlir/IR/Operation.h"

#include <string>

namespace mlir::aic {

/// The aic.matmul, aic.gemm and aic.conv ops under `root` that aic-quantize
/// quantizes, in walk order: f32 activations (operand 0) by a constant f32
/// matrix of weights (a Gemm without transposed A, of alpha and beta 1) or
/// constant f32 filters (a 2-D convolution of one group, C x Kh x Kw a
/// multiple of 4), their nodes not named in `exclude`.
SmallVector<Operation *> quantizationCandidates(Operation *root,
                                                ArrayRef<std::string> exclude);

} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_TRANSFORMS_QUANTIZE_H
