//===- Passes.td - aic CUDA codegen passes -----------------*- tablegen -*-===//
//
// Passes of the CUDA code generation pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CUDA_PASSES_TD
#define AIC_CODEGEN_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def CopiesToLinalgPass
    : Pass<"aic-cuda-copies-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy as linalg.copy";
  let description = [{
    Bufferization copies buffers with `memref.copy`, which the LLVM lowering
    turns into a call to a host runtime function where the layouts differ;
    as `linalg.copy` the copy becomes a parallel loop like any other op,
    mapped onto the GPU's threads.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MapParallelLoopsPass
    : Pass<"aic-cuda-map-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Maps each top-level scf.parallel onto CUDA blocks and threads";
  let description = [{
    For each `scf.parallel` in the function's block (a linalg op's parallel
    dims, after convert-linalg-to-parallel-loops): collapses its dims into
    one, tiles it by `threads-per-block`, and maps the tile loop to the
    grid's x blocks and the loop inside it to the block's x threads, for
    convert-parallel-loops-to-gpu. Parallel loops nested in those run
    sequentially in the thread. A trip count not a multiple of the block
    guards the threads past the end.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", "256",
           "Threads of a block">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def HostOpsToKernelsPass
    : Pass<"aic-cuda-host-ops-to-kernels", "::mlir::func::FuncOp"> {
  let summary = "Runs what touches buffers outside parallel loops in a "
                "one-thread kernel";
  let description = [{
    After the parallel loops became `gpu.launch`, the function's block may
    still hold ops that read or write buffers (sequential loops of
    reductions over every dim, `memref.copy`, scalar loads and stores).
    Buffers live in device memory, so each such op goes into a `gpu.launch`
    of one block of one thread. Loads from the function's arguments (the
    model's inputs, which the host holds) stay on the host, for the values
    it needs to size buffers, and so does every other op whose results the
    host needs: the allocations of the buffers it reads get the
    `aic.cuda.host_visible` attribute (memory the host sees too, read after
    the device finished with it). Scalars of fewer than 8 bits that a kernel
    takes from the host (an int4 zero point) travel as bytes, as PTX has no
    narrower parameters.
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
  ];
}

def MergeKernelModulesPass
    : Pass<"aic-cuda-merge-kernel-modules", "::mlir::ModuleOp"> {
  let summary = "Moves every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes a gpu.module per kernel; the model's kernels
    go into the first (renamed `aic_kernels`), so that they compile into one
    PTX module, which the runtime loads once, and `gpu.launch_func` ops
    refer to them there. Symbols that clash get a numbered name.
  }];
}

#endif // AIC_CODEGEN_CUDA_PASSES_TD
