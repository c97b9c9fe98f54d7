//===- Internal.h - libaic_runtime's own helpers ----------------*- C++ -*-===//

#ifndef AIC_RUNTIME_SRC_INTERNAL_H
#define AIC_RUNTIME_SRC_INTERNAL_H

#include "aic/runtime.h"

namespace aic_runtime {

/// Sets the calling thread's message (printf-style; aic_last_error) and
/// returns `status`.
aic_status fail(aic_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// The most inputs or outputs, and the highest rank, a model may describe.
constexpr uint32_t kMaxModelTensors = 1 << 16;
constexpr int32_t kMaxRank = 64;

/// Checks a model library's description of itself (aic_model_v1_info)
/// before the runtime relies on it: counts, arrays, names, element types,
/// ranks and dims. `what` names the library in the message.
aic_status checkModelInfo(const aic_model_info *info, const char *what);

/// Checks `count` tensors given for a model's inputs against `infos`.
aic_status checkInputs(const aic_tensor *tensors, size_t count,
                       const aic_tensor_info *infos, uint32_t expected);

} // namespace aic_runtime

#endif // AIC_RUNTIME_SRC_INTERNAL_H
