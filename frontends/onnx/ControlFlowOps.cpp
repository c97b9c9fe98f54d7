//===- ControlFlowOps.cpp - import of If ----------------------------------===//
//
// If with a condition known at compile time imports only the branch taken
// (shape checks in exported graphs fold this way); with a condition known
// only at run time it becomes scf.if, each branch imported into its region
// with the enclosing values in scope, and results of differing static
// shapes joined into dynamic dims. A branch that cannot import on the
// shapes at hand fails the run (aic.check) if it is ever taken. Branches
// whose results differ in rank version the rest of the graph: it is
// imported after each branch, and the If yields the graph's outputs.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// The type both branches' results fit: their shared element type and rank,
/// with dims that differ dynamic; failure where element type or rank differ.
static FailureOr<Type> joinBranchTypes(Type a, Type b) {
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  if (ta.getElementType() != tb.getElementType() ||
      ta.getRank() != tb.getRank())
    return failure();
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return Type(ta.clone(shape));
}

/// Imports one region of an If: its values (then = 0, else = 1), built at
/// b's insertion point.
using ImportBranch =
    function_ref<FailureOr<SmallVector<Value>>(OpBuilder &b, int branch)>;

/// The first of a pair of branch results that differ in element type or
/// rank: its index and types, for versioning or the error.
struct Mismatch {
  unsigned index;
  Type types[2];
};

/// scf.if(flag) with the values importBranch builds in each region as its
/// results, of types joined across the two. A branch that cannot import on
/// the shapes at hand (a model may only be valid for inputs that never take
/// it) fails the run where it is taken; one that needs what aic lacks is a
/// compile error, as elsewhere. Where results differ in rank, the branch
/// whose rank `declaredRanks` (the graph's own output types, when the
/// results are its outputs) rules out fails the run; where they still
/// differ in element type or rank, sets `mismatch` and returns null
/// without an error.
static FailureOr<scf::IfOp>
buildIf(NodeContext &ctx, Value flag, unsigned numResults, StringRef what,
        ImportBranch importBranch, std::optional<Mismatch> &mismatch,
        ArrayRef<std::optional<int64_t>> declaredRanks = {}) {
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  auto draft = scf::IfOp::create(b, loc, TypeRange{}, flag,
                                 /*withElseRegion=*/true);
  auto fail = [&] {
    draft.erase();
    return failure();
  };
  SmallVector<SmallVector<Value>> branchOutputs;
  SmallVector<std::string> branchErrors;
  for (int i = 0; i < 2; ++i) {
    OpBuilder nb =
        OpBuilder::atBlockBegin(i == 0 ? draft.thenBlock() : draft.elseBlock());
    std::string message;
    FailureOr<SmallVector<Value>> outputs = failure();
    {
      ScopedDiagnosticHandler capture(b.getContext(), [&](Diagnostic &d) {
        if (message.empty())
          message = d.str();
        return success();
      });
      outputs = importBranch(nb, i);
    }
    if (failed(outputs) && StringRef(message).contains("unsupported")) {
      ctx.emitError() << message;
      return fail();
    }
    branchOutputs.push_back(succeeded(outputs) ? std::move(*outputs)
                                               : SmallVector<Value>());
    branchErrors.push_back(failed(outputs) ? message : "");
  }
  if (!branchErrors[0].empty() && !branchErrors[1].empty()) {
    ctx.emitError() << "neither branch imports: " << branchErrors[0];
    return fail();
  }
  if (branchErrors[0].empty() && branchErrors[1].empty() &&
      branchOutputs[0].size() == branchOutputs[1].size()) {
    for (auto [k, declared] : llvm::enumerate(declaredRanks)) {
      if (!declared || k >= branchOutputs[0].size())
        continue;
      int64_t ranks[2];
      for (int i = 0; i < 2; ++i)
        ranks[i] =
            cast<RankedTensorType>(branchOutputs[i][k].getType()).getRank();
      for (int i = 0; i < 2; ++i)
        if (ranks[i] != *declared && ranks[1 - i] == *declared &&
            branchErrors[1 - i].empty())
          branchErrors[i] =
              ("graph output " + Twine(k) + " would have rank " +
               Twine(ranks[i]) + ", the graph declares " + Twine(*declared))
                  .str();
    }
    for (int i = 0; i < 2; ++i)
      if (!branchErrors[i].empty())
        branchOutputs[i].clear();
  }
  for (int i = 0; i < 2; ++i) {
    if (branchErrors[i].empty())
      continue;
    // The failing branch: a check that fails the run, and zeros of the
    // other branch's types (size 0 along its dynamic dims).
    Block *block = i == 0 ? draft.thenBlock() : draft.elseBlock();
    // Users before producers.
    while (&block->front() != block->getTerminator()) {
      Operation *last = block->getTerminator()->getPrevNode();
      last->dropAllUses();
      last->erase();
    }
    OpBuilder nb(block->getTerminator());
    for (Value other : branchOutputs[1 - i]) {
      auto type = cast<RankedTensorType>(other.getType());
      SmallVector<int64_t> shape(type.getShape());
      for (int64_t &d : shape)
        if (ShapedType::isDynamic(d))
          d = 0;
      auto zerosType = type.clone(shape);
      Value zeros = ConstantOp::create(
          nb, loc,
          DenseElementsAttr::get(zerosType,
                                 nb.getZeroAttr(type.getElementType())));
      if (zerosType != type)
        zeros = tensor::CastOp::create(nb, loc, type, zeros);
      branchOutputs[i].push_back(zeros);
    }
    Value never = ConstantOp::create(
        nb, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, nb.getI1Type()),
                               false));
    CheckOp::create(nb, loc, never,
                    nb.getStringAttr((i == 0 ? "then_branch" : "else_branch") +
                                     Twine(" of If cannot run on these "
                                           "shapes: ") +
                                     branchErrors[i]));
  }
  if (branchOutputs[0].size() != branchOutputs[1].size() ||
      branchOutputs[0].size() != numResults) {
    ctx.emitError() << "expects both branches to have " << what << "'s "
                    << numResults << " outputs";
    return fail();
  }
  SmallVector<Type> types;
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(branchOutputs[0], branchOutputs[1]))) {
    Type a = std::get<0>(pair).getType(), c = std::get<1>(pair).getType();
    FailureOr<Type> joined = joinBranchTypes(a, c);
    if (failed(joined)) {
      mismatch = Mismatch{(unsigned)i, {a, c}};
      draft.erase();
      return scf::IfOp();
    }
    types.push_back(*joined);
  }
  for (auto [block, outputs] :
       {std::make_pair(draft.thenBlock(), &branchOutputs[0]),
        std::make_pair(draft.elseBlock(), &branchOutputs[1])}) {
    OpBuilder nb(block->getTerminator());
    for (auto [output, type] : llvm::zip(*outputs, types))
      if (output.getType() != type)
        output = tensor::CastOp::create(nb, loc, type, output);
    block->getTerminator()->setOperands(*outputs);
  }
  auto ifOp = scf::IfOp::create(b, loc, types, flag, /*addThenBlock=*/false,
                                /*addElseBlock=*/false);
  ifOp.getThenRegion().takeBody(draft.getThenRegion());
  ifOp.getElseRegion().takeBody(draft.getElseRegion());
  draft.erase();
  return ifOp;
}

/// How many rank-changing Ifs may nest, each doubling the code after it.
static constexpr unsigned kMaxVersionDepth = 4;

static LogicalResult importIf(NodeContext &ctx) {
  Value cond = ctx.operand(0);
  const onnx::GraphProto *thenGraph = ctx.graphAttr("then_branch");
  const onnx::GraphProto *elseGraph = ctx.graphAttr("else_branch");
  if (!cond || !thenGraph || !elseGraph) {
    ctx.emitError() << "expects a condition and then_branch and else_branch "
                       "graphs";
    return failure();
  }
  auto condType = cast<RankedTensorType>(cond.getType());
  if (!condType.getElementType().isInteger(1) || !condType.hasStaticShape() ||
      condType.getNumElements() != 1) {
    ctx.emitError() << "expects a one-element bool condition, got " << condType;
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  const onnx::GraphProto *graphs[] = {thenGraph, elseGraph};

  // Known condition: the branch taken, inline.
  DenseElementsAttr known;
  if (matchPattern(cond, m_Constant(&known))) {
    bool taken = *known.getValues<bool>().begin();
    FailureOr<SmallVector<Value>> outputs =
        ctx.importSubgraph(b, *graphs[taken ? 0 : 1]);
    if (failed(outputs))
      return failure();
    ctx.setResults(*outputs);
    return success();
  }

  SmallVector<Value> zeros(condType.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  Value flag = tensor::ExtractOp::create(b, loc, cond, zeros);
  std::optional<Mismatch> mismatch;
  FailureOr<scf::IfOp> ifOp = buildIf(
      ctx, flag, ctx.numResults(), "the node",
      [&](OpBuilder &nb, int i) { return ctx.importSubgraph(nb, *graphs[i]); },
      mismatch);
  if (failed(ifOp))
    return failure();
  if (*ifOp) {
    ctx.setResults(ifOp->getResults());
    return success();
  }

  // Results whose rank (or element type) depends on the condition: the
  // rest of the graph is imported once per branch, each version with
  // static ranks, and the If yields the graph's outputs (versioning, as
  // compilers do for loops whose trip count decides the code).
  auto report = [&](const Mismatch &m) {
    ctx.emitError() << "unsupported: output " << m.index << " is " << m.types[0]
                    << " in then_branch but " << m.types[1]
                    << " in else_branch";
    return failure();
  };
  if (ctx.versionDepth() >= kMaxVersionDepth)
    return report(*mismatch);
  Mismatch branches = *mismatch;
  mismatch.reset();
  ifOp = buildIf(
      ctx, flag, ctx.graphOutputCount(), "the graph",
      [&](OpBuilder &nb, int i) -> FailureOr<SmallVector<Value>> {
        FailureOr<SmallVector<Value>> outputs =
            ctx.importSubgraph(nb, *graphs[i]);
        if (failed(outputs))
          return failure();
        return ctx.importRestOfGraph(nb, *outputs);
      },
      mismatch, ctx.declaredGraphOutputRanks());
  if (failed(ifOp))
    return failure();
  if (!*ifOp) {
    ctx.emitError() << "unsupported: graph output " << mismatch->index << " is "
                    << mismatch->types[0] << " after then_branch but "
                    << mismatch->types[1] << " after else_branch (output "
                    << branches.index << " is " << branches.types[0] << " and "
                    << branches.types[1] << ")";
    return failure();
  }
  ctx.setGraphResults(ifOp->getResults());
  return success();
}

void mlir::aic::onnx_import::registerControlFlowOps(OpRegistry &registry) {
  // Version 11 allows branches of different shapes, 13 and later add
  // sequence, optional and more tensor types.
  registry.on("If", {1, 11, 13, 16, 19, 21, 23, 24, 25}, 1, importIf);
}
