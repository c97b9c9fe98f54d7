//===- Internal.h - libaic_runtime's own helpers ----------------*- C++ -*-===//

#ifndef AIC_RUNTIME_SRC_INTERNAL_H
#define AIC_RUNTIME_SRC_INTERNAL_H

#include "aic/runtime.h"

namespace aic_runtime {

/// Sets the calling thread's message (printf-style; aic_last_error) and
/// returns `status`.
aic_status fail(aic_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

} // namespace aic_runtime

#endif // AIC_RUNTIME_SRC_INTERNAL_H
