//===- HostOpsToKernels.cpp - the aic-cuda-host-ops-to-kernels pass -------===//
//
// Puts each op of the host function that reads or writes buffers (which
// live in device memory) into a kernel of one thread.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Buffers.h"
#include "codegen/cuda/Passes.h"

#include "codegen/cpu/ModelInterface.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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

Value mlir::aic::cuda::rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

bool mlir::aic::cuda::isHostBuffer(Value buffer) {
  buffer = rootBuffer(buffer);
  if (auto arg = dyn_cast<BlockArgument>(buffer))
    return isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  return isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(
      buffer.getDefiningOp());
}

bool mlir::aic::cuda::isHostVisibleBuffer(Value buffer) {
  Operation *alloc = rootBuffer(buffer).getDefiningOp();
  return alloc && alloc->hasAttr(aic::cuda::kHostVisible);
}

namespace {
using aic::cuda::isHostBuffer;
using aic::cuda::kHostVisible;
using aic::cuda::rootBuffer;

/// The control-flow op whose blocks or results `root` (not a view) is one
/// of (a loop's carried buffer, a branch's result), or null.
Operation *flowOf(Value root) {
  Operation *flow = nullptr;
  if (auto arg = dyn_cast<BlockArgument>(root))
    flow = arg.getOwner()->getParentOp();
  else if (root.getDefiningOp() && root.getDefiningOp()->getNumRegions())
    flow = root.getDefiningOp();
  return flow && !isa<FunctionOpInterface>(flow) ? flow : nullptr;
}

/// The buffers a value of `flow` may be: those it takes, and those its
/// blocks yield.
SmallVector<Value> flowSources(Operation *flow) {
  SmallVector<Value> sources;
  auto add = [&](ValueRange values) {
    for (Value value : values)
      if (isa<MemRefType>(value.getType()))
        sources.push_back(value);
  };
  add(flow->getOperands());
  for (Region &region : flow->getRegions())
    for (Block &block : region)
      if (!block.empty() && block.back().hasTrait<OpTrait::IsTerminator>())
        add(block.back().getOperands());
  return sources;
}

/// Whether the host can read and write `buffer`: host memory, or an
/// allocation it reads too, or control flow's choice among such.
bool hostCanAccess(Value buffer, llvm::SmallPtrSetImpl<Value> &seen) {
  if (isHostBuffer(buffer) || aic::cuda::isHostVisibleBuffer(buffer))
    return true;
  Value root = rootBuffer(buffer);
  Operation *flow = flowOf(root);
  if (!flow)
    return false;
  if (!seen.insert(root).second)
    return true;
  return llvm::all_of(flowSources(flow), [&](Value source) {
    return hostCanAccess(source, seen);
  });
}

bool hostCanAccess(Value buffer) {
  llvm::SmallPtrSet<Value, 8> seen;
  return hostCanAccess(buffer, seen);
}

/// Whether `op`, in the host function's block, stays on the host: kernels,
/// buffer management and its helper calls, views, ops with no memory
/// effects, loads and stores of memory the host can access (values such
/// as a Reshape's target shape, which the host needs to size buffers; the
/// run-error slot of failed checks, a host global), and control flow
/// around only such ops (the deallocation's conditional frees).
bool staysOnHost(Operation &op) {
  if (op.hasTrait<OpTrait::IsTerminator>() ||
      isa<gpu::LaunchOp, memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::GetGlobalOp, memref::DimOp, ViewLikeOpInterface,
          func::CallOp>(op))
    return true;
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return hostCanAccess(load.getMemRef());
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return hostCanAccess(store.getMemRef());
  if (auto load = dyn_cast<LLVM::LoadOp>(op))
    return load.getAddr().getDefiningOp<LLVM::AddressOfOp>() != nullptr;
  if (auto store = dyn_cast<LLVM::StoreOp>(op))
    return store.getAddr().getDefiningOp<LLVM::AddressOfOp>() != nullptr;
  if (op.getNumRegions() != 0 &&
      op.hasTrait<OpTrait::HasRecursiveMemoryEffects>())
    return llvm::all_of(op.getRegions(), [](Region &region) {
      return llvm::all_of(region.getOps(),
                          [](Operation &inner) { return staysOnHost(inner); });
    });
  return isMemoryEffectFree(&op);
}

/// Marks the allocation `buffer` is a view of as one the host reads; where
/// it is a value of control flow (a loop's carried buffer, a branch's
/// result), every buffer the op takes or its blocks yield, which it may be.
void markHostVisible(Value buffer, llvm::SmallPtrSetImpl<Value> &seen) {
  Value root = rootBuffer(buffer);
  if (!seen.insert(root).second)
    return;
  if (auto alloc = root.getDefiningOp<memref::AllocOp>()) {
    alloc->setAttr(kHostVisible, UnitAttr::get(alloc->getContext()));
    return;
  }
  if (Operation *flow = flowOf(root))
    for (Value source : flowSources(flow))
      markHostVisible(source, seen);
}

void markHostVisible(Value buffer) {
  llvm::SmallPtrSet<Value, 8> seen;
  markHostVisible(buffer, seen);
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

/// Whether `op` is control flow of the host: an op with regions (not a
/// kernel) that holds kernels (a parallel loop in a sequential one, mapped
/// onto the GPU), or whose results the host uses (a branch that picks a
/// buffer); its blocks are the host's, as the function's is.
bool isHostControlFlow(Operation &op) {
  if (op.getNumRegions() == 0 || isa<gpu::LaunchOp>(op))
    return false;
  if (!op.use_empty())
    return true;
  return op.walk([](gpu::LaunchOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Calls `fn` on each op of the host's blocks but their control flow.
void forEachHostOp(Block &block, function_ref<void(Operation &)> fn) {
  for (Operation &op : block) {
    if (!isHostControlFlow(op)) {
      fn(op);
      continue;
    }
    for (Region &region : op.getRegions())
      for (Block &inner : region)
        forEachHostOp(inner, fn);
  }
}

struct HostOpsToKernelsPass
    : aic::cuda::impl::HostOpsToKernelsPassBase<HostOpsToKernelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The graph; helpers the host calls (the deallocation's) stay.
    if (func.getName() != aic::cpu::kGraphName)
      return;
    Block &body = func.getBody().front();
    // Buffers the host reads: the shape operands of views (a reshape's
    // target shape, which the LLVM lowering reads on the host), the
    // buffers the host's helpers take (the deallocation's lists of
    // buffers), and the buffers of ops whose results the host needs (which
    // stay).
    forEachHostOp(body, [](Operation &op) {
      if (isa<func::CallOp>(op)) {
        for (Value operand : op.getOperands())
          if (isa<MemRefType>(operand.getType()))
            markHostVisible(operand);
        return;
      }
      if (auto view = dyn_cast<ViewLikeOpInterface>(op)) {
        for (Value operand : op.getOperands())
          if (operand != view.getViewSource() &&
              isa<MemRefType>(operand.getType()))
            markHostVisible(operand);
        return;
      }
      if (op.use_empty() || staysOnHost(op))
        return;
      op.walk([&](Operation *inner) {
        for (Value operand : inner->getOperands())
          if (isa<MemRefType>(operand.getType()))
            markHostVisible(operand);
      });
    });
    // The rest of what touches device memory goes into kernels.
    SmallVector<Operation *> moved;
    bool unplaceable = false;
    forEachHostOp(body, [&](Operation &op) {
      if (staysOnHost(op))
        return;
      if (!op.use_empty()) {
        op.emitError("the host needs this op's results, but it touches "
                     "memory only the GPU has");
        unplaceable = true;
        return;
      }
      moved.push_back(&op);
    });
    if (unplaceable)
      return signalPassFailure();
    OpBuilder b(&getContext());
    for (Operation *op : moved) {
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
