//===- Passes.h - aic CPU codegen passes and pipeline -----------*- C++ -*-===//
//
// The CPU code generation passes and the pipeline that lowers linalg on
// tensors to the LLVM dialect with the model ABI.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CPU_PASSES_H
#define AIC_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::aic::cpu {

#define GEN_PASS_DECL
#include "codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/Passes.h.inc"

struct CpuCodegenOptions {
  /// 0 to 3, as -O0 .. -O3.
  unsigned optLevel = 2;
  /// The target's vector register width in bits (512 with AVX-512).
  int64_t vectorBits = 512;
  /// Whether vectors of that width have 8-bit dot products (vpdpbusd).
  bool int8DotProducts = false;
  /// Whether f32 matmuls by constant weights compute in bf16 (vdpbf16ps),
  /// accumulating in f32.
  bool bf16DotProducts = false;
};

/// One-shot bufferization of the whole module (identity layouts at
/// function boundaries, every result a fresh allocation the caller owns)
/// and the ownership-based deallocation; the CUDA pipeline's too.
void buildBufferizationPipeline(OpPassManager &pm);

/// linalg on tensors -> bufferized loops -> LLVM dialect with the model ABI.
void buildCpuCodegenPipeline(OpPassManager &pm,
                             const CpuCodegenOptions &options);

} // namespace mlir::aic::cpu

#endif // AIC_CODEGEN_CPU_PASSES_H
