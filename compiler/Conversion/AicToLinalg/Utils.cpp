//===- Utils.cpp - builders shared by the aic to linalg patterns ----------===//
//
// Generic-op, broadcasting, empty-tensor and reshape builders used by every
// op family's lowering, and the signless type conversion they share.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::aic;

Type mlir::aic::toSignless(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.clone(toSignless(tensor.getElementType()));
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && !integer.isSignless())
    return IntegerType::get(type.getContext(), integer.getWidth());
  return type;
}

bool mlir::aic::isUnsignedElement(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

SignlessTypeConverter::SignlessTypeConverter() {
  addConversion([](Type type) { return toSignless(type); });
}

Value mlir::aic::buildEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                            ValueRange dynamicSizes) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

SmallVector<Value> mlir::aic::buildDynamicDims(OpBuilder &b, Location loc,
                                               Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<Value> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dims.push_back(tensor::DimOp::create(b, loc, value, d));
  return dims;
}

Value mlir::aic::buildWindowExtent(OpBuilder &b, Location loc, Value size,
                                   OpFoldResult kernel, int64_t stride,
                                   int64_t dilation, int64_t padBegin,
                                   int64_t padEnd) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // room = size + pads - span, span = dilation * (kernel - 1) + 1.
  Value room;
  if (std::optional<int64_t> k = getConstantIntValue(kernel)) {
    room = arith::AddIOp::create(
        b, loc, size, c(padBegin + padEnd - (dilation * (*k - 1) + 1)));
  } else {
    Value span =
        arith::MulIOp::create(b, loc, c(dilation), cast<Value>(kernel));
    room = arith::SubIOp::create(
        b, loc,
        arith::AddIOp::create(b, loc, size,
                              c(padBegin + padEnd + dilation - 1)),
        span);
  }
  Value fits =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, room, c(0));
  buildRunCheck(b, loc, fits,
                "'" + nodeName(loc) +
                    "' slides a window larger than its padded input (a dim "
                    "known only at run time)");
  Value steps = arith::DivSIOp::create(b, loc, room, c(stride));
  Value extent = arith::AddIOp::create(b, loc, steps, c(1));
  return arith::SelectOp::create(b, loc, fits, extent, c(0));
}

Value mlir::aic::buildZero(OpBuilder &b, Location loc, Type elementType) {
  return arith::ConstantOp::create(b, loc, elementType,
                                   b.getZeroAttr(elementType));
}

Value mlir::aic::buildParallelGeneric(OpBuilder &b, Location loc,
                                      ValueRange inputs,
                                      ArrayRef<AffineMap> inputMaps,
                                      RankedTensorType resultType,
                                      ValueRange dynamicSizes,
                                      const ScalarBodyFn &body) {
  unsigned rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = buildEmpty(b, loc, resultType, dynamicSizes);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

AffineMap mlir::aic::getBroadcastMap(RankedTensorType operand,
                                     RankedTensorType result) {
  MLIRContext *context = result.getContext();
  int64_t rank = result.getRank(), offset = rank - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    // A static 1 against a result dim that is not 1 broadcasts.
    bool broadcast =
        operand.getDimSize(i) == 1 && result.getDimSize(i + offset) != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, context)
                              : getAffineDimExpr(i + offset, context));
  }
  return AffineMap::get(rank, 0, exprs, context);
}

Value mlir::aic::buildGuarded(
    OpBuilder &b, Location loc, Value agree, StringRef message,
    RankedTensorType type, ValueRange dynamicSizes,
    function_ref<Value(OpBuilder &, Location)> compute) {
  if (!agree)
    return compute(b, loc);
  buildRunCheck(b, loc, agree, message);
  return scf::IfOp::create(
             b, loc, agree,
             [&](OpBuilder &tb, Location tl) {
               scf::YieldOp::create(tb, tl, compute(tb, tl));
             },
             [&](OpBuilder &eb, Location el) {
               scf::YieldOp::create(
                   eb, el,
                   linalg::FillOp::create(
                       eb, el, buildZero(eb, el, type.getElementType()),
                       buildEmpty(eb, el, type, dynamicSizes))
                       .getResult(0));
             })
      .getResult(0);
}

std::string mlir::aic::nodeName(Location loc) {
  if (auto named = dyn_cast<NameLoc>(loc))
    return named.getName().str();
  return "an op";
}

std::string mlir::aic::indexRangeMessage(Location loc) {
  return "'" + nodeName(loc) +
         "' has an index out of range (indices known only at run time)";
}

void mlir::aic::buildIndexRangeCheck(OpBuilder &b, Location loc, Value indices,
                                     Value extent) {
  if (matchPattern(indices, m_Constant()))
    return;
  auto type = cast<RankedTensorType>(indices.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(type.getRank(), zero), steps(type.getRank(), one), ubs;
  for (int64_t d = 0; d < type.getRank(); ++d)
    ubs.push_back(b.createOrFold<tensor::DimOp>(loc, indices, d));
  Value lowest = arith::SubIOp::create(b, loc, zero, extent);
  Value allTrue = arith::ConstantIntOp::create(b, loc, 1, 1);
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{allTrue},
      [&](OpBuilder &nb, Location l, ValueRange at,
          ValueRange sofar) -> scf::ValueVector {
        Value i = arith::IndexCastOp::create(
            nb, l, nb.getIndexType(),
            tensor::ExtractOp::create(nb, l, indices, at));
        Value above =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, i, lowest);
        Value below =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i, extent);
        return {arith::AndIOp::create(
            nb, l, sofar[0], arith::AndIOp::create(nb, l, above, below))};
      });
  buildRunCheck(b, loc, nest.results.front(), indexRangeMessage(loc));
}

Value mlir::aic::buildBroadcastElementwise(OpBuilder &b, Location loc,
                                           ValueRange inputs,
                                           RankedTensorType resultType,
                                           const ScalarBodyFn &body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        getBroadcastMap(cast<RankedTensorType>(input.getType()), resultType));
  // An input dim known only at run time may be 1 (broadcasting) or the
  // result's size; it is uncertain where the result's size does not simply
  // come from it (another input has a dim there that is not a static 1).
  auto inputDim = [&](Value input, int64_t d) -> int64_t {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t i = d - (rank - type.getRank());
    return i < 0 ? -1 : i;
  };
  SmallVector<std::pair<unsigned, int64_t>> uncertain; // (input, result dim)
  for (int64_t d = 0; d < rank; ++d) {
    unsigned contributors = 0;
    for (Value input : inputs) {
      int64_t i = inputDim(input, d);
      contributors +=
          i >= 0 && cast<RankedTensorType>(input.getType()).getDimSize(i) != 1;
    }
    for (auto [k, input] : llvm::enumerate(inputs)) {
      int64_t i = inputDim(input, d);
      if (i >= 0 && cast<RankedTensorType>(input.getType()).isDynamicDim(i) &&
          (contributors > 1 || !resultType.isDynamicDim(d)))
        uncertain.push_back({(unsigned)k, d});
    }
  }
  // Each dynamic result dim: the largest of the inputs' sizes there (a
  // broadcast dim is 1); without uncertain dims, the one input that has it.
  SmallVector<Value> dynamicSizes;
  SmallVector<Value> resultSizes(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d)) {
      resultSizes[d] =
          b.createOrFold<arith::ConstantIndexOp>(loc, resultType.getDimSize(d));
      continue;
    }
    Value size;
    for (Value input : inputs) {
      int64_t i = inputDim(input, d);
      if (i < 0 || cast<RankedTensorType>(input.getType()).getDimSize(i) == 1)
        continue;
      Value extent = tensor::DimOp::create(b, loc, input, i);
      size = !size ? extent
                   : (uncertain.empty()
                          ? size
                          : arith::MaxUIOp::create(b, loc, size, extent)
                                .getResult());
    }
    resultSizes[d] = size;
    dynamicSizes.push_back(size);
  }
  if (uncertain.empty()) {
    // An input's broadcast dims of 1 dropped (a collapse_shape, free), so
    // that every map is a projected permutation: a per-channel [C, 1, 1]
    // scale is read as [C] along its dim, which the codegen fuses into a
    // kernel's epilogue and reads as one splat per channel.
    SmallVector<Value> operands(inputs);
    for (auto [k, input] : llvm::enumerate(inputs)) {
      ArrayRef<AffineExpr> exprs = maps[k].getResults();
      if (llvm::none_of(exprs, llvm::IsaPred<AffineConstantExpr>))
        continue;
      SmallVector<ReassociationIndices> groups;
      ReassociationIndices pending;
      SmallVector<AffineExpr> kept;
      for (auto [i, e] : llvm::enumerate(exprs)) {
        pending.push_back(i);
        if (isa<AffineConstantExpr>(e))
          continue;
        groups.push_back(pending);
        pending.clear();
        kept.push_back(e);
      }
      if (!groups.empty())
        groups.back().append(pending.begin(), pending.end());
      operands[k] = tensor::CollapseShapeOp::create(b, loc, input, groups);
      maps[k] = AffineMap::get(rank, 0, kept, b.getContext());
    }
    return buildParallelGeneric(b, loc, operands, maps, resultType,
                                dynamicSizes, body);
  }

  // Checked at run time: every uncertain dim is 1 or the result's size.
  // Where all equal the result's size, the generic above runs; else one
  // that reads those inputs with indices clamped to their extents (which
  // broadcasts a dim of 1 and never reads out of bounds).
  Value allEqual, ok;
  SmallVector<Value> extents(uncertain.size());
  for (auto [n, entry] : llvm::enumerate(uncertain)) {
    auto [k, d] = entry;
    Value extent =
        tensor::DimOp::create(b, loc, inputs[k], inputDim(inputs[k], d));
    extents[n] = extent;
    Value equal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        extent, resultSizes[d]);
    Value one =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, extent,
                              arith::ConstantIndexOp::create(b, loc, 1));
    Value fits = arith::OrIOp::create(b, loc, equal, one);
    allEqual =
        allEqual ? arith::AndIOp::create(b, loc, allEqual, equal) : equal;
    ok = ok ? arith::AndIOp::create(b, loc, ok, fits) : fits;
  }
  buildRunCheck(b, loc, ok,
                "inputs of '" + nodeName(loc) +
                    "' do not broadcast: a dim known only at run time is "
                    "neither 1 nor the others' size");
  auto branch = scf::IfOp::create(
      b, loc, allEqual,
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(tb, tl,
                             buildParallelGeneric(tb, tl, inputs, maps,
                                                  resultType, dynamicSizes,
                                                  body));
      },
      [&](OpBuilder &eb, Location el) {
        // Inputs with uncertain dims are read in the body.
        SmallVector<bool> gathered(inputs.size(), false);
        for (auto [k, d] : uncertain)
          gathered[k] = true;
        SmallVector<Value> mapped;
        SmallVector<AffineMap> mappedMaps;
        for (auto [k, input] : llvm::enumerate(inputs))
          if (!gathered[k]) {
            mapped.push_back(input);
            mappedMaps.push_back(maps[k]);
          }
        Value result = buildParallelGeneric(
            eb, el, mapped, mappedMaps, resultType, dynamicSizes,
            [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
              SmallVector<Value> all;
              unsigned next = 0;
              for (auto [k, input] : llvm::enumerate(inputs)) {
                if (!gathered[k]) {
                  all.push_back(args[next++]);
                  continue;
                }
                auto type = cast<RankedTensorType>(input.getType());
                SmallVector<Value> at;
                for (int64_t i = 0; i < type.getRank(); ++i) {
                  int64_t d = i + (rank - type.getRank());
                  if (type.getDimSize(i) == 1) {
                    at.push_back(arith::ConstantIndexOp::create(nb, nl, 0));
                    continue;
                  }
                  Value index = linalg::IndexOp::create(nb, nl, d);
                  if (type.isDynamicDim(i)) {
                    Value last = arith::SubIOp::create(
                        nb, nl, tensor::DimOp::create(nb, nl, input, i),
                        arith::ConstantIndexOp::create(nb, nl, 1));
                    index = arith::MinUIOp::create(nb, nl, index, last);
                  }
                  at.push_back(index);
                }
                all.push_back(tensor::ExtractOp::create(nb, nl, input, at));
              }
              return body(nb, nl, all);
            });
        scf::YieldOp::create(eb, el, result);
      });
  return branch.getResult(0);
}

Value mlir::aic::buildReshape(OpBuilder &b, Location loc, Value input,
                              RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  // Collapse to 1-D (from rank 0: expand to [1]) ...
  Value flat = input;
  if (inputType.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, inputType.getElementType()), input,
        ArrayRef<ReassociationIndices>{});
  } else if (inputType.getRank() > 1) {
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, inputType.getRank()));
    flat = tensor::CollapseShapeOp::create(b, loc, input,
                                           ArrayRef<ReassociationIndices>{all});
  }
  // ... then expand to the result (to rank 0: collapse the [1]).
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, flat,
                                           ArrayRef<ReassociationIndices>{});
  if (resultType.getRank() == 1)
    return flat.getType() == resultType
               ? flat
               : tensor::CastOp::create(b, loc, resultType, flat).getResult();
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, resultType.getRank()));
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

SmallVector<ReassociationIndices>
mlir::aic::unitDimGroups(int64_t rank, ArrayRef<int64_t> unitDims) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(unitDims, d)) {
      if (groups.empty())
        leading.push_back(d);
      else
        groups.back().push_back(d);
      continue;
    }
    ReassociationIndices group = leading;
    leading.clear();
    group.push_back(d);
    groups.push_back(group);
  }
  return groups;
}

/// The map from the loops of `rank` to the dims that remain after reducing
/// `axes`.
AffineMap mlir::aic::keptDimsMap(int64_t rank, ArrayRef<int64_t> axes,
                                 MLIRContext *context) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

/// Reduces `inputs` (all of the first one's shape, or read through
/// `extraMaps`) over `axes` with `combine(args..., acc)` from `init`; the
/// result drops the reduced dims.
Value mlir::aic::buildReduce(OpBuilder &b, Location loc, ValueRange inputs,
                             ArrayRef<AffineMap> extraMaps,
                             ArrayRef<int64_t> axes, Value init,
                             CombineFn combine) {
  Value input = inputs.front();
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d))
      continue;
    shape.push_back(type.getDimSize(d));
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, d));
  }
  auto reducedType = RankedTensorType::get(shape, init.getType());
  Value acc = linalg::FillOp::create(
                  b, loc, init, buildEmpty(b, loc, reducedType, dynamicSizes))
                  .getResult(0);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  llvm::append_range(maps, extraMaps);
  maps.push_back(keptDimsMap(rank, axes, b.getContext()));
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(llvm::is_contained(axes, d)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, reducedType, inputs, acc, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args));
      });
  return generic.getResult(0);
}

/// Per dim of a rank-`rank` input, whether the run-time `axes` (1-D i64,
/// negative ones counting from the end) name it.
SmallVector<Value> mlir::aic::runtimeAxisFlags(OpBuilder &b, Location loc,
                                               Value axes, int64_t rank) {
  int64_t n = cast<RankedTensorType>(axes.getType()).getDimSize(0);
  Type i64 = b.getI64Type();
  auto c = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i64, v);
  };
  SmallVector<Value> named;
  for (int64_t k = 0; k < n; ++k) {
    Value a = tensor::ExtractOp::create(
        b, loc, axes, ValueRange{arith::ConstantIndexOp::create(b, loc, k)});
    Value negative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, c(0));
    named.push_back(arith::SelectOp::create(
        b, loc, negative, arith::AddIOp::create(b, loc, a, c(rank)), a));
  }
  SmallVector<Value> flags;
  for (int64_t d = 0; d < rank; ++d) {
    Value flag = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
    for (Value a : named)
      flag = arith::OrIOp::create(
          b, loc, flag,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, c(d)));
    flags.push_back(flag);
  }
  return flags;
}

Value mlir::aic::dropRuntimeUnitDims(OpBuilder &b, Location loc, Value reduced,
                                     ArrayRef<Value> flags,
                                     RankedTensorType type) {
  int64_t rank = flags.size(), kept = type.getRank();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> dims(kept, zero);
  Value position = zero;
  for (int64_t d = 0; d < rank; ++d) {
    Value size = tensor::DimOp::create(b, loc, reduced, d);
    Value keep = arith::XOrIOp::create(
        b, loc, flags[d],
        arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
    for (int64_t k = 0; k < kept; ++k) {
      Value here = arith::AndIOp::create(
          b, loc, keep,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, position,
                                arith::ConstantIndexOp::create(b, loc, k)));
      dims[k] = arith::SelectOp::create(b, loc, here, size, dims[k]);
    }
    position = arith::AddIOp::create(
        b, loc, position, arith::SelectOp::create(b, loc, keep, one, zero));
  }
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({kept}, b.getIndexType()), dims);
  return tensor::ReshapeOp::create(b, loc, type, reduced, shape);
}
