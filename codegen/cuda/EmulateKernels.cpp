//===- EmulateKernels.cpp - kernels compiled for the host, for tests ------===//
//
// A test build of a CUDA model (aic-compile --cuda-emulate): each kernel
// module is compiled for the host CPU instead of the GPU, into a shared
// library in the gpu.binary the host code loads, so that the stand-in
// driver (test/cuda/fake_libcuda.c) runs the kernels, one thread after
// another, and a CUDA model's outputs can be checked on a machine without a
// GPU. Everything else of the model is its CUDA build.
//
// Each kernel becomes a function of its arguments and the 12 ids the GPU
// gives a thread (block ids, thread ids, block dims, grid dims, x y z each),
// and `NAME__aic_emulated(void **params, int64_t *ids)` calls it with the
// launch's parameter array, as cuLaunchKernel takes it.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Passes.h"

#include "codegen/cpu/Target.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace {
constexpr int kNumIds = 12;

/// The host function of `kernel`: its body, with the thread's ids as
/// trailing index arguments.
LogicalResult emulateKernel(gpu::GPUFuncOp kernel, OpBuilder &b) {
  if (kernel.getNumWorkgroupAttributions() ||
      kernel.getNumPrivateAttributions())
    return kernel.emitError("an emulated kernel has no shared memory");
  MLIRContext *ctx = kernel.getContext();
  Location loc = kernel.getLoc();
  SmallVector<Type> types(kernel.getArgumentTypes());
  types.append(kNumIds, b.getIndexType());
  auto fn = func::FuncOp::create(b, loc, kernel.getName(),
                                 FunctionType::get(ctx, types, {}));
  IRMapping mapping;
  kernel.getBody().cloneInto(&fn.getBody(), mapping);
  Block &entry = fn.getBody().front();
  SmallVector<Value> ids;
  for (int i = 0; i < kNumIds; ++i)
    ids.push_back(entry.addArgument(b.getIndexType(), loc));
  auto id = [&](int group, gpu::Dimension dim) {
    return ids[3 * group + static_cast<int>(dim)];
  };
  WalkResult result = fn.walk([&](Operation *op) {
    OpBuilder rb(op);
    if (auto block = dyn_cast<gpu::BlockIdOp>(op))
      block.replaceAllUsesWith(id(0, block.getDimension()));
    else if (auto thread = dyn_cast<gpu::ThreadIdOp>(op))
      thread.replaceAllUsesWith(id(1, thread.getDimension()));
    else if (auto dim = dyn_cast<gpu::BlockDimOp>(op))
      dim.replaceAllUsesWith(id(2, dim.getDimension()));
    else if (auto grid = dyn_cast<gpu::GridDimOp>(op))
      grid.replaceAllUsesWith(id(3, grid.getDimension()));
    else if (isa<gpu::ReturnOp>(op))
      func::ReturnOp::create(rb, op->getLoc());
    else if (isa<gpu::GPUDialect>(op->getDialect()))
      return WalkResult(op->emitError("an emulated kernel cannot run ")
                        << op->getName());
    else
      return WalkResult::advance();
    op->erase();
    return WalkResult::skip();
  });
  return failure(result.wasInterrupted());
}

/// `NAME__aic_emulated(params, ids)`: loads each argument of the lowered
/// kernel `fn` from the launch's parameter array, the ids from `ids`.
void addEntryPoint(LLVM::LLVMFuncOp fn, OpBuilder &b) {
  Location loc = fn.getLoc();
  MLIRContext *ctx = fn.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  Type i64Type = b.getI64Type();
  auto entry = LLVM::LLVMFuncOp::create(
      b, loc, (fn.getName() + "__aic_emulated").str(),
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                  {ptrType, ptrType}));
  OpBuilder eb = OpBuilder::atBlockBegin(entry.addEntryBlock(b));
  Value params = entry.getArgument(0), ids = entry.getArgument(1);
  ArrayRef<Type> argTypes = fn.getFunctionType().getParams();
  size_t numParams = argTypes.size() - kNumIds;
  SmallVector<Value> args;
  for (auto [i, type] : llvm::enumerate(argTypes)) {
    Value value;
    if (i < numParams) {
      Value slot = LLVM::GEPOp::create(eb, loc, ptrType, ptrType, params,
                                       ArrayRef<LLVM::GEPArg>{(int32_t)i});
      Value address = LLVM::LoadOp::create(eb, loc, ptrType, slot);
      value = LLVM::LoadOp::create(eb, loc, type, address);
    } else {
      Value slot =
          LLVM::GEPOp::create(eb, loc, ptrType, i64Type, ids,
                              ArrayRef<LLVM::GEPArg>{(int32_t)(i - numParams)});
      value = LLVM::LoadOp::create(eb, loc, i64Type, slot);
    }
    args.push_back(value);
  }
  LLVM::CallOp::create(eb, loc, fn, args);
  LLVM::ReturnOp::create(eb, loc, ValueRange{});
}
} // namespace

LogicalResult mlir::aic::cuda::emulateKernels(ModuleOp module,
                                              const cpu::TargetOptions &target,
                                              std::string &error) {
  MLIRContext *ctx = module.getContext();
  for (auto kernels :
       llvm::make_early_inc_range(module.getOps<gpu::GPUModuleOp>())) {
    OwningOpRef<ModuleOp> host = ModuleOp::create(kernels.getLoc());
    OpBuilder b = OpBuilder::atBlockEnd(host->getBody());
    SmallVector<StringRef> names;
    for (Operation &op : kernels.getBody()->getOperations()) {
      if (auto kernel = dyn_cast<gpu::GPUFuncOp>(op)) {
        if (failed(emulateKernel(kernel, b)))
          return failure();
        names.push_back(kernel.getName());
      } else {
        b.clone(op);
      }
    }
    PassManager pm(ctx);
    buildHostLoweringPipeline(pm, /*gpuCalls=*/false);
    if (failed(pm.run(*host))) {
      error = "the emulated kernels do not lower to the host";
      return failure();
    }
    b.setInsertionPointToEnd(host->getBody());
    for (StringRef name : names)
      addEntryPoint(host->lookupSymbol<LLVM::LLVMFuncOp>(name), b);

    llvm::LLVMContext llvmContext;
    FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
        cpu::translateAndOptimize(*host, llvmContext, target, error);
    if (failed(llvmModule))
      return failure();
    SmallString<128> object, library;
    if (failed(cpu::createTemporaryFile("aic-emulated", "o", object, error)) ||
        failed(cpu::createTemporaryFile("aic-emulated", "so", library, error)))
      return failure();
    llvm::FileRemover removeObject(object), removeLibrary(library);
    if (failed(cpu::writeObjectFile(**llvmModule, object, target, error)) ||
        failed(
            cpu::linkSharedLibrary(**llvmModule, object, library, {}, error)))
      return failure();
    auto bytes = llvm::MemoryBuffer::getFile(library);
    if (!bytes) {
      error = "cannot read the emulated kernels' library";
      return failure();
    }
    OpBuilder mb(kernels);
    auto binary = gpu::ObjectAttr::get(
        ctx, NVVM::NVVMTargetAttr::get(ctx), gpu::CompilationTarget::Binary,
        StringAttr::get(ctx, (*bytes)->getBuffer()), nullptr, nullptr);
    gpu::BinaryOp::create(mb, kernels.getLoc(), kernels.getName(), nullptr,
                          ArrayRef<Attribute>{binary});
    kernels.erase();
  }
  return success();
}
