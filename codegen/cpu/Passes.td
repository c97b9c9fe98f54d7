//===- Passes.td - aic CPU codegen passes ------------------*- tablegen -*-===//
//
// Passes of the CPU code generation pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CPU_PASSES_TD
#define AIC_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def EmitModelAbiPass : Pass<"aic-cpu-emit-model-abi", "ModuleOp"> {
  let summary = "Emits the model library's C ABI around the bufferized graph";
  let description = [{
    Expects `func.func @main` after bufferization and buffer deallocation
    (its arguments and results identity-layout memrefs, its results owned by
    the caller) and the `aic.input_names` / `aic.output_names` attributes
    the importer sets. Makes `@main` internal and adds, with LLVM dialect
    ops:

    - `aic_model_v1_info()`: returns a constant `aic_model_info` (ABI
      version, name, each tensor's name, element type and shape);
    - `aic_model_v1_run(inputs, outputs)`: builds memref descriptors from
      the caller's `aic_tensor_ref` array, calls the graph, and stores each
      result's data, allocation and dims into the `aic_output_ref` array;
    - `aic_model_v1_free(allocation)`: frees an output.

    See runtime/include/aic/model_abi.h for the C side.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::func::FuncDialect",
  ];
}

def LowerStridedCopiesPass
    : Pass<"aic-cpu-lower-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy between strided memrefs as linalg.copy";
  let description = [{
    The LLVM lowering turns a `memref.copy` of contiguous memrefs into a
    memcpy, but one involving a strided view (as the bufferization of
    `tensor.pad` makes) into a call to `memrefCopy` from MLIR's runner
    utilities, which a model library does not link. This pass rewrites those
    copies as `linalg.copy`, so they become generated loops like any other
    linalg op.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ExpandSmallFloatsPass : Pass<"aic-expand-small-floats", "ModuleOp"> {
  let summary = "Rewrites conversions to and from 8-bit floats as integer code";
  let description = [{
    LLVM has no 8-bit float types (the LLVM lowering stores them as i8).
    `arith.extf` from f8E4M3FN, f8E4M3FNUZ, f8E5M2 or f8E5M2FNUZ becomes a
    load from a module-level table of the 256 values; `arith.truncf` to them
    becomes round-to-nearest-even on the f32 bits, with values beyond the
    largest finite one becoming infinity (where the type has one) or NaN.
    f8E8M0FNU and f4E2M1FN use upstream's arith expansions. Runs on scalar
    code, after linalg became loops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // AIC_CODEGEN_CPU_PASSES_TD
