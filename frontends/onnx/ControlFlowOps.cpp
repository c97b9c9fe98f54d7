//===- ControlFlowOps.cpp - import of If ----------------------------------===//
//
// If with a condition known at compile time imports only the branch taken
// (shape checks in exported graphs fold this way); with a condition known
// only at run time it becomes scf.if, each branch imported into its region
// with the enclosing values in scope, and results of differing static
// shapes joined into dynamic dims. A branch that cannot import on the
// shapes at hand fails the run (aic.check) if it is ever taken.
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
/// with dims that differ dynamic.
static FailureOr<Type> joinBranchTypes(NodeContext &ctx, unsigned i, Type a,
                                       Type b) {
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  if (ta.getElementType() != tb.getElementType() ||
      ta.getRank() != tb.getRank()) {
    ctx.emitError() << "unsupported: output " << i << " is " << a
                    << " in then_branch but " << b << " in else_branch";
    return failure();
  }
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return Type(ta.clone(shape));
}

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

  // Known condition: the branch taken, inline.
  DenseElementsAttr known;
  if (matchPattern(cond, m_Constant(&known))) {
    bool taken = *known.getValues<bool>().begin();
    FailureOr<SmallVector<Value>> outputs =
        ctx.importSubgraph(b, taken ? *thenGraph : *elseGraph);
    if (failed(outputs))
      return failure();
    ctx.setResults(*outputs);
    return success();
  }

  // Each branch into its own region; the results' types are known once
  // both are imported.
  SmallVector<Value> zeros(condType.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  Value flag = tensor::ExtractOp::create(b, loc, cond, zeros);
  auto draft = scf::IfOp::create(b, loc, TypeRange{}, flag,
                                 /*withElseRegion=*/true);
  // A branch that cannot import on these shapes (a model may only be
  // valid for inputs that never take it) fails the run where it is taken;
  // one that needs what aic lacks is a compile error, as elsewhere.
  SmallVector<SmallVector<Value>> branchOutputs;
  SmallVector<std::string> branchErrors;
  for (auto [graph, block] : {std::make_pair(thenGraph, draft.thenBlock()),
                              std::make_pair(elseGraph, draft.elseBlock())}) {
    OpBuilder nb = OpBuilder::atBlockBegin(block);
    std::string message;
    FailureOr<SmallVector<Value>> outputs = failure();
    {
      ScopedDiagnosticHandler capture(b.getContext(), [&](Diagnostic &d) {
        if (message.empty())
          message = d.str();
        return success();
      });
      outputs = ctx.importSubgraph(nb, *graph);
    }
    if (failed(outputs) && StringRef(message).contains("unsupported")) {
      draft.erase();
      ctx.emitError() << message;
      return failure();
    }
    branchOutputs.push_back(succeeded(outputs) ? std::move(*outputs)
                                               : SmallVector<Value>());
    branchErrors.push_back(failed(outputs) ? message : "");
  }
  if (!branchErrors[0].empty() && !branchErrors[1].empty()) {
    draft.erase();
    ctx.emitError() << "neither branch imports: " << branchErrors[0];
    return failure();
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
      (int64_t)branchOutputs[0].size() != ctx.numResults()) {
    ctx.emitError() << "expects both branches to have the node's "
                    << ctx.numResults() << " outputs";
    draft.erase();
    return failure();
  }
  SmallVector<Type> types;
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(branchOutputs[0], branchOutputs[1]))) {
    FailureOr<Type> joined = joinBranchTypes(
        ctx, i, std::get<0>(pair).getType(), std::get<1>(pair).getType());
    if (failed(joined)) {
      draft.erase();
      return failure();
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
  ctx.setResults(ifOp.getResults());
  return success();
}

void mlir::aic::onnx_import::registerControlFlowOps(OpRegistry &registry) {
  // Version 11 allows branches of different shapes, 13 and later add
  // sequence, optional and more tensor types.
  registry.on("If", {1, 11, 13, 16, 19, 21, 23, 24, 25}, 1, importIf);
}
