//===- TileAndVectorize.cpp - the aic-cpu-tile-and-vectorize pass ---------===//
//
// Matrix multiplications (linalg contractions with one M, N and K loop, any
// batch loops, static shapes) become BLIS-style generated kernels, on
// tensors, with upstream's TilingInterface and vectorizer:
//
// - a cache tile (N outermost, then K, then M; about 64 x 256 x 512) keeps
//   a panel of B in L2 and the A and C rows in L1;
// - a register tile (8 x 32 for 16-lane vectors) inside it, with K last and
//   of step 1, vectorizes to one vector.contract per k (named, so that it
//   becomes fused multiply-adds);
// - the C tile's read and write are hoisted out of the K loop, so the
//   accumulators stay in registers across it;
// - an epilogue (the elementwise op that reads the result: an activation,
//   a residual add) and the accumulator's fill or broadcast (zeros, a bias)
//   are fused into the tiles (of the epilogue), so that the register tile
//   starts from the bias and ends with the activation, and no C goes
//   through memory.
//
// 8-bit contractions (unsigned by signed constant bytes into i32) run the
// same tiles on a packed layout: K in groups of 4 bytes, B as K/4 x N x 4
// at compile time, each register tile's k one 4-byte dot product per row
// and vector of columns (vpdpbusd, through aic-cpu-lower-dot-products).
//
// Tile sizes divide the loop extents (the largest divisor not above the
// target), so every tile is static and vectorizes without masks; an N
// that no vector length divides is split into two contractions that
// each are whole vectors.
//
// With threads, a big op is first split into pieces by an scf.forall (a
// contraction by its batch loops and N cache tiles, then M and N for
// enough pieces; an elementwise op by an outer loop); the pipeline runs
// those loops on OpenMP threads.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"
#include "dialects/aic/IR/ConstantData.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <cstring>
#include <limits>

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;
using mlir::aic::constantBytes;
using mlir::aic::constantIntegers;
using mlir::aic::resourceConstant;

namespace {
/// The work below which an op runs on one thread: forking a team costs a
/// few microseconds, about what this many multiply-adds (or elements of a
/// binary elementwise op) take on one core.
constexpr int64_t kParallelMultiplyAdds = int64_t(1) << 20;
constexpr int64_t kParallelElements = int64_t(1) << 16;
/// The pieces a parallel op is split into at least, where it has them, so
/// that they spread evenly over a few threads.
constexpr int64_t kMinPieces = 8;
/// The rows of a register tile: a contraction of fewer is a matrix-vector
/// product.
constexpr int64_t kRegisterRows = 8;
/// The elements of B a cache tile reads at most (where K is whole).
constexpr int64_t kPanelElements = 128 * 1024;
/// The longest K a contraction with an epilogue runs as one cache tile
/// (past it, only where all of B is one panel).
constexpr int64_t kMaxFusedReduction = 576;
/// The longest row a reduction is vectorized over, as one vector.
constexpr int64_t kMaxReducedElements = 4096;

/// The alignment of a buffer this pass allocates, in bytes: the widest
/// vector (AVX-512), and a cache line.
constexpr int64_t kVectorAlignment = 64;

/// The vectors of results a tile of an op of many taps (a depthwise
/// convolution's) computes at most, over several rows: more, with its tap
/// weights and input rows, no longer fit the 32 vector registers.
constexpr int64_t kStencilVectors = 7;

/// The largest divisor of `extent` not above `target` (at least 1).
int64_t divisorAtMost(int64_t extent, int64_t target) {
  for (int64_t d = std::min(extent, target); d > 1; --d)
    if (extent % d == 0)
      return d;
  return 1;
}

/// The loops of a contraction this pass handles: one M, N and K loop and
/// any batch loops (or M, N and K loops of extent 1), all static
/// (matrix-vector products, with no M or N loop, keep their scalar loops
/// for now).
struct MatmulLoops {
  SmallVector<unsigned> batch;
  unsigned m, n, k;
  SmallVector<int64_t> extents;
  /// For a contraction packed for 8-bit dot products (packForDotProducts),
  /// the loop over the 4 bytes of K each dot product sums; `k` then counts
  /// groups of 4.
  std::optional<unsigned> kInner;
};

/// Whether `op`'s elements can be vectors: not bools or other sub-byte
/// elements (bit-packed in vector memory, a byte each in a tensor's), nor
/// the small floats (whose conversions aic expands on scalars only), in its
/// operands, results or body.
bool vectorizableElements(Operation *op) {
  // In memory (operands, results) any element under 8 bits; in the body,
  // where bool vectors are just compare results, i4/i2 and small floats.
  auto narrow = [](Value v, bool inMemory) {
    Type et = getElementTypeOrSelf(v.getType());
    if (!et.isIntOrFloat())
      return false;
    unsigned width = et.getIntOrFloatBitWidth();
    if (isa<FloatType>(et))
      return width <= 8;
    return width < 8 && (inMemory || width > 1);
  };
  auto narrowIn = [&](ValueRange values, bool inMemory) {
    return llvm::any_of(values, [&](Value v) { return narrow(v, inMemory); });
  };
  if (narrowIn(op->getOperands(), true) || narrowIn(op->getResults(), true))
    return false;
  // The body's values count too (a cast through f4E2M1FN inside a fused
  // generic between f32 and i8 operands).
  WalkResult found = op->walk([&](Operation *inner) {
    return narrowIn(inner->getOperands(), false) ||
                   narrowIn(inner->getResults(), false)
               ? WalkResult::interrupt()
               : WalkResult::advance();
  });
  return !found.wasInterrupted();
}

/// The matrix multiplication `op` is, if any: of floats, or with
/// `integers` also of integers (into i32, packed for 8-bit dot products
/// below).
std::optional<MatmulLoops> matchMatmul(linalg::LinalgOp op,
                                       bool integers = false) {
  if (!linalg::isaContractionOpInterface(op) || op.hasDynamicShape() ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  Type accType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!(isa<FloatType>(accType) || (integers && accType.isInteger(32))) ||
      !vectorizableElements(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return std::nullopt;
  MatmulLoops loops;
  loops.extents = op.getStaticLoopRanges();
  loops.batch.assign(dims->batch.begin(), dims->batch.end());
  // Of several M (N, K) loops, all but one must have extent 1 (im2col's
  // batch of one image): those run like batch loops.
  auto pick = [&](ArrayRef<unsigned> candidates, unsigned &chosen) {
    chosen = *llvm::max_element(candidates, [&](unsigned a, unsigned b) {
      return loops.extents[a] < loops.extents[b];
    });
    for (unsigned d : candidates) {
      if (d == chosen)
        continue;
      if (loops.extents[d] != 1)
        return false;
      loops.batch.push_back(d);
    }
    return true;
  };
  SmallVector<unsigned> m(dims->m.begin(), dims->m.end()),
      n(dims->n.begin(), dims->n.end()), k(dims->k.begin(), dims->k.end());
  if (!pick(m, loops.m) || !pick(n, loops.n) || !pick(k, loops.k))
    return std::nullopt;
  return loops;
}

/// `b` with its last two dims swapped: a transposed copy of a constant's
/// data at compile time, else a linalg.transpose at run time.
Value swapLastDims(RewriterBase &rewriter, Location loc, Value b) {
  auto type = cast<RankedTensorType>(b.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  SmallVector<int64_t> shape(type.getShape());
  std::swap(shape[rank - 1], shape[rank - 2]);
  auto swapped = type.clone(shape);
  if (std::optional<ArrayRef<char>> bytes = constantBytes(b)) {
    int64_t rows = type.getDimSize(rank - 2), cols = type.getDimSize(rank - 1);
    int64_t size = type.getElementTypeBitWidth() / 8;
    int64_t matrix = rows * cols * size;
    std::vector<char> data(bytes->size());
    for (int64_t base = 0; base < (int64_t)data.size(); base += matrix)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          std::memcpy(&data[base + (c * rows + r) * size],
                      &(*bytes)[base + (r * cols + c) * size], size);
    return resourceConstant(rewriter, loc, swapped, "transposed", data);
  }
  Value init =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, b, init, perm)
      ->getResult(0);
}

/// The tensor a fill or broadcast (an accumulator's zeros or bias) writes
/// into, else `v` itself.
Value accumulatorBase(Value v) {
  if (auto op = v.getDefiningOp<linalg::FillOp>())
    return op.getDpsInits()[0];
  if (auto op = v.getDefiningOp<linalg::BroadcastOp>())
    return op.getInit();
  return v;
}

/// The offsets, sizes and unit strides of the slice of a tensor of `shape`
/// that takes `size` elements of dim `dim` from `offset` on, and all of
/// every other dim.
struct DimSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  DimSlice(Builder &b, ArrayRef<int64_t> shape, int64_t dim,
           OpFoldResult offset, int64_t size) {
    for (auto [d, extent] : llvm::enumerate(shape)) {
      offsets.push_back(int64_t(d) == dim ? offset : b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(int64_t(d) == dim ? size : extent));
      strides.push_back(b.getIndexAttr(1));
    }
  }
};

/// `v`'s DimSlice along `dim` as an extract_slice.
Value extractDimSlice(RewriterBase &rewriter, Location loc, Value v,
                      int64_t dim, OpFoldResult offset, int64_t size) {
  DimSlice slice(rewriter, cast<RankedTensorType>(v.getType()).getShape(), dim,
                 offset, size);
  return tensor::ExtractSliceOp::create(rewriter, loc, v, slice.offsets,
                                        slice.sizes, slice.strides);
}

/// `dest` made by an scf.forall over its slices of one element along dim
/// `dim`, each a thread's piece: `fill(i, slice)` returns slice i filled.
Value buildPieces(RewriterBase &rewriter, Location loc, Value dest, int64_t dim,
                  function_ref<Value(Value, Value)> fill) {
  auto type = cast<RankedTensorType>(dest.getType());
  auto forall = scf::ForallOp::create(
      rewriter, loc,
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(type.getDimSize(dim))},
      ValueRange{dest}, std::nullopt);
  rewriter.setInsertionPointToStart(forall.getBody());
  Value i = forall.getInductionVar(0);
  Value out = forall.getRegionIterArgs()[0];
  DimSlice piece(rewriter, type.getShape(), dim, i, 1);
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, loc, out, piece.offsets, piece.sizes, piece.strides);
  Value filled = fill(i, slice);
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      rewriter, loc, filled, out, piece.offsets, piece.sizes, piece.strides);
  rewriter.setInsertionPointAfter(forall);
  return forall.getResult(0);
}

/// The fill or broadcast `v` is (accumulatorBase(v) != v) made again into
/// `into`, whose shape differs from `v`'s in dim `dim` only; a broadcast's
/// input, where it has that dim (as `inputDim`), goes through
/// `resize(input, inputDim)` first.
Value remakeAccumulator(RewriterBase &rewriter, Location loc, Value v,
                        Value into, int64_t dim,
                        function_ref<Value(Value, int64_t)> resize) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return linalg::FillOp::create(rewriter, loc, fill.value(), into)
        ->getResult(0);
  auto broadcast = v.getDefiningOp<linalg::BroadcastOp>();
  ArrayRef<int64_t> added = broadcast.getDimensions();
  Value input = broadcast.getInput();
  if (!llvm::is_contained(added, dim))
    input = resize(
        input, dim - llvm::count_if(added, [&](int64_t d) { return d < dim; }));
  return linalg::BroadcastOp::create(rewriter, loc, input, into, added)
      ->getResult(0);
}

/// `v`'s elements [offset, offset + size) along `dim`: an extract_slice of
/// it; or, where it is a fill or broadcast, one made into that slice of the
/// tensor it writes into (so that kernel tiles can compute it in place).
Value sliceAlong(RewriterBase &rewriter, Location loc, Value v, int64_t dim,
                 int64_t offset, int64_t size) {
  auto slice = [&](Value of, int64_t d) {
    return extractDimSlice(rewriter, loc, of, d, rewriter.getIndexAttr(offset),
                           size);
  };
  Value base = accumulatorBase(v);
  if (base == v)
    return slice(v, dim);
  return remakeAccumulator(rewriter, loc, v, slice(base, dim), dim, slice);
}

/// The operand dim that loop `loop` indexes through `map`, if any.
std::optional<int64_t> dimOfLoop(AffineMap map, unsigned loop) {
  for (auto [i, e] : llvm::enumerate(map.getResults()))
    if (auto d = dyn_cast<AffineDimExpr>(e); d && d.getPosition() == loop)
      return i;
  return std::nullopt;
}

/// The matrix multiplication a convolution becomes: out[n, f, p] +=
/// w[f, k] * x[n, k, p], with `w` the filters as F x K, `x` the input (or its
/// im2col copy) as N x K x P and `c` the accumulator as N x F x P, its body
/// the convolution `conv`'s (whose block reads the input, the filter and
/// the accumulator); returns the result as the convolution's (N F Ho Wo)
/// type, `outType`.
Value buildConvMatmul(RewriterBase &rewriter, linalg::LinalgOp conv, Value w,
                      Value x, Value c, RankedTensorType outType) {
  MLIRContext *context = rewriter.getContext();
  Location loc = conv.getLoc();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  // Loops (n, f, p, k).
  SmallVector<AffineMap> maps = {
      AffineMap::get(4, 0, {d(1), d(3)}, context),
      AffineMap::get(4, 0, {d(0), d(3), d(2)}, context),
      AffineMap::get(4, 0, {d(0), d(1), d(2)}, context)};
  SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Block *body = conv.getBlock();
  auto matmul = linalg::GenericOp::create(
      rewriter, loc, TypeRange{c.getType()}, ValueRange{w, x}, ValueRange{c},
      maps, iterators, [&](OpBuilder &b, Location, ValueRange args) {
        IRMapping mapping;
        mapping.map(body->getArgument(0), args[1]);
        mapping.map(body->getArgument(1), args[0]);
        mapping.map(body->getArgument(2), args[2]);
        for (Operation &op : body->getOperations())
          b.clone(op, mapping);
      });
  return tensor::ExpandShapeOp::create(
      rewriter, loc, outType, matmul->getResult(0),
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// A 2-D convolution's operands and window, where all three operands have
/// static shapes and it is a float one of one element type or one of 8-bit
/// integers into i32 (what the rewrites below take): the named
/// linalg.conv_2d_nchw_fchw, or a generic of its loops and maps (the
/// lowering's 8-bit convolutions, which widen unsigned values too).
struct ConvOperands {
  Value input, filter, init;
  RankedTensorType inputType, filterType, outType;
  SmallVector<int64_t> strides, dilations;
};

/// `conv`'s operands where they have static shapes and it is a float one
/// of one element type or (with `bytes`) one of 8-bit integers into i32.
std::optional<ConvOperands> staticConvOperands(linalg::LinalgOp conv,
                                               bool bytes) {
  if (conv.getNumDpsInputs() != 2 || conv.getNumDpsInits() != 1)
    return std::nullopt;
  ConvOperands ops{conv.getDpsInputs()[0], conv.getDpsInputs()[1],
                   conv.getDpsInits()[0]};
  ops.inputType = dyn_cast<RankedTensorType>(ops.input.getType());
  ops.filterType = dyn_cast<RankedTensorType>(ops.filter.getType());
  ops.outType = dyn_cast<RankedTensorType>(ops.init.getType());
  if (!ops.inputType || !ops.filterType || !ops.outType ||
      !ops.inputType.hasStaticShape() || !ops.filterType.hasStaticShape() ||
      !ops.outType.hasStaticShape())
    return std::nullopt;
  Type et = ops.outType.getElementType();
  Type inputElement = ops.inputType.getElementType(),
       filterElement = ops.filterType.getElementType();
  if (isa<FloatType>(et) && inputElement == et && filterElement == et)
    return ops;
  if (bytes && et.isInteger(32) && inputElement.isInteger(8) &&
      filterElement.isInteger(8))
    return ops;
  return std::nullopt;
}

std::optional<ConvOperands> matchConv2D(linalg::LinalgOp conv) {
  std::optional<ConvOperands> ops = staticConvOperands(conv, /*bytes=*/true);
  if (!ops)
    return std::nullopt;
  if (auto named = dyn_cast<linalg::Conv2DNchwFchwOp>(conv.getOperation())) {
    ops->strides = llvm::to_vector(named.getStrides().getValues<int64_t>());
    ops->dilations = llvm::to_vector(named.getDilations().getValues<int64_t>());
    return ops;
  }
  FailureOr<linalg::ConvolutionDimensions> dims =
      isa<linalg::GenericOp>(conv.getOperation())
          ? linalg::inferConvolutionDims(conv)
          : FailureOr<linalg::ConvolutionDimensions>(failure());
  if (failed(dims) || dims->strides.size() != 2 || dims->dilations.size() != 2)
    return std::nullopt;
  ops->strides.assign(dims->strides.begin(), dims->strides.end());
  ops->dilations.assign(dims->dilations.begin(), dims->dilations.end());
  MLIRContext *ctx = conv.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> expected = {
      AffineMap::get(7, 0,
                     {d(0), d(4),
                      d(2) * ops->strides[0] + d(5) * ops->dilations[0],
                      d(3) * ops->strides[1] + d(6) * ops->dilations[1]},
                     ctx),
      AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx),
      AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  if (conv.getIndexingMapsArray() != expected)
    return std::nullopt;
  return ops;
}

/// A convolution's accumulator viewed as N x F x (Ho Wo), `reassociation`
/// collapsing it. Where it is a fill or a broadcast (the bias) that is
/// rebuilt at the collapsed shape, so that the kernel's tiles can compute
/// their part of it in place (an epilogue fused with the kernel, below);
/// else a collapse_shape of it.
Value collapseAccumulator(RewriterBase &rewriter, Location loc, Value init,
                          ArrayRef<ReassociationIndices> reassociation) {
  auto type = cast<RankedTensorType>(init.getType());
  RankedTensorType collapsedType =
      tensor::CollapseShapeOp::inferCollapsedType(type, reassociation);
  auto empty = [&] {
    return tensor::EmptyOp::create(rewriter, loc, collapsedType.getShape(),
                                   collapsedType.getElementType());
  };
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return linalg::FillOp::create(rewriter, loc, fill.value(),
                                  empty().getResult())
        ->getResult(0);
  if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
    // Each group of dims is all broadcast or all read from the input, and
    // those read are single dims.
    ArrayRef<int64_t> added = broadcast.getDimensions();
    SmallVector<int64_t> dims;
    bool collapsible = true;
    for (auto [i, group] : llvm::enumerate(reassociation)) {
      unsigned count = llvm::count_if(
          group, [&](int64_t d) { return llvm::is_contained(added, d); });
      if (count == group.size())
        dims.push_back(i);
      else if (count != 0 || group.size() != 1)
        collapsible = false;
    }
    if (collapsible)
      return linalg::BroadcastOp::create(rewriter, loc, broadcast.getInput(),
                                         empty(), dims)
          ->getResult(0);
  }
  return tensor::CollapseShapeOp::create(rewriter, loc, init, reassociation);
}

/// A 1 x 1 convolution of stride 1 as a matrix multiplication of the
/// filters (F x C) by the input viewed as C x (H W): no im2col copy.
LogicalResult rewritePointwise(RewriterBase &rewriter, linalg::LinalgOp conv) {
  std::optional<ConvOperands> operands = matchConv2D(conv);
  if (!operands)
    return failure();
  auto [input, filter, init, inputType, filterType, outType, strides,
        dilations] = *operands;
  auto ones = [](ArrayRef<int64_t> a) {
    return llvm::all_of(a, [](int64_t v) { return v == 1; });
  };
  if (filterType.getDimSize(2) != 1 || filterType.getDimSize(3) != 1 ||
      !ones(strides) || !ones(dilations) ||
      inputType.getShape().drop_front(2) != outType.getShape().drop_front(2))
    return failure();
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  SmallVector<ReassociationIndices> image = {{0}, {1}, {2, 3}};
  Value x = tensor::CollapseShapeOp::create(rewriter, loc, input, image);
  Value c = collapseAccumulator(rewriter, loc, init, image);
  Value w = tensor::CollapseShapeOp::create(
      rewriter, loc, filter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  rewriter.replaceOp(conv, buildConvMatmul(rewriter, conv, w, x, c, outType));
  return success();
}

/// Any other 2-D convolution over static shapes as an im2col copy and a
/// matrix multiplication of the filters (F x (C Kh Kw)) by it ((C Kh Kw) x
/// (Ho Wo)). The copy is one linalg.copy per kernel tap, of the input
/// shifted (and strided) to the tap into col[n, c, kh, kw, :, :]: each an
/// elementwise op, vectorized along the output's rows like any other.
/// With `parallel`, a big one is one scf.forall over the output rows, each
/// copying every tap's row (one team for the whole copy, where each tap
/// split alone would fork a team per tap); its copies are added to
/// `pieceOps`, to be vectorized in place. (Upstream's rewriteInIm2Col
/// gathers element by element with tensor.extract, which stays a scalar
/// loop.)
LogicalResult rewriteIm2Col(RewriterBase &rewriter, linalg::LinalgOp conv,
                            bool parallel,
                            SmallVectorImpl<Operation *> &pieceOps) {
  std::optional<ConvOperands> operands = matchConv2D(conv);
  if (!operands)
    return failure();
  // Named copies, not structured bindings: the lambdas below capture them.
  Value input = operands->input, filter = operands->filter,
        init = operands->init;
  RankedTensorType inputType = operands->inputType,
                   filterType = operands->filterType,
                   outType = operands->outType;
  ArrayRef<int64_t> strides = operands->strides,
                    dilations = operands->dilations;
  Type et = inputType.getElementType();
  int64_t n = outType.getDimSize(0), c = inputType.getDimSize(1),
          kh = filterType.getDimSize(2), kw = filterType.getDimSize(3),
          ho = outType.getDimSize(2), wo = outType.getDimSize(3);
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  auto index = [&](int64_t v) { return rewriter.getIndexAttr(v); };
  Value col = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{n, c, kh, kw, ho, wo}, et);
  // Every tap's `rows` output rows from `row` on, copied into `into`
  // (n x c x kh x kw x rows x wo), which it returns; the copies go into
  // `made`, where given.
  auto copyTaps = [&](Value into, OpFoldResult row, int64_t rows,
                      SmallVectorImpl<Operation *> *made) {
    auto tapType = RankedTensorType::get({n, c, rows, wo}, et);
    SmallVector<OpFoldResult> tapSizes = {index(n), index(c), index(rows),
                                          index(wo)};
    SmallVector<OpFoldResult> slotSizes = {index(n), index(c),    index(1),
                                           index(1), index(rows), index(wo)};
    SmallVector<OpFoldResult> unitSteps(6, index(1));
    for (int64_t i = 0; i < kh; ++i) {
      for (int64_t j = 0; j < kw; ++j) {
        AffineExpr r;
        bindSymbols(rewriter.getContext(), r);
        OpFoldResult inputRow = affine::makeComposedFoldedAffineApply(
            rewriter, loc, r * strides[0] + i * dilations[0], {row});
        Value tap = tensor::ExtractSliceOp::create(
            rewriter, loc, tapType, input,
            {index(0), index(0), inputRow, index(j * dilations[1])}, tapSizes,
            {index(1), index(1), index(strides[0]), index(strides[1])});
        SmallVector<OpFoldResult> slotOffsets = {index(0), index(0), index(i),
                                                 index(j), index(0), index(0)};
        Value slot = tensor::ExtractSliceOp::create(
            rewriter, loc, tapType, into, slotOffsets, slotSizes, unitSteps);
        auto copy = linalg::CopyOp::create(rewriter, loc, tap, slot);
        if (made)
          made->push_back(copy);
        into = tensor::InsertSliceOp::create(rewriter, loc, copy->getResult(0),
                                             into, slotOffsets, slotSizes,
                                             unitSteps);
      }
    }
    return into;
  };
  if (parallel && n * c * kh * kw * ho * wo >= kParallelElements &&
      ho >= kMinPieces) {
    // Dim 4 of col is the output row.
    col = buildPieces(rewriter, loc, col, 4, [&](Value row, Value tile) {
      return copyTaps(tile, row, 1, &pieceOps);
    });
  } else {
    col = copyTaps(col, index(0), ho, nullptr);
  }
  Value x = tensor::CollapseShapeOp::create(
      rewriter, loc, col,
      SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
  Value acc = collapseAccumulator(
      rewriter, loc, init, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value w = tensor::CollapseShapeOp::create(
      rewriter, loc, filter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  rewriter.replaceOp(conv, buildConvMatmul(rewriter, conv, w, x, acc, outType));
  return success();
}

/// A window reduction (max or average pooling: reduction loops over a small
/// window, the input read at `out * stride + tap * dilation`) as one
/// elementwise generic over the output that combines the window's taps in
/// turn, each the input shifted and strided to the tap; it is then
/// vectorized and split over threads like any elementwise op.
LogicalResult rewriteWindowReduction(RewriterBase &rewriter,
                                     linalg::GenericOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() < 1 || op.hasDynamicShape() ||
      linalg::isaContractionOpInterface(op))
    return failure();
  // The body: yield combine(out, in) (either order) of input 0 and the
  // output alone.
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 2)
    return failure();
  Operation *combine = &body.front();
  Value in = body.getArgument(0), out = body.getArgument(op.getNumDpsInputs());
  if (combine->getNumOperands() != 2 || combine->getNumResults() != 1 ||
      combine->getNumRegions() != 0 ||
      body.getTerminator()->getOperand(0) != combine->getResult(0) ||
      !((combine->getOperand(0) == out && combine->getOperand(1) == in) ||
        (combine->getOperand(0) == in && combine->getOperand(1) == out)))
    return failure();

  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallelLoops, windowLoops;
  for (auto [i, iterator] : llvm::enumerate(iterators))
    (iterator == utils::IteratorType::parallel ? parallelLoops : windowLoops)
        .push_back(i);
  int64_t taps = 1;
  for (unsigned w : windowLoops)
    taps *= extents[w];
  if (taps > 64)
    return failure();
  // The output reads the parallel loops only.
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!outMap.isProjectedPermutation() ||
      llvm::any_of(windowLoops,
                   [&](unsigned w) { return outMap.isFunctionOfDim(w); }))
    return failure();
  // Each input dim: a parallel loop d, or d * stride + w * dilation with w a
  // window loop.
  struct Term {
    unsigned loop;
    int64_t coefficient;
  };
  auto term = [](AffineExpr e) -> std::optional<Term> {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      return Term{d.getPosition(), 1};
    auto mul = dyn_cast<AffineBinaryOpExpr>(e);
    if (!mul || mul.getKind() != AffineExprKind::Mul)
      return std::nullopt;
    auto d = dyn_cast<AffineDimExpr>(mul.getLHS());
    auto c = dyn_cast<AffineConstantExpr>(mul.getRHS());
    if (!d || !c)
      return std::nullopt;
    return Term{d.getPosition(), c.getValue()};
  };
  auto isWindow = [&](unsigned loop) {
    return iterators[loop] == utils::IteratorType::reduction;
  };
  struct Dim {
    Term outer;
    std::optional<Term> window;
  };
  SmallVector<Dim> dims;
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  for (AffineExpr e : inMap.getResults()) {
    if (std::optional<Term> t = term(e); t && !isWindow(t->loop)) {
      dims.push_back({*t, std::nullopt});
      continue;
    }
    auto add = dyn_cast<AffineBinaryOpExpr>(e);
    if (!add || add.getKind() != AffineExprKind::Add)
      return failure();
    std::optional<Term> a = term(add.getLHS()), b = term(add.getRHS());
    if (!a || !b || isWindow(a->loop) == isWindow(b->loop))
      return failure();
    if (isWindow(a->loop))
      std::swap(a, b);
    dims.push_back({*a, *b});
  }
  // Every window loop must be read once; every input dim follows its own
  // parallel loop.
  for (unsigned w : windowLoops)
    if (llvm::count_if(dims, [&](const Dim &d) {
          return d.window && d.window->loop == w;
        }) != 1)
      return failure();
  SmallVector<unsigned> newIndex(extents.size(), 0);
  for (auto [i, p] : llvm::enumerate(parallelLoops))
    newIndex[p] = i;

  Location loc = op.getLoc();
  MLIRContext *context = rewriter.getContext();
  rewriter.setInsertionPoint(op);
  Value input = op.getDpsInputs()[0];
  Type et = getElementTypeOrSelf(input.getType());
  SmallVector<int64_t> tapShape;
  SmallVector<AffineExpr> tapExprs;
  for (const Dim &d : dims) {
    tapShape.push_back(extents[d.outer.loop]);
    tapExprs.push_back(getAffineDimExpr(newIndex[d.outer.loop], context));
  }
  auto tapType = RankedTensorType::get(tapShape, et);
  AffineMap tapMap = AffineMap::get(parallelLoops.size(), 0, tapExprs, context);
  SmallVector<Value> tapValues;
  SmallVector<int64_t> position(windowLoops.size(), 0);
  for (int64_t t = 0; t < taps; ++t) {
    // Window position t, the last window loop fastest.
    int64_t rest = t;
    for (int64_t i = windowLoops.size() - 1; i >= 0; --i) {
      position[i] = rest % extents[windowLoops[i]];
      rest /= extents[windowLoops[i]];
    }
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (const Dim &d : dims) {
      int64_t offset = 0;
      if (d.window) {
        unsigned slot =
            llvm::find(windowLoops, d.window->loop) - windowLoops.begin();
        offset = position[slot] * d.window->coefficient;
      }
      offsets.push_back(rewriter.getIndexAttr(offset));
      sizes.push_back(rewriter.getIndexAttr(extents[d.outer.loop]));
      strides.push_back(rewriter.getIndexAttr(d.outer.coefficient));
    }
    tapValues.push_back(tensor::ExtractSliceOp::create(
        rewriter, loc, tapType, input, offsets, sizes, strides));
  }
  SmallVector<AffineExpr> outExprs;
  for (AffineExpr e : outMap.getResults())
    outExprs.push_back(getAffineDimExpr(
        newIndex[cast<AffineDimExpr>(e).getPosition()], context));
  SmallVector<AffineMap> maps(taps, tapMap);
  maps.push_back(AffineMap::get(parallelLoops.size(), 0, outExprs, context));
  auto generic = linalg::GenericOp::create(
      rewriter, loc, op->getResultTypes(), tapValues, op.getDpsInits(), maps,
      SmallVector<utils::IteratorType>(parallelLoops.size(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value acc = args.back();
        for (int64_t t = 0; t < taps; ++t) {
          IRMapping mapping;
          mapping.map(out, acc);
          mapping.map(in, args[t]);
          acc = b.clone(*combine, mapping)->getResult(0);
        }
        linalg::YieldOp::create(b, l, acc);
      });
  rewriter.replaceOp(op, generic->getResults());
  return success();
}

/// `source` padded by `value` into `into` (of the padded shape; `low`
/// elements before the source in each dim, the rest after), as a copy of
/// the source into its middle and fills of its borders (each dim's low and
/// high slabs), all elementwise ops that are vectorized like the
/// others: each element is written once, or twice in the corners. (A
/// tensor.pad bufferizes to an element-by-element copy.) The ops made are
/// added to `made`, where given.
Value buildPadded(RewriterBase &rewriter, Location loc, Value source,
                  Value into, ArrayRef<int64_t> low, Value value,
                  SmallVectorImpl<Operation *> *made = nullptr) {
  auto index = [&](int64_t v) { return rewriter.getIndexAttr(v); };
  auto sourceType = cast<RankedTensorType>(source.getType());
  auto type = cast<RankedTensorType>(into.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> steps(rank, index(1));
  Value result = into;
  auto fillSlab = [&](int64_t dim, int64_t offset, int64_t size) {
    if (size == 0)
      return;
    SmallVector<OpFoldResult> offsets(rank, index(0)), sizes;
    for (int64_t d : type.getShape())
      sizes.push_back(index(d));
    offsets[dim] = index(offset);
    sizes[dim] = index(size);
    Value slab = tensor::ExtractSliceOp::create(rewriter, loc, result, offsets,
                                                sizes, steps);
    auto fill = linalg::FillOp::create(rewriter, loc, value, slab);
    if (made)
      made->push_back(fill);
    result = tensor::InsertSliceOp::create(rewriter, loc, fill->getResult(0),
                                           result, offsets, sizes, steps);
  };
  // The middle first: a read of exactly the middle of the result (a
  // depthwise convolution's centre tap) must not fold into a read of the
  // copy, which bufferization would then make out of place.
  SmallVector<OpFoldResult> offsets, sizes;
  for (int64_t l : low)
    offsets.push_back(index(l));
  for (int64_t d : sourceType.getShape())
    sizes.push_back(index(d));
  Value slot = tensor::ExtractSliceOp::create(rewriter, loc, result, offsets,
                                              sizes, steps);
  auto copy = linalg::CopyOp::create(rewriter, loc, source, slot);
  if (made)
    made->push_back(copy);
  result = tensor::InsertSliceOp::create(rewriter, loc, copy->getResult(0),
                                         result, offsets, sizes, steps);
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t high = type.getDimSize(dim) - sourceType.getDimSize(dim) - low[dim];
    fillSlab(dim, 0, low[dim]);
    fillSlab(dim, type.getDimSize(dim) - high, high);
  }
  return result;
}

/// A tensor.pad of static shapes with one padding value as buildPadded's
/// fills and copy. With `parallel`, a big one is one scf.forall over its
/// outermost unpadded dim of at least kMinPieces (the channels), each
/// iteration padding its slice (one team, and no serial border fills);
/// its ops are added to `pieceOps`, to be vectorized in place.
LogicalResult rewritePad(RewriterBase &rewriter, tensor::PadOp pad,
                         bool parallel,
                         SmallVectorImpl<Operation *> &pieceOps) {
  RankedTensorType type = pad.getResultType();
  Value value = pad.getConstantPaddingValue();
  if (!type.hasStaticShape() || !pad.getSourceType().hasStaticShape() ||
      !value || !pad.getLow().empty() || !pad.getHigh().empty())
    return failure();
  Location loc = pad.getLoc();
  rewriter.setInsertionPoint(pad);
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  std::optional<int64_t> dim;
  for (int64_t d = 0; d < type.getRank() && !dim; ++d)
    if (low[d] == 0 && high[d] == 0 && type.getDimSize(d) >= kMinPieces)
      dim = d;
  if (!parallel || !dim || type.getNumElements() < kParallelElements) {
    rewriter.replaceOp(
        pad, buildPadded(rewriter, loc, pad.getSource(), empty, low, value));
    return success();
  }
  Value padded =
      buildPieces(rewriter, loc, empty, *dim, [&](Value i, Value tile) {
        Value source =
            extractDimSlice(rewriter, loc, pad.getSource(), *dim, i, 1);
        return buildPadded(rewriter, loc, source, tile, low, value, &pieceOps);
      });
  rewriter.replaceOp(pad, padded);
  return success();
}

/// `v` (N x G x 1 x H x W) as N x G x H x W: the source of the expand_shape
/// that made it, where it is one, else a collapse_shape.
Value dropGroupChannelDim(RewriterBase &rewriter, Location loc, Value v) {
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}, {3}, {4}};
  if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
      expand && expand.getReassociationIndices() == groups)
    return expand.getSrc();
  return tensor::CollapseShapeOp::create(rewriter, loc, v, groups);
}

/// A depthwise 2-D convolution (NGCHW with one channel and one filter per
/// group) as one elementwise generic over the output (as N x G x H x W):
/// the sum over the kernel's taps of the input shifted (and strided) to
/// each tap, times the tap's per-group weight, added to the accumulator, or
/// to the per-group bias it broadcasts. It is then vectorized like any
/// elementwise op, along the output's rows, and an elementwise consumer (an
/// activation) is fused into it (fuseIntoDepthwise).
FailureOr<linalg::GenericOp> rewriteDepthwise(RewriterBase &rewriter,
                                              linalg::Conv2DNgchwGfchwOp conv) {
  std::optional<ConvOperands> operands =
      staticConvOperands(conv, /*bytes=*/false);
  if (!operands)
    return failure();
  auto [input, filter, init, inputType, filterType, outType, unusedStrides,
        unusedDilations] = *operands;
  if (filterType.getDimSize(1) != 1 || filterType.getDimSize(2) != 1 ||
      inputType.getDimSize(2) != 1)
    return failure();
  Type et = outType.getElementType();
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  int64_t groups = filterType.getDimSize(0), kh = filterType.getDimSize(3),
          kw = filterType.getDimSize(4);
  ArrayRef<int64_t> out5 = outType.getShape(); // N G 1 OH OW
  auto outType4 =
      RankedTensorType::get({out5[0], out5[1], out5[3], out5[4]}, et);
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  Value input4 = dropGroupChannelDim(rewriter, loc, input);
  Value init4 = dropGroupChannelDim(rewriter, loc, init);
  auto index = [&](int64_t v) { return rewriter.getIndexAttr(v); };
  SmallVector<Value> inputs;
  for (int64_t i = 0; i < kh; ++i) {
    for (int64_t j = 0; j < kw; ++j) {
      SmallVector<OpFoldResult> offsets = {
          index(0), index(0), index(i * dilations[0]), index(j * dilations[1])};
      SmallVector<OpFoldResult> sizes,
          steps = {index(1), index(1), index(strides[0]), index(strides[1])};
      for (int64_t d : outType4.getShape())
        sizes.push_back(index(d));
      inputs.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, outType4, input4, offsets, sizes, steps));
    }
  }
  // Each tap's weights, one per group: filter[:, 0, 0, i, j].
  auto tapType = RankedTensorType::get({groups}, et);
  for (int64_t i = 0; i < kh; ++i) {
    for (int64_t j = 0; j < kw; ++j) {
      SmallVector<OpFoldResult> offsets = {index(0), index(0), index(0),
                                           index(i), index(j)};
      SmallVector<OpFoldResult> sizes = {index(groups), index(1), index(1),
                                         index(1), index(1)};
      SmallVector<OpFoldResult> steps(5, index(1));
      inputs.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, tapType, filter, offsets, sizes, steps));
    }
  }
  MLIRContext *context = rewriter.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, context);
  AffineMap perGroup = AffineMap::get(4, 0, getAffineDimExpr(1, context));
  int64_t taps = kh * kw;
  SmallVector<AffineMap> maps(taps, identity);
  maps.append(taps, perGroup);
  // A per-group bias broadcast into the accumulator is read as an input
  // (the output is then not read, and not written twice).
  bool bias = false;
  if (auto broadcast = init4.getDefiningOp<linalg::BroadcastOp>();
      broadcast && broadcast.getInput().getType() == tapType &&
      broadcast.getDimensions() == ArrayRef<int64_t>{0, 2, 3}) {
    inputs.push_back(broadcast.getInput());
    maps.push_back(perGroup);
    init4 = tensor::EmptyOp::create(rewriter, loc, outType4.getShape(), et);
    bias = true;
  }
  maps.push_back(identity);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{outType4}, inputs, ValueRange{init4}, maps,
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value acc = bias ? args[2 * taps] : args.back();
        // Fused multiply-adds.
        auto contract = arith::FastMathFlags::contract;
        for (int64_t t = 0; t < taps; ++t)
          acc = arith::AddFOp::create(
              b, l, acc,
              arith::MulFOp::create(b, l, args[t], args[taps + t], contract),
              contract);
        linalg::YieldOp::create(b, l, acc);
      });
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
      conv, outType, generic->getResult(0),
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
  return generic;
}

/// Fuses into a depthwise convolution's generic (rewriteDepthwise) its
/// elementwise consumer (an activation, through the collapse_shape that
/// undoes the group dim), which then reads the taps' sum from a register,
/// not from memory.
FailureOr<linalg::GenericOp> fuseIntoDepthwise(RewriterBase &rewriter,
                                               linalg::GenericOp generic) {
  Value result = generic->getResult(0);
  if (!result.hasOneUse())
    return failure();
  auto expand = dyn_cast<tensor::ExpandShapeOp>(*result.getUsers().begin());
  if (!expand || !expand->hasOneUse())
    return failure();
  auto collapse =
      dyn_cast<tensor::CollapseShapeOp>(*expand->getUsers().begin());
  if (!collapse || collapse.getType() != result.getType() ||
      collapse.getReassociationIndices() != expand.getReassociationIndices() ||
      !collapse->hasOneUse())
    return failure();
  OpOperand &use = *collapse->getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || consumer->getBlock() != generic->getBlock() ||
      consumer.getNumParallelLoops() != consumer.getNumLoops() ||
      !consumer.isDpsInput(&use))
    return failure();
  // The consumer reads the generic's result directly (and nothing else
  // does, so the fused op does not yield it too).
  rewriter.replaceAllUsesWith(collapse.getResult(), result);
  rewriter.eraseOp(collapse);
  rewriter.eraseOp(expand);
  FailureOr<linalg::ElementwiseOpFusionResult> fused =
      linalg::fuseElementwiseOps(rewriter, &use);
  if (failed(fused))
    return failure();
  // The fused op stands where the generic did; it moves down to the
  // consumer, after everything the consumer reads (its outputs, per-channel
  // operands collapsed after the generic).
  rewriter.moveOpBefore(fused->fusedOp, consumer);
  for (OpResult r : consumer->getResults())
    rewriter.replaceAllUsesWith(r, fused->replacements.lookup(r));
  rewriter.eraseOp(consumer);
  rewriter.eraseOp(generic);
  return cast<linalg::GenericOp>(fused->fusedOp);
}

/// Whether `op` reads a slice whose innermost stride is not 1 (a strided
/// convolution's or pooling's taps, but for a depthwise convolution's read
/// from phases: padDepthwisePieces).
bool readsStridedRows(linalg::LinalgOp op) {
  return llvm::any_of(op.getDpsInputs(), [](Value input) {
    auto slice = input.getDefiningOp<tensor::ExtractSliceOp>();
    return slice && slice.getStaticStrides().back() != 1;
  });
}

/// The work of a static elementwise op, to weigh against
/// kParallelElements: its elements, times the inputs it reads whole past the
/// second (a depthwise convolution's taps).
int64_t elementwiseWork(linalg::LinalgOp op) {
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  int64_t elements = 1;
  for (int64_t extent : extents)
    elements *= extent;
  int64_t wholeInputs =
      llvm::count_if(op.getDpsInputOperands(), [&](OpOperand *input) {
        return op.getMatchingIndexingMap(input).getNumResults() ==
               extents.size();
      });
  return elements * std::max<int64_t>(1, wholeInputs - 1);
}

/// `v` (read by `map`, a projected permutation of a generic's loops) sliced
/// to iteration `i` of loop `loop`: the dims that loop indexes cut to
/// [i, i + 1); `v` itself where it has none.
Value sliceToIteration(RewriterBase &rewriter, Location loc, Value v,
                       AffineMap map, unsigned loop, Value i) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offsets, sizes,
      strides(type.getRank(), rewriter.getIndexAttr(1));
  bool sliced = false;
  for (auto [d, extent] : llvm::enumerate(type.getShape())) {
    bool cut = map.getResult(d).isFunctionOfDim(loop);
    sliced |= cut;
    offsets.push_back(cut ? OpFoldResult(i) : rewriter.getIndexAttr(0));
    sizes.push_back(rewriter.getIndexAttr(cut ? 1 : extent));
  }
  if (!sliced)
    return v;
  return tensor::ExtractSliceOp::create(rewriter, loc, v, offsets, sizes,
                                        strides);
}

/// Fuses the zero padding of a depthwise convolution's input into it: its
/// generic (rewriteDepthwise, its activation fused), whose taps are slices
/// of one tensor.pad read by nothing else, becomes an scf.forall over the
/// groups (the threads' pieces), each padding its group's plane into a
/// buffer on its thread's stack (in cache: at most kMaxPaddedPlaneBytes)
/// and reading its taps from there. The padded tensor is never made: that
/// is one write and one read of the whole input less, through memory.
///
/// With a column stride s above 1 the plane is kept as s phases, phase p
/// the padded columns p, p + s, ...: each tap then reads one phase's
/// consecutive columns (whole vectors), not every s-th (shuffles), and the
/// strided reads move to the copy into the plane, once per input element
/// instead of once per tap. The pieces' ops (the fills and copies, the
/// generic) are added to `pieceOps`, to be vectorized in place.
LogicalResult padDepthwisePieces(RewriterBase &rewriter,
                                 linalg::GenericOp generic,
                                 SmallVectorImpl<Operation *> &pieceOps) {
  constexpr int64_t kMaxPaddedPlaneBytes = 128 * 1024;
  constexpr unsigned kGroupDim = 1, kColumnDim = 3;
  if (generic.getNumLoops() != 4 || generic->getNumResults() != 1 ||
      generic.getNumParallelLoops() != 4 || generic.hasDynamicShape() ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity())
    return failure();
  // The taps: identity-mapped slices of one padding, of static offsets,
  // whole along the groups (which the padding does not pad), all of one
  // column stride.
  tensor::PadOp pad;
  int64_t stride = 0;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    auto slice = input->get().getDefiningOp<tensor::ExtractSliceOp>();
    auto source =
        slice ? slice.getSource().getDefiningOp<tensor::PadOp>() : nullptr;
    if (!source)
      continue;
    ArrayRef<int64_t> strides = slice.getStaticStrides();
    if ((pad && source != pad) ||
        !generic.getMatchingIndexingMap(input).isIdentity() ||
        slice.getSourceType().getRank() != 4 ||
        ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(strides) ||
        slice.getStaticSizes()[kGroupDim] !=
            slice.getSourceType().getDimSize(kGroupDim) ||
        strides[kGroupDim] != 1 || (stride && strides[kColumnDim] != stride))
      return failure();
    pad = source;
    stride = strides[kColumnDim];
  }
  if (!pad)
    return failure();
  RankedTensorType padType = pad.getResultType();
  RankedTensorType sourceType = pad.getSourceType();
  Value value = pad.getConstantPaddingValue();
  if (!value || !padType.hasStaticShape() || !sourceType.hasStaticShape() ||
      !pad.getLow().empty() || !pad.getHigh().empty() ||
      pad.getStaticLow()[kGroupDim] != 0 ||
      pad.getStaticHigh()[kGroupDim] != 0 ||
      !padType.getElementType().isIntOrFloat() ||
      sourceType.getDimSize(kColumnDim) < stride)
    return failure();
  // The plane: N x s x Hp x ceil(Wp / s), its phases in place of the group.
  SmallVector<int64_t> planeShape(padType.getShape());
  planeShape[kGroupDim] = stride;
  planeShape[kColumnDim] = llvm::divideCeil(planeShape[kColumnDim], stride);
  int64_t planeBytes = ShapedType::getNumElements(planeShape) *
                       llvm::divideCeil(padType.getElementTypeBitWidth(), 8);
  if (planeBytes > kMaxPaddedPlaneBytes)
    return failure();
  // Read by this generic's taps only (and a reshape left by the
  // convolution's rewrite, unused).
  for (Operation *user : llvm::make_early_inc_range(pad->getUsers()))
    if (isOpTriviallyDead(user))
      rewriter.eraseOp(user);
  for (Operation *user : pad->getUsers())
    if (!llvm::is_contained(user->getUsers(), generic.getOperation()) ||
        !user->hasOneUse())
      return failure();

  Location loc = generic.getLoc();
  auto index = [&](int64_t v) { return rewriter.getIndexAttr(v); };
  rewriter.setInsertionPoint(generic);
  Value result = buildPieces(
      rewriter, loc, generic.getDpsInits()[0], kGroupDim,
      [&](Value g, Value piece) {
        Type element = padType.getElementType();
        Value buffer = memref::AllocaOp::create(
            rewriter, loc, MemRefType::get(planeShape, element),
            rewriter.getI64IntegerAttr(kVectorAlignment));
        Value plane = bufferization::ToTensorOp::create(
            rewriter, loc, RankedTensorType::get(planeShape, element), buffer,
            /*restrict=*/true, /*writable=*/true);
        // Each phase p: the group's source columns x0, x0 + s, ... (those
        // that land on padded columns p + k s) padded, from column k0, into
        // it.
        Value group =
            extractDimSlice(rewriter, loc, pad.getSource(), kGroupDim, g, 1);
        int64_t width = sourceType.getDimSize(kColumnDim);
        int64_t lowColumn = pad.getStaticLow()[kColumnDim];
        for (int64_t p = 0; p < stride; ++p) {
          int64_t x0 = ((p - lowColumn) % stride + stride) % stride;
          int64_t k0 = (x0 + lowColumn) / stride;
          SmallVector<int64_t> columns(sourceType.getShape());
          columns[kGroupDim] = 1;
          columns[kColumnDim] = llvm::divideCeil(width - x0, stride);
          SmallVector<OpFoldResult> offsets(4, index(0)), sizes,
              steps(4, index(1));
          offsets[kColumnDim] = index(x0);
          steps[kColumnDim] = index(stride);
          for (int64_t d : columns)
            sizes.push_back(index(d));
          Value phaseSource = tensor::ExtractSliceOp::create(
              rewriter, loc, group, offsets, sizes, steps);
          Value phase =
              extractDimSlice(rewriter, loc, plane, kGroupDim, index(p), 1);
          SmallVector<int64_t> low(pad.getStaticLow());
          low[kColumnDim] = k0;
          phase = buildPadded(rewriter, loc, phaseSource, phase, low, value,
                              &pieceOps);
          DimSlice slot(rewriter, planeShape, kGroupDim, index(p), 1);
          plane = tensor::InsertSliceOp::create(rewriter, loc, phase, plane,
                                                slot.offsets, slot.sizes,
                                                slot.strides);
        }
        // The generic's operands sliced to the group; a tap at padded
        // column offset j reads phase j mod s from column j / s,
        // unit-strided.
        SmallVector<Value> inputs;
        for (OpOperand *input : generic.getDpsInputOperands()) {
          auto slice = input->get().getDefiningOp<tensor::ExtractSliceOp>();
          if (slice && slice.getSource() == pad.getResult()) {
            SmallVector<OpFoldResult> offsets = slice.getMixedOffsets(),
                                      sizes = slice.getMixedSizes(),
                                      steps = slice.getMixedStrides();
            int64_t column = slice.getStaticOffsets()[kColumnDim];
            offsets[kGroupDim] = index(column % stride);
            offsets[kColumnDim] = index(column / stride);
            sizes[kGroupDim] = index(1);
            steps[kColumnDim] = index(1);
            inputs.push_back(tensor::ExtractSliceOp::create(
                rewriter, loc, plane, offsets, sizes, steps));
            continue;
          }
          inputs.push_back(sliceToIteration(
              rewriter, loc, input->get(),
              generic.getMatchingIndexingMap(input), kGroupDim, g));
        }
        auto pieceOp = linalg::GenericOp::create(
            rewriter, loc, TypeRange{piece.getType()}, inputs,
            ValueRange{piece}, generic.getIndexingMapsArray(),
            generic.getIteratorTypesArray());
        rewriter.cloneRegionBefore(generic.getRegion(), pieceOp.getRegion(),
                                   pieceOp.getRegion().begin());
        pieceOps.push_back(pieceOp);
        return pieceOp->getResult(0);
      });
  rewriter.replaceOp(generic, result);
  // The taps' slices, then the padding.
  for (Operation *user : llvm::make_early_inc_range(pad->getUsers()))
    rewriter.eraseOp(user);
  rewriter.eraseOp(pad);
  return success();
}

/// The box a transfer_read or transfer_write on a tensor covers, in the
/// tensor's coordinates: static offsets, and sizes (1 in the dims the
/// vector does not span); none unless the transfer is unmasked, in bounds,
/// minor-identity and at constant indices.
struct TransferBox {
  SmallVector<int64_t> offsets, sizes;

  static std::optional<TransferBox> of(VectorTransferOpInterface op) {
    if (!isa<RankedTensorType>(op.getShapedType()) || op.getMask() ||
        !op.getPermutationMap().isMinorIdentity() ||
        llvm::any_of(op.getInBoundsValues(), [](bool b) { return !b; }))
      return std::nullopt;
    TransferBox box;
    for (Value index : op.getIndices()) {
      std::optional<int64_t> offset = getConstantIntValue(index);
      if (!offset)
        return std::nullopt;
      box.offsets.push_back(*offset);
    }
    ArrayRef<int64_t> shape = op.getVectorType().getShape();
    box.sizes.assign(box.offsets.size() - shape.size(), 1);
    box.sizes.append(shape.begin(), shape.end());
    return box;
  }
  bool contains(const TransferBox &other) const {
    for (auto [o, s, p, t] :
         llvm::zip(offsets, sizes, other.offsets, other.sizes))
      if (p < o || p + t > o + s)
        return false;
    return true;
  }
  bool disjoint(const TransferBox &other) const {
    for (auto [o, s, p, t] :
         llvm::zip(offsets, sizes, other.offsets, other.sizes))
      if (p >= o + s || o >= p + t)
        return true;
    return false;
  }
};

/// A transfer_read of part of a tensor a chain of transfer_writes made
/// reads their vectors: one it lies inside gives it by extracts (a row of
/// a register tile from the tile's initial broadcast), those it misses are
/// looked through. Tiles then stay in registers, not in a buffer made for
/// each (a temporary's, malloc'd in the loop).
struct ForwardWrittenVectors : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    std::optional<TransferBox> box = TransferBox::of(read);
    VectorType type = read.getVectorType();
    if (!box || type.getRank() == 0)
      return failure();
    Value base = read.getBase();
    while (auto write = base.getDefiningOp<vector::TransferWriteOp>()) {
      std::optional<TransferBox> written = TransferBox::of(write);
      if (!written ||
          write.getVectorType().getElementType() != type.getElementType())
        break;
      if (written->disjoint(*box)) {
        base = write.getBase();
        continue;
      }
      int64_t rank = box->offsets.size();
      int64_t writeRank = write.getVectorType().getRank();
      if (!written->contains(*box) || type.getRank() > writeRank)
        return failure();
      // Leading dims of the written vector by position, then the read's
      // dims as a slice.
      Location loc = read.getLoc();
      SmallVector<int64_t> position, offsets;
      for (int64_t d = rank - writeRank; d < rank; ++d) {
        int64_t relative = box->offsets[d] - written->offsets[d];
        if (d < rank - type.getRank())
          position.push_back(relative);
        else
          offsets.push_back(relative);
      }
      Value vector = write.getVector();
      if (!position.empty())
        vector = vector::ExtractOp::create(rewriter, loc, vector, position);
      if (cast<VectorType>(vector.getType()) != type)
        vector = vector::ExtractStridedSliceOp::create(
            rewriter, loc, vector, offsets, type.getShape(),
            SmallVector<int64_t>(type.getRank(), 1));
      rewriter.replaceOp(read, vector);
      return success();
    }
    if (base == read.getBase())
      return failure();
    rewriter.modifyOpInPlace(read, [&] { read.getBaseMutable().assign(base); });
    return success();
  }
};

/// A transfer_read of a whole temporary tile (a slice of a tensor.empty)
/// that a chain of transfer_writes filled entirely (a register tile's rows,
/// then read by the fused epilogue) is those writes' vectors put together.
struct AssembleWrittenTile : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    std::optional<TransferBox> box = TransferBox::of(read);
    VectorType type = read.getVectorType();
    if (!box || type.getRank() == 0 || !type.hasStaticShape() ||
        type.getNumElements() > 4096)
      return failure();
    int64_t rank = box->offsets.size();
    // The writes inside the box, last first; which elements they cover.
    SmallVector<std::pair<vector::TransferWriteOp, TransferBox>> writes;
    SmallVector<bool> covered(type.getNumElements(), false);
    int64_t left = type.getNumElements();
    Value base = read.getBase();
    while (auto write = base.getDefiningOp<vector::TransferWriteOp>()) {
      std::optional<TransferBox> written = TransferBox::of(write);
      if (!written || !box->contains(*written) ||
          write.getVectorType().getRank() > type.getRank())
        break;
      // Mark the covered elements (row-major over the read's vector).
      SmallVector<int64_t> index(written->offsets);
      for (int64_t n = 0, e = write.getVectorType().getNumElements(); n < e;
           ++n) {
        int64_t flat = 0;
        for (int64_t d = rank - type.getRank(); d < rank; ++d)
          flat = flat * box->sizes[d] + index[d] - box->offsets[d];
        if (!covered[flat]) {
          covered[flat] = true;
          --left;
        }
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < written->offsets[d] + written->sizes[d])
            break;
          index[d] = written->offsets[d];
        }
      }
      writes.push_back({write, *written});
      base = write.getBase();
    }
    while (auto slice = base.getDefiningOp<tensor::ExtractSliceOp>())
      base = slice.getSource();
    if (left != 0 || !base.getDefiningOp<tensor::EmptyOp>())
      return failure();
    Location loc = read.getLoc();
    Value tile = ub::PoisonOp::create(rewriter, loc, type);
    for (auto &[write, written] : llvm::reverse(writes)) {
      SmallVector<int64_t> offsets;
      for (int64_t d = rank - type.getRank(); d < rank; ++d)
        offsets.push_back(written.offsets[d] - box->offsets[d]);
      tile = vector::InsertStridedSliceOp::create(
          rewriter, loc, write.getVector(), tile, offsets,
          SmallVector<int64_t>(write.getVectorType().getRank(), 1));
    }
    rewriter.replaceOp(read, tile);
    return success();
  }
};

/// The chain of slices `v` is (a tile of a tap), innermost first, each of
/// `v`'s rank, into `slices`; `v` becomes the tensor the outermost slices.
/// Returns their innermost strides' product.
int64_t sliceChain(Value &v, SmallVectorImpl<tensor::ExtractSliceOp> &slices) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  int64_t stride = 1;
  while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    std::optional<int64_t> last =
        getConstantIntValue(slice.getMixedStrides().back());
    if (!last || slice.getSourceType().getRank() != rank ||
        slice.getType().getRank() != rank)
      break;
    slices.push_back(slice);
    stride *= *last;
    v = slice.getSource();
  }
  return stride;
}

/// A vector.transfer_read of one row (a vector of leading unit dims and n
/// elements) from a slice whose innermost stride s is static and above 1
/// (a strided convolution's taps), as a read of the contiguous (n - 1) s + 1
/// elements the row spans and a shuffle that keeps every s-th: a few
/// permutes, where the strided read would be n scalar loads and inserts.
///
/// `lanes` are the elements of one hardware vector: the shuffle is made of
/// one per vector of the result, each from the `stride` vectors of the read
/// it spans (two for a stride of 2: one two-source permute), which LLVM
/// lowers well; one shuffle of the whole odd-length read it scalarizes.
LogicalResult readStridedRowAsShuffle(RewriterBase &rewriter,
                                      vector::TransferReadOp read,
                                      int64_t lanes) {
  VectorType type = read.getVectorType();
  // In bounds: marked so, or (as the vectorizer makes it, before
  // canonicalization marks it) the whole of a tensor of its shape.
  auto whole = [&] {
    auto source = dyn_cast<RankedTensorType>(read.getBase().getType());
    return source && source.getShape() == type.getShape() &&
           llvm::all_of(read.getIndices(),
                        [](Value i) { return isConstantIntValue(i, 0); });
  };
  if (type.getRank() == 0 || !read.getPermutationMap().isMinorIdentity() ||
      read.getMask() ||
      (llvm::any_of(read.getInBoundsValues(), [](bool b) { return !b; }) &&
       !whole()) ||
      llvm::any_of(type.getShape().drop_back(),
                   [](int64_t d) { return d != 1; }))
    return failure();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(read);
  SmallVector<tensor::ExtractSliceOp> slices;
  Value base = read.getBase();
  int64_t stride = sliceChain(base, slices);
  int64_t n = type.getShape().back();
  if (stride <= 1 || n < 2)
    return failure();
  // The row's first element in `base`: offset + index * stride through
  // every slice, in every dim.
  Location loc = read.getLoc();
  SmallVector<OpFoldResult> indices = getAsOpFoldResult(read.getIndices());
  for (tensor::ExtractSliceOp slice : slices)
    for (auto [index, offset, sliceStride] :
         llvm::zip(indices, slice.getMixedOffsets(), slice.getMixedStrides())) {
      AffineExpr o, i, st;
      bindSymbols(rewriter.getContext(), o, i, st);
      index = affine::makeComposedFoldedAffineApply(
          rewriter, loc, o + i * st, {offset, index, sliceStride});
    }
  int64_t span = (n - 1) * stride + 1;
  SmallVector<int64_t> wideShape(type.getShape());
  wideShape.back() = span;
  auto wideType = VectorType::get(wideShape, type.getElementType());
  Value wide = vector::TransferReadOp::create(
      rewriter, loc, wideType, base,
      getValueOrCreateConstantIndexOp(rewriter, loc, indices),
      read.getPadding(), SmallVector<bool>(type.getRank(), true));
  Type et = type.getElementType();
  Value flat = vector::ShapeCastOp::create(rewriter, loc,
                                           VectorType::get({span}, et), wide);
  Value row = ub::PoisonOp::create(rewriter, loc, VectorType::get({n}, et));
  for (int64_t first = 0; first < n; first += lanes) {
    int64_t count = std::min(lanes, n - first);
    int64_t from = first * stride;
    int64_t spanned = std::min(lanes * stride, span - from);
    Value piece = vector::ExtractStridedSliceOp::create(
        rewriter, loc, flat, ArrayRef<int64_t>{from},
        ArrayRef<int64_t>{spanned}, ArrayRef<int64_t>{1});
    SmallVector<int64_t> picked;
    for (int64_t k = 0; k < count; ++k)
      picked.push_back(k * stride);
    Value part = vector::ShuffleOp::create(rewriter, loc, piece, piece, picked);
    row = vector::InsertStridedSliceOp::create(rewriter, loc, part, row,
                                               ArrayRef<int64_t>{first},
                                               ArrayRef<int64_t>{1});
  }
  rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(read, type, row);
  return success();
}

/// A pattern on `OpTy` that makes vectors of `lanes` elements per hardware
/// register.
template <typename OpTy> struct VectorPattern : OpRewritePattern<OpTy> {
  VectorPattern(MLIRContext *context, int64_t lanes)
      : OpRewritePattern<OpTy>(context), lanes(lanes) {}
  int64_t lanes;
};

struct ReadStridedRowAsShuffle : VectorPattern<vector::TransferReadOp> {
  using VectorPattern::VectorPattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    return readStridedRowAsShuffle(rewriter, read, lanes);
  }
};

/// A copy of one strided row (an insert_slice of an extract_slice whose
/// innermost stride is above 1, a vectorized copy folded: a depthwise
/// convolution's phases, padDepthwisePieces) as readStridedRowAsShuffle's
/// read and a vector write, where it would be an element-by-element copy.
struct CopyStridedRowAsShuffle : VectorPattern<tensor::InsertSliceOp> {
  using VectorPattern::VectorPattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    Value row = insert.getSource(), base = row;
    SmallVector<tensor::ExtractSliceOp> slices;
    RankedTensorType type = insert.getSourceType();
    if (!type.hasStaticShape() || type.getRank() == 0 ||
        type.getShape().back() < 2 ||
        llvm::any_of(type.getShape().drop_back(),
                     [](int64_t d) { return d != 1; }) ||
        sliceChain(base, slices) <= 1)
      return failure();
    Location loc = insert.getLoc();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    SmallVector<Value> indices(type.getRank(), zero);
    auto read = vector::TransferReadOp::create(
        rewriter, loc, VectorType::get(type.getShape(), type.getElementType()),
        row, indices, std::nullopt, SmallVector<bool>(type.getRank(), true));
    Value slot = tensor::ExtractSliceOp::create(
        rewriter, loc, type, insert.getDest(), insert.getMixedOffsets(),
        insert.getMixedSizes(), insert.getMixedStrides());
    auto write = vector::TransferWriteOp::create(
        rewriter, loc, read.getResult(), slot, indices,
        SmallVector<bool>(type.getRank(), true));
    if (failed(readStridedRowAsShuffle(rewriter, read, lanes))) {
      rewriter.eraseOp(write);
      rewriter.eraseOp(slot.getDefiningOp());
      rewriter.eraseOp(read);
      return failure();
    }
    rewriter.modifyOpInPlace(
        insert, [&] { insert.getSourceMutable().assign(write.getResult()); });
    return success();
  }
};

/// The elementwise op a contraction's kernel runs as its epilogue (a
/// bias, an activation, a residual add): the one user of the contraction's
/// result, an all-parallel generic over static shapes that reads it (as
/// inputs only) through the identity map, so that each tile of it needs the
/// same tile of the result and nothing else of it.
linalg::GenericOp epilogueOf(linalg::LinalgOp op) {
  Value result = op->getResult(0);
  if (result.use_empty() || !op.getMatchingIndexingMap(op.getDpsInitOperand(0))
                                 .isProjectedPermutation())
    return {};
  auto user = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!user || user.getNumLoops() != user.getNumParallelLoops() ||
      user.getNumDpsInits() != 1 || user.hasDynamicShape() ||
      !vectorizableElements(user))
    return {};
  for (OpOperand &use : result.getUses())
    if (use.getOwner() != user || !user.isDpsInput(&use) ||
        !user.getMatchingIndexingMap(&use).isIdentity())
      return {};
  for (OpOperand &operand : user->getOpOperands())
    if (!user.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return {};
  return user;
}

/// A clone of `op` on other operands: where `replaced` maps an operand,
/// its value; else, where loop `loop` indexes an operand's dim,
/// `resize(operand, dim)`; else the operand itself.
linalg::LinalgOp cloneResizingLoop(
    RewriterBase &rewriter, linalg::LinalgOp op, unsigned loop,
    function_ref<Value(Value, int64_t)> resize,
    const DenseMap<Value, Value> &replaced = DenseMap<Value, Value>()) {
  SmallVector<Value> operands;
  SmallVector<Type> resultTypes;
  for (OpOperand &operand : op->getOpOperands()) {
    Value v = operand.get();
    if (Value r = replaced.lookup(v))
      operands.push_back(r);
    else if (std::optional<int64_t> dim =
                 dimOfLoop(op.getMatchingIndexingMap(&operand), loop))
      operands.push_back(resize(v, *dim));
    else
      operands.push_back(v);
    if (op.isDpsInit(&operand))
      resultTypes.push_back(operands.back().getType());
  }
  return cast<linalg::LinalgOp>(
      clone(rewriter, op.getOperation(), resultTypes, operands));
}

/// `op` over iterations [offset, offset + size) of loop `loop` only: a
/// clone of it on its operands' slices (sliceAlong), or on the values
/// `replaced` maps them to.
linalg::LinalgOp sliceLoop(RewriterBase &rewriter, linalg::LinalgOp op,
                           unsigned loop, int64_t offset, int64_t size,
                           const DenseMap<Value, Value> &replaced) {
  auto sliced = cloneResizingLoop(
      rewriter, op, loop,
      [&](Value v, int64_t dim) {
        return sliceAlong(rewriter, op.getLoc(), v, dim, offset, size);
      },
      replaced);
  // Its linalg.index ops (a causal mask's) count from the slice's start.
  SmallVector<OpFoldResult> offsets(op.getNumLoops(), rewriter.getIndexAttr(0));
  offsets[loop] = rewriter.getIndexAttr(offset);
  linalg::offsetIndices(rewriter, sliced, offsets);
  return sliced;
}

/// `v` with dim `dim` grown to `size` by zeros at its end: a padded copy of
/// a constant's data at compile time; a fill or broadcast (an
/// accumulator) made at that shape; else buildPadded's fills and copy.
Value padAlong(RewriterBase &rewriter, Location loc, Value v, int64_t dim,
               int64_t size) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t old = shape[dim];
  shape[dim] = size;
  auto padded = type.clone(shape);
  if (std::optional<ArrayRef<char>> bytes = constantBytes(v)) {
    // Rows of the dims after `dim`, copied into the wider layout.
    int64_t inner = type.getElementTypeBitWidth() / 8;
    for (int64_t d = dim + 1; d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
    int64_t outer = type.getNumElements() *
                    (type.getElementTypeBitWidth() / 8) / (old * inner);
    std::vector<char> data(outer * size * inner, 0);
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(&data[o * size * inner], &(*bytes)[o * old * inner],
                  old * inner);
    return resourceConstant(rewriter, loc, padded, "padded", data);
  }
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  if (accumulatorBase(v) != v)
    return remakeAccumulator(
        rewriter, loc, v, empty, dim, [&](Value input, int64_t inputDim) {
          return padAlong(rewriter, loc, input, inputDim, size);
        });
  Value zero = arith::ConstantOp::create(
      rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
  return buildPadded(rewriter, loc, v, empty,
                     SmallVector<int64_t>(type.getRank(), 0), zero);
}

/// `op` with N grown to `size` by zero columns of B and of the accumulator,
/// and its result sliced back; returns the padded op.
linalg::LinalgOp padColumns(RewriterBase &rewriter, linalg::LinalgOp op,
                            const MatmulLoops &loops, int64_t size) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  auto padded =
      cloneResizingLoop(rewriter, op, loops.n, [&](Value v, int64_t dim) {
        return padAlong(rewriter, loc, v, dim, size);
      });
  std::optional<int64_t> resultDim =
      dimOfLoop(op.getMatchingIndexingMap(op.getDpsInitOperand(0)), loops.n);
  rewriter.replaceOp(op, extractDimSlice(rewriter, loc, padded->getResult(0),
                                         *resultDim, rewriter.getIndexAttr(0),
                                         loops.extents[loops.n]));
  return padded;
}

/// A contraction whose N is not a multiple of the vector length (a 7 x 7
/// or 14 x 14 feature map's 49 or 196 columns) as two (or padded, where
/// that costs less): over the columns up
/// to the last multiple, and over the last vector's worth (which overlaps
/// the first part, and writes the same values there again), each with its
/// part of its epilogue, both written into one tensor. Each is then a
/// kernel of whole vectors, with no padded copies of B and C, and no
/// kernel of a column or two (whose A is gathered).
SmallVector<linalg::LinalgOp> splitRaggedColumns(RewriterBase &rewriter,
                                                 linalg::LinalgOp op,
                                                 const MatmulLoops &loops,
                                                 int64_t lanes) {
  int64_t extentN = loops.extents[loops.n];
  AffineMap resultMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<unsigned> resultDim = dimOfLoop(resultMap, loops.n);
  if (extentN <= lanes || extentN % lanes == 0 || !resultDim)
    return {op};
  // The split reads A twice; padding copies B (K x N) and C (M x N) in and
  // out. Where A is the bigger cost (a 7 x 7 map's layer with 512 x 4608
  // filters) N is padded instead, and the epilogue runs apart.
  int64_t padded = llvm::alignTo(extentN, lanes);
  int64_t extentM = loops.extents[loops.m], extentK = loops.extents[loops.k];
  if (extentM * extentK > 2 * (extentK * padded + extentM * extentN))
    return {padColumns(rewriter, op, loops, padded)};
  linalg::GenericOp epilogue = epilogueOf(op);
  linalg::LinalgOp root = epilogue ? cast<linalg::LinalgOp>(*epilogue) : op;
  // The epilogue's loops are the result's dims.
  unsigned rootLoop = epilogue ? *resultDim : loops.n;
  Value dest = accumulatorBase(root.getDpsInits()[0]);
  Location loc = root.getLoc();
  rewriter.setInsertionPoint(root);
  int64_t whole = extentN - extentN % lanes;
  SmallVector<linalg::LinalgOp> parts;
  Value result = dest;
  for (auto [offset, size] :
       {std::pair<int64_t, int64_t>{0, whole},
        std::pair<int64_t, int64_t>{extentN - lanes, lanes}}) {
    linalg::LinalgOp part = sliceLoop(rewriter, op, loops.n, offset, size,
                                      DenseMap<Value, Value>());
    parts.push_back(part);
    Value partResult = part->getResult(0);
    if (epilogue)
      partResult = sliceLoop(rewriter, epilogue, rootLoop, offset, size,
                             {{op->getResult(0), part->getResult(0)}})
                       ->getResult(0);
    DimSlice slot(
        rewriter, cast<RankedTensorType>(dest.getType()).getShape(),
        *dimOfLoop(root.getMatchingIndexingMap(root.getDpsInitOperand(0)),
                   rootLoop),
        rewriter.getIndexAttr(offset), size);
    result =
        tensor::InsertSliceOp::create(rewriter, loc, partResult, result,
                                      slot.offsets, slot.sizes, slot.strides);
  }
  rewriter.replaceOp(root, result);
  if (epilogue)
    rewriter.eraseOp(op);
  return parts;
}

/// The multiplication whose product `op`'s body adds to its accumulator
/// (`out + x * y` as AddOp and MulOp, of an `accType` result) where that
/// is what a contraction of two inputs yields; else null.
template <typename AddOp, typename MulOp>
MulOp accumulatedProduct(linalg::LinalgOp op,
                         llvm::function_ref<bool(Type)> accType) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return {};
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues().front().template getDefiningOp<AddOp>();
  if (!add || !accType(add.getType()))
    return {};
  Value acc = body->getArgument(2);
  Value product = add.getLhs() == acc   ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  return product ? product.template getDefiningOp<MulOp>() : MulOp();
}

/// Where `op`'s body is `out + ext(a) * ext(b)` in i32, with a and b its
/// two 8-bit inputs in order, whether each is zero-extended (unsigned)
/// rather than sign-extended; none for another body.
std::optional<std::pair<bool, bool>> byteSignedness(linalg::LinalgOp op) {
  auto mul = accumulatedProduct<arith::AddIOp, arith::MulIOp>(
      op, [](Type t) { return t.isInteger(32); });
  if (!mul)
    return std::nullopt;
  Block *body = op.getBlock();
  auto extendsArg = [&](Value v, unsigned arg) -> Operation * {
    Operation *ext = v.getDefiningOp();
    if (!isa_and_nonnull<arith::ExtUIOp, arith::ExtSIOp>(ext) ||
        ext->getOperand(0) != body->getArgument(arg) ||
        !body->getArgument(arg).getType().isInteger(8))
      return nullptr;
    return ext;
  };
  for (auto [x, y] : {std::pair{mul.getLhs(), mul.getRhs()},
                      std::pair{mul.getRhs(), mul.getLhs()}}) {
    Operation *a = extendsArg(x, 0), *b = extendsArg(y, 1);
    if (a && b)
      return std::pair{isa<arith::ExtUIOp>(a), isa<arith::ExtUIOp>(b)};
  }
  return std::nullopt;
}

/// Whether `op`'s body is `out + a * b` in f32 of its two f32 inputs (a
/// float matmul's), and nothing else.
bool multipliesFloats(linalg::LinalgOp op) {
  auto mul = accumulatedProduct<arith::AddFOp, arith::MulFOp>(
      op, [](Type t) { return t.isF32(); });
  if (!mul || op.getBlock()->getOperations().size() != 3)
    return false;
  Block *body = op.getBlock();
  return (mul.getLhs() == body->getArgument(0) &&
          mul.getRhs() == body->getArgument(1)) ||
         (mul.getRhs() == body->getArgument(0) &&
          mul.getLhs() == body->getArgument(1));
}

/// `init` (a contraction's accumulator, read through `map`) plus
/// `shift[i]` at iteration i of loop `loop`: a fill of zeros or a broadcast
/// of a constant along that loop made again from the shifted constant (so
/// that the kernel still fuses it), else an elementwise add; none where
/// `map` does not read the loop.
Value shiftAccumulator(RewriterBase &rewriter, Location loc, Value init,
                       AffineMap map, unsigned loop, ArrayRef<int32_t> shift) {
  MLIRContext *ctx = rewriter.getContext();
  auto type = cast<RankedTensorType>(init.getType());
  std::optional<unsigned> position =
      map.getResultPosition(getAffineDimExpr(loop, ctx));
  if (!position)
    return Value();
  auto vectorType =
      RankedTensorType::get({(int64_t)shift.size()}, type.getElementType());
  SmallVector<int32_t> values(shift);
  Value base;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  SmallVector<int64_t> others;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != *position)
      others.push_back(d);
  if (fill && matchPattern(fill.value(), m_Zero())) {
    base = fill.getOutputs()[0];
  } else if (broadcast && broadcast.getDimensions() == ArrayRef(others)) {
    std::optional<SmallVector<int64_t>> input =
        constantIntegers(broadcast.getInput(), /*isUnsigned=*/false);
    if (input && input->size() == shift.size()) {
      for (auto [v, i] : llvm::zip(values, *input))
        v += int32_t(i);
      base = broadcast.getInit();
    }
  }
  Value column = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(vectorType, ArrayRef(values)));
  if (base)
    return linalg::BroadcastOp::create(rewriter, loc, column, base, others)
        ->getResult(0);
  AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
  AffineMap along =
      AffineMap::get(type.getRank(), 0, getAffineDimExpr(*position, ctx));
  Value sum = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                      type.getElementType());
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{type}, ValueRange{init, column},
             ValueRange{sum}, ArrayRef<AffineMap>{identity, along, identity},
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [&](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   b, l,
                   arith::AddIOp::create(b, l, args[0], args[1]).getResult());
             })
      ->getResult(0);
}

/// `fn` of each element of the static tensor `v`, into `element`s: one
/// elementwise generic (vectorized with the other elementwise ops).
Value mapElements(RewriterBase &rewriter, Location loc, Value v, Type element,
                  function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto type = cast<RankedTensorType>(v.getType());
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, type.getShape(), element);
  AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{type.clone(element)}, ValueRange{v},
             ValueRange{empty}, ArrayRef<AffineMap>{identity, identity},
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [&](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(b, l, fn(b, l, args[0]));
             })
      ->getResult(0);
}

/// The bf16 nearest `value` (ties to even), as its bits.
uint16_t toBFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN: keep it one.
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

/// `b` (K x N, K a multiple of `group`) packed for dot products at run
/// time as [K/g, padded * g] of `element`: row r holds, column after
/// column, b's rows g r to g r + g - 1 at that column (zeros past N);
/// bytes in groups of 4 for vpdpbusd, or f32 rounded to bf16 (arith.truncf)
/// in pairs for vdpbf16ps; with `flip`, signed bytes as unsigned ones b +
/// 128 (their top bit flipped). A vector of `lanes` columns at a time: the
/// group's rows read (and rounded) and interleaved by shuffles (pairs, then
/// pairs of pairs). With `parallel`, a big one is split over threads by
/// rows.
Value packRowGroups(RewriterBase &rewriter, Location loc, Value b,
                    int64_t group, Type element, int64_t padded, int64_t lanes,
                    bool parallel, bool flip) {
  auto type = cast<RankedTensorType>(b.getType());
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  Type source = type.getElementType();
  Value dest = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{rows / group, padded * group}, element);
  auto index = [&](OpBuilder &b, Location l, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, l, v);
  };
  // Interleaving two vectors of n: a[0], b[0], a[1], b[1], ...; two of
  // those pairs: a pair of each in turn.
  auto pairs = [](int64_t n) {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < n; ++i)
      mask.append({i, n + i});
    return mask;
  };
  SmallVector<int64_t> quads;
  for (int64_t i = 0; i < lanes; ++i)
    quads.append({2 * i, 2 * i + 1, 2 * lanes + 2 * i, 2 * lanes + 2 * i + 1});
  bool whole = columns % lanes == 0;
  // Group `g`'s row, written into row `at` of `into`.
  auto packGroup = [&](Value g, Value into, Value at) -> Value {
    auto loop = scf::ForOp::create(
        rewriter, loc, index(rewriter, loc, 0), index(rewriter, loc, padded),
        index(rewriter, loc, lanes), ValueRange{into},
        [&](OpBuilder &nb, Location l, Value j, ValueRange iterArgs) {
          Value zero = arith::ConstantOp::create(nb, l, nb.getZeroAttr(source));
          Value first =
              arith::MulIOp::create(nb, l, g, index(nb, l, group)).getResult();
          SmallVector<Value> read;
          for (int64_t r = 0; r < group; ++r) {
            Value row = arith::AddIOp::create(nb, l, first, index(nb, l, r));
            Value v = vector::TransferReadOp::create(
                nb, l, VectorType::get({lanes}, source), b, ValueRange{row, j},
                zero, ArrayRef<bool>{whole});
            if (source != element)
              v = arith::TruncFOp::create(nb, l,
                                          VectorType::get({lanes}, element), v);
            if (flip)
              v = arith::XOrIOp::create(
                  nb, l, v,
                  arith::ConstantOp::create(
                      nb, l,
                      DenseElementsAttr::get(
                          VectorType::get({lanes}, element),
                          nb.getIntegerAttr(element, 0x80))));
            read.push_back(v);
          }
          Value packed =
              vector::ShuffleOp::create(nb, l, read[0], read[1], pairs(lanes));
          if (group == 4)
            packed = vector::ShuffleOp::create(
                nb, l, packed,
                vector::ShuffleOp::create(nb, l, read[2], read[3],
                                          pairs(lanes)),
                quads);
          Value column = arith::MulIOp::create(nb, l, j, index(nb, l, group));
          Value written = vector::TransferWriteOp::create(
                              nb, l, packed, iterArgs[0],
                              ValueRange{at, column}, ArrayRef<bool>{true})
                              .getResult();
          scf::YieldOp::create(nb, l, written);
        });
    return loop.getResult(0);
  };
  if (parallel && rows * padded >= kParallelElements && rows / group > 1)
    return buildPieces(rewriter, loc, dest, 0, [&](Value g, Value piece) {
      return packGroup(g, piece, index(rewriter, loc, 0));
    });
  auto loop = scf::ForOp::create(
      rewriter, loc, index(rewriter, loc, 0),
      index(rewriter, loc, rows / group), index(rewriter, loc, 1),
      ValueRange{dest},
      [&](OpBuilder &nb, Location l, Value g, ValueRange iterArgs) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPoint(nb.getInsertionBlock(),
                                   nb.getInsertionPoint());
        scf::YieldOp::create(nb, l, packGroup(g, iterArgs[0], g));
      });
  return loop.getResult(0);
}

/// A contraction as one whose K loop counts groups of the elements one dot
/// product instruction sums (4 bytes for vpdpbusd, 2 bf16 for vdpbf16ps),
/// with a loop over a group innermost: A read along K innermost (viewed as
/// [..., K/g, g], free), B packed as [K/g, N, g], so that a row of g N
/// elements is N columns' g consecutive k, the layout of the instructions'
/// second operand.
/// - A constant B (weights) is packed at compile time. 8-bit: unsigned A by
///   signed B (signed A is flipped to unsigned a + 128 by an elementwise op
///   and the accumulator lowered by 128 times B's column sums). bf16
///   (`bf16`): an f32 matmul whose A is rounded to bf16 first (an
///   elementwise op) and whose weights are rounded at compile time; the
///   body multiplies the values widened to f32.
/// - B known only at run time (a convolution's input or im2col copy by its
///   filters, [1..., K, N]), 8-bit by signed A (signed B flipped to b + 128
///   as it is packed, the accumulator lowered by 128 times A's constant row
///   sums), or f32 (`bf16`, rounded as it is packed), is packed at run time
///   (packRowGroups) with
///   N padded to whole vectors of `lanes` (the accumulator padded too, the
///   result sliced back).
/// K must be a multiple of g. Returns the packed op and its loops.
std::optional<std::pair<linalg::GenericOp, MatmulLoops>>
packForDotProducts(RewriterBase &rewriter, linalg::LinalgOp op,
                   const MatmulLoops &loops, bool bf16, int64_t lanes,
                   bool parallel) {
  std::optional<std::pair<bool, bool>> bytes = byteSignedness(op);
  if (bf16 ? !multipliesFloats(op) : !bytes)
    return std::nullopt;
  int64_t group = bf16 ? 2 : 4;
  MLIRContext *ctx = op.getContext();
  int64_t extentK = loops.extents[loops.k], extentN = loops.extents[loops.n];
  if (extentK % group != 0)
    return std::nullopt;
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineExpr k = getAffineDimExpr(loops.k, ctx),
             n = getAffineDimExpr(loops.n, ctx);
  if (maps[0].getNumResults() == 0 || maps[0].getResults().back() != k)
    return std::nullopt;
  auto bType = cast<RankedTensorType>(b.getType());
  std::optional<ArrayRef<char>> constantB = constantBytes(b);
  Type element = bf16 ? Type(rewriter.getBF16Type()) : rewriter.getI8Type();
  Location loc = op.getLoc();
  Value init = op.getDpsInits()[0];
  auto aType = cast<RankedTensorType>(a.getType());
  // The accumulator's dim of N, and N padded (run-time B only).
  std::optional<int64_t> resultDim = dimOfLoop(maps[2], loops.n);
  int64_t paddedN = extentN;
  Value packed;
  if (constantB) {
    if (bType.getRank() != 2 || (!bf16 && bytes->second))
      return std::nullopt;
    bool kFirst = maps[1].getResults() == ArrayRef<AffineExpr>{k, n};
    if (!kFirst && maps[1].getResults() != ArrayRef<AffineExpr>{n, k})
      return std::nullopt;
    size_t size = bf16 ? 2 : 1;
    std::vector<char> data(extentK * extentN * size);
    for (int64_t kk = 0; kk < extentK; ++kk)
      for (int64_t nn = 0; nn < extentN; ++nn) {
        int64_t from = kFirst ? kk * extentN + nn : nn * extentK + kk;
        char *to =
            &data[(((kk / group) * extentN + nn) * group + kk % group) * size];
        if (bf16) {
          float value;
          std::memcpy(&value, &(*constantB)[from * 4], 4);
          uint16_t rounded = toBFloat16(value);
          std::memcpy(to, &rounded, 2);
        } else {
          *to = (*constantB)[from];
        }
      }
    rewriter.setInsertionPoint(op);
    packed = resourceConstant(
        rewriter, loc,
        RankedTensorType::get({extentK / group, extentN, group}, element),
        "packed", data);
    if (!bf16 && !bytes->first) {
      // Signed A as unsigned bytes a + 128 (its top bit flipped), and the
      // accumulator starting 128 * sum_k b lower to make up for it.
      Value flip = arith::ConstantIntOp::create(rewriter, loc,
                                                rewriter.getI8Type(), 0x80);
      a = mapElements(rewriter, loc, a, aType.getElementType(),
                      [&](OpBuilder &b, Location l, Value v) -> Value {
                        return arith::XOrIOp::create(b, l, v, flip);
                      });
      SmallVector<int32_t> sums(extentN, 0);
      for (int64_t kk = 0; kk < extentK; ++kk)
        for (int64_t nn = 0; nn < extentN; ++nn)
          sums[nn] -=
              128 *
              int32_t(int8_t((
                  *constantB)[kFirst ? kk * extentN + nn : nn * extentK + kk]));
      init = shiftAccumulator(rewriter, loc, init, maps[2], loops.n, sums);
      if (!init)
        return std::nullopt;
    }
  } else {
    // Bytes of B by signed bytes of A, or f32 (bf16), B [1..., K, N].
    ArrayRef<AffineExpr> bResults = maps[1].getResults();
    if ((!bf16 && bytes->first) || !resultDim ||
        maps[2].getResults().back() != n || bResults.size() < 2 ||
        bResults.take_back(2) != ArrayRef<AffineExpr>{k, n} ||
        llvm::any_of(bType.getShape().drop_back(2),
                     [](int64_t extent) { return extent != 1; }))
      return std::nullopt;
    rewriter.setInsertionPoint(op);
    Value matrix = b;
    if (bType.getRank() > 2) {
      ReassociationIndices leading =
          llvm::to_vector(llvm::seq<int64_t>(0, bType.getRank() - 1));
      matrix = tensor::CollapseShapeOp::create(
          rewriter, loc, b,
          SmallVector<ReassociationIndices>{leading, {bType.getRank() - 1}});
    }
    // Signed B as unsigned bytes b + 128, flipped as it is packed, and the
    // accumulator starting 128 * sum_k a lower: A a constant M x K matrix
    // (seen through its collapse_shape, which keeps its order).
    bool flipB = !bf16 && !bytes->second;
    if (flipB) {
      Value source = a;
      while (auto collapse = source.getDefiningOp<tensor::CollapseShapeOp>())
        source = collapse.getSrc();
      std::optional<SmallVector<int64_t>> filters =
          constantIntegers(source, /*isUnsigned=*/false);
      AffineExpr m = getAffineDimExpr(loops.m, ctx);
      if (!filters || aType.getRank() != 2 ||
          maps[0].getResults() != ArrayRef<AffineExpr>{m, k})
        return std::nullopt;
      SmallVector<int32_t> sums(aType.getDimSize(0), 0);
      for (auto [i, v] : llvm::enumerate(*filters))
        sums[i / extentK] -= 128 * int32_t(v);
      init = shiftAccumulator(rewriter, loc, init, maps[2], loops.m, sums);
      if (!init)
        return std::nullopt;
    }
    paddedN = llvm::alignTo(extentN, lanes);
    Value rows = packRowGroups(rewriter, loc, matrix, group, element, paddedN,
                               lanes, parallel, flipB);
    packed = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({extentK / group, paddedN, group}, element), rows,
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    if (paddedN != extentN)
      init = padAlong(rewriter, loc, init, *resultDim, paddedN);
  }
  if (bf16) {
    // A rounded to bf16, elementwise.
    a = mapElements(rewriter, loc, a, element,
                    [&](OpBuilder &b, Location l, Value v) -> Value {
                      return arith::TruncFOp::create(b, l, element, v);
                    });
    aType = aType.clone(element);
  }
  SmallVector<int64_t> aShape(aType.getShape());
  aShape.back() = extentK / group;
  aShape.push_back(group);
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d + 1 < aType.getRank(); ++d)
    reassociation.push_back({d});
  reassociation.push_back({aType.getRank() - 1, aType.getRank()});
  Value aGroups = tensor::ExpandShapeOp::create(
      rewriter, loc, aType.clone(aShape), a, reassociation);
  unsigned numLoops = loops.extents.size();
  AffineExpr inner = getAffineDimExpr(numLoops, ctx);
  auto widened = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(numLoops + 1, 0, results, ctx);
  };
  SmallVector<AffineExpr> aExprs(maps[0].getResults());
  aExprs.push_back(inner);
  SmallVector<AffineMap> packedMaps = {widened(aExprs), widened({k, n, inner}),
                                       widened(maps[2].getResults())};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.push_back(utils::IteratorType::reduction);
  auto resultType = cast<RankedTensorType>(init.getType());
  linalg::GenericOp generic;
  if (bf16) {
    generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{aGroups, packed}, init,
        packedMaps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Type f32 = b.getF32Type();
          Value product = arith::MulFOp::create(
              b, l, arith::ExtFOp::create(b, l, f32, args[0]),
              arith::ExtFOp::create(b, l, f32, args[1]));
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args[2], product).getResult());
        });
  } else {
    generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{aGroups, packed},
        ValueRange{init}, packedMaps, iterators);
    rewriter.cloneRegionBefore(op->getRegion(0), generic.getRegion(),
                               generic.getRegion().end());
    // The operand flipped where it was signed (A with a constant B, else
    // B) is unsigned bytes now.
    Block &body = generic.getRegion().front();
    for (Operation *user :
         llvm::to_vector(body.getArgument(constantB ? 0 : 1).getUsers()))
      if (auto ext = dyn_cast<arith::ExtSIOp>(user)) {
        rewriter.setInsertionPoint(ext);
        rewriter.replaceOpWithNewOp<arith::ExtUIOp>(ext, ext.getType(),
                                                    ext.getIn());
      }
  }
  rewriter.setInsertionPointAfter(generic);
  Value result = generic->getResult(0);
  if (paddedN != extentN)
    result = extractDimSlice(rewriter, loc, result, *resultDim,
                             rewriter.getIndexAttr(0), extentN);
  rewriter.replaceOp(op, result);
  MatmulLoops packedLoops = loops;
  packedLoops.extents[loops.k] = extentK / group;
  packedLoops.extents[loops.n] = paddedN;
  packedLoops.extents.push_back(group);
  packedLoops.kInner = numLoops;
  return std::make_pair(generic, packedLoops);
}

/// The register tile of a packed contraction (packForDotProducts; K of one
/// group of g) as one vector.contract per row and vector of columns: the
/// row's g elements of A times each column's g elements of packed B, both
/// widened (bytes into i32, each as the body extends it; bf16 into f32), summed
/// into the column's lane of the accumulator, which is read and written here
/// and hoisted out of the K loop after. aic-cpu-lower-dot-products makes each a
/// vpdpbusd or vdpbf16ps; without it they lower like any contraction.
LogicalResult vectorizeDotProducts(RewriterBase &rewriter,
                                   linalg::LinalgOp kernel,
                                   const MatmulLoops &loops, int64_t lanes) {
  SmallVector<int64_t> tile = kernel.getStaticLoopRanges();
  int64_t rows = tile[loops.m], columns = tile[loops.n];
  if (tile[loops.k] != 1 || columns % lanes != 0 ||
      llvm::any_of(loops.batch, [&](unsigned b) { return tile[b] != 1; }))
    return failure();
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<AffineMap> maps = kernel.getIndexingMapsArray();
  if (maps[2].getResults().back() != getAffineDimExpr(loops.n, ctx))
    return failure();
  Location loc = kernel.getLoc();
  rewriter.setInsertionPoint(kernel);
  // An operand's indices where the loops in `at` are at those positions
  // and the others at 0.
  auto indices = [&](AffineMap map, ArrayRef<std::pair<unsigned, int64_t>> at) {
    SmallVector<Value> result;
    for (AffineExpr e : map.getResults()) {
      int64_t position = 0;
      if (auto d = dyn_cast<AffineDimExpr>(e))
        for (auto [loop, value] : at)
          if (d.getPosition() == loop)
            position = value;
      result.push_back(arith::ConstantIndexOp::create(rewriter, loc, position));
    }
    return result;
  };
  Value a = kernel.getDpsInputs()[0], b = kernel.getDpsInputs()[1];
  Value c = kernel.getDpsInits()[0];
  int64_t group = tile[*loops.kInner];
  Type element = getElementTypeOrSelf(a.getType());
  Type accElement = getElementTypeOrSelf(c.getType());
  bool bytes = element.isInteger(8);
  std::optional<std::pair<bool, bool>> signedness = byteSignedness(kernel);
  if (bytes && !signedness)
    return failure();
  auto read = [&](VectorType type, Value source, SmallVector<Value> at) {
    Value padding = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
    return vector::TransferReadOp::create(
               rewriter, loc, type, source, at, padding,
               SmallVector<bool>(type.getRank(), true))
        .getResult();
  };
  // Widened as the contraction's body widens them.
  auto widen = [&](Value v, bool isA) -> Value {
    auto type = cast<VectorType>(v.getType()).clone(accElement);
    if (!bytes)
      return arith::ExtFOp::create(rewriter, loc, type, v);
    if (isA ? signedness->first : signedness->second)
      return arith::ExtUIOp::create(rewriter, loc, type, v);
    return arith::ExtSIOp::create(rewriter, loc, type, v);
  };
  // B's tile (1 x columns x g, contiguous) as one row, so that a vector of
  // columns is one load.
  auto bType = cast<RankedTensorType>(b.getType());
  if (maps[1].getResults().take_back(2) !=
          ArrayRef<AffineExpr>{getAffineDimExpr(loops.n, ctx),
                               getAffineDimExpr(*loops.kInner, ctx)} ||
      bType.getRank() != 3)
    return failure();
  Value bRow = tensor::CollapseShapeOp::create(
      rewriter, loc, b, SmallVector<ReassociationIndices>{{0}, {1, 2}});
  SmallVector<Value> aRows;
  for (int64_t r = 0; r < rows; ++r)
    aRows.push_back(widen(read(VectorType::get({group}, element), a,
                               indices(maps[0], {{loops.m, r}})),
                          /*isA=*/true));
  // (lane, k) -> k, (lane, k), lane.
  AffineExpr lane = getAffineDimExpr(0, ctx), kk = getAffineDimExpr(1, ctx);
  ArrayAttr contractMaps = rewriter.getAffineMapArrayAttr(
      {AffineMap::get(2, 0, {kk}, ctx), AffineMap::get(2, 0, {lane, kk}, ctx),
       AffineMap::get(2, 0, {lane}, ctx)});
  ArrayAttr iterators = rewriter.getArrayAttr(
      {vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
       vector::IteratorTypeAttr::get(ctx, vector::IteratorType::reduction)});
  auto accType = VectorType::get({lanes}, accElement);
  Value result = c;
  for (int64_t j = 0; j < columns; j += lanes) {
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value row =
        read(VectorType::get({group * lanes}, element), bRow,
             {zero, arith::ConstantIndexOp::create(rewriter, loc, group * j)});
    Value bColumns =
        widen(vector::ShapeCastOp::create(
                  rewriter, loc, VectorType::get({lanes, group}, element), row),
              /*isA=*/false);
    for (int64_t r = 0; r < rows; ++r) {
      SmallVector<Value> at = indices(maps[2], {{loops.m, r}, {loops.n, j}});
      Value sum = vector::ContractionOp::create(rewriter, loc, aRows[r],
                                                bColumns, read(accType, c, at),
                                                contractMaps, iterators);
      result = vector::TransferWriteOp::create(rewriter, loc, sum, result, at,
                                               SmallVector<bool>(1, true))
                   .getResult();
    }
  }
  rewriter.replaceOp(kernel, result);
  return success();
}

/// Whether `op` reduces rows: its loops from `rowLoops` on are all
/// reductions (and the others parallel), of at most kMaxReducedElements
/// together, and every input is read along all of them or none (a bias or
/// scale broadcast over the row), contiguously: those loops are the input's
/// innermost dims, in order. Contractions and convolutions are not.
bool isRowReduction(linalg::LinalgOp op, unsigned rowLoops,
                    int64_t maxReduced = kMaxReducedElements) {
  if (linalg::isaContractionOpInterface(op) ||
      linalg::isaConvolutionOpInterface(op) || op.getNumDpsInits() != 1)
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  int64_t reduced = 1;
  for (auto [i, iterator] : llvm::enumerate(iterators)) {
    if ((i < rowLoops) != (iterator == utils::IteratorType::parallel))
      return false;
    if (i >= rowLoops)
      reduced *= extents[i];
  }
  if (reduced > maxReduced)
    return false;
  unsigned numReduced = iterators.size() - rowLoops;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation())
      return false;
    bool readsRow =
        llvm::any_of(llvm::seq(rowLoops, unsigned(iterators.size())),
                     [&](unsigned loop) { return map.isFunctionOfDim(loop); });
    if (!readsRow)
      continue;
    ArrayRef<AffineExpr> results = map.getResults();
    if (results.size() < numReduced)
      return false;
    for (unsigned r = 0; r < numReduced; ++r)
      if (results[results.size() - numReduced + r] !=
          getAffineDimExpr(rowLoops + r, op.getContext()))
        return false;
  }
  return true;
}

struct TileAndVectorizePass
    : aic::cpu::impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  using Base::Base;

  /// Tiles `op` by `sizes` (0: untiled) with the loops in `order` (outer
  /// first), as scf.for loops or as one scf.forall (whose iterations the
  /// runtime spreads over threads); returns the tiled op and the loops,
  /// outer first.
  FailureOr<scf::SCFTilingResult>
  tile(RewriterBase &rewriter, TilingInterface op, ArrayRef<int64_t> sizes,
       ArrayRef<int64_t> order, bool forall = false) {
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    options.setInterchange(order);
    if (forall)
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, op, options);
    if (failed(tiled))
      return failure();
    rewriter.replaceOp(op, tiled->replacements);
    return tiled;
  }

  /// A contraction generic of one element type as the named
  /// linalg.contract the kernel is made of, which vectorizes to
  /// vector.contract and so to fused multiply-adds. A B stored N by K
  /// (Gemm's transB, x W^T) is read K by N instead, so that the kernel loads
  /// rows of it: transposed at compile time where it is a constant
  /// (weights), else once before the loops.
  linalg::LinalgOp asKernelContraction(RewriterBase &rewriter,
                                       linalg::LinalgOp op,
                                       const MatmulLoops &loops) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic || generic.getNumDpsInputs() != 2)
      return op;
    Type et = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    if (llvm::any_of(op.getDpsInputs(), [&](Value v) {
          return getElementTypeOrSelf(v.getType()) != et;
        }))
      return op;
    rewriter.setInsertionPoint(op);
    SmallVector<Value> inputs(op.getDpsInputs());
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    MLIRContext *context = rewriter.getContext();
    for (unsigned i = 0; i < 2; ++i) {
      ArrayRef<AffineExpr> results = maps[i].getResults();
      size_t r = results.size();
      // B: reads N, not M; its last two dims N then K.
      if (maps[i].isFunctionOfDim(loops.m) || r < 2 ||
          results[r - 2] != getAffineDimExpr(loops.n, context) ||
          results[r - 1] != getAffineDimExpr(loops.k, context))
        continue;
      inputs[i] = swapLastDims(rewriter, op.getLoc(), inputs[i]);
      SmallVector<AffineExpr> swapped(results);
      std::swap(swapped[r - 2], swapped[r - 1]);
      maps[i] = AffineMap::get(maps[i].getNumDims(), 0, swapped, context);
    }
    Value init = op.getDpsInits()[0];
    auto named = linalg::ContractOp::create(
        rewriter, op.getLoc(), TypeRange{init.getType()}, inputs, init,
        rewriter.getAffineMapArrayAttr(maps));
    Value result = named->getResult(0);
    rewriter.replaceOp(op, result);
    return named;
  }

  /// Tiles `consumer` by `sizes` (0: untiled) with the loops in `order`,
  /// fusing into the loops `contraction` and its accumulator's fill or
  /// broadcast (nothing else: the operands stay shared); returns the tiled
  /// ops, the consumer first.
  FailureOr<scf::SCFTileAndFuseResult>
  tileAndFuse(RewriterBase &rewriter, TilingInterface consumer,
              Operation *contraction, ArrayRef<int64_t> sizes,
              ArrayRef<int64_t> order, bool forall) {
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setTileSizes(
        getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    options.tilingOptions.setInterchange(order);
    if (forall)
      options.tilingOptions.setLoopType(
          scf::SCFTilingOptions::LoopType::ForallOp);
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp slice, OpResult producer, bool)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          // The accumulator's slice is the tiled contraction's init.
          auto initOfContraction = [](OpOperand &use) {
            auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
            return user && user.isDpsInit(&use) &&
                   linalg::isaContractionOpInterface(user);
          };
          Operation *owner = producer.getOwner();
          if (owner == contraction ||
              (isa<linalg::FillOp, linalg::BroadcastOp>(owner) &&
               llvm::any_of(slice->getUses(), initOfContraction)))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    rewriter.setInsertionPoint(consumer);
    FailureOr<scf::SCFTileAndFuseResult> tiled =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, consumer, options);
    if (failed(tiled))
      return failure();
    for (OpResult result : consumer->getResults())
      rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
    rewriter.eraseOp(consumer);
    for (Operation *producer : tiled->fusedProducers)
      if (producer->use_empty())
        rewriter.eraseOp(producer);
    return tiled;
  }

  LogicalResult tileAndVectorize(RewriterBase &rewriter, linalg::LinalgOp op,
                                 MatmulLoops loops) {
    unsigned numLoops = loops.extents.size();
    int64_t lanes = std::max<int64_t>(vectorBits / 32, 1);
    int64_t extentM = loops.extents[loops.m], extentN = loops.extents[loops.n],
            extentK = loops.extents[loops.k];
    // An epilogue runs on the register tile once its K loop is done, and an
    // accumulator's fill or broadcast (zeros, a bias) runs on it before:
    // with either, the tiles are of the epilogue (or of the contraction)
    // with the others fused in, and K is one cache tile.
    linalg::GenericOp epilogue = epilogueOf(op);
    Value init = op.getDpsInits()[0];
    bool fuse =
        (epilogue || init.getDefiningOp<linalg::FillOp>() ||
         init.getDefiningOp<linalg::BroadcastOp>()) &&
        (extentK <= kMaxFusedReduction || extentK * extentN <= kPanelElements);

    // The register tile first, from the whole extents: 2 x lanes columns
    // of 8 rows where they divide (16 accumulators), else what divides;
    // with fewer rows (a matrix-vector product), up to 8 vectors of
    // columns, so that as many independent accumulators hide the FMA
    // latency and each k reads a longer row of B. Then the cache tile, a
    // multiple of it.
    int64_t regM = divisorAtMost(extentM, kRegisterRows);
    int64_t vectorsN = std::clamp<int64_t>(16 / regM, 2, 8);
    int64_t regN = extentN % lanes == 0
                       ? lanes * divisorAtMost(extentN / lanes, vectorsN)
                       : divisorAtMost(extentN, 2 * lanes);
    auto multipleAtMost = [](int64_t extent, int64_t unit, int64_t target) {
      return unit *
             divisorAtMost(extent / unit, std::max<int64_t>(target / unit, 1));
    };
    // A K x N panel of B stays in L2 (up to 512 KiB of it).
    int64_t cacheColumns =
        fuse ? std::clamp<int64_t>(kPanelElements / extentK, regN, 256) : 256;
    SmallVector<int64_t> cache(numLoops, 1);
    cache[loops.m] = multipleAtMost(extentM, regM, 64);
    cache[loops.n] = multipleAtMost(extentN, regN, cacheColumns);
    cache[loops.k] = fuse ? extentK : divisorAtMost(extentK, 512);
    SmallVector<int64_t> reg(numLoops, 1);
    reg[loops.m] = regM;
    reg[loops.n] = regN;
    reg[loops.k] = 1;
    // The 4 bytes of a dot product stay whole.
    if (loops.kInner)
      cache[*loops.kInner] = reg[*loops.kInner] = loops.extents[*loops.kInner];

    // Loop orders: batch, N, K, M for the cache tile; batch, M, N, K for
    // the register tile.
    SmallVector<int64_t> cacheOrder(loops.batch.begin(), loops.batch.end());
    cacheOrder.append({loops.n, loops.k, loops.m});
    SmallVector<int64_t> regOrder(loops.batch.begin(), loops.batch.end());
    regOrder.append({loops.m, loops.n, loops.k});
    // Tiling skips loops of size 0 in `sizes`: the extents themselves where
    // one tile covers the loop.
    auto tileSizes = [&](ArrayRef<int64_t> sizes, ArrayRef<int64_t> full) {
      SmallVector<int64_t> result(sizes);
      for (unsigned i = 0; i < numLoops; ++i)
        if (result[i] == full[i])
          result[i] = 0;
      return result;
    };

    // One level of tiling: of the contraction; or, fusing, of the root (the
    // epilogue, whose loops are the result's dims, or the contraction) with
    // the others fused in, K untiled. `fused` gets the register level's
    // tiled ops other than the contraction and the root.
    if (!fuse)
      epilogue = {};
    Operation *root = epilogue ? epilogue.getOperation() : op.getOperation();
    AffineMap resultMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    SmallVector<Operation *> fused;
    auto tileLevel = [&](ArrayRef<int64_t> sizes, ArrayRef<int64_t> order,
                         bool forall) -> LogicalResult {
      if (!fuse) {
        FailureOr<scf::SCFTilingResult> tiled =
            tile(rewriter, cast<TilingInterface>(op.getOperation()), sizes,
                 order, forall);
        if (failed(tiled))
          return failure();
        op = cast<linalg::LinalgOp>(tiled->tiledOps.front());
        return success();
      }
      SmallVector<int64_t> rootSizes, rootOrder;
      if (epilogue) {
        for (AffineExpr e : resultMap.getResults())
          rootSizes.push_back(sizes[cast<AffineDimExpr>(e).getPosition()]);
        for (int64_t loop : order)
          if (std::optional<unsigned> r = resultMap.getResultPosition(
                  getAffineDimExpr(loop, rewriter.getContext())))
            rootOrder.push_back(*r);
      } else {
        rootSizes.assign(sizes.begin(), sizes.end());
        rootSizes[loops.k] = 0;
        rootOrder.assign(order.begin(), order.end());
      }
      FailureOr<scf::SCFTileAndFuseResult> tiled =
          tileAndFuse(rewriter, cast<TilingInterface>(root), op.getOperation(),
                      rootSizes, rootOrder, forall);
      if (failed(tiled))
        return failure();
      fused.clear();
      root = tiled->tiledAndFusedOps.front();
      for (Operation *tiledOp : tiled->tiledAndFusedOps) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(tiledOp);
        if (linalgOp && linalg::isaContractionOpInterface(linalgOp))
          op = linalgOp;
        else if (tiledOp != root)
          fused.push_back(tiledOp);
      }
      if (epilogue)
        epilogue = cast<linalg::GenericOp>(root);
      return success();
    };

    // Threads: a big enough contraction is first split into pieces by an
    // scf.forall: over its batch loops and N cache tiles, then, where those
    // make fewer than kMinPieces, over M and then N in multiples of the
    // register tile; the cache tiling then runs within each piece. A
    // contraction of few rows (a matrix-vector product) streams B from
    // memory, each element used once per row: its multiply-adds count for
    // more.
    SmallVector<int64_t> within(loops.extents);
    if (parallel) {
      int64_t work = 1;
      for (int64_t extent : loops.extents)
        work *= extent;
      if (extentM < kRegisterRows)
        work *= kRegisterRows / extentM;
      SmallVector<int64_t> split(numLoops, 0);
      int64_t pieces = 1;
      for (unsigned b : loops.batch)
        if (loops.extents[b] > 1) {
          split[b] = 1;
          within[b] = 1;
          pieces *= loops.extents[b];
        }
      auto splitBy = [&](unsigned loop, int64_t size) {
        if (size >= within[loop])
          return;
        pieces *= within[loop] / size;
        split[loop] = within[loop] = size;
      };
      splitBy(loops.n, cache[loops.n]);
      auto splitMore = [&](unsigned loop, int64_t unit) {
        if (pieces >= kMinPieces)
          return;
        int64_t want = llvm::divideCeil(kMinPieces, pieces);
        splitBy(loop, multipleAtMost(within[loop], unit,
                                     std::max(unit, within[loop] / want)));
      };
      splitMore(loops.m, regM);
      splitMore(loops.n, regN);
      if (work >= kParallelMultiplyAdds && pieces > 1) {
        if (failed(tileLevel(split,
                             llvm::to_vector(llvm::seq<int64_t>(0, numLoops)),
                             /*forall=*/true)))
          return failure();
      } else {
        within = loops.extents;
      }
      // The cache tile within a piece.
      cache[loops.m] = multipleAtMost(within[loops.m], regM, 64);
      cache[loops.n] = multipleAtMost(within[loops.n], regN, cacheColumns);
    }

    if (failed(tileLevel(tileSizes(cache, within), cacheOrder,
                         /*forall=*/false)))
      return failure();
    Operation *kernel;
    LoopLikeOpInterface kLoop;
    if (!fuse) {
      FailureOr<scf::SCFTilingResult> inner =
          tile(rewriter, cast<TilingInterface>(op.getOperation()),
               tileSizes(reg, cache), regOrder);
      if (failed(inner))
        return failure();
      kernel = inner->tiledOps.front();
      if (!inner->loops.empty())
        kLoop = cast<LoopLikeOpInterface>(inner->loops.back());
    } else {
      // The register tile of the epilogue and the contraction; then the
      // contraction's K loop within it.
      SmallVector<int64_t> regTile = tileSizes(reg, cache);
      regTile[loops.k] = 0;
      if (failed(tileLevel(regTile, regOrder, /*forall=*/false)))
        return failure();
      // Where the whole op is one register tile there are no loops to fuse
      // the accumulator's fill or broadcast into: it is vectorized whole,
      // like the tile.
      Operation *initOp = op.getDpsInits()[0].getDefiningOp();
      if (initOp && isa<linalg::FillOp, linalg::BroadcastOp>(initOp) &&
          initOp->getBlock() == op->getBlock() && initOp->hasOneUse() &&
          !llvm::is_contained(fused, initOp))
        fused.push_back(initOp);
      SmallVector<int64_t> steps(numLoops, 0);
      steps[loops.k] = extentK > 1 ? 1 : 0;
      FailureOr<scf::SCFTilingResult> inner =
          tile(rewriter, cast<TilingInterface>(op.getOperation()), steps,
               llvm::to_vector(llvm::seq<int64_t>(0, numLoops)));
      if (failed(inner))
        return failure();
      kernel = inner->tiledOps.front();
      if (!inner->loops.empty())
        kLoop = cast<LoopLikeOpInterface>(inner->loops.back());
      if (epilogue)
        fused.push_back(epilogue);
      for (Operation *tiledOp : fused) {
        rewriter.setInsertionPoint(tiledOp);
        FailureOr<linalg::VectorizationResult> vectorized =
            linalg::vectorize(rewriter, tiledOp);
        if (failed(vectorized))
          return failure();
        rewriter.replaceOp(tiledOp, vectorized->replacements);
      }
    }

    if (loops.kInner) {
      if (failed(vectorizeDotProducts(rewriter, cast<linalg::LinalgOp>(kernel),
                                      loops, lanes)))
        return failure();
    } else {
      rewriter.setInsertionPoint(kernel);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, kernel, /*inputVectorSizes=*/{},
          /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
          /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (failed(vectorized))
        return failure();
      rewriter.replaceOp(kernel, vectorized->replacements);
    }

    // The K loop (innermost) carries the C tile: hoist its read and write
    // out, after moving what does not depend on k.
    if (kLoop) {
      moveLoopInvariantCode(kLoop);
      hoistLoopInvariantSubsets(rewriter, kLoop);
    }
    return success();
  }

  /// A contraction as a kernel of dot products (packForDotProducts): an
  /// 8-bit one (bytes by signed constant bytes, or a convolution's unsigned
  /// bytes by its signed filters, into i32) of vpdpbusd; with `bf16`, an
  /// f32 matmul by constant weights or a convolution's of vdpbf16ps. N is
  /// padded to whole vectors (zero columns of a constant B at compile time;
  /// a run-time B's as it is packed), B packed, then the tiles of
  /// tileAndVectorize. Returns false where `op` is not one (left as it
  /// was).
  bool tileDotProducts(RewriterBase &rewriter, linalg::LinalgOp op,
                       MatmulLoops loops, bool bf16) {
    int64_t lanes = vectorBits / 32;
    int64_t group = bf16 ? 2 : 4;
    bool multiplies =
        bf16 ? multipliesFloats(op) : byteSignedness(op).has_value();
    bool constantB = constantBytes(op.getDpsInputs()[1]).has_value();
    if (!multiplies || loops.extents[loops.k] % group != 0)
      return false;
    int64_t extentN = loops.extents[loops.n];
    if (constantB && extentN % lanes != 0) {
      op = padColumns(rewriter, op, loops, llvm::alignTo(extentN, lanes));
      std::optional<MatmulLoops> padded = matchMatmul(op, /*integers=*/true);
      if (!padded)
        return true;
      loops = *padded;
    }
    std::optional<std::pair<linalg::GenericOp, MatmulLoops>> packed =
        packForDotProducts(rewriter, op, loops, bf16, lanes, parallel);
    if (packed)
      (void)tileAndVectorize(rewriter, packed->first, packed->second);
    // One of B known at run time that cannot be packed is left as it was.
    return packed || constantB;
  }

  /// An elementwise op (all loops parallel: generics, fills, broadcasts,
  /// transposes, copies) over static shapes, tiled to rows of its innermost
  /// loop (up to 4 vectors long, a divisor of the extent) and vectorized.
  /// A row reduction (softmax's max and sum, a normalization's mean,
  /// pooling over a whole row: reduction loops innermost, each input read
  /// along them or not at all) is tiled to single rows, each reduced as one
  /// vector (up to kMaxReducedElements). With `split` (not for an op that
  /// is already a thread's piece) a big one is split over threads first.
  void vectorizeElementwise(RewriterBase &rewriter, linalg::LinalgOp op,
                            bool split = true) {
    SmallVector<int64_t> extents = op.getStaticLoopRanges();
    if (extents.empty() || op.hasDynamicShape() || op->getNumResults() == 0 ||
        llvm::is_contained(extents, 0))
      return;
    if (!vectorizableElements(op))
      return;
    // The loops the rows are made of: all (elementwise), or the parallel
    // loops before the innermost reduction ones.
    unsigned rowLoops = extents.size();
    if (op.getNumReductionLoops() != 0) {
      rowLoops = extents.size() - op.getNumReductionLoops();
      if (!isRowReduction(op, rowLoops, std::numeric_limits<int64_t>::max()))
        return;
    }
    // Rows of up to 4 vectors, or 2 for an op of many inputs (a depthwise
    // convolution's taps and weights, whose splats then stay in
    // registers), whole vectors where that divides.
    int64_t lanes = std::max<int64_t>(vectorBits / 32, 1);
    bool manyInputs = op.getNumDpsInputs() > 4;
    int64_t rowElements = (manyInputs ? 2 : 4) * lanes;
    SmallVector<int64_t> sizes(extents.size(), 1);
    if (rowLoops == extents.size()) {
      int64_t extent = extents.back();
      sizes.back() =
          extent % lanes == 0
              ? lanes * divisorAtMost(extent / lanes, rowElements / lanes)
              : divisorAtMost(extent, rowElements);
      // An op of many taps (a depthwise convolution's, a pooling's) takes
      // several rows at once, up to kStencilVectors vectors, where its taps'
      // rows are unit-strided (ReadStridedRowAsShuffle takes one row): the
      // taps of adjacent rows read the same input rows, which LLVM then
      // loads once for all of them.
      if (manyInputs && extents.size() >= 2 && !readsStridedRows(op)) {
        int64_t vectors = llvm::divideCeil(sizes.back(), lanes);
        sizes[extents.size() - 2] =
            divisorAtMost(extents[extents.size() - 2],
                          std::max<int64_t>(1, kStencilVectors / vectors));
      }
    } else {
      // The reduction loops whole, up to kMaxReducedElements together; past
      // that (a reduction over a whole tensor) the outer ones run a piece
      // at a time, in a loop that carries the accumulator.
      int64_t budget = kMaxReducedElements;
      for (unsigned i = extents.size(); i-- > rowLoops;) {
        sizes[i] = divisorAtMost(extents[i], budget);
        budget /= sizes[i];
        if (sizes[i] != extents[i])
          budget = 1;
      }
    }
    if (failed(linalg::vectorizeOpPrecondition(op)))
      return;
    for (size_t i = 0; i < sizes.size(); ++i)
      if (sizes[i] == extents[i])
        sizes[i] = 0;
    Operation *target = op;
    // Threads: a big enough op is split by an scf.forall over its
    // outermost loop of at least kMinPieces iterations, else of more than
    // one (not the vectorized one).
    int64_t work = elementwiseWork(op);
    // Candidates: the row loops (all but the vectorized one, for an
    // elementwise op).
    ArrayRef<int64_t> candidates = ArrayRef(extents).take_front(
        rowLoops == extents.size() ? rowLoops - 1 : rowLoops);
    auto outerLoop = llvm::find_if(
        candidates, [](int64_t extent) { return extent >= kMinPieces; });
    if (outerLoop == candidates.end())
      outerLoop =
          llvm::find_if(candidates, [](int64_t extent) { return extent > 1; });
    if (parallel && split && work >= kParallelElements &&
        outerLoop != candidates.end()) {
      SmallVector<int64_t> split(extents.size(), 0);
      split[outerLoop - extents.begin()] = 1;
      FailureOr<scf::SCFTilingResult> pieceLoop =
          tile(rewriter, cast<TilingInterface>(op.getOperation()), split,
               llvm::to_vector(llvm::seq<int64_t>(0, extents.size())),
               /*forall=*/true);
      if (failed(pieceLoop))
        return;
      target = pieceLoop->tiledOps.front();
      sizes[outerLoop - extents.begin()] = 0;
    }
    if (llvm::any_of(sizes, [](int64_t s) { return s != 0; })) {
      SmallVector<int64_t> order =
          llvm::to_vector(llvm::seq<int64_t>(0, extents.size()));
      FailureOr<scf::SCFTilingResult> tiled =
          tile(rewriter, cast<TilingInterface>(target), sizes, order);
      if (failed(tiled))
        return;
      target = tiled->tiledOps.front();
    }
    rewriter.setInsertionPoint(target);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, target);
    if (succeeded(vectorized))
      rewriter.replaceOp(target, vectorized->replacements);
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // An op whose iteration space is empty (a dim of 0: a matmul with
    // K = 0, any op on an empty tensor) runs no iteration: its results
    // are its inits. Replaced first, so that no tiling below divides by a
    // zero extent.
    SmallVector<linalg::LinalgOp> empty;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() &&
          llvm::is_contained(op.getStaticLoopRanges(), 0))
        empty.push_back(op);
    });
    for (linalg::LinalgOp op : empty) {
      SmallVector<Value> inits;
      for (OpOperand &init : op.getDpsInitsMutable())
        inits.push_back(init.get());
      rewriter.replaceOp(op, inits);
    }
    // Ops made inside a thread's piece (of a padding or an im2col copy),
    // vectorized in place below.
    SmallVector<Operation *> pieceOps;
    // Depthwise convolutions as elementwise sums of shifted inputs; with
    // threads, a big one's padding made a group at a time in its pieces.
    SmallVector<linalg::Conv2DNgchwGfchwOp> depthwise;
    getOperation().walk(
        [&](linalg::Conv2DNgchwGfchwOp conv) { depthwise.push_back(conv); });
    for (linalg::Conv2DNgchwGfchwOp conv : depthwise) {
      FailureOr<linalg::GenericOp> generic = rewriteDepthwise(rewriter, conv);
      if (failed(generic))
        continue;
      FailureOr<linalg::GenericOp> fused =
          fuseIntoDepthwise(rewriter, *generic);
      linalg::GenericOp op = succeeded(fused) ? *fused : *generic;
      if (parallel && elementwiseWork(op) >= kParallelElements)
        (void)padDepthwisePieces(rewriter, op, pieceOps);
    }
    // Paddings as fills and a copy.
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads)
      (void)rewritePad(rewriter, pad, parallel, pieceOps);
    // 2-D convolutions as an im2col copy and a matrix multiplication
    // (filters x (C Kh Kw)) by ((C Kh Kw) x (Ho Wo)), which the kernel below
    // then runs.
    SmallVector<linalg::LinalgOp> convs;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (matchConv2D(op))
        convs.push_back(op);
    });
    for (linalg::LinalgOp conv : convs)
      if (failed(rewritePointwise(rewriter, conv)))
        (void)rewriteIm2Col(rewriter, conv, parallel, pieceOps);
    for (Operation *op : pieceOps)
      vectorizeElementwise(rewriter, cast<linalg::LinalgOp>(op),
                           /*split=*/false);
    // Pooling as elementwise combinations of taps.
    SmallVector<linalg::GenericOp> windows;
    getOperation().walk([&](linalg::GenericOp op) { windows.push_back(op); });
    for (linalg::GenericOp op : windows)
      (void)rewriteWindowReduction(rewriter, op);

    // An elementwise op that reads a contraction's result through an
    // expand_shape (a convolution's N x F x (Ho Wo) as N x F x Ho x Wo)
    // collapsed to read it directly, so that it can be the contraction's
    // epilogue.
    RewritePatternSet reshapes(&getContext());
    linalg::populateFoldReshapeOpsByCollapsingPatterns(
        reshapes, [](OpOperand *operand) {
          auto expand = operand->get().getDefiningOp<tensor::ExpandShapeOp>();
          auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
          auto producer =
              expand ? expand.getSrc().getDefiningOp<linalg::LinalgOp>()
                     : linalg::LinalgOp();
          return consumer && producer &&
                 consumer.getNumParallelLoops() == consumer.getNumLoops() &&
                 matchMatmul(producer, /*integers=*/true).has_value();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(reshapes))))
      return signalPassFailure();

    SmallVector<std::pair<linalg::LinalgOp, MatmulLoops>> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<MatmulLoops> loops =
              matchMatmul(op, /*integers=*/int8DotProducts))
        matmuls.push_back({op, *loops});
    });
    // One that does not tile or vectorize keeps its scalar loops.
    int64_t lanes = std::max<int64_t>(vectorBits / 32, 1);
    for (auto &[op, loops] : matmuls) {
      if (getElementTypeOrSelf(op.getDpsInits()[0].getType()).isInteger()) {
        tileDotProducts(rewriter, op, loops, /*bf16=*/false);
        continue;
      }
      if (bf16DotProducts && tileDotProducts(rewriter, op, loops,
                                             /*bf16=*/true))
        continue;
      linalg::LinalgOp kernel = asKernelContraction(rewriter, op, loops);
      for (linalg::LinalgOp part :
           splitRaggedColumns(rewriter, kernel, loops, lanes))
        if (std::optional<MatmulLoops> partLoops = matchMatmul(part))
          (void)tileAndVectorize(rewriter, part, *partLoops);
    }

    // Then the elementwise ops outside the kernels.
    SmallVector<linalg::LinalgOp> elementwise;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<scf::ForOp>() &&
          !op->getParentOfType<scf::ForallOp>())
        elementwise.push_back(op);
    });
    for (linalg::LinalgOp op : elementwise)
      vectorizeElementwise(rewriter, op);

    // Strided rows read contiguously and shuffled, in one walk: the
    // greedy driver below would first fold a copy's write of such a read
    // into a strided insert_slice, an element-by-element copy.
    RewritePatternSet strided(&getContext());
    strided.add<ReadStridedRowAsShuffle, CopyStridedRowAsShuffle>(&getContext(),
                                                                  lanes);
    walkAndApplyPatterns(getOperation(), std::move(strided));
    RewritePatternSet patterns(&getContext());
    // Register tiles forwarded to their readers (through the K loops'
    // pass-through iter_args) instead of kept in temporary buffers.
    patterns.add<ForwardWrittenVectors, AssembleWrittenTile>(&getContext());
    scf::ForOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
