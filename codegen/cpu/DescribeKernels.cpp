//===- DescribeKernels.cpp - the aic-cpu-describe-kernels pass ------------===//
//
// Records each function's kernels (the loop nests and linalg ops in its
// block, after tiling), the ONNX nodes fused into each, the float
// operations its code executes and the bytes of the tensors it reads and
// writes, as the module's `aic.kernels` attribute, which aic-compile
// --report writes out.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_DESCRIBEKERNELSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
/// The elements of `type`: 1 for a scalar.
int64_t elementsOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getNumElements();
  return 1;
}

/// The float operations one execution of `op` does, not counting its
/// regions: a float arithmetic or math op's elements (those of its first
/// operand: a comparison's too), 2 per multiply-add of a contraction or
/// fma, a reduction's source elements; 0 for anything else.
int64_t ownFlops(Operation *op) {
  if (auto contract = dyn_cast<vector::ContractionOp>(op)) {
    SmallVector<int64_t> bounds;
    contract.getIterationBounds(bounds);
    int64_t product = 2;
    for (int64_t b : bounds)
      product *= b;
    return product;
  }
  if (auto fma = dyn_cast<vector::FMAOp>(op))
    return 2 * elementsOf(fma.getType());
  if (isa<vector::MultiDimReductionOp, vector::ReductionOp>(op))
    return elementsOf(op->getOperand(0).getType());
  if (isa<arith::ArithFastMathInterface>(op) && op->getNumOperands() > 0 &&
      isa<FloatType>(getElementTypeOrSelf(op->getOperand(0).getType())))
    return elementsOf(op->getOperand(0).getType());
  return 0;
}

/// The trip count of a loop (the product of an scf.forall's), where static;
/// 1 for an op that is no loop.
std::optional<int64_t> tripCount(Operation *op) {
  auto count = [](OpFoldResult lb, OpFoldResult ub,
                  OpFoldResult step) -> std::optional<int64_t> {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    return *u > *l ? (*u - *l + *s - 1) / *s : 0;
  };
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return count(loop.getLowerBound(), loop.getUpperBound(), loop.getStep());
  if (auto loop = dyn_cast<scf::ForallOp>(op)) {
    int64_t product = 1;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                   loop.getMixedStep())) {
      std::optional<int64_t> c = count(lb, ub, step);
      if (!c)
        return std::nullopt;
      product *= *c;
    }
    return product;
  }
  if (isa<LoopLikeOpInterface>(op))
    return std::nullopt;
  return 1;
}

/// The float operations `op` executes, its regions included (a linalg op:
/// its body's per iteration times its iterations); none where a trip count
/// is dynamic.
std::optional<int64_t> flopsOf(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (linalgOp.hasDynamicShape())
      return std::nullopt;
    int64_t perIteration = 0;
    for (Operation &inner : linalgOp.getBlock()->without_terminator())
      perIteration += ownFlops(&inner);
    int64_t iterations = 1;
    for (int64_t extent : linalgOp.getStaticLoopRanges())
      iterations *= extent;
    return perIteration * iterations;
  }
  std::optional<int64_t> trips = tripCount(op);
  if (!trips)
    return std::nullopt;
  int64_t inside = 0;
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps()) {
      std::optional<int64_t> flops = flopsOf(&inner);
      if (!flops)
        return std::nullopt;
      inside += *flops;
    }
  return ownFlops(op) + *trips * inside;
}

/// The bytes of a tensor with static dims (sub-byte elements take a byte,
/// as in the model ABI), or none.
std::optional<int64_t> bytesOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isIntOrFloat())
    return std::nullopt;
  return tensor.getNumElements() *
         llvm::divideCeil(tensor.getElementTypeBitWidth(), 8);
}

/// The bytes a kernel moves: those of the tensors it reads (defined outside
/// it: inputs, weights, other kernels' results; not the empty tensors its
/// results start from) and of those it makes; none where one's dims are
/// dynamic.
std::optional<int64_t> bytesMoved(ArrayRef<Operation *> kernel) {
  llvm::SmallPtrSet<Operation *, 8> parts(kernel.begin(), kernel.end());
  auto inKernel = [&](Operation *op) {
    for (; op; op = op->getParentOp())
      if (parts.contains(op))
        return true;
    return false;
  };
  llvm::SetVector<Value> tensors;
  for (Operation *part : kernel) {
    part->walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        if (isa<TensorType>(v.getType()) &&
            !isa_and_nonnull<tensor::EmptyOp>(v.getDefiningOp()) &&
            !inKernel(v.getParentBlock()->getParentOp()) &&
            !(v.getDefiningOp() && inKernel(v.getDefiningOp())))
          tensors.insert(v);
    });
    for (Value result : part->getResults())
      if (isa<TensorType>(result.getType()))
        tensors.insert(result);
  }
  int64_t bytes = 0;
  for (Value v : tensors) {
    std::optional<int64_t> b = bytesOf(v.getType());
    if (!b)
      return std::nullopt;
    bytes += *b;
  }
  return bytes;
}

/// Whether `op`, in a function's block, is part of a kernel: a loop, a
/// linalg op, or an op on vectors (a tile's read, arithmetic or write left
/// outside loops that had one iteration).
bool isKernelPart(Operation &op) {
  if (isa<LoopLikeOpInterface, linalg::LinalgOp>(op))
    return true;
  if (op.hasTrait<OpTrait::ConstantLike>())
    return false;
  auto vector = [](Type t) { return isa<VectorType>(t); };
  return llvm::any_of(op.getOperandTypes(), vector) ||
         llvm::any_of(op.getResultTypes(), vector);
}

struct DescribeKernelsPass
    : aic::cpu::impl::DescribeKernelsPassBase<DescribeKernelsPass> {
  /// The kernels of `func`: its block's kernel parts, grouped where one
  /// uses a value of another that is not a tensor (a vector in registers,
  /// not memory), in order.
  SmallVector<SmallVector<Operation *>> kernelsOf(func::FuncOp func) {
    SmallVector<Operation *> parts;
    for (Operation &op : func.getBody().front().without_terminator())
      if (isKernelPart(op))
        parts.push_back(&op);
    llvm::EquivalenceClasses<Operation *> groups;
    for (Operation *part : parts)
      groups.insert(part);
    for (Operation *part : parts)
      part->walk([&](Operation *inner) {
        for (Value v : inner->getOperands()) {
          Operation *def = v.getDefiningOp();
          if (def && !isa<TensorType>(v.getType()) &&
              def->getBlock() == part->getBlock() && groups.contains(def))
            groups.unionSets(part, def);
        }
      });
    SmallVector<SmallVector<Operation *>> kernels;
    DenseMap<Operation *, unsigned> index;
    for (Operation *part : parts) {
      Operation *leader = groups.getLeaderValue(part);
      auto [it, inserted] = index.try_emplace(leader, kernels.size());
      if (inserted)
        kernels.emplace_back();
      kernels[it->second].push_back(part);
    }
    return kernels;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    SmallVector<Attribute> kernels;
    module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return;
      for (ArrayRef<Operation *> kernel : kernelsOf(func)) {
        // The ONNX nodes: the names in the locations of its ops.
        llvm::SetVector<StringRef> nodes;
        bool parallel = false;
        std::optional<int64_t> flops = 0;
        for (Operation *part : kernel) {
          part->walk<WalkOrder::PreOrder>([&](Operation *inner) {
            parallel |= isa<scf::ForallOp>(inner);
            inner->getLoc()->walk([&](Location loc) {
              if (auto name = dyn_cast<NameLoc>(loc))
                nodes.insert(name.getName().getValue());
              return WalkResult::advance();
            });
          });
          std::optional<int64_t> partFlops = flopsOf(part);
          if (flops && partFlops)
            *flops += *partFlops;
          else
            flops.reset();
        }
        SmallVector<NamedAttribute> fields;
        SmallVector<Attribute> names;
        for (StringRef node : nodes)
          names.push_back(b.getStringAttr(node));
        fields.push_back(b.getNamedAttr("nodes", b.getArrayAttr(names)));
        if (flops)
          fields.push_back(
              b.getNamedAttr("flops", b.getI64IntegerAttr(*flops)));
        if (std::optional<int64_t> bytes = bytesMoved(kernel))
          fields.push_back(
              b.getNamedAttr("bytes", b.getI64IntegerAttr(*bytes)));
        fields.push_back(b.getNamedAttr("parallel", b.getBoolAttr(parallel)));
        kernels.push_back(b.getDictionaryAttr(fields));
      }
    });
    module->setAttr("aic.kernels", b.getArrayAttr(kernels));
  }
};
} // namespace
