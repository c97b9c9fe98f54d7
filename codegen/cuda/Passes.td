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
    For each outermost `scf.parallel` of the function (a linalg op's
    parallel dims, after convert-linalg-to-parallel-loops; in the function's
    block, or in sequential loops and branches around it, which stay on the
    host and launch it each time) that reduces into no values: collapses
    its dims into
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
    After the parallel loops became `gpu.launch`, the function's block (and
    the host's control flow in it: ops with regions that hold kernels or
    whose results the host uses, whose blocks are treated as the
    function's) may still hold ops that read or write buffers (sequential loops of
    reductions over every dim, `memref.copy`, scalar loads and stores).
    Buffers live in device memory, so each such op goes into a `gpu.launch`
    of one block of one thread. Loads from the function's arguments (the
    model's inputs, which the host holds) stay on the host, for the values
    it needs to size buffers, and so does every other op whose results the
    host needs: the allocations of the buffers it reads get the
    `aic.cuda.host_visible` attribute (memory the host sees too, read after
    the device finished with it), as do the shapes views read (a reshape's
    target shape). Ops that only read or write such buffers or host memory
    stay on the host too (a store into a computed shape; the run-error slot
    of a failed check, an LLVM global). Scalars of fewer than 8 bits that a
    kernel takes from the host (an int4 zero point) travel as bytes, as PTX
    has no narrower parameters.
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
  ];
}

def DeviceMemoryPass : Pass<"aic-cuda-device-memory", "::mlir::ModuleOp"> {
  let summary = "Puts the graph's buffers in device memory and orders its "
                "GPU work on one stream";
  let description = [{
    Runs after outlining, on the graph function (`@main`, one block):

    - each allocation becomes `gpu.alloc` (device memory; `host_shared`,
      managed memory, where `aic.cuda.host_visible` marks one the host reads
      too) and each free `gpu.dealloc`;
    - kernels read the inputs from device copies made at the start
      (`gpu.alloc` + `gpu.memcpy`, freed at the end) and the weights
      (`memref.get_global`) from device copies the model's host code makes
      on first use and keeps (`aic_cuda_resident(host, bytes, slot)`, with a
      pointer-sized slot per weight); views of them are made again on the
      copies;
    - each result is copied back into a host allocation (`memref.alloc`,
      which the caller frees) and its device buffer freed;
    - the GPU ops become asynchronous on one stream, the token of a
      `gpu.wait async` at the start, and the host waits for it (`gpu.wait`)
      only before it reads or writes memory the device may have written
      since (a computed shape; in a loop, maybe in its last iteration) and
      before it returns. The model's host code keeps the calling thread's
      one stream across such waits (its mgpuStreamDestroy keeps it), so the
      one token serves the whole function, in the branches and loops of the
      host too.

    Kernels and the host's control flow use the inputs' and weights'
    device copies; the host's own reads (a shape input's values, a view's
    shape) keep the host buffers, through views made again for each side
    where both read one.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
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
