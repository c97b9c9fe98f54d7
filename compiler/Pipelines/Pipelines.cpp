//===- Pipelines.cpp - aic compilation pipelines --------------------------===//
//
// Builds and registers the compilation phases.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "codegen/cpu/Passes.h"
#include "codegen/cuda/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/aic/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::aic;

void mlir::aic::buildGraphPipeline(OpPassManager &pm,
                                   const PipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Quantized (QDQ) matmuls as integer ones.
  if (options.optLevel >= 1)
    pm.addPass(createFoldQuantizedMatMulsPass());
}

void mlir::aic::buildLowerToLinalgPipeline(OpPassManager &pm,
                                           const PipelineOptions &options) {
  pm.addPass(createConvertAicToLinalgPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::aic::buildCpuCodegenPipeline(OpPassManager &pm,
                                        const PipelineOptions &options) {
  cpu::CpuCodegenOptions cpuOptions;
  cpuOptions.optLevel = options.optLevel;
  cpuOptions.vectorBits = options.vectorBits;
  cpuOptions.int8DotProducts = options.int8DotProducts;
  cpuOptions.bf16DotProducts = options.bf16DotProducts;
  cpu::buildCpuCodegenPipeline(pm, cpuOptions);
}

void mlir::aic::buildCudaCodegenPipeline(OpPassManager &pm,
                                         const PipelineOptions &options) {
  cuda::CudaCodegenOptions cudaOptions;
  cudaOptions.optLevel = options.optLevel;
  cudaOptions.arch = options.cudaArch;
  cudaOptions.cubin = options.cudaCubin;
  cudaOptions.emulate = options.cudaEmulate;
  cuda::buildCudaCodegenPipeline(pm, cudaOptions);
}

void mlir::aic::buildCudaHostPipeline(OpPassManager &pm,
                                      const PipelineOptions &options) {
  cuda::buildCudaHostPipeline(pm);
}

namespace {
struct PipelineCLOptions : PassPipelineOptions<PipelineCLOptions> {
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level, 0 to 3"),
                            llvm::cl::init(2)};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("The target's vector register width in bits"),
      llvm::cl::init(512)};
  Option<bool> int8DotProducts{
      *this, "int8-dot-products",
      llvm::cl::desc("The target has 8-bit dot products (vpdpbusd)"),
      llvm::cl::init(false)};
  Option<bool> bf16DotProducts{
      *this, "bf16-dot-products",
      llvm::cl::desc("f32 matmuls by constant weights in bf16 (vdpbf16ps)"),
      llvm::cl::init(false)};
  Option<std::string> cudaArch{
      *this, "cuda-arch",
      llvm::cl::desc("The NVIDIA GPU architecture (sm_80, sm_90)"),
      llvm::cl::init("sm_80")};
  PipelineOptions get() const {
    return PipelineOptions{optLevel, vectorBits, int8DotProducts,
                           bf16DotProducts, cudaArch};
  }
};
} // namespace

void mlir::aic::registerPipelines() {
  PassPipelineRegistration<PipelineCLOptions>(
      "aic-graph-pipeline", "aic graph-level cleanups",
      [](OpPassManager &pm, const PipelineCLOptions &o) {
        buildGraphPipeline(pm, o.get());
      });
  PassPipelineRegistration<PipelineCLOptions>(
      "aic-lower-to-linalg-pipeline", "Lowers aic to linalg on tensors",
      [](OpPassManager &pm, const PipelineCLOptions &o) {
        buildLowerToLinalgPipeline(pm, o.get());
      });
  PassPipelineRegistration<PipelineCLOptions>(
      "aic-cpu-codegen-pipeline",
      "Lowers linalg on tensors to the LLVM dialect with the model ABI",
      [](OpPassManager &pm, const PipelineCLOptions &o) {
        buildCpuCodegenPipeline(pm, o.get());
      });
  PassPipelineRegistration<PipelineCLOptions>(
      "aic-cuda-codegen-pipeline",
      "Lowers linalg on tensors to kernels in PTX for NVIDIA GPUs",
      [](OpPassManager &pm, const PipelineCLOptions &o) {
        buildCudaCodegenPipeline(pm, o.get());
      });
  PassPipelineRegistration<PipelineCLOptions>(
      "aic-cuda-host-pipeline",
      "Lowers a CUDA model's host function to the LLVM dialect with the "
      "model ABI",
      [](OpPassManager &pm, const PipelineCLOptions &o) {
        buildCudaHostPipeline(pm, o.get());
      });
}
