//===- ContractionOps.cpp - import of MatMul, Gemm, Conv and Attention ----===//
//
// Contractions: MatMul (numpy semantics), Gemm, Conv with its padding
// modes resolved into explicit pads, and Attention brought into the 4-D
// head layout of aic.attention.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include "dialects/aic/IR/AicOps.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

static LogicalResult importMatMul(NodeContext &ctx) {
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects 2 inputs";
    return failure();
  }
  return ctx.emitOp(MatMulOp::getOperationName(),
                    {ctx.operand(0), ctx.operand(1)});
}

static LogicalResult importGemm(NodeContext &ctx) {
  if (!ctx.operand(0) || !ctx.operand(1)) {
    ctx.emitError() << "expects inputs A and B";
    return failure();
  }
  FailureOr<float> alpha = ctx.floatAttr("alpha", 1.0f);
  FailureOr<float> beta = ctx.floatAttr("beta", 1.0f);
  FailureOr<int64_t> transA = ctx.intAttr("transA", 0);
  FailureOr<int64_t> transB = ctx.intAttr("transB", 0);
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  SmallVector<Value> operands = {ctx.operand(0), ctx.operand(1)};
  if (Value c = ctx.operand(2))
    operands.push_back(c);
  return ctx.emitOp(GemmOp::getOperationName(), operands,
                    {b.getNamedAttr("alpha", b.getF32FloatAttr(*alpha)),
                     b.getNamedAttr("beta", b.getF32FloatAttr(*beta)),
                     b.getNamedAttr("trans_a", b.getBoolAttr(*transA != 0)),
                     b.getNamedAttr("trans_b", b.getBoolAttr(*transB != 0))});
}

namespace {
/// The attributes Conv and ConvTranspose share, defaulted and checked.
struct ConvAttrs {
  SmallVector<int64_t> strides, dilations, pads, kernel;
  int64_t group;
  std::string autoPad;
};
} // namespace

/// Reads the shared Conv attributes for `input` and `weight`; the kernel
/// shape defaults to the weight's trailing dims and must agree with them.
static FailureOr<ConvAttrs> readConvAttrs(NodeContext &ctx, Value input,
                                          Value weight) {
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t rank = rankOf(input);
  if (rank < 3 || weightType.getRank() != rank) {
    ctx.emitError() << "expects X and W of equal rank >= 3, got rank " << rank
                    << " and " << weightType.getRank();
    return failure();
  }
  size_t spatial = rank - 2;
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  auto strides = ctx.intsAttr("strides", ones);
  auto dilations = ctx.intsAttr("dilations", ones);
  auto pads = ctx.intsAttr("pads", zeros);
  auto kernel =
      ctx.intsAttr("kernel_shape", weightType.getShape().drop_front(2));
  auto group = ctx.intAttr("group", 1);
  auto autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (failed(strides) || failed(dilations) || failed(pads) || failed(kernel) ||
      failed(group) || failed(autoPad))
    return failure();
  if (strides->size() != spatial || dilations->size() != spatial ||
      kernel->size() != spatial || pads->size() != 2 * spatial) {
    ctx.emitError() << "expects " << spatial
                    << " strides, dilations and kernel_shape entries and "
                    << 2 * spatial << " pads";
    return failure();
  }
  for (size_t i = 0; i < spatial; ++i) {
    int64_t fromWeight = weightType.getDimSize(i + 2);
    if (fromWeight != ShapedType::kDynamic && (*kernel)[i] != fromWeight) {
      ctx.emitError() << "kernel_shape disagrees with the weight's shape";
      return failure();
    }
  }
  return ConvAttrs{std::move(*strides),
                   std::move(*dilations),
                   std::move(*pads),
                   std::move(*kernel),
                   *group,
                   std::move(*autoPad)};
}

/// Creates `opName` (aic.conv, aic.conv_integer or aic.conv_transpose) of
/// `operands` with the attributes and `extra` ones.
static FailureOr<Value> createConvLike(NodeContext &ctx, StringRef opName,
                                       ArrayRef<Value> operands,
                                       const ConvAttrs &attrs,
                                       ArrayRef<NamedAttribute> extra = {}) {
  OpBuilder &b = ctx.getBuilder();
  SmallVector<NamedAttribute> named = {
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(attrs.strides)),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(attrs.dilations)),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(attrs.pads)),
      b.getNamedAttr("group", b.getI64IntegerAttr(attrs.group))};
  named.append(extra.begin(), extra.end());
  FailureOr<SmallVector<Value>> conv = ctx.createOp(opName, operands, named);
  if (failed(conv))
    return failure();
  return conv->front();
}

/// The node's Conv attributes for `input` and `weight`, auto_pad resolved.
static FailureOr<ConvAttrs> readResolvedConvAttrs(NodeContext &ctx, Value input,
                                                  Value weight) {
  FailureOr<ConvAttrs> attrs = readConvAttrs(ctx, input, weight);
  if (failed(attrs) ||
      failed(resolveAutoPad(
          ctx, attrs->autoPad, cast<RankedTensorType>(input.getType()),
          attrs->kernel, attrs->strides, attrs->dilations, attrs->pads)))
    return failure();
  return attrs;
}

FailureOr<Value> mlir::aic::onnx_import::buildConv(NodeContext &ctx,
                                                   Value input, Value weight,
                                                   Value bias) {
  FailureOr<ConvAttrs> attrs = readResolvedConvAttrs(ctx, input, weight);
  if (failed(attrs))
    return failure();
  SmallVector<Value> operands = {input, weight};
  if (bias)
    operands.push_back(bias);
  return createConvLike(ctx, ConvOp::getOperationName(), operands, *attrs);
}

FailureOr<Value> mlir::aic::onnx_import::buildConvInteger(NodeContext &ctx,
                                                          Value input,
                                                          Value weight,
                                                          Value inputZero,
                                                          Value weightZero) {
  FailureOr<ConvAttrs> attrs = readResolvedConvAttrs(ctx, input, weight);
  if (failed(attrs))
    return failure();
  SmallVector<Value> operands = {input, weight};
  for (Value zeroPoint : {inputZero, weightZero})
    if (zeroPoint)
      operands.push_back(zeroPoint);
  OpBuilder &b = ctx.getBuilder();
  return createConvLike(
      ctx, ConvIntegerOp::getOperationName(), operands, *attrs,
      {b.getNamedAttr("operandSegmentSizes",
                      b.getDenseI32ArrayAttr(
                          {1, 1, inputZero ? 1 : 0, weightZero ? 1 : 0}))});
}

static LogicalResult importConv(NodeContext &ctx) {
  Value input = ctx.operand(0), weight = ctx.operand(1), bias = ctx.operand(2);
  if (!input || !weight) {
    ctx.emitError() << "expects inputs X and W";
    return failure();
  }
  FailureOr<Value> conv = buildConv(ctx, input, weight, bias);
  if (failed(conv))
    return failure();
  ctx.setResults(*conv);
  return success();
}

/// ConvTranspose: auto_pad, output_shape and output_padding become the
/// (possibly negative) pads of aic.conv_transpose, as ONNX's shape formula
/// and ONNX Runtime compute them.
static LogicalResult importConvTranspose(NodeContext &ctx) {
  Value input = ctx.operand(0), weight = ctx.operand(1), bias = ctx.operand(2);
  if (!input || !weight) {
    ctx.emitError() << "expects inputs X and W";
    return failure();
  }
  FailureOr<ConvAttrs> attrs = readConvAttrs(ctx, input, weight);
  if (failed(attrs))
    return failure();
  size_t spatial = attrs->strides.size();
  auto outputPadding =
      ctx.intsAttr("output_padding", SmallVector<int64_t>(spatial, 0));
  auto outputShape = ctx.intsAttr("output_shape", {});
  if (failed(outputPadding) || failed(outputShape))
    return failure();
  if (outputPadding->size() != spatial ||
      (!outputShape->empty() && outputShape->size() != spatial &&
       outputShape->size() != spatial + 2)) {
    ctx.emitError() << "expects " << spatial
                    << " output_padding and output_shape entries";
    return failure();
  }
  StringRef autoPad = attrs->autoPad;
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER") {
    ctx.emitError() << "unknown auto_pad '" << autoPad << "'";
    return failure();
  }
  bool same = autoPad.starts_with("SAME");
  if (autoPad == "VALID")
    attrs->pads.assign(2 * spatial, 0);
  ArrayRef<int64_t> wanted = ArrayRef<int64_t>(*outputShape)
                                 .take_back(outputShape->empty() ? 0 : spatial);
  auto inputType = cast<RankedTensorType>(input.getType());
  for (size_t i = 0; i < spatial; ++i) {
    int64_t stride = attrs->strides[i];
    int64_t &begin = attrs->pads[i], &end = attrs->pads[i + spatial];
    if (wanted.empty() && !same) {
      end -= (*outputPadding)[i];
      continue;
    }
    int64_t size = inputType.getDimSize(i + 2);
    if (size == ShapedType::kDynamic) {
      ctx.emitError() << "unsupported: output_shape or auto_pad " << autoPad
                      << " on a spatial dim known only at run time";
      return failure();
    }
    int64_t target = wanted.empty() ? size * stride : wanted[i];
    int64_t total = stride * (size - 1) + (*outputPadding)[i] +
                    (attrs->kernel[i] - 1) * attrs->dilations[i] + 1 - target;
    int64_t half = llvm::divideFloorSigned(total, 2);
    begin = autoPad == "SAME_UPPER" ? half : total - half;
    end = total - begin - (*outputPadding)[i];
  }
  SmallVector<Value> operands = {input, weight};
  if (bias)
    operands.push_back(bias);
  FailureOr<Value> conv = createConvLike(
      ctx, ConvTransposeOp::getOperationName(), operands, *attrs);
  if (failed(conv))
    return failure();
  ctx.setResults(*conv);
  return success();
}

Value mlir::aic::onnx_import::scalarConstant(OpBuilder &b, Location loc,
                                             Type type, double value) {
  auto tensorType = RankedTensorType::get({}, type);
  Attribute element = isa<FloatType>(type)
                          ? Attribute(b.getFloatAttr(type, value))
                          : Attribute(b.getIntegerAttr(type, (int64_t)value));
  return ConstantOp::create(b, loc,
                            DenseElementsAttr::get(tensorType, element));
}

/// [B, S, H * D] -> [B, H, S, D] (ONNX Attention's 3-D inputs), or only
/// to [B, S, H, D] without `transpose`.
static FailureOr<Value> splitHeads(NodeContext &ctx, Value x, int64_t heads,
                                   bool transpose = true) {
  OpBuilder &b = ctx.getBuilder();
  Value shape = ConstantOp::create(
      b, ctx.getLoc(),
      DenseElementsAttr::get(RankedTensorType::get({4}, b.getI64Type()),
                             ArrayRef<int64_t>{0, 0, heads, -1}));
  FailureOr<SmallVector<Value>> split =
      ctx.createOp(ReshapeOp::getOperationName(), {x, shape});
  if (failed(split))
    return failure();
  if (!transpose)
    return split->front();
  FailureOr<SmallVector<Value>> transposed = ctx.createOp(
      TransposeOp::getOperationName(), split->front(),
      {b.getNamedAttr("perm", b.getDenseI64ArrayAttr({0, 2, 1, 3}))});
  if (failed(transposed))
    return failure();
  return transposed->front();
}

/// [B, H, S, D] -> [B, S, H * D], or [B, S, H, D] -> [B, S, H * D] without
/// `transpose`.
static FailureOr<Value> mergeHeads(NodeContext &ctx, Value x,
                                   bool transpose = true) {
  OpBuilder &b = ctx.getBuilder();
  if (transpose) {
    FailureOr<SmallVector<Value>> transposed = ctx.createOp(
        TransposeOp::getOperationName(), x,
        {b.getNamedAttr("perm", b.getDenseI64ArrayAttr({0, 2, 1, 3}))});
    if (failed(transposed))
      return failure();
    x = transposed->front();
  }
  Value shape = ConstantOp::create(
      b, ctx.getLoc(),
      DenseElementsAttr::get(RankedTensorType::get({3}, b.getI64Type()),
                             ArrayRef<int64_t>{0, 0, -1}));
  FailureOr<SmallVector<Value>> merged =
      ctx.createOp(ReshapeOp::getOperationName(), {x, shape});
  if (failed(merged))
    return failure();
  return merged->front();
}

/// The attention mask as an additive bias of `type`: booleans become 0
/// (attend) and -inf (masked), and a mask shorter than the keys is padded
/// with -inf.
static FailureOr<Value> maskToBias(NodeContext &ctx, Value mask, Type type,
                                   int64_t kvLength) {
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  double negInf = -std::numeric_limits<double>::infinity();
  auto maskType = cast<RankedTensorType>(mask.getType());
  if (maskType.getRank() == 0 || maskType.getRank() > 4) {
    ctx.emitError() << "expects an attn_mask of rank 1 to 4";
    return failure();
  }
  if (maskType.getElementType().isInteger(1)) {
    FailureOr<SmallVector<Value>> bias = ctx.createOp(
        WhereOp::getOperationName(), {mask, scalarConstant(b, loc, type, 0.0),
                                      scalarConstant(b, loc, type, negInf)});
    if (failed(bias))
      return failure();
    mask = bias->front();
  } else if (maskType.getElementType() != type) {
    ctx.emitError() << "expects a bool attn_mask or one of Q's element type";
    return failure();
  }
  int64_t last = maskType.getShape().back();
  if (last == ShapedType::kDynamic || kvLength == ShapedType::kDynamic ||
      last == kvLength || last == 1)
    return mask;
  if (last > kvLength) {
    ctx.emitError() << "attn_mask covers " << last << " keys, but there are "
                    << kvLength;
    return failure();
  }
  int64_t rank = maskType.getRank();
  SmallVector<int64_t> pads(2 * rank, 0);
  pads.back() = kvLength - last;
  return buildPad(ctx, mask, scalarConstant(b, loc, type, negInf), "constant",
                  pads);
}

/// Attention-23/24: Q, K, V in 4-D [B, H, S, D] or 3-D [B, S, H * D]
/// layout, an optional mask (bool or additive), an optional key/value cache
/// (past_key, past_value; returned extended as present_key, present_value)
/// and, since version 24, per-batch key counts (nonpad_kv_seqlen).
/// RotaryEmbedding: 3-D input [B, S, H * D] is viewed as [B, S, H, D];
/// position_ids, where given, pick the rows of the cos and sin caches.
static LogicalResult importRotaryEmbedding(NodeContext &ctx) {
  Value input = ctx.operand(0), cos = ctx.operand(1), sin = ctx.operand(2);
  Value positions = ctx.operand(3);
  if (!input || !cos || !sin) {
    ctx.emitError() << "expects inputs X, cos_cache and sin_cache";
    return failure();
  }
  FailureOr<int64_t> interleaved = ctx.intAttr("interleaved", 0);
  FailureOr<int64_t> heads = ctx.intAttr("num_heads", 0);
  FailureOr<int64_t> rotary = ctx.intAttr("rotary_embedding_dim", 0);
  if (failed(interleaved) || failed(heads) || failed(rotary))
    return failure();
  int64_t rank = rankOf(input);
  if (rank != 3 && rank != 4) {
    ctx.emitError() << "expects an input of rank 3 or 4, got " << rank;
    return failure();
  }
  if (rank == 3 && *heads <= 0) {
    ctx.emitError() << "expects num_heads for a 3-D input";
    return failure();
  }
  Value x = input;
  if (rank == 3) {
    FailureOr<Value> split =
        splitHeads(ctx, input, *heads, /*transpose=*/false);
    if (failed(split))
      return failure();
    x = *split;
  }
  if (positions) {
    for (Value *table : {&cos, &sin}) {
      FailureOr<SmallVector<Value>> taken =
          ctx.createOp(GatherOp::getOperationName(), {*table, positions},
                       {ctx.getBuilder().getNamedAttr(
                           "axis", ctx.getBuilder().getI64IntegerAttr(0))});
      if (failed(taken))
        return failure();
      *table = taken->front();
    }
  }
  OpBuilder &b = ctx.getBuilder();
  auto op = RotaryEmbeddingOp::create(
      b, ctx.getLoc(), x.getType(), x, cos, sin, b.getBoolAttr(rank == 4),
      b.getBoolAttr(*interleaved != 0), b.getI64IntegerAttr(*rotary));
  if (failed(ctx.verifyOp(op)))
    return failure();
  Value result = op.getResult();
  if (rank == 3) {
    FailureOr<Value> merged = mergeHeads(ctx, result, /*transpose=*/false);
    if (failed(merged))
      return failure();
    result = *merged;
  }
  ctx.setResults(result);
  return success();
}

static LogicalResult importAttention(NodeContext &ctx) {
  Value q = ctx.operand(0), k = ctx.operand(1), v = ctx.operand(2);
  Value mask = ctx.operand(3), pastKey = ctx.operand(4),
        pastValue = ctx.operand(5), kvLengths = ctx.operand(6);
  if (!q || !k || !v) {
    ctx.emitError() << "expects inputs Q, K and V";
    return failure();
  }
  if (!pastKey != !pastValue) {
    ctx.emitError() << "expects both past_key and past_value, or neither";
    return failure();
  }
  FailureOr<int64_t> isCausal = ctx.intAttr("is_causal", 0);
  FailureOr<int64_t> qHeads = ctx.intAttr("q_num_heads", 0);
  FailureOr<int64_t> kvHeads = ctx.intAttr("kv_num_heads", 0);
  FailureOr<int64_t> mode = ctx.intAttr("qk_matmul_output_mode", 0);
  FailureOr<float> softcap = ctx.floatAttr("softcap", 0.0f);
  // The softmax runs in f32 (or f64 for f64 inputs) whatever
  // softmax_precision asks, which is at least as precise.
  FailureOr<int64_t> precision = ctx.intAttr("softmax_precision", 1);
  if (failed(isCausal) || failed(qHeads) || failed(kvHeads) || failed(mode) ||
      failed(softcap) || failed(precision))
    return failure();
  auto qType = cast<RankedTensorType>(q.getType());
  int64_t rank = qType.getRank();
  if (rank != 3 && rank != 4) {
    ctx.emitError() << "expects 3-D or 4-D Q, got rank " << rank;
    return failure();
  }
  if (rankOf(k) != rank || rankOf(v) != rank) {
    ctx.emitError() << "expects Q, K and V of one rank";
    return failure();
  }
  if (rank == 3) {
    if (*qHeads <= 0 || *kvHeads <= 0) {
      ctx.emitError() << "expects q_num_heads and kv_num_heads for 3-D inputs";
      return failure();
    }
    FailureOr<Value> q4 = splitHeads(ctx, q, *qHeads);
    FailureOr<Value> k4 =
        failed(q4) ? FailureOr<Value>(failure()) : splitHeads(ctx, k, *kvHeads);
    FailureOr<Value> v4 =
        failed(k4) ? FailureOr<Value>(failure()) : splitHeads(ctx, v, *kvHeads);
    if (failed(v4))
      return failure();
    q = *q4, k = *k4, v = *v4;
  }
  OpBuilder &b = ctx.getBuilder();
  SmallVector<NamedAttribute> attrs;
  if (pastKey) {
    int64_t pastLength =
        cast<RankedTensorType>(pastKey.getType()).getRank() == 4
            ? cast<RankedTensorType>(pastKey.getType()).getDimSize(2)
            : -1;
    if (pastLength < 0) {
      ctx.emitError() << (pastLength == -1
                              ? "expects a 4-D past_key"
                              : "unsupported: past_key of a length known only "
                                "at run time");
      return failure();
    }
    auto concat = [&](Value past, Value current) -> FailureOr<Value> {
      FailureOr<SmallVector<Value>> r =
          ctx.createOp(ConcatOp::getOperationName(), {past, current},
                       {b.getNamedAttr("axis", b.getI64IntegerAttr(2))});
      if (failed(r))
        return failure();
      return r->front();
    };
    FailureOr<Value> presentKey = concat(pastKey, k);
    FailureOr<Value> presentValue =
        failed(presentKey) ? FailureOr<Value>(failure()) : concat(pastValue, v);
    if (failed(presentValue))
      return failure();
    k = *presentKey, v = *presentValue;
    attrs.push_back(
        b.getNamedAttr("past_length", b.getI64IntegerAttr(pastLength)));
  }
  auto headType = cast<RankedTensorType>(q.getType());
  Type et = headType.getElementType();
  double scale;
  if (ctx.hasAttr("scale")) {
    FailureOr<float> s = ctx.floatAttr("scale", 1.0f);
    if (failed(s))
      return failure();
    scale = *s;
  } else {
    int64_t headSize = headType.getDimSize(3);
    if (headSize == ShapedType::kDynamic || headSize == 0) {
      ctx.emitError() << "unsupported: a default scale for a head size known "
                         "only at run time";
      return failure();
    }
    scale = 1.0 / std::sqrt(static_cast<double>(headSize));
  }
  Value bias;
  if (mask) {
    FailureOr<Value> converted = maskToBias(
        ctx, mask, et, cast<RankedTensorType>(k.getType()).getDimSize(2));
    if (failed(converted))
      return failure();
    bias = *converted;
  }
  if (*mode < 0 || *mode > 3) {
    ctx.emitError() << "unsupported qk_matmul_output_mode " << *mode;
    return failure();
  }
  attrs.append({b.getNamedAttr("scale", b.getF32FloatAttr(scale)),
                b.getNamedAttr("softcap", b.getF32FloatAttr(*softcap)),
                b.getNamedAttr("is_causal", b.getBoolAttr(*isCausal != 0)),
                b.getNamedAttr("scores_mode", b.getI64IntegerAttr(*mode)),
                b.getNamedAttr("operandSegmentSizes",
                               b.getDenseI32ArrayAttr({1, 1, 1, bias ? 1 : 0,
                                                       kvLengths ? 1 : 0}))});
  SmallVector<Value> operands = {q, k, v};
  if (bias)
    operands.push_back(bias);
  if (kvLengths)
    operands.push_back(kvLengths);
  FailureOr<SmallVector<Value>> results =
      ctx.createOp(AttentionOp::getOperationName(), operands, attrs,
                   /*numResults=*/2);
  if (failed(results))
    return failure();
  if (failed(mlir::verify(results->front().getDefiningOp())))
    return failure();
  Value y = (*results)[0];
  if (rank == 3) {
    FailureOr<Value> merged = mergeHeads(ctx, y);
    if (failed(merged))
      return failure();
    y = *merged;
  }
  ctx.setResults({y, k, v, (*results)[1]});
  return success();
}

/// Einsum: the equation made explicit (the output letters when there is no
/// "->": those that appear once, sorted) and each "..." replaced by letters
/// for the dims it covers (aligned from the right across operands, as
/// numpy broadcasts them).
static LogicalResult importEinsum(NodeContext &ctx) {
  FailureOr<std::string> given = ctx.stringAttr("equation", "");
  if (failed(given))
    return failure();
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numOperands(); ++i)
    if (ctx.operand(i))
      inputs.push_back(ctx.operand(i));
  std::string equation;
  for (char c : *given)
    if (c != ' ')
      equation.push_back(c);
  StringRef eq(equation);
  auto [lhs, rhs] = eq.split("->");
  bool explicitOutput = eq.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != inputs.size() || inputs.empty()) {
    ctx.emitError() << "equation '" << *given << "' has " << terms.size()
                    << " terms for " << inputs.size() << " inputs";
    return failure();
  }
  // Letters for ellipsis dims: ones the equation does not use.
  std::string spare;
  for (char c = 'A'; c <= 'Z'; ++c)
    if (!eq.contains(c))
      spare.push_back(c);
  int64_t ellipsisRank = 0;
  SmallVector<std::string> expanded;
  for (auto [term, input] : llvm::zip(terms, inputs)) {
    int64_t named = term.size() - (term.contains("...") ? 3 : 0);
    int64_t covers = term.contains("...") ? rankOf(input) - named : 0;
    if (covers < 0 || (!term.contains("...") && named != rankOf(input)) ||
        covers > static_cast<int64_t>(spare.size())) {
      ctx.emitError() << "term '" << term << "' does not fit an input of rank "
                      << rankOf(input);
      return failure();
    }
    ellipsisRank = std::max(ellipsisRank, covers);
    std::string dims = spare.substr(spare.size() - covers);
    size_t at = term.find("...");
    expanded.push_back(
        at == StringRef::npos
            ? term.str()
            : (term.substr(0, at) + dims + term.substr(at + 3)).str());
  }
  std::string ellipsis = spare.substr(spare.size() - ellipsisRank);
  std::string output;
  if (explicitOutput) {
    size_t at = rhs.find("...");
    output = at == StringRef::npos
                 ? rhs.str()
                 : (rhs.substr(0, at) + ellipsis + rhs.substr(at + 3)).str();
  } else {
    std::string once;
    for (char c = 'a'; c <= 'z'; ++c)
      if (lhs.count(c) == 1)
        once.push_back(c);
    output = ellipsis + once;
  }
  std::string normalized = llvm::join(expanded, ",") + "->" + output;
  OpBuilder &b = ctx.getBuilder();
  return ctx.emitOp(EinsumOp::getOperationName(), inputs,
                    {b.getNamedAttr("equation", b.getStringAttr(normalized))});
}

void mlir::aic::onnx_import::registerContractionOps(OpRegistry &registry) {
  registry.on("MatMul", {1, 9, 13}, 1, importMatMul);
  // Gemm before 7 broadcast C only with a `broadcast` attribute; numpy's
  // unidirectional broadcasting from 7 covers both of its settings.
  registry.on("Gemm", {1, 6, 7, 9, 11, 13}, 1, importGemm);
  registry.on("Conv", {1, 11, 22}, 1, importConv);
  registry.on("ConvTranspose", {1, 11, 22}, 1, importConvTranspose);
  registry.on("Attention", {23, 24}, 23, importAttention);
  registry.on("RotaryEmbedding", {23}, 23, importRotaryEmbedding);
  registry.on("Einsum", {12}, 12, importEinsum);
}
