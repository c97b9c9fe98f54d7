//===- Buffers.h - where the host function's buffers live -------*- C++ -*-===//
//
// The CUDA passes' one view of the graph function's memory: buffers it
// allocates live on the device (or, marked kHostVisible, where the host
// reads them too); its arguments (the caller's inputs), globals (weights)
// and stack buffers are host memory.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CUDA_BUFFERS_H
#define AIC_CODEGEN_CUDA_BUFFERS_H

#include "mlir/IR/Value.h"

namespace mlir::aic::cuda {

/// The attribute of allocations the host reads as well as the device
/// (a computed shape): managed memory, not device memory.
inline constexpr llvm::StringLiteral kHostVisible = "aic.cuda.host_visible";

/// The buffer `value` is a view of (itself where it is no view).
Value rootBuffer(Value value);

/// Whether `buffer` is (a view of) host memory: one of the function's
/// arguments (the model's inputs, as the caller gave them), a stack buffer
/// (the deallocation's bookkeeping) or a global (a weight).
bool isHostBuffer(Value buffer);

/// Whether `buffer` is (a view of) an allocation the host reads too.
bool isHostVisibleBuffer(Value buffer);

} // namespace mlir::aic::cuda

#endif // AIC_CODEGEN_CUDA_BUFFERS_H
