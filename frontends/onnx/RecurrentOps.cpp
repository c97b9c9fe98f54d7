//===- RecurrentOps.cpp - import of LSTM ----------------------------------===//
//
// LSTM becomes one aic.lstm in ONNX's layout 0 (sequence first); layout 1
// (batch first) is transposed around it. Defaults are filled in here: the
// activations (Sigmoid, Tanh, Tanh per direction) and the hidden size from
// R's shape where the attribute is absent.
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

static LogicalResult importLstm(NodeContext &ctx) {
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
  FailureOr<int64_t> inputForget = ctx.intAttr("input_forget", 0);
  FailureOr<SmallVector<std::string>> activations =
      ctx.stringsAttr("activations");
  FailureOr<SmallVector<float>> alpha = ctx.floatsAttr("activation_alpha");
  FailureOr<SmallVector<float>> beta = ctx.floatsAttr("activation_beta");
  FailureOr<float> clip = ctx.floatAttr("clip", 0.0f);
  int64_t fromR = cast<RankedTensorType>(r.getType()).getDimSize(2);
  FailureOr<int64_t> hidden = ctx.intAttr("hidden_size", fromR);
  if (failed(direction) || failed(layout) || failed(inputForget) ||
      failed(activations) || failed(alpha) || failed(beta) || failed(clip) ||
      failed(hidden))
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
      activations->append({"Sigmoid", "Tanh", "Tanh"});

  // Layout 1 is batch first: [B, S, I] and states [B, D, H].
  Value h0 = ctx.operand(5), c0 = ctx.operand(6);
  if (*layout == 1) {
    for (Value *v : {&x, &h0, &c0}) {
      if (!*v)
        continue;
      FailureOr<Value> t = permute(ctx, *v, {1, 0, 2});
      if (failed(t))
        return failure();
      *v = *t;
    }
  }
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t seq = xType.getDimSize(0), batch = xType.getDimSize(1);
  Type et = xType.getElementType();
  auto stateType = RankedTensorType::get({dirs, batch, *hidden}, et);

  OpBuilder &b = ctx.getBuilder();
  SmallVector<Attribute> names;
  for (const std::string &name : *activations)
    names.push_back(b.getStringAttr(name));
  auto lstm = LstmOp::create(
      b, ctx.getLoc(), RankedTensorType::get({seq, dirs, batch, *hidden}, et),
      stateType, stateType, x, w, r, ctx.operand(3), ctx.operand(4), h0, c0,
      ctx.operand(7), b.getStringAttr(*direction), b.getI64IntegerAttr(*hidden),
      b.getArrayAttr(names), b.getF32ArrayAttr(*alpha),
      b.getF32ArrayAttr(*beta),
      ctx.hasAttr("clip") ? b.getF32FloatAttr(*clip) : FloatAttr(),
      b.getBoolAttr(*inputForget != 0));
  if (failed(ctx.verifyOp(lstm)))
    return failure();
  SmallVector<Value> results(lstm.getResults());
  if (*layout == 1) {
    SmallVector<SmallVector<int64_t>> perms = {
        {2, 0, 1, 3}, {1, 0, 2}, {1, 0, 2}};
    for (auto [result, perm] : llvm::zip(results, perms)) {
      FailureOr<Value> t = permute(ctx, result, perm);
      if (failed(t))
        return failure();
      result = *t;
    }
  }
  ctx.setResults(results);
  return success();
}

void mlir::aic::onnx_import::registerRecurrentOps(OpRegistry &registry) {
  // Version 14 adds `layout`; before 7 `output_sequence`.
  registry.on("LSTM", {1, 7, 14, 22}, 7, importLstm);
}
