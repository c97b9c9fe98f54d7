//===- HostOpsToKernels.cpp - the aic-cuda-host-ops-to-kernels pass -------===//
//
// Puts each op of the host function that reads or writes buffers (which
// live in device memory) into a kernel of one thread.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Passes.h"

#include "codegen/cpu/ModelInterface.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::aic::cuda {
#define GEN_PASS_DEF_HOSTOPSTOKERNELSPASS
#include "codegen/cuda/Passes.h.inc"
} // namespace mlir::aic::cuda

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kHostVisible = "aic.cuda.host_visible";

/// The buffer `value` is a view of (itself where it is no view).
Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// Whether `buffer` is (a view of) host memory: one of the function's
/// arguments (the model's inputs, which the host holds as the caller gave
/// them), a stack buffer (the deallocation's bookkeeping) or a global.
bool isHostBuffer(Value buffer) {
  buffer = rootBuffer(buffer);
  if (auto arg = dyn_cast<BlockArgument>(buffer))
    return isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  return isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(
      buffer.getDefiningOp());
}

/// Whether `op`, in the host function's block, stays on the host: kernels,
/// buffer management and its helper calls, views, ops with no memory
/// effects, loads and stores of host memory (values such as a Reshape's
/// target shape, which the host needs to size buffers), and control flow
/// around only such ops (the deallocation's conditional frees).
bool staysOnHost(Operation &op) {
  if (op.hasTrait<OpTrait::IsTerminator>() ||
      isa<gpu::LaunchOp, memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::GetGlobalOp, memref::DimOp, ViewLikeOpInterface,
          func::CallOp>(op))
    return true;
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return isHostBuffer(load.getMemRef());
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return isHostBuffer(store.getMemRef());
  if (op.getNumRegions() != 0 &&
      op.hasTrait<OpTrait::HasRecursiveMemoryEffects>())
    return llvm::all_of(op.getRegions(), [](Region &region) {
      return llvm::all_of(region.getOps(),
                          [](Operation &inner) { return staysOnHost(inner); });
    });
  return isMemoryEffectFree(&op);
}

/// Scalars of fewer than 8 bits (int4, a float4's bits) that kernels take
/// from the host travel as bytes: PTX has no narrower parameters.
void widenNarrowArguments(gpu::LaunchOp launch) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(launch.getBody(), captured);
  OpBuilder b(launch);
  for (Value value : captured) {
    Type type = value.getType();
    unsigned bits = type.isIntOrFloat() ? type.getIntOrFloatBitWidth() : 0;
    if (bits == 0 || bits == 1 || bits >= 8)
      continue;
    Location loc = value.getLoc();
    auto narrow = b.getIntegerType(bits);
    b.setInsertionPoint(launch);
    Value bitsValue = value;
    if (!isa<IntegerType>(type))
      bitsValue = arith::BitcastOp::create(b, loc, narrow, value);
    Value wide = arith::ExtUIOp::create(b, loc, b.getI8Type(), bitsValue);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value back = arith::TruncIOp::create(b, loc, narrow, wide);
    if (!isa<IntegerType>(type))
      back = arith::BitcastOp::create(b, loc, type, back);
    value.replaceUsesWithIf(back, [&](OpOperand &use) {
      return launch->isProperAncestor(use.getOwner());
    });
  }
}

struct HostOpsToKernelsPass
    : aic::cuda::impl::HostOpsToKernelsPassBase<HostOpsToKernelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The graph; helpers the host calls (the deallocation's) stay.
    if (func.getName() != aic::cpu::kGraphName)
      return;
    SmallVector<Operation *> moved;
    for (Operation &op : func.getBody().getOps())
      if (!staysOnHost(op))
        moved.push_back(&op);
    OpBuilder b(&getContext());
    MLIRContext *ctx = &getContext();
    for (Operation *op : moved) {
      if (!op->use_empty()) {
        // The host needs its results: it stays, and reads its buffers in
        // memory the host sees too (the runtime allocates those buffers
        // where both do and synchronizes before the read).
        op->walk([&](Operation *inner) {
          for (Value operand : inner->getOperands())
            if (isa<MemRefType>(operand.getType()))
              if (auto alloc =
                      rootBuffer(operand).getDefiningOp<memref::AllocOp>())
                alloc->setAttr(kHostVisible, UnitAttr::get(ctx));
        });
        continue;
      }
      Location loc = op->getLoc();
      b.setInsertionPoint(op);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
      Block &body = launch.getBody().front();
      b.setInsertionPointToEnd(&body);
      auto terminator = gpu::TerminatorOp::create(b, loc);
      op->moveBefore(terminator);
    }
    func.walk([](gpu::LaunchOp launch) { widenNarrowArguments(launch); });
  }
};
} // namespace
