//===- InitAll.cpp - registration of everything aic uses ------------------===//
//
// Registers the aic dialect, passes and pipelines next to upstream MLIR's.
//
//===----------------------------------------------------------------------===//

#include "compiler/InitAll.h"

#include "codegen/cpu/Passes.h"
#include "codegen/cuda/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "dialects/aic/IR/AicDialect.h"
#include "dialects/aic/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::aic::registerAllDialects(DialectRegistry &registry) {
  registry.insert<AicDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void mlir::aic::registerAllPasses() {
  mlir::registerAllPasses();
  registerAicTransformsPasses();
  registerAicConversionPasses();
  cpu::registerAicCpuPasses();
  cuda::registerAicCudaPasses();
  registerPipelines();
}
