//===- DeviceMemory.cpp - the aic-cuda-device-memory pass -----------------===//
//
// After outlining: the graph function's buffers move to device memory, its
// inputs and weights reach the kernels as device copies, its results come
// back to host memory, and its GPU work is ordered on one stream that the
// host waits for only where it reads what the device wrote.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Buffers.h"
#include "codegen/cuda/Passes.h"

#include "codegen/cpu/ModelInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::aic::cuda {
#define GEN_PASS_DEF_DEVICEMEMORYPASS
#include "codegen/cuda/Passes.h.inc"
} // namespace mlir::aic::cuda

using namespace mlir;
using aic::cuda::isHostBuffer;
using aic::cuda::kHostVisible;
using aic::cuda::rootBuffer;

namespace {
/// The model's host code (runtime/cuda/ModelHost.c): a weight's device copy,
/// made on its first use.
constexpr llvm::StringLiteral kResidentFunction = "aic_cuda_resident";
/// The model's host code: waits for the run's stream. (A gpu.wait on the
/// stream's token would do, but canonicalization drops it: the token of a
/// gpu.wait without dependencies counts as complete.)
constexpr llvm::StringLiteral kSynchronizeFunction = "aic_cuda_synchronize";

/// The dynamic sizes of `buffer`, for an allocation of its type.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, buffer, d));
  return sizes;
}

/// Whether `op` is an allocation in memory the host reads too.
bool isHostShared(Operation *op) {
  auto alloc = dyn_cast<gpu::AllocOp>(op);
  return alloc && alloc.getHostShared();
}

/// Whether the host op `op` reads or writes elements of memory the device
/// may write: a load or store of a host-visible buffer, or a view that reads
/// one (a reshape's shape). Buffer management, dims and views of such
/// buffers touch no elements.
bool touchesHostVisibleMemory(Operation &op) {
  if (isa<memref::DeallocOp, memref::DimOp, memref::ExtractStridedMetadataOp,
          memref::ExtractAlignedPointerAsIndexOp, func::CallOp>(op))
    return false;
  auto view = dyn_cast<ViewLikeOpInterface>(op);
  for (Value operand : op.getOperands()) {
    if (!isa<MemRefType>(operand.getType()) ||
        (view && operand == view.getViewSource()))
      continue;
    Operation *root = rootBuffer(operand).getDefiningOp();
    if (root && isHostShared(root))
      return true;
  }
  return false;
}

/// The control-flow op a buffer passed by `use` becomes a value of (a loop
/// it enters, the op whose block yields it), or null.
Operation *flowOfUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (user->getNumRegions() != 0)
    return user;
  if (user->hasTrait<OpTrait::IsTerminator>() && !isa<func::ReturnOp>(user))
    return user->getParentOp();
  return nullptr;
}

bool hasHostReads(Value value, llvm::SmallPtrSetImpl<Value> &seen);

/// Whether `use` of a host buffer reads it on the host (elements, or a
/// view's shape), rather than handing it to the device: directly, or as a
/// value of control flow the host reads (a loop's carried buffer).
bool isHostRead(OpOperand &use, llvm::SmallPtrSetImpl<Value> &seen) {
  Operation *user = use.getOwner();
  if (isa<memref::LoadOp, memref::StoreOp, memref::DimOp,
          memref::ExtractAlignedPointerAsIndexOp>(user))
    return true;
  if (auto view = dyn_cast<ViewLikeOpInterface>(user))
    return use.get() != view.getViewSource();
  Operation *flow = flowOfUse(use);
  if (!flow)
    return false;
  auto hostRead = [&](Value value) {
    return isa<MemRefType>(value.getType()) && hasHostReads(value, seen);
  };
  if (llvm::any_of(flow->getResults(), hostRead))
    return true;
  for (Region &region : flow->getRegions())
    for (Block &block : region)
      if (llvm::any_of(block.getArguments(), hostRead))
        return true;
  return false;
}

bool isHostRead(OpOperand &use) {
  llvm::SmallPtrSet<Value, 8> seen;
  return isHostRead(use, seen);
}

/// Whether the host reads `value`, or a view of it. Its dims and its
/// address (an index, for the deallocation's ownership checks) do not
/// count: a device copy has dims of its own, so a branch's result or a
/// loop's carried buffer the host only measures or compares can be the
/// device's (and the kernels that read it do not read host memory).
bool hasHostReads(Value value, llvm::SmallPtrSetImpl<Value> &seen) {
  if (!seen.insert(value).second)
    return false;
  for (OpOperand &use : value.getUses()) {
    if (isa<memref::DimOp, memref::ExtractAlignedPointerAsIndexOp>(
            use.getOwner()))
      continue;
    if (isHostRead(use, seen))
      return true;
    auto view = dyn_cast<ViewLikeOpInterface>(use.getOwner());
    if (view && use.get() == view.getViewSource() &&
        llvm::any_of(view->getResults(),
                     [&](Value v) { return hasHostReads(v, seen); }))
      return true;
  }
  return false;
}

bool hasHostReads(Value value) {
  llvm::SmallPtrSet<Value, 8> seen;
  return hasHostReads(value, seen);
}

/// Makes the GPU op `op` asynchronous, after `token`; returns its token.
/// (As gpu-async-region does, whose host waits this pass places itself.)
Value makeAsync(Operation *op, Value token) {
  gpu::addAsyncDependency(op, token);
  SmallVector<Type> resultTypes(op->getResultTypes());
  resultTypes.push_back(gpu::AsyncTokenType::get(op->getContext()));
  OpBuilder b(op);
  Operation *async = Operation::create(
      op->getLoc(), op->getName(), resultTypes, op->getOperands(),
      op->getDiscardableAttrDictionary(), op->getPropertiesStorage(),
      op->getSuccessors(), op->getNumRegions());
  b.insert(async);
  op->replaceAllUsesWith(async->getResults().drop_back());
  op->erase();
  return async->getResults().back();
}

class DeviceMemory {
public:
  DeviceMemory(func::FuncOp func)
      : func(func), module(func->getParentOfType<ModuleOp>()),
        b(func.getContext()), entry(&func.getBody().front()),
        firstOp(&entry->front()) {}

  LogicalResult run();

private:
  Value inputCopy(BlockArgument arg);
  FailureOr<Value> residentCopy(memref::GetGlobalOp global);
  void redirect(Value host, Value device);
  void useDeviceMemory();
  void returnHostCopies();
  void orderBlock(Block &block, Value stream, bool &pending);
  /// The model host code's function `name` (declared on first use).
  LLVM::LLVMFuncOp hostFunction(StringRef name, LLVM::LLVMFunctionType type);
  void hostWait(Operation *before);

  func::FuncOp func;
  ModuleOp module;
  OpBuilder b;
  Block *entry;
  /// The function's first op before this pass: input copies go before it.
  Operation *firstOp;
  /// Device copies of inputs, freed at the end.
  SmallVector<Value> inputCopies;
};
} // namespace

FailureOr<Value> DeviceMemory::residentCopy(memref::GetGlobalOp global) {
  auto type = global.getType();
  Location loc = global.getLoc();
  if (!type.getLayout().isIdentity() || !type.hasStaticShape())
    return global.emitError("a weight the GPU reads needs a static, "
                            "identity-layout type, not ")
           << type;
  MLIRContext *ctx = func.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  Type i64Type = b.getI64Type();
  // A slot per weight holds its device copy.
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  std::string slotName = ("__aic_device_" + global.getName()).str();
  auto slot = module.lookupSymbol<LLVM::GlobalOp>(slotName);
  if (!slot) {
    slot =
        LLVM::GlobalOp::create(mb, loc, ptrType, /*isConstant=*/false,
                               LLVM::Linkage::Internal, slotName, Attribute());
    OpBuilder ib =
        OpBuilder::atBlockBegin(&slot.getInitializerRegion().emplaceBlock());
    LLVM::ReturnOp::create(ib, loc, LLVM::ZeroOp::create(ib, loc, ptrType));
  }
  LLVM::LLVMFuncOp resident = hostFunction(
      kResidentFunction,
      LLVM::LLVMFunctionType::get(ptrType, {ptrType, i64Type, ptrType}));

  b.setInsertionPointAfter(global);
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, global);
  Value addressBits = arith::IndexCastOp::create(b, loc, i64Type, address);
  Value host = LLVM::IntToPtrOp::create(b, loc, ptrType, addressBits);
  int64_t elementBytes =
      DataLayout::closest(global).getTypeSize(type.getElementType());
  Value bytes = LLVM::ConstantOp::create(b, loc, i64Type,
                                         type.getNumElements() * elementBytes);
  Value copy =
      LLVM::CallOp::create(
          b, loc, resident,
          ValueRange{host, bytes, LLVM::AddressOfOp::create(b, loc, slot)})
          .getResult();
  return aic::cpu::buildMemRefFromPointer(b, loc, copy, {}, type);
}

Value DeviceMemory::inputCopy(BlockArgument arg) {
  Location loc = arg.getLoc();
  b.setInsertionPoint(firstOp);
  auto alloc = gpu::AllocOp::create(
      b, loc, arg.getType(), /*asyncToken=*/Type(), ValueRange{},
      dynamicSizes(b, loc, arg), ValueRange{}, /*hostShared=*/false);
  gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, alloc.getMemref(),
                        arg);
  inputCopies.push_back(alloc.getMemref());
  return alloc.getMemref();
}

void DeviceMemory::redirect(Value host, Value device) {
  for (OpOperand &use : llvm::make_early_inc_range(host.getUses())) {
    Operation *user = use.getOwner();
    if (user == device.getDefiningOp() || isHostRead(use))
      continue;
    // A memcpy of the host buffer itself (the input's copy) stays.
    if (isa<gpu::MemcpyOp>(user))
      continue;
    auto view = dyn_cast<ViewLikeOpInterface>(user);
    if (!view || use.get() != view.getViewSource() ||
        !llvm::any_of(view->getResults(),
                      [](Value result) { return hasHostReads(result); })) {
      use.set(device);
      continue;
    }
    // A view the host reads as well: the device gets its own.
    IRMapping mapping;
    mapping.map(host, device);
    b.setInsertionPointAfter(user);
    Operation *clone = b.clone(*user, mapping);
    for (auto [original, copy] :
         llvm::zip(user->getResults(), clone->getResults()))
      redirect(original, copy);
    if (clone->use_empty())
      clone->erase();
  }
}

void DeviceMemory::useDeviceMemory() {
  // Allocations: device memory, or managed memory where the host reads
  // them too. memref.alloc keeps its meaning (host memory) for the results'
  // copies made below.
  SmallVector<memref::AllocOp> allocs;
  SmallVector<memref::DeallocOp> deallocs;
  func.walk([&](Operation *op) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op))
      allocs.push_back(alloc);
    else if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
      deallocs.push_back(dealloc);
  });
  for (memref::AllocOp alloc : allocs) {
    b.setInsertionPoint(alloc);
    auto replacement = gpu::AllocOp::create(
        b, alloc.getLoc(), alloc.getType(), Type(), ValueRange{},
        alloc.getDynamicSizes(), alloc.getSymbolOperands(),
        alloc->hasAttr(kHostVisible));
    alloc.replaceAllUsesWith(replacement.getMemref());
    alloc.erase();
  }
  for (memref::DeallocOp dealloc : deallocs) {
    b.setInsertionPoint(dealloc);
    gpu::DeallocOp::create(b, dealloc.getLoc(), TypeRange{}, ValueRange{},
                           dealloc.getMemref());
    dealloc.erase();
  }
}

void DeviceMemory::returnHostCopies() {
  auto ret = cast<func::ReturnOp>(entry->getTerminator());
  Location loc = ret.getLoc();
  b.setInsertionPoint(ret);
  DenseMap<Value, Value> copies;
  SmallVector<Value> results;
  for (Value result : ret.getOperands()) {
    auto type = dyn_cast<MemRefType>(result.getType());
    if (!type) { // A scalar result is the host's already.
      results.push_back(result);
      continue;
    }
    Value &copy = copies[result];
    if (!copy) {
      auto alloc =
          memref::AllocOp::create(b, loc, type, dynamicSizes(b, loc, result));
      alloc.setAlignment(64);
      copy = alloc;
      gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, copy, result);
      if (!isHostBuffer(result))
        gpu::DeallocOp::create(b, loc, TypeRange{}, ValueRange{}, result);
    }
    results.push_back(copy);
  }
  for (Value copy : inputCopies)
    gpu::DeallocOp::create(b, loc, TypeRange{}, ValueRange{}, copy);
  ret->setOperands(results);
}

LLVM::LLVMFuncOp DeviceMemory::hostFunction(StringRef name,
                                            LLVM::LLVMFunctionType type) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(mb, func.getLoc(), name, type);
}

void DeviceMemory::hostWait(Operation *before) {
  LLVM::LLVMFuncOp wait = hostFunction(
      kSynchronizeFunction,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(b.getContext()), {}));
  b.setInsertionPoint(before);
  LLVM::CallOp::create(b, before->getLoc(), wait, ValueRange{});
}

void DeviceMemory::orderBlock(Block &block, Value stream, bool &pending) {
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (isa<func::ReturnOp>(op)) {
      hostWait(&op);
      continue;
    }
    if (isa<gpu::WaitOp>(op))
      continue;
    if (isa<gpu::AsyncOpInterface>(op)) {
      pending |= isa<gpu::LaunchFuncOp, gpu::MemcpyOp>(op);
      if (!isHostShared(&op))
        makeAsync(&op, stream);
      continue;
    }
    if (pending && touchesHostVisibleMemory(op)) {
      hostWait(&op);
      pending = false;
    }
    // Host control flow: a loop's body may follow device work of its own
    // last iteration.
    for (Region &region : op.getRegions()) {
      bool repeats = isa<LoopLikeOpInterface>(op) &&
                     region
                         .walk([](Operation *inner) {
                           return isa<gpu::LaunchFuncOp, gpu::MemcpyOp>(inner)
                                      ? WalkResult::interrupt()
                                      : WalkResult::advance();
                         })
                         .wasInterrupted();
      for (Block &inner : region) {
        bool innerPending = pending || repeats;
        orderBlock(inner, stream, innerPending);
        pending |= innerPending;
      }
    }
  }
}

LogicalResult DeviceMemory::run() {
  // What the device reads of the inputs and weights, it reads from device
  // copies; the host reads what it reads (a shape input) where it is.
  for (BlockArgument arg : entry->getArguments()) {
    if (!isa<MemRefType>(arg.getType()))
      continue;
    bool deviceUse = llvm::any_of(
        arg.getUses(), [](OpOperand &use) { return !isHostRead(use); });
    if (deviceUse)
      redirect(arg, inputCopy(arg));
  }
  SmallVector<memref::GetGlobalOp> globals;
  func.walk([&](memref::GetGlobalOp global) { globals.push_back(global); });
  for (memref::GetGlobalOp global : globals) {
    bool deviceUse = llvm::any_of(
        global->getUses(), [](OpOperand &use) { return !isHostRead(use); });
    if (!deviceUse)
      continue;
    FailureOr<Value> copy = residentCopy(global);
    if (failed(copy))
      return failure();
    redirect(global, *copy);
  }
  // What the host reads it keeps: a kernel that reads the same buffer
  // would read host memory.
  WalkResult hostOperand = func.walk([](gpu::LaunchFuncOp launch) {
    for (Value operand : launch.getKernelOperands())
      if (isa<MemRefType>(operand.getType()) && isHostBuffer(operand)) {
        launch.emitError("a kernel reads a buffer that stays in host memory "
                         "for the host's own reads");
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  if (hostOperand.wasInterrupted())
    return failure();
  useDeviceMemory();
  returnHostCopies();
  // One stream for the function's GPU work.
  b.setInsertionPointToStart(entry);
  Value stream = gpu::WaitOp::create(
                     b, func.getLoc(),
                     gpu::AsyncTokenType::get(func.getContext()), ValueRange{})
                     .getAsyncToken();
  bool pending = false;
  orderBlock(*entry, stream, pending);
  return success();
}

namespace {
struct DeviceMemoryPass
    : aic::cuda::impl::DeviceMemoryPassBase<DeviceMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = aic::cpu::lookupGraph(getOperation());
    if (!func)
      return;
    if (!llvm::hasSingleElement(func.getBody())) {
      func.emitError("the CUDA host code expects a graph of one block");
      return signalPassFailure();
    }
    if (failed(DeviceMemory(func).run()))
      signalPassFailure();
  }
};
} // namespace
