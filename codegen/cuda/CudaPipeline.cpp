//===- CudaPipeline.cpp - the CUDA code generation pipeline ---------------===//
//
// linalg on tensors (elementwise ops fused) -> one-shot bufferization ->
// parallel loops mapped onto blocks and threads, everything else that
// touches buffers in one-thread kernels -> kernels outlined into gpu.module
// ops -> NVVM -> PTX (LLVM's NVPTX backend) in gpu.binary ops.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Passes.h"

#include "codegen/cpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace mlir;

llvm::ArrayRef<llvm::StringRef> mlir::aic::cuda::supportedArchs() {
  static const llvm::StringRef archs[] = {"sm_80", "sm_86", "sm_89", "sm_90"};
  return archs;
}

bool mlir::aic::cuda::isSupportedArch(llvm::StringRef arch) {
  return llvm::is_contained(supportedArchs(), arch);
}

void mlir::aic::cuda::buildCudaCodegenPipeline(
    OpPassManager &pm, const CudaCodegenOptions &options) {
  // On tensors: fused elementwise ops; f32 exp, erf and tanh as
  // polynomials (no libdevice calls).
  if (options.optLevel >= 1)
    pm.addNestedPass<func::FuncOp>(cpu::createFuseElementwisePass());
  pm.addNestedPass<func::FuncOp>(cpu::createApproximateMathPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Bufferize, as the CPU path does.
  cpu::buildBufferizationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Loops: each linalg op's parallel dims one grid of blocks of threads;
  // what else touches buffers, a kernel of one thread.
  pm.addNestedPass<func::FuncOp>(createCopiesToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  // Adjacent loops over the same iteration space (a matmul and its bias
  // and activation, a reduction's init and its accumulation) become one
  // kernel where each iteration reads only what it wrote.
  if (options.optLevel >= 1)
    pm.addNestedPass<func::FuncOp>(createParallelLoopFusionPass());
  pm.addNestedPass<func::FuncOp>(createMapParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createLowerAffinePass());
  // 8-bit and 4-bit float conversions as integer code (NVPTX has none);
  // their tables are globals the outlining copies into the kernels' module.
  pm.addPass(cpu::createExpandSmallFloatsPass());
  // Integer powers as generated functions the kernels call.
  pm.addPass(createConvertMathToFuncs());
  // Last before outlining: nothing folds its byte-wide kernel arguments
  // back.
  pm.addNestedPass<func::FuncOp>(createHostOpsToKernelsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMergeKernelModulesPass());
  // The host's buffers on the device, its work on one stream.
  pm.addPass(createDeviceMemoryPass());
  pm.addPass(createCanonicalizerPass());

  if (options.emulate)
    return;
  // The kernels: NVVM, then PTX for the architecture (PTX ISA 8.0, which
  // sm_90 needs and CUDA 12's drivers take).
  GpuNVVMAttachTargetOptions target;
  target.chip = options.arch;
  target.features = "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.cubin ? "fatbin" : "isa";
  // Math functions (__nv_expf, ...) come from libdevice, linked in.
  binary.toolkitPath =
      options.toolkit.empty() ? findCudaToolkit() : options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::aic::cuda::buildCudaHostPipeline(OpPassManager &pm) {
  cpu::EmitModelAbiPassOptions abi;
  abi.cuda = true;
  pm.addPass(cpu::createEmitModelAbiPass(abi));
  buildHostLoweringPipeline(pm, /*gpuCalls=*/true);
  pm.addPass(createCanonicalizerPass());
}

void mlir::aic::cuda::buildHostLoweringPipeline(OpPassManager &pm,
                                                bool gpuCalls) {
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Memory ops first (its patterns lower a reshape to a computed shape,
  // which gpu-to-llvm's copy of them leaves), then GPU operations as calls
  // of the host code (mgpuLaunchKernel, ...) and the rest with them.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  if (gpuCalls)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

bool mlir::aic::cuda::canMakeCubin(StringRef toolkit) {
  if (toolkit.empty())
    return false;
  for (StringRef tool : {"ptxas", "fatbinary"}) {
    SmallString<128> path(toolkit);
    llvm::sys::path::append(path, "bin", tool);
    if (!llvm::sys::fs::can_execute(path))
      return false;
  }
  return true;
}

std::string mlir::aic::cuda::findCudaToolkit() {
  SmallVector<std::string> candidates;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(var))
      candidates.push_back(value);
  candidates.push_back("/usr/local/cuda");
  for (const std::string &dir : candidates) {
    SmallString<128> libdevice(dir);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(libdevice))
      return dir;
  }
  return "";
}

LogicalResult mlir::aic::cuda::collectPtx(
    ModuleOp module, SmallVectorImpl<std::pair<std::string, std::string>> &ptx,
    std::string &error) {
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    auto objects = binary.getObjects().getAsRange<gpu::ObjectAttr>();
    if (objects.empty()) {
      error = "kernel module '" + binary.getName().str() + "' has no code";
      return failure();
    }
    for (gpu::ObjectAttr object : objects) {
      StringRef text = object.getObject().getValue();
      // A function the kernels call but do not define: a math function
      // of libdevice, which was not there to link.
      size_t external = text.find(".extern .func");
      if (external != StringRef::npos) {
        StringRef line = text.substr(external).split('\n').first;
        error =
            "the kernels call a function they lack (" + line.trim().str() + ")";
        if (line.contains("__nv_"))
          error += ": libdevice, the CUDA Toolkit's "
                   "nvvm/libdevice/libdevice.10.bc, is not installed (set "
                   "CUDA_HOME)";
        return failure();
      }
      ptx.emplace_back(binary.getName().str(), text.str());
    }
  }
  return success();
}
