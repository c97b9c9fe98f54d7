//===- Pipelines.h - aic compilation pipelines ------------------*- C++ -*-===//
//
// The phases aic-compile runs, as pass pipeline builders. aic-opt registers
// the same builders under their pipeline names, so that a lit test of a
// phase runs exactly what the compiler runs.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_COMPILER_PIPELINES_PIPELINES_H
#define AIC_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace mlir::aic {

struct PipelineOptions {
  /// 0 to 3, as -O0 .. -O3.
  unsigned optLevel = 2;
  /// The target CPU's vector register width in bits.
  int64_t vectorBits = 512;
  /// Whether the target CPU has 8-bit dot products (vpdpbusd) at that
  /// width.
  bool int8DotProducts = false;
  /// Whether f32 matmuls by constant weights compute in bf16 dot products
  /// (aic-compile --precision=bf16; AVX512-BF16).
  bool bf16DotProducts = false;
  /// The NVIDIA GPU architecture of --target=cuda (sm_80, sm_90).
  std::string cudaArch = "sm_80";
  /// Whether CUDA kernels are embedded as cubin and PTX (fatbin), not PTX
  /// alone.
  bool cudaCubin = false;
  /// For tests: CUDA kernels left for cuda::emulateKernels.
  bool cudaEmulate = false;
};

/// aic -> aic: canonicalization and graph-level cleanups
/// (`aic-graph-pipeline`).
void buildGraphPipeline(OpPassManager &pm, const PipelineOptions &options);

/// aic -> linalg/tensor/arith on tensors (`aic-lower-to-linalg-pipeline`).
void buildLowerToLinalgPipeline(OpPassManager &pm,
                                const PipelineOptions &options);

/// linalg on tensors -> LLVM dialect with the model ABI
/// (`aic-cpu-codegen-pipeline`).
void buildCpuCodegenPipeline(OpPassManager &pm, const PipelineOptions &options);

/// linalg on tensors -> kernels in PTX for NVIDIA GPUs
/// (`aic-cuda-codegen-pipeline`).
void buildCudaCodegenPipeline(OpPassManager &pm,
                              const PipelineOptions &options);

/// The host side of a CUDA model: the model ABI, then the LLVM dialect
/// (`aic-cuda-host-pipeline`).
void buildCudaHostPipeline(OpPassManager &pm, const PipelineOptions &options);

/// Registers the pipelines above with the pass registry.
void registerPipelines();

} // namespace mlir::aic

#endif // AIC_COMPILER_PIPELINES_PIPELINES_H
