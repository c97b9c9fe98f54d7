//===- RecurrentOps.cpp - import of LSTM, GRU and RNN ---------------------===//
//
// Each becomes one aic op in ONNX's layout 0 (sequence first); layout 1
// (batch first) is transposed around it. Defaults are filled in here: the
// activations per direction (LSTM Sigmoid, Tanh, Tanh; GRU Sigmoid, Tanh;
// RNN Tanh) and the hidden size from R's shape where the attribute is
// absent.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// `value` with its dims permuted by `perm`, or failure (reported).
static FailureOr<Value> permute(NodeContext &ctx, Value value,
                                ArrayRef<int64_t> perm) {
  OpBuilder &b = ctx.getBuilder();
  FailureOr<SmallVector<Value>> transposed =
      ctx.createOp(TransposeOp::getOperationName(), value,
                   {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
  if (failed(transposed))
    return failure();
  return transposed->front();
}

/// Imports a recurrent op `OpTy` whose extra operands (after X, W, R, B,
/// sequence_lens, initial_h) are inputs 6.. (`extraStates` of them states
/// [D, B, H] transposed with layout 1), with `defaultActivations` per
/// direction and `extraAttrs` (from the node) appended.
template <typename OpTy>
static LogicalResult
importRecurrent(NodeContext &ctx, ArrayRef<StringRef> defaultActivations,
                unsigned numExtraOperands, unsigned extraStates,
                ArrayRef<NamedAttribute> extraAttrs) {
  Value x = ctx.operand(0), w = ctx.operand(1), r = ctx.operand(2);
  if (!x || !w || !r) {
    ctx.emitError() << "expects inputs X, W and R";
    return failure();
  }
  if (rankOf(x) != 3 || rankOf(r) != 3) {
    ctx.emitError() << "expects X and R of rank 3, got " << x.getType()
                    << " and " << r.getType();
    return failure();
  }
  FailureOr<std::string> direction = ctx.stringAttr("direction", "forward");
  FailureOr<int64_t> layout = ctx.intAttr("layout", 0);
  FailureOr<SmallVector<std::string>> activations =
      ctx.stringsAttr("activations");
  FailureOr<SmallVector<float>> alpha = ctx.floatsAttr("activation_alpha");
  FailureOr<SmallVector<float>> beta = ctx.floatsAttr("activation_beta");
  FailureOr<float> clip = ctx.floatAttr("clip", 0.0f);
  int64_t fromR = cast<RankedTensorType>(r.getType()).getDimSize(2);
  FailureOr<int64_t> hidden = ctx.intAttr("hidden_size", fromR);
  if (failed(direction) || failed(layout) || failed(activations) ||
      failed(alpha) || failed(beta) || failed(clip) || failed(hidden))
    return failure();
  if (*layout != 0 && *layout != 1) {
    ctx.emitError() << "expects layout 0 or 1, got " << *layout;
    return failure();
  }
  if (ShapedType::isDynamic(*hidden)) {
    ctx.emitError() << "unsupported: a hidden size known only at run time";
    return failure();
  }
  int64_t dirs = *direction == "bidirectional" ? 2 : 1;
  if (activations->empty())
    for (int64_t d = 0; d < dirs; ++d)
      for (StringRef name : defaultActivations)
        activations->push_back(name.str());

  // Layout 1 is batch first: [B, S, I] and states [B, D, H].
  SmallVector<Value> operands = {
      x, w, r, ctx.operand(3), ctx.operand(4), ctx.operand(5)};
  for (unsigned i = 0; i < numExtraOperands; ++i)
    operands.push_back(ctx.operand(6 + i));
  if (*layout == 1) {
    SmallVector<unsigned> batchFirst = {0, 5};
    for (unsigned i = 0; i < extraStates; ++i)
      batchFirst.push_back(6 + i);
    for (unsigned i : batchFirst) {
      if (!operands[i])
        continue;
      FailureOr<Value> t = permute(ctx, operands[i], {1, 0, 2});
      if (failed(t))
        return failure();
      operands[i] = *t;
    }
  }
  auto xType = cast<RankedTensorType>(operands[0].getType());
  int64_t seq = xType.getDimSize(0), batch = xType.getDimSize(1);
  Type et = xType.getElementType();
  auto stateType = RankedTensorType::get({dirs, batch, *hidden}, et);
  SmallVector<Type> resultTypes = {
      RankedTensorType::get({seq, dirs, batch, *hidden}, et), stateType};
  for (unsigned i = 0; i < extraStates; ++i)
    resultTypes.push_back(stateType);

  OpBuilder &b = ctx.getBuilder();
  SmallVector<Attribute> names;
  for (const std::string &name : *activations)
    names.push_back(b.getStringAttr(name));
  OperationState state(ctx.getLoc(), OpTy::getOperationName());
  SmallVector<int32_t> segments;
  for (Value v : operands) {
    segments.push_back(v ? 1 : 0);
    if (v)
      state.addOperands(v);
  }
  state.addTypes(resultTypes);
  state.addAttribute("operandSegmentSizes", b.getDenseI32ArrayAttr(segments));
  state.addAttribute("direction", b.getStringAttr(*direction));
  state.addAttribute("hidden_size", b.getI64IntegerAttr(*hidden));
  state.addAttribute("activations", b.getArrayAttr(names));
  state.addAttribute("activation_alpha", b.getF32ArrayAttr(*alpha));
  state.addAttribute("activation_beta", b.getF32ArrayAttr(*beta));
  if (ctx.hasAttr("clip"))
    state.addAttribute("clip", b.getF32FloatAttr(*clip));
  for (const NamedAttribute &attr : extraAttrs)
    state.addAttribute(attr.getName(), attr.getValue());
  Operation *op = b.create(state);
  if (failed(ctx.verifyOp(op)))
    return failure();
  SmallVector<Value> results(op->getResults());
  if (*layout == 1) {
    for (auto [i, result] : llvm::enumerate(results)) {
      FailureOr<Value> t = permute(ctx, result,
                                   i == 0 ? ArrayRef<int64_t>{2, 0, 1, 3}
                                          : ArrayRef<int64_t>{1, 0, 2});
      if (failed(t))
        return failure();
      result = *t;
    }
  }
  ctx.setResults(results);
  return success();
}

static LogicalResult importLstm(NodeContext &ctx) {
  FailureOr<int64_t> inputForget = ctx.intAttr("input_forget", 0);
  if (failed(inputForget))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  return importRecurrent<LstmOp>(
      ctx, {"Sigmoid", "Tanh", "Tanh"}, /*numExtraOperands=*/2,
      /*extraStates=*/1,
      {b.getNamedAttr("input_forget", b.getBoolAttr(*inputForget != 0))});
}

static LogicalResult importGru(NodeContext &ctx) {
  FailureOr<int64_t> linearBeforeReset = ctx.intAttr("linear_before_reset", 0);
  if (failed(linearBeforeReset))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  return importRecurrent<GruOp>(
      ctx, {"Sigmoid", "Tanh"}, 0, 0,
      {b.getNamedAttr("linear_before_reset",
                      b.getBoolAttr(*linearBeforeReset != 0))});
}

static LogicalResult importRnn(NodeContext &ctx) {
  return importRecurrent<RnnOp>(ctx, {"Tanh"}, 0, 0, {});
}

void mlir::aic::onnx_import::registerRecurrentOps(OpRegistry &registry) {
  // Version 14 adds `layout`; before 7 `output_sequence`.
  registry.on("LSTM", {1, 7, 14, 22}, 7, importLstm);
  registry.on("GRU", {1, 3, 7, 14, 22}, 7, importGru);
  registry.on("RNN", {1, 7, 14, 22}, 7, importRnn);
}
