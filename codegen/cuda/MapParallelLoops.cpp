//===- MapParallelLoops.cpp - the aic-cuda-map-parallel-loops pass --------===//
//
// Maps the function's top-level parallel loops onto a one-dimensional grid
// of blocks of threads: dims collapsed into one, tiled by the block size.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Passes.h"

#include "codegen/cpu/ModelInterface.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace mlir::aic::cuda {
#define GEN_PASS_DEF_MAPPARALLELLOOPSPASS
#include "codegen/cuda/Passes.h.inc"
} // namespace mlir::aic::cuda

using namespace mlir;

namespace {
gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *ctx,
                                      gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, identity,
                                              identity);
}

struct MapParallelLoopsPass
    : aic::cuda::impl::MapParallelLoopsPassBase<MapParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The graph; helpers the host calls (the deallocation's) stay.
    if (func.getName() != aic::cpu::kGraphName)
      return;
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    StringRef mapping = gpu::getMappingAttrName();
    // The next loop to map: an outermost one (in the function's block or
    // the host's control flow around it, such as a sequential loop over a
    // reduced dim), not mapped yet, that reduces into no values (those stay
    // for one-thread kernels).
    auto next = [&]() -> scf::ParallelOp {
      scf::ParallelOp found;
      func.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
        if (loop->hasAttr(mapping))
          return WalkResult::skip();
        if (loop.getNumResults() != 0)
          return WalkResult::skip();
        found = loop;
        return WalkResult::interrupt();
      });
      return found;
    };
    while (scf::ParallelOp loop = next()) {
      // One dim: the grid is one-dimensional, its size the trip count over
      // the block size.
      if (loop.getNumLoops() > 1) {
        std::vector<unsigned> all(loop.getNumLoops());
        std::iota(all.begin(), all.end(), 0);
        rewriter.setInsertionPoint(loop);
        collapseParallelLoops(rewriter, loop, {all});
        continue;
      }
      auto [blocks, threads] = scf::tileParallelLoop(loop, {threadsPerBlock},
                                                     /*noMinMaxBounds=*/true);
      // Parallel loops inside run sequentially in the thread.
      threads.getBody()->walk([&](scf::ParallelOp inner) {
        SmallVector<gpu::ParallelLoopDimMappingAttr> sequential(
            inner.getNumLoops(), mapTo(ctx, gpu::Processor::Sequential));
        (void)gpu::setMappingAttr(inner, sequential);
      });
      if (failed(gpu::setMappingAttr(blocks,
                                     {mapTo(ctx, gpu::Processor::BlockX)})) ||
          failed(gpu::setMappingAttr(threads,
                                     {mapTo(ctx, gpu::Processor::ThreadX)}))) {
        blocks.emitError("cannot map the loop onto blocks and threads");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
