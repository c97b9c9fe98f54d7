//===- CpuPipeline.cpp - the CPU code generation pipeline -----------------===//
//
// linalg on tensors (elementwise ops fused; convolutions as im2col and
// matrix multiplications, tiled for caches and registers and vectorized)
// -> one-shot bufferization (temporaries freed, results owned by the
// caller, by the ownership-based deallocation) -> the model ABI -> loops
// and vectors -> the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::aic::cpu::buildBufferizationPipeline(OpPassManager &pm) {
  // Every result is a fresh allocation the caller owns.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Loops carrying state (LSTM) may yield fresh tensors where a
  // canonicalization dropped an unread in-place output; those become
  // allocations the deallocation pipeline owns.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
}

void mlir::aic::cpu::buildCpuCodegenPipeline(OpPassManager &pm,
                                             const CpuCodegenOptions &options) {
  // On tensors: fused elementwise ops; matrix multiplications tiled and
  // vectorized (canonicalized before bufferization, which would otherwise
  // copy the hoisted C tiles).
  if (options.optLevel >= 1)
    pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.optLevel >= 1) {
    // A dynamic batch: tiles of static rows, which the kernels below take.
    pm.addNestedPass<func::FuncOp>(createTileDynamicRowsPass());
    TileAndVectorizePassOptions tiling;
    tiling.vectorBits = options.vectorBits;
    tiling.int8DotProducts = options.int8DotProducts;
    tiling.bf16DotProducts = options.bf16DotProducts;
    // Threads from -O2.
    tiling.parallel = options.optLevel >= 2;
    pm.addNestedPass<func::FuncOp>(createTileAndVectorizePass(tiling));
    pm.addNestedPass<func::FuncOp>(createApproximateMathPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // The kernels, for aic-compile --report.
  pm.addPass(createDescribeKernelsPass());

  buildBufferizationPipeline(pm);
  // Temporaries share one arena, by liveness.
  if (options.optLevel >= 1)
    pm.addNestedPass<func::FuncOp>(createPlanBuffersPass());
  // The ops split over threads: scf.forall -> scf.parallel, which becomes
  // an OpenMP parallel loop below.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());

  pm.addPass(createEmitModelAbiPass());
  // Parallel loops run on the OpenMP runtime's threads (libomp): a team
  // forked per loop, its iterations split statically. The conversion wraps
  // each body in a memref.alloca_scope, which canonicalization inlines once
  // the bodies' stack buffers move out to their threads' region.
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addNestedPass<func::FuncOp>(createHoistThreadBuffersPass());
  pm.addPass(createCanonicalizerPass());

  // Loops, then the LLVM dialect.
  pm.addNestedPass<func::FuncOp>(createLowerStridedCopiesPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Transfers the LLVM lowering cannot take whole (a strided column) unroll
  // into element loads; the loop form would put a stack buffer in every
  // iteration of the loops around it.
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  // Row reductions: each row one vector.reduction (a tree of vector ops:
  // the LLVM lowering below may reassociate float reductions).
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  pm.addPass(createExpandSmallFloatsPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // 8-bit and bf16 dot products as vpdpbusd and vdpbf16ps, where the
  // target has them.
  if (options.int8DotProducts || options.bf16DotProducts) {
    LowerDotProductsPassOptions dotProducts;
    dotProducts.vectorBits = options.vectorBits;
    dotProducts.int8 = options.int8DotProducts;
    dotProducts.bf16 = options.bf16DotProducts;
    pm.addNestedPass<func::FuncOp>(createLowerDotProductsPass(dotProducts));
  }
  // Vector contractions as outer products (fused multiply-adds); lowered
  // here, late, so that no canonicalization unrolls them into scalars.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(memref::createExpandStridedMetadataPass());
  // expand-strided-metadata computes dynamic sizes with affine.apply.
  pm.addPass(createLowerAffinePass());
  // Allocations through functions the library defines, which
  // aic-cpu-track-run-allocations makes (an allocation that fails ends
  // the run).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // Math: integer powers as generated functions, then LLVM intrinsics, and
  // libm calls for what has no intrinsic (erf, acosh, ...).
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createTrackRunAllocationsPass());
}
