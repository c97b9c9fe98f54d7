//===- MergeKernelModules.cpp - the aic-cuda-merge-kernel-modules pass ----===//

#include "codegen/cuda/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::aic::cuda {
#define GEN_PASS_DEF_MERGEKERNELMODULESPASS
#include "codegen/cuda/Passes.h.inc"
} // namespace mlir::aic::cuda

using namespace mlir;

namespace {
struct MergeKernelModulesPass
    : aic::cuda::impl::MergeKernelModulesPassBase<MergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernels(module.getOps<gpu::GPUModuleOp>());
    if (kernels.empty())
      return;
    MLIRContext *ctx = &getContext();
    gpu::GPUModuleOp merged = kernels.front();
    SymbolTable mergedSymbols(merged);
    // Where each moved symbol went: (old module, old name) -> new name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> moved;
    for (gpu::GPUModuleOp other : llvm::drop_begin(kernels)) {
      for (Operation &op :
           llvm::make_early_inc_range(other.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol)
          continue;
        StringAttr oldName = symbol.getNameAttr();
        op.remove();
        // insert() renames a clashing symbol.
        StringAttr newName = mergedSymbols.insert(&op);
        moved[{other.getNameAttr(), oldName}] = newName;
      }
      other.erase();
    }
    StringAttr mergedName = StringAttr::get(ctx, "aic_kernels");
    StringAttr firstName = merged.getNameAttr();
    if (SymbolTable::lookupSymbolIn(module, mergedName) == nullptr)
      SymbolTable::setSymbolName(merged, mergedName);
    else
      mergedName = firstName;
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      StringAttr moduleName = kernel.getRootReference();
      StringAttr funcName = kernel.getLeafReference();
      auto it = moved.find({moduleName, funcName});
      if (it != moved.end())
        funcName = it->second;
      else if (moduleName != firstName)
        return;
      launch.setKernelAttr(
          SymbolRefAttr::get(mergedName, {FlatSymbolRefAttr::get(funcName)}));
    });
  }
};
} // namespace
