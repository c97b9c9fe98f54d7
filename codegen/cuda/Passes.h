//===- Passes.h - aic CUDA codegen passes and pipeline ----------*- C++ -*-===//
//
// The CUDA code generation passes and the pipeline that lowers linalg on
// tensors to kernels in PTX for NVIDIA GPUs.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CUDA_PASSES_H
#define AIC_CODEGEN_CUDA_PASSES_H

#include "codegen/cpu/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace mlir::aic::cuda {

#define GEN_PASS_DECL
#include "codegen/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cuda/Passes.h.inc"

struct CudaCodegenOptions {
  /// 0 to 3, as -O0 .. -O3.
  unsigned optLevel = 2;
  /// The GPU architecture (sm_80, sm_90).
  std::string arch = "sm_80";
  /// The CUDA Toolkit whose libdevice (nvvm/libdevice/libdevice.10.bc)
  /// the kernels link for math functions; "" for findCudaToolkit().
  std::string toolkit;
  /// Whether the kernels' binaries are fatbins of cubin (for `arch`, from
  /// the toolkit's ptxas) and PTX (which the driver compiles for newer
  /// GPUs), rather than PTX alone.
  bool cubin = false;
  /// For tests: the kernels stay gpu.module ops, for emulateKernels.
  bool emulate = false;
};

/// Whether the CUDA Toolkit at `toolkit` has what cubins need (ptxas and
/// fatbinary in bin/).
bool canMakeCubin(llvm::StringRef toolkit);

/// The CUDA Toolkit to link libdevice from: $CUDA_HOME, $CUDA_PATH or
/// /usr/local/cuda, the first that has libdevice; "" where none does.
std::string findCudaToolkit();

/// The architectures aic generates code for, and whether `arch` is one.
llvm::ArrayRef<llvm::StringRef> supportedArchs();
bool isSupportedArch(llvm::StringRef arch);

/// linalg on tensors -> bufferized loops mapped onto blocks and threads ->
/// kernels outlined into gpu.module ops -> NVVM -> PTX (or cubin and PTX)
/// in gpu.binary ops, and the host function's buffers in device memory.
void buildCudaCodegenPipeline(OpPassManager &pm,
                              const CudaCodegenOptions &options);

/// Host code (loops, memrefs, math) to the LLVM dialect; with `gpuCalls`,
/// GPU operations too, as calls of MLIR's GPU runtime interface.
void buildHostLoweringPipeline(OpPassManager &pm, bool gpuCalls);

/// For tests (aic-compile --cuda-emulate), after buildCudaCodegenPipeline
/// with `emulate`: compiles each kernel module for the host CPU into a
/// shared library in a gpu.binary, which the stand-in driver
/// (test/cuda/fake_libcuda.c) runs.
LogicalResult emulateKernels(ModuleOp module, const cpu::TargetOptions &target,
                             std::string &error);

/// The host side of a CUDA model (after buildCudaCodegenPipeline): the
/// model ABI around the graph (aic-cpu-emit-model-abi with `cuda`), then
/// the LLVM dialect, with GPU operations as calls of the model's host code
/// (runtime/cuda/ModelHost.c) and the kernels' binary loaded when the
/// library is.
void buildCudaHostPipeline(OpPassManager &pm);

/// The PTX of every kernel module in `module` (after the pipeline), in
/// order; fails with `error` where a module has none.
LogicalResult
collectPtx(ModuleOp module,
           SmallVectorImpl<std::pair<std::string, std::string>> &ptx,
           std::string &error);

} // namespace mlir::aic::cuda

#endif // AIC_CODEGEN_CUDA_PASSES_H
