//===- HoistThreadBuffers.cpp - the aic-cpu-hoist-thread-buffers pass -----===//
//
// Moves the stack buffers of a parallel loop's iterations (memref.alloca of
// static shape: a depthwise convolution's padded plane) to the start of
// their omp.parallel region, so that each thread makes them once and every
// iteration it runs reuses them. The OpenMP conversion wraps each iteration
// in a memref.alloca_scope, which upstream's canonicalization hoists
// nothing from (a worksharing loop's body has no terminator) and which
// cannot hold the iteration's loops once they become blocks. An alloca's
// contents are undefined when it is made, so an iteration that reads its
// buffer writes it first, and sharing it between the iterations of one
// thread changes nothing. The alloca_scopes, then without allocations,
// canonicalize away.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_HOISTTHREADBUFFERSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
struct HoistThreadBuffersPass
    : aic::cpu::impl::HoistThreadBuffersPassBase<HoistThreadBuffersPass> {
  void runOnOperation() override {
    SmallVector<std::pair<memref::AllocaOp, omp::ParallelOp>> hoisted;
    getOperation().walk([&](memref::AllocaOp alloca) {
      // In an iteration's scope: alloca_scope in loop_nest in wsloop,
      // directly in the parallel region.
      auto scope = dyn_cast<memref::AllocaScopeOp>(alloca->getParentOp());
      auto nest = scope ? dyn_cast<omp::LoopNestOp>(scope->getParentOp())
                        : omp::LoopNestOp();
      auto wsloop =
          nest ? dyn_cast<omp::WsloopOp>(nest->getParentOp()) : omp::WsloopOp();
      auto parallel = wsloop ? dyn_cast<omp::ParallelOp>(wsloop->getParentOp())
                             : omp::ParallelOp();
      if (parallel && alloca->getNumOperands() == 0)
        hoisted.push_back({alloca, parallel});
    });
    for (auto [alloca, parallel] : hoisted)
      alloca->moveBefore(&parallel.getRegion().front().front());
  }
};
} // namespace
