//===- TileDynamicRows.cpp - the aic-cpu-tile-dynamic-rows pass -----------===//
//
// A model compiled with a dynamic first dim (a batch: `--shape x=?x784`)
// has ops whose only dynamic loop is that row loop. aic-cpu-tile-and-
// vectorize makes kernels of static shapes only, so those ops would stay
// scalar loops. This pass strip-mines the rows so that every op inside has
// static shapes again:
//
// - each chain of such ops (a "row op" and the row ops that feed only it,
//   fills included) is tiled along the rows by 8 with upstream's
//   tileConsumerAndFuseProducersUsingSCF, from the last op of the chain;
// - the loop is peeled (scf::peelForLoopAndSimplifyBounds), so that its
//   main part runs whole tiles of 8 rows, static;
// - the rest (fewer than 8 rows) is tiled again by 1 row, also static.
//
// The tiles then go through aic-cpu-tile-and-vectorize as any static op
// does (8 rows: its 8-row register tiles; 1 row: the matrix-vector ones).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_TILEDYNAMICROWSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
/// Rows a tile has in the main loop.
constexpr int64_t kRowTile = 8;

/// Whether `op` is a row op: a linalg op on tensors whose first loop is
/// parallel, of dynamic extent, and the first dim of each result, and whose
/// other loops are static.
bool isRowOp(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumLoops() == 0 || op->getNumResults() == 0 ||
      linalgOp.getIteratorTypesArray()[0] != utils::IteratorType::parallel)
    return false;
  // Ops with a loop of no iterations do no work (and upstream's tiling of
  // them crashes).
  SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
  if (!ShapedType::isDynamic(ranges[0]) ||
      llvm::any_of(ArrayRef<int64_t>(ranges).drop_front(), [](int64_t r) {
        return ShapedType::isDynamic(r) || r == 0;
      }))
    return false;
  for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
    AffineMap map = linalgOp.getMatchingIndexingMap(&init);
    if (map.getNumResults() == 0 ||
        map.getResult(0) != getAffineDimExpr(0, op->getContext()))
      return false;
  }
  return true;
}

/// Whether `op` is fused into the chain of its one user: a row op (or a
/// fill of one's output) used once, by a row op.
bool feedsOneRowOp(Operation *op) {
  if (!op->hasOneUse())
    return false;
  return isRowOp(*op->getUsers().begin());
}

/// Tiles the chain that ends at `root` along the rows by `rows`; returns
/// the loop (null where tiling failed, which leaves the chain as it was).
scf::ForOp tileChain(RewriterBase &rewriter, TilingInterface root, int64_t rows,
                     const DenseSet<Operation *> &chained) {
  auto linalgOp = cast<linalg::LinalgOp>(root.getOperation());
  SmallVector<OpFoldResult> sizes(linalgOp.getNumLoops(),
                                  rewriter.getIndexAttr(0));
  sizes[0] = rewriter.getIndexAttr(rows);
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(sizes).setLoopType(
      scf::SCFTilingOptions::LoopType::ForOp);
  // Only the chain's own row ops (fills among them) come into the loop:
  // anything else (a producer with other users, or not along the rows)
  // would run again for each tile.
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (chained.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
  if (failed(tiled) || tiled->loops.empty())
    return nullptr;
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  return dyn_cast<scf::ForOp>(tiled->loops.front().getOperation());
}

/// The row ops in `region` that end a chain, last first, and those that
/// feed one (`chained`: fused into its loop).
SmallVector<TilingInterface> chainEnds(Region &region,
                                       DenseSet<Operation *> &chained) {
  SmallVector<TilingInterface> ends;
  chained.clear();
  region.walk([&](Operation *op) {
    if (!isRowOp(op))
      return;
    if (feedsOneRowOp(op))
      chained.insert(op);
    else
      ends.push_back(cast<TilingInterface>(op));
  });
  std::reverse(ends.begin(), ends.end());
  return ends;
}

struct TileDynamicRowsPass
    : aic::cpu::impl::TileDynamicRowsPassBase<TileDynamicRowsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    // Whole tiles of 8 rows, and the rest in a peeled loop.
    DenseSet<Operation *> chained;
    for (TilingInterface end : chainEnds(func.getBody(), chained)) {
      scf::ForOp loop = tileChain(rewriter, end, kRowTile, chained);
      if (!loop)
        continue;
      scf::ForOp rest;
      rewriter.setInsertionPoint(loop);
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, rest);
    }
    // Static slices in the main loops: their sizes fold to constants; the
    // fused ops' originals, now unused, go.
    canonicalize(func);
    // The rest, a row at a time.
    for (TilingInterface end : chainEnds(func.getBody(), chained))
      tileChain(rewriter, end, 1, chained);
    canonicalize(func);
  }

  void canonicalize(func::FuncOp func) {
    RewritePatternSet patterns(&getContext());
    for (Dialect *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : getContext().getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, &getContext());
    // A slice of an empty tensor is an empty tensor of the slice's size, so
    // that no whole-batch buffer is left for the tiles' temporaries.
    tensor::populateFoldTensorEmptyPatterns(patterns);
    (void)applyPatternsGreedily(func, std::move(patterns));
  }
};
} // namespace
