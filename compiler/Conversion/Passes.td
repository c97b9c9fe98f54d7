//===- Passes.td - aic conversion passes -------------------*- tablegen -*-===//
//
// Passes that lower the aic dialect into upstream MLIR dialects.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_COMPILER_CONVERSION_PASSES_TD
#define AIC_COMPILER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertAicToLinalgPass : Pass<"aic-convert-aic-to-linalg"> {
  let summary = "Lowers aic ops to linalg, tensor and arith on tensors";
  let description = [{
    Elementwise ops become `linalg.generic` ops with broadcasting indexing
    maps; MatMul and Gemm become generic contractions (later specialized to
    named ops where they match); Conv becomes the named linalg convolution
    of its rank and grouping, with padding as `tensor.pad`; reshapes become
    `tensor.collapse_shape` / `tensor.expand_shape`; constants `arith`
    constants. Any aic op left unconverted is an error that names it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // AIC_COMPILER_CONVERSION_PASSES_TD
