//===- Target.h - LLVM dialect to object code and libraries -----*- C++ -*-===//
//
// Translates a module in the LLVM dialect to LLVM IR, optimizes it for the
// target CPU, and writes object code or a shared model library.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CPU_TARGET_H
#define AIC_CODEGEN_CPU_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>

namespace mlir::aic::cpu {

struct TargetOptions {
  /// `native` for the host CPU, or an LLVM CPU name such as `znver4`.
  std::string cpu = "native";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 2;
};

/// What the kernels are generated for.
struct TargetFeatures {
  /// The vector register width in bits: 512 with AVX-512, 256 with AVX,
  /// else 128.
  int64_t vectorBits = 128;
  /// Whether vectors of that width have 8-bit dot products (vpdpbusd:
  /// AVX512-VNNI at 512 bits, AVX-VNNI at 256).
  bool int8DotProducts = false;
  /// Whether it has bf16 dot products at 512 bits (vdpbf16ps:
  /// AVX512-BF16).
  bool bf16DotProducts = false;
};

/// The target CPU's features.
FailureOr<TargetFeatures> targetFeatures(const TargetOptions &options,
                                         std::string &error);

/// Translates and optimizes `module` (LLVM dialect) for the target.
FailureOr<std::unique_ptr<llvm::Module>>
translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                     const TargetOptions &options, std::string &error);

/// Creates a new temporary file named `prefix`-XXXXXX.`suffix` and sets
/// `path` to it; else the error, for a one-line message.
LogicalResult createTemporaryFile(StringRef prefix, StringRef suffix,
                                  SmallVectorImpl<char> &path,
                                  std::string &error);

/// Writes `module` as an object file to `path`.
LogicalResult writeObjectFile(llvm::Module &module, StringRef path,
                              const TargetOptions &options, std::string &error);

/// Links the object file `objectPath`, compiled from `module`, into the
/// shared library `outputPath` with the system C compiler driver, with the
/// archives `libraries` (a CUDA model's host code) and with the OpenMP
/// runtime (libomp) where `module` runs loops on threads.
LogicalResult linkSharedLibrary(const llvm::Module &module,
                                StringRef objectPath, StringRef outputPath,
                                ArrayRef<std::string> libraries,
                                std::string &error);

/// Translates `module` (LLVM dialect, the model ABI's entry points) and
/// links it into the shared model library `outputPath`: a library made
/// along the way, as aic-compile's calibration makes one.
LogicalResult buildSharedLibrary(ModuleOp module, const TargetOptions &options,
                                 StringRef outputPath, std::string &error);

/// Renames the model's entry points (aic_model_v1_info, ...) to
/// `prefix`_info, ...; with `keepAbiNames`, the versioned names stay too, as
/// aliases (a shared library the runtime loads by those names).
void renameEntryPoints(llvm::Module &module, StringRef prefix,
                       bool keepAbiNames);

} // namespace mlir::aic::cpu

#endif // AIC_CODEGEN_CPU_TARGET_H
