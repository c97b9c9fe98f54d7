//===- ControlFlowOps.cpp - import of If and Loop -------------------------===//
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
#include "frontends/onnx/TensorBytes.h"

#include "dialects/aic/IR/AicOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// The one element of a one-element tensor (a scalar or [1]).
static Value extractScalar(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(type.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}

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
    // What aic does not support, or a limit it sets (docs/security.md),
    // fails the compile; other errors depend on the shapes at hand and
    // fail only a run that takes the branch.
    if (failed(outputs) &&
        (StringRef(message).contains("unsupported") ||
         StringRef(message).contains(::aic::onnx_tensor::kBeyondLimits))) {
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

  Value flag = extractScalar(b, loc, cond);
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
  SmallVector<std::optional<int64_t>> declaredRanks =
      ctx.declaredGraphOutputRanks();
  ifOp = buildIf(
      ctx, flag, declaredRanks.size(), "the graph",
      [&](OpBuilder &nb, int i) -> FailureOr<SmallVector<Value>> {
        FailureOr<SmallVector<Value>> outputs =
            ctx.importSubgraph(nb, *graphs[i]);
        if (failed(outputs))
          return failure();
        return ctx.importRestOfGraph(nb, *outputs);
      },
      mismatch, declaredRanks);
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

/// Whether `v` is a one-element tensor of element type `elementType`.
static bool isOneElement(Value v, Type elementType) {
  auto type = cast<RankedTensorType>(v.getType());
  return type.getElementType() == elementType && type.hasStaticShape() &&
         type.getNumElements() == 1;
}

/// Writes one iteration's `scan` value as row `i` (i64) of `buffer`
/// ([M, dims...], M = `trips`). Where its dims are known only at run time,
/// iteration 0 allocates the buffer with them and later ones must match
/// them (ONNX requires it): a run where they do not fails with `message`,
/// and the row is not written.
static Value writeScanRow(OpBuilder &b, Location loc, Value buffer, Value scan,
                          Value i, Value trips, StringRef message) {
  auto type = cast<RankedTensorType>(buffer.getType());
  int64_t rank = type.getRank();
  Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      sizes = {b.getIndexAttr(1)}, strides(rank, b.getIndexAttr(1));
  offsets[0] = row;
  llvm::append_range(sizes, tensor::getMixedSizes(b, loc, scan));
  auto insert = [&](OpBuilder &ib, Location il, Value into) -> Value {
    return tensor::InsertSliceOp::create(ib, il, scan, into, offsets, sizes,
                                         strides);
  };
  if (llvm::none_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return insert(b, loc, buffer);

  Value first = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, i,
      arith::ConstantOp::create(b, loc, i.getType(), b.getI64IntegerAttr(0)));
  auto yield = [](OpBuilder &yb, Location yl, Value v) {
    scf::YieldOp::create(yb, yl, v);
  };
  buffer = scf::IfOp::create(
               b, loc, first,
               [&](OpBuilder &tb, Location tl) {
                 SmallVector<Value> dims = {arith::IndexCastOp::create(
                     tb, tl, tb.getIndexType(), trips)};
                 for (int64_t d = 1; d < rank; ++d)
                   if (type.isDynamicDim(d))
                     dims.push_back(tensor::DimOp::create(tb, tl, scan, d - 1));
                 yield(tb, tl, tensor::EmptyOp::create(tb, tl, type, dims));
               },
               [&](OpBuilder &eb, Location el) { yield(eb, el, buffer); })
               .getResult(0);
  Value same;
  for (int64_t d = 1; d < rank; ++d) {
    if (!type.isDynamicDim(d))
      continue;
    Value eq =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                              tensor::DimOp::create(b, loc, buffer, d),
                              tensor::DimOp::create(b, loc, scan, d - 1));
    same = same ? arith::AndIOp::create(b, loc, same, eq).getResult() : eq;
  }
  CheckOp::create(b, loc,
                  tensor::FromElementsOp::create(
                      b, loc, RankedTensorType::get({}, b.getI1Type()), same),
                  b.getStringAttr(message));
  return scf::IfOp::create(
             b, loc, same,
             [&](OpBuilder &tb, Location tl) {
               yield(tb, tl, insert(tb, tl, buffer));
             },
             [&](OpBuilder &eb, Location el) { yield(eb, el, buffer); })
      .getResult(0);
}

/// Loop: scf.while carrying the iteration number, the condition, the
/// loop-carried values and one buffer of M rows per scan output. The body
/// is imported into the loop's after region (enclosing values in scope);
/// where it changes a carried value's static dims, it is imported again
/// with those dims dynamic. Scan outputs are the buffers' first rows, one
/// per iteration run.
static LogicalResult importLoop(NodeContext &ctx) {
  const onnx::GraphProto *body = ctx.graphAttr("body");
  if (!body) {
    ctx.emitError() << "expects a body graph";
    return failure();
  }
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  Type i64 = b.getI64Type(), i1 = b.getI1Type();
  Value maxTrips = ctx.operand(0), condition = ctx.operand(1);
  if ((maxTrips && !isOneElement(maxTrips, i64)) ||
      (condition && !isOneElement(condition, i1))) {
    ctx.emitError() << "expects a one-element int64 M and bool cond";
    return failure();
  }
  unsigned numCarried = ctx.numOperands() > 2 ? ctx.numOperands() - 2 : 0;
  SmallVector<Value> initial;
  for (unsigned i = 0; i < numCarried; ++i) {
    if (!ctx.operand(2 + i)) {
      ctx.emitError() << "expects loop-carried input " << i;
      return failure();
    }
    initial.push_back(ctx.operand(2 + i));
  }
  unsigned bodyInputs = numGraphInputs(*body),
           bodyOutputs = numGraphOutputs(*body);
  if (bodyInputs != numCarried + 2 || bodyOutputs < numCarried + 1) {
    ctx.emitError() << "expects a body of " << numCarried + 2
                    << " inputs and at least " << numCarried + 1
                    << " outputs, got " << bodyInputs << " and " << bodyOutputs;
    return failure();
  }
  unsigned numScans = bodyOutputs - 1 - numCarried;
  if (ctx.numResults() > numCarried + numScans) {
    ctx.emitError() << "has " << ctx.numResults() << " outputs, the body "
                    << numCarried + numScans;
    return failure();
  }
  if (numScans && !maxTrips) {
    ctx.emitError() << "unsupported: scan outputs without a trip count M";
    return failure();
  }

  Value trips =
      maxTrips ? extractScalar(b, loc, maxTrips)
               : arith::ConstantOp::create(
                     b, loc, i64,
                     b.getI64IntegerAttr(std::numeric_limits<int64_t>::max()));
  Value go = condition
                 ? extractScalar(b, loc, condition)
                 : arith::ConstantOp::create(b, loc, i1, b.getBoolAttr(true));
  Value zero = arith::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(0));
  SmallVector<Type> carriedTypes =
      llvm::to_vector(ValueRange(initial).getTypes());

  // The body, into the after region of a draft loop; again with dims made
  // dynamic until the carried types are stable.
  scf::WhileOp draft;
  SmallVector<Value> outputs;
  for (int attempt = 0;; ++attempt) {
    SmallVector<Type> types = {i64, i1};
    llvm::append_range(types, carriedTypes);
    draft = scf::WhileOp::create(b, loc, TypeRange{}, ValueRange{});
    Block *after = b.createBlock(&draft.getAfter(), {}, types,
                                 SmallVector<Location>(types.size(), loc));
    b.setInsertionPointAfter(draft);
    OpBuilder nb = OpBuilder::atBlockBegin(after);
    SmallVector<Value> inputs = {
        tensor::FromElementsOp::create(nb, loc, RankedTensorType::get({}, i64),
                                       after->getArgument(0)),
        tensor::FromElementsOp::create(nb, loc, RankedTensorType::get({}, i1),
                                       after->getArgument(1))};
    llvm::append_range(inputs, after->getArguments().drop_front(2));
    FailureOr<SmallVector<Value>> imported =
        ctx.importSubgraph(nb, *body, inputs);
    if (failed(imported)) {
      draft.erase();
      return failure();
    }
    outputs = std::move(*imported);
    bool stable = true;
    for (unsigned i = 0; i < numCarried; ++i) {
      Type out = outputs[1 + i].getType();
      FailureOr<Type> joined = joinBranchTypes(carriedTypes[i], out);
      if (failed(joined)) {
        draft.erase();
        ctx.emitError() << "unsupported: loop-carried value " << i << " is "
                        << carriedTypes[i] << " before the body and " << out
                        << " after it";
        return failure();
      }
      stable &= *joined == carriedTypes[i];
      carriedTypes[i] = *joined;
    }
    if (stable)
      break;
    draft.erase();
    if (attempt == 2) {
      ctx.emitError() << "unsupported: loop-carried shapes that do not settle";
      return failure();
    }
  }
  if (!isOneElement(outputs[0], i1)) {
    draft.erase();
    ctx.emitError() << "expects the body's first output to be a one-element "
                       "bool condition";
    return failure();
  }
  SmallVector<RankedTensorType> scanTypes;
  for (Value scan : ArrayRef(outputs).drop_front(1 + numCarried)) {
    auto type = cast<RankedTensorType>(scan.getType());
    SmallVector<int64_t> rows = {ShapedType::kDynamic};
    llvm::append_range(rows, type.getShape());
    scanTypes.push_back(type.clone(rows));
  }

  // Each iteration writes its scan values to row i of their buffers.
  Block *after = &draft.getAfter().front();
  for (RankedTensorType type : scanTypes)
    after->addArgument(type, loc);
  OpBuilder nb = OpBuilder::atBlockEnd(after);
  Value i = after->getArgument(0);
  SmallVector<Value> yields = {
      arith::AddIOp::create(
          nb, loc, i,
          arith::ConstantOp::create(nb, loc, i64, nb.getI64IntegerAttr(1))),
      extractScalar(nb, loc, outputs[0])};
  for (unsigned k = 0; k < numCarried; ++k) {
    Value v = outputs[1 + k];
    if (v.getType() != carriedTypes[k])
      v = tensor::CastOp::create(nb, loc, carriedTypes[k], v);
    yields.push_back(v);
  }
  for (unsigned k = 0; k < numScans; ++k)
    yields.push_back(writeScanRow(
        nb, loc, after->getArgument(2 + numCarried + k),
        outputs[1 + numCarried + k], i, trips,
        "scan output " + std::to_string(k) + " of '" + ctx.nodeName() +
            "' changes shape between iterations"));
  scf::YieldOp::create(nb, loc, yields);

  // Run while i < M and the condition holds. The scan buffers have M rows;
  // their dims known only at run time are 0 until the first iteration.
  SmallVector<Type> types = llvm::to_vector(after->getArgumentTypes());
  SmallVector<Value> inits = {zero, go};
  for (auto [v, type] : llvm::zip(initial, carriedTypes))
    inits.push_back(v.getType() == type
                        ? v
                        : tensor::CastOp::create(b, loc, type, v).getResult());
  for (RankedTensorType type : scanTypes) {
    SmallVector<Value> dims = {
        arith::IndexCastOp::create(b, loc, b.getIndexType(), trips)};
    for (int64_t d = 1; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dims.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    inits.push_back(tensor::EmptyOp::create(b, loc, type, dims));
  }
  auto loop = scf::WhileOp::create(b, loc, types, inits);
  loop.getAfter().takeBody(draft.getAfter());
  draft.erase();
  Block *before = b.createBlock(&loop.getBefore(), {}, types,
                                SmallVector<Location>(types.size(), loc));
  b.setInsertionPointToEnd(before);
  Value more = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                     before->getArgument(0), trips);
  scf::ConditionOp::create(
      b, loc, arith::AndIOp::create(b, loc, more, before->getArgument(1)),
      before->getArguments());
  b.setInsertionPointAfter(loop);

  // The scan outputs: the rows the iterations run wrote.
  SmallVector<Value> results(loop.getResults().slice(2, numCarried));
  Value ran =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), loop.getResult(0));
  for (auto [k, type] : llvm::enumerate(scanTypes)) {
    int64_t rank = type.getRank();
    Value buffer = loop.getResult(2 + numCarried + k);
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
        sizes = tensor::getMixedSizes(b, loc, buffer),
        strides(rank, b.getIndexAttr(1));
    sizes[0] = ran;
    results.push_back(tensor::ExtractSliceOp::create(b, loc, type, buffer,
                                                     offsets, sizes, strides));
  }
  ctx.setResults(results);
  return success();
}

void mlir::aic::onnx_import::registerControlFlowOps(OpRegistry &registry) {
  // Version 11 allows branches of different shapes, 13 and later add
  // sequence, optional and more tensor types.
  registry.on("If", {1, 11, 13, 16, 19, 21, 23, 24, 25}, 1, importIf);
  registry.on("Loop", {1, 11, 13, 16, 19, 21, 23, 24, 25}, 1, importLoop);
}
