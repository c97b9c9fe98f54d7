//===- PlanBuffers.cpp - the aic-cpu-plan-buffers pass --------------------===//
//
// Static memory planning for a model's temporaries. After bufferization and
// the ownership-based deallocation, every intermediate tensor of a graph is
// a `memref.alloc` in the function's block with one `memref.dealloc` (the
// sign that it does not escape), but the deallocations all come at the end
// of the block: every temporary of the model is live at once, and a run
// faults in fresh pages for each. Each buffer's real live interval runs from
// its allocation to the last use of it or of any alias (the views and loop
// results BufferViewFlowAnalysis finds). This pass places the buffers in one
// arena, those whose intervals overlap at disjoint offsets and the others
// sharing memory, so a run makes one allocation instead of one per tensor
// and touches the same pages from one layer to the next.
//
// Placement is greedy by size (the largest buffer first, each at the lowest
// offset that does not collide with a placed buffer live at the same time),
// which is what TensorFlow Lite's arena planner does; on CNNs it comes
// close to the lower bound of the largest set of simultaneously live
// buffers.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/STLExtras.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_PLANBUFFERSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
/// The alignment of every planned buffer, in bytes: a cache line, and the
/// widest vector (AVX-512).
constexpr int64_t kAlignment = 64;

/// A top-level allocation with one deallocation in the same block.
struct PlannedBuffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes = 0;
  unsigned begin = 0; // position of the alloc in the block
  unsigned end = 0;   // position of the last use, its own or an alias's
  int64_t offset = -1;
};

/// The bytes of an allocation the arena can hold, or nullopt: static shape,
/// identity layout, default memory space, whole-byte scalar elements.
std::optional<int64_t> plannableBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !alloc.getSymbolOperands().empty())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
}

/// The position in `block` of the last use of `alloc` or of an alias of it
/// other than `dealloc`.
unsigned lastUse(memref::AllocOp alloc, memref::DeallocOp dealloc, Block &block,
                 const DenseMap<Operation *, unsigned> &position,
                 const BufferViewFlowAnalysis &aliases) {
  unsigned last = position.at(alloc);
  for (Value alias : aliases.resolve(alloc.getResult()))
    for (Operation *user : alias.getUsers()) {
      if (user == dealloc.getOperation())
        continue;
      if (Operation *top = block.findAncestorOpInBlock(*user))
        last = std::max(last, position.at(top));
    }
  return last;
}

/// The buffers of `block` the arena can hold, with their live intervals.
/// None where a deallocation frees something other than an allocation's
/// own result (an alias the planning would not see). `unplanned` is set
/// where some other temporary (of a dynamic shape) is not among them.
std::optional<SmallVector<PlannedBuffer>> collectBuffers(Block &block,
                                                         bool &unplanned) {
  DenseMap<Operation *, unsigned> position;
  for (auto [index, op] : llvm::enumerate(block))
    position[&op] = index;
  BufferViewFlowAnalysis aliases(block.getParentOp());

  SmallVector<PlannedBuffer> buffers;
  for (Operation &op : block) {
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    SmallVector<memref::DeallocOp> deallocs;
    for (Operation *user : alloc->getUsers())
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user))
        deallocs.push_back(dealloc);
    std::optional<int64_t> bytes = plannableBytes(alloc);
    if (!bytes || deallocs.size() != 1 || deallocs[0]->getBlock() != &block) {
      // A temporary the arena does not hold.
      unplanned |= !deallocs.empty();
      continue;
    }
    buffers.push_back({alloc, deallocs[0], *bytes, position[alloc],
                       lastUse(alloc, deallocs[0], block, position, aliases)});
  }

  bool freesAliases = false;
  block.getParent()->walk([&](memref::DeallocOp dealloc) {
    if (!dealloc.getMemref().getDefiningOp<memref::AllocOp>())
      freesAliases = true;
  });
  if (freesAliases)
    return std::nullopt;
  return buffers;
}

/// Places `buffers` (sets their offsets) and returns the arena's size.
int64_t placeBuffers(MutableArrayRef<PlannedBuffer> buffers) {
  SmallVector<PlannedBuffer *> bySize;
  for (PlannedBuffer &buffer : buffers)
    bySize.push_back(&buffer);
  llvm::stable_sort(bySize, [](PlannedBuffer *a, PlannedBuffer *b) {
    return a->bytes > b->bytes;
  });

  int64_t arenaBytes = 0;
  SmallVector<PlannedBuffer *> placed;
  for (PlannedBuffer *buffer : bySize) {
    // The placed buffers live at the same time (the intervals include both
    // ends), by offset.
    SmallVector<PlannedBuffer *> live;
    for (PlannedBuffer *other : placed)
      if (other->begin <= buffer->end && buffer->begin <= other->end)
        live.push_back(other);
    llvm::sort(live, [](PlannedBuffer *a, PlannedBuffer *b) {
      return a->offset < b->offset;
    });
    // The lowest gap that fits.
    int64_t offset = 0;
    for (PlannedBuffer *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max<int64_t>(
          offset, llvm::alignTo(other->offset + other->bytes, kAlignment));
    }
    buffer->offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return static_cast<int64_t>(llvm::alignTo(arenaBytes, kAlignment));
}

struct PlanBuffersPass : aic::cpu::impl::PlanBuffersPassBase<PlanBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func.getBody().hasOneBlock())
      return;
    Block &block = func.getBody().front();
    bool unplanned = false;
    std::optional<SmallVector<PlannedBuffer>> collected =
        collectBuffers(block, unplanned);
    if (!collected)
      return;
    SmallVector<PlannedBuffer> &buffers = *collected;
    OpBuilder builder(&getContext());
    // The peak bytes of the temporaries, where the arena holds them all,
    // and how many there are and their bytes without reuse (the report's
    // memory plan).
    auto record = [&](int64_t bytes) {
      if (unplanned)
        return;
      int64_t total = 0;
      for (const PlannedBuffer &buffer : buffers)
        total += llvm::alignTo(buffer.bytes, kAlignment);
      func->setAttr("aic.arena_bytes", builder.getI64IntegerAttr(bytes));
      func->setAttr("aic.temporary_bytes", builder.getI64IntegerAttr(total));
      func->setAttr("aic.temporaries",
                    builder.getI64IntegerAttr(buffers.size()));
    };
    // One temporary or none needs no arena.
    if (buffers.size() < 2) {
      record(buffers.empty()
                 ? 0
                 : llvm::alignTo(buffers.front().bytes, kAlignment));
      return;
    }
    int64_t arenaBytes = placeBuffers(buffers);

    builder.setInsertionPointToStart(&block);
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, builder.getIntegerType(8));
    Value arena = memref::AllocOp::create(
        builder, loc, arenaType, builder.getI64IntegerAttr(kAlignment));
    for (PlannedBuffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(
          builder, buffer.alloc.getLoc(), buffer.offset);
      Value view = memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), arena, offset,
                                          ValueRange());
      buffer.dealloc.erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    builder.setInsertionPoint(block.getTerminator());
    memref::DeallocOp::create(builder, loc, arena);
    record(arenaBytes);
  }
};
} // namespace
