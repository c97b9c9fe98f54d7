//===- ShapeInference.cpp - shape rules of the aic ops --------------------===//
//
// Shape rules shared by the aic ops' type inference. See ShapeInference.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/IR/ShapeInference.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::aic;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (d == kDynamic)
      os << '?';
    else
      os << d;
  });
  os << ']';
  return s;
}

std::optional<int64_t> mlir::aic::getNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (llvm::MulOverflow(n, d, n))
      return std::nullopt;
  }
  return n;
}

FailureOr<Shape> mlir::aic::inferBroadcastShape(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs,
                                                ErrorFn emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l == 1) {
      result[i] = r;
    } else if (r == 1) {
      result[i] = l;
    } else if (l == kDynamic || r == kDynamic) {
      // A dynamic dim against a static one > 1 must equal it at run time.
      result[i] = l == kDynamic ? r : l;
    } else if (l == r) {
      result[i] = l;
    } else {
      emitError() << "operands do not broadcast: " << shapeStr(lhs) << " vs "
                  << shapeStr(rhs);
      return failure();
    }
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferMatMulShape(ArrayRef<int64_t> lhs,
                                             ArrayRef<int64_t> rhs,
                                             ErrorFn emitError) {
  if (lhs.empty() || rhs.empty()) {
    emitError() << "expects operands of rank >= 1, got " << shapeStr(lhs)
                << " and " << shapeStr(rhs);
    return failure();
  }
  Shape a(lhs), b(rhs);
  bool dropM = a.size() == 1, dropN = b.size() == 1;
  if (dropM)
    a.insert(a.begin(), 1);
  if (dropN)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 != kDynamic && k2 != kDynamic && k1 != k2) {
    emitError() << "contraction dimensions differ: " << shapeStr(lhs) << " vs "
                << shapeStr(rhs);
    return failure();
  }
  FailureOr<Shape> batch = inferBroadcastShape(
      ArrayRef(a).drop_back(2), ArrayRef(b).drop_back(2), emitError);
  if (failed(batch))
    return failure();
  Shape result = *batch;
  if (!dropM)
    result.push_back(a[a.size() - 2]);
  if (!dropN)
    result.push_back(b.back());
  return result;
}

FailureOr<std::pair<Shape, Shape>> mlir::aic::inferAttentionShapes(
    ArrayRef<int64_t> query, ArrayRef<int64_t> key, ArrayRef<int64_t> value,
    std::optional<ArrayRef<int64_t>> bias, ErrorFn emitError) {
  if (query.size() != 4 || key.size() != 4 || value.size() != 4) {
    emitError() << "expects 4-D query, key and value, got " << shapeStr(query)
                << ", " << shapeStr(key) << " and " << shapeStr(value);
    return failure();
  }
  auto differ = [](int64_t a, int64_t b) {
    return a != kDynamic && b != kDynamic && a != b;
  };
  if (differ(query[0], key[0]) || differ(key[0], value[0]) ||
      differ(key[1], value[1]) || differ(key[2], value[2]) ||
      differ(query[3], key[3])) {
    emitError() << "query " << shapeStr(query) << ", key " << shapeStr(key)
                << " and value " << shapeStr(value)
                << " disagree on batch, kv heads, kv length or head size";
    return failure();
  }
  if (query[1] != kDynamic && key[1] != kDynamic &&
      (key[1] == 0 || query[1] % key[1] != 0)) {
    emitError() << "expects the " << query[1]
                << " query heads to be a multiple of the " << key[1]
                << " key/value heads";
    return failure();
  }
  Shape output = {query[0], query[1], query[2], value[3]};
  Shape scores = {query[0], query[1], query[2], key[2]};
  if (bias) {
    if (bias->size() > 4) {
      emitError() << "expects a bias of rank <= 4, got " << shapeStr(*bias);
      return failure();
    }
    FailureOr<Shape> broadcast = inferBroadcastShape(scores, *bias, emitError);
    if (failed(broadcast))
      return failure();
    for (auto [s, b] : llvm::zip(scores, *broadcast))
      if (differ(s, b)) {
        emitError() << "bias " << shapeStr(*bias)
                    << " does not broadcast to the scores " << shapeStr(scores);
        return failure();
      }
  }
  return std::make_pair(output, scores);
}

FailureOr<Shape> mlir::aic::inferGemmShape(ArrayRef<int64_t> a,
                                           ArrayRef<int64_t> b,
                                           std::optional<ArrayRef<int64_t>> c,
                                           bool transA, bool transB,
                                           ErrorFn emitError) {
  if (a.size() != 2 || b.size() != 2) {
    emitError() << "expects 2-D A and B, got " << shapeStr(a) << " and "
                << shapeStr(b);
    return failure();
  }
  int64_t m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1];
  int64_t kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
  if (ka != kDynamic && kb != kDynamic && ka != kb) {
    emitError() << "contraction dimensions differ: " << ka << " vs " << kb;
    return failure();
  }
  Shape result{m, n};
  if (c) {
    if (c->size() > 2) {
      emitError() << "expects C of rank <= 2, got " << shapeStr(*c);
      return failure();
    }
    for (size_t i = 0; i < c->size(); ++i) {
      int64_t dim = (*c)[i], want = result[2 - c->size() + i];
      if (dim != 1 && dim != kDynamic && want != kDynamic && dim != want) {
        emitError() << "C of shape " << shapeStr(*c)
                    << " does not broadcast to " << shapeStr(result);
        return failure();
      }
    }
  }
  return result;
}

/// The checks Conv and ConvTranspose share: ranks, attribute counts, group.
static LogicalResult
checkConvOperands(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  ArrayRef<int64_t> pads, int64_t group, ErrorFn emitError) {
  if (input.size() < 3 || weight.size() != input.size()) {
    emitError() << "expects input and weight of equal rank >= 3, got "
                << shapeStr(input) << " and " << shapeStr(weight);
    return failure();
  }
  size_t spatial = input.size() - 2;
  if (strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial) {
    emitError() << "expects " << spatial << " strides and dilations and "
                << 2 * spatial << " pads, got " << strides.size() << ", "
                << dilations.size() << " and " << pads.size();
    return failure();
  }
  if (group < 1) {
    emitError() << "expects group >= 1, got " << group;
    return failure();
  }
  return success();
}

/// A convolution's bias: one value per output channel (`filters`).
static LogicalResult checkConvBias(std::optional<ArrayRef<int64_t>> bias,
                                   int64_t filters, ErrorFn emitError) {
  if (bias &&
      (bias->size() != 1 || ((*bias)[0] != kDynamic && filters != kDynamic &&
                             (*bias)[0] != filters))) {
    emitError() << "expects bias of shape [" << filters << "], got "
                << shapeStr(*bias);
    return failure();
  }
  return success();
}

FailureOr<Shape>
mlir::aic::inferConvShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                          std::optional<ArrayRef<int64_t>> bias,
                          ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                          int64_t group, ErrorFn emitError) {
  if (failed(checkConvOperands(input, weight, strides, dilations, pads, group,
                               emitError)))
    return failure();
  size_t spatial = input.size() - 2;
  int64_t channels = input[1], filters = weight[0];
  if (filters != kDynamic && filters % group != 0) {
    emitError() << "expects output channels " << filters
                << " divisible by group " << group;
    return failure();
  }
  if (channels != kDynamic && weight[1] != kDynamic &&
      channels != weight[1] * group) {
    emitError() << "input has " << channels << " channels but weight expects "
                << weight[1] << " x group " << group;
    return failure();
  }
  if (failed(checkConvBias(bias, filters, emitError)))
    return failure();
  Shape result{input[0], filters};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t stride = strides[i], dilation = dilations[i];
    int64_t padBegin = pads[i], padEnd = pads[i + spatial];
    if (stride < 1 || dilation < 1 || padBegin < 0 || padEnd < 0) {
      emitError() << "expects positive strides and dilations and "
                     "non-negative pads";
      return failure();
    }
    int64_t size = input[i + 2], kernel = weight[i + 2];
    if (size == kDynamic || kernel == kDynamic) {
      result.push_back(kDynamic);
      continue;
    }
    int64_t span = dilation * (kernel - 1) + 1;
    int64_t padded = size + padBegin + padEnd;
    if (padded < span) {
      emitError() << "kernel of extent " << span
                  << " does not fit the padded input of extent " << padded;
      return failure();
    }
    result.push_back((padded - span) / stride + 1);
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferConvTransposeShape(
    ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
    std::optional<ArrayRef<int64_t>> bias, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads, int64_t group,
    ErrorFn emitError) {
  if (failed(checkConvOperands(input, weight, strides, dilations, pads, group,
                               emitError)))
    return failure();
  size_t spatial = input.size() - 2;
  int64_t channels = input[1];
  if (channels != kDynamic && weight[0] != kDynamic && channels != weight[0]) {
    emitError() << "input has " << channels << " channels but weight expects "
                << weight[0];
    return failure();
  }
  int64_t weightChannels = weight[0] != kDynamic ? weight[0] : channels;
  if (weightChannels != kDynamic && weightChannels % group != 0) {
    emitError() << "expects input channels " << weightChannels
                << " divisible by group " << group;
    return failure();
  }
  int64_t filters = weight[1] == kDynamic ? kDynamic : weight[1] * group;
  if (failed(checkConvBias(bias, filters, emitError)))
    return failure();
  Shape result{input[0], filters};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t stride = strides[i], dilation = dilations[i];
    if (stride < 1 || dilation < 1) {
      emitError() << "expects positive strides and dilations";
      return failure();
    }
    int64_t size = input[i + 2], kernel = weight[i + 2];
    if (size == kDynamic || kernel == kDynamic) {
      result.push_back(kDynamic);
      continue;
    }
    int64_t extent = stride * (size - 1) + dilation * (kernel - 1) + 1 -
                     pads[i] - pads[i + spatial];
    if (size < 1 || extent < 1) {
      emitError() << "pads leave no output along spatial dim " << i;
      return failure();
    }
    result.push_back(extent);
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferReshapeShape(ArrayRef<int64_t> input,
                                              ArrayRef<int64_t> target,
                                              bool allowZero,
                                              ErrorFn emitError) {
  Shape result;
  int64_t inferIndex = -1;
  for (auto [i, dim] : llvm::enumerate(target)) {
    if (dim == -1) {
      if (inferIndex >= 0) {
        emitError() << "expects at most one -1 in the target shape "
                    << shapeStr(target);
        return failure();
      }
      inferIndex = i;
      result.push_back(kDynamic);
    } else if (dim == 0 && !allowZero) {
      if (i >= input.size()) {
        emitError() << "target shape " << shapeStr(target)
                    << " copies dimension " << i << " of rank-" << input.size()
                    << " input";
        return failure();
      }
      result.push_back(input[i]);
    } else if (dim < 0) {
      emitError() << "invalid dimension " << dim << " in target shape";
      return failure();
    } else {
      result.push_back(dim);
    }
  }
  std::optional<int64_t> inCount = getNumElements(input);
  SmallVector<int64_t> known(result);
  if (inferIndex >= 0)
    known.erase(known.begin() + inferIndex);
  std::optional<int64_t> outCount = getNumElements(known);
  if (!inCount || !outCount)
    return result; // Checked at run time.
  if (inferIndex >= 0) {
    if (*outCount == 0 || *inCount % *outCount != 0) {
      emitError() << "cannot reshape " << shapeStr(input) << " to "
                  << shapeStr(target);
      return failure();
    }
    result[inferIndex] = *inCount / *outCount;
  } else if (*inCount != *outCount) {
    emitError() << "cannot reshape " << shapeStr(input) << " (" << *inCount
                << " elements) to " << shapeStr(target) << " (" << *outCount
                << " elements)";
    return failure();
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferTransposeShape(ArrayRef<int64_t> input,
                                                ArrayRef<int64_t> perm,
                                                ErrorFn emitError) {
  if (perm.size() != input.size()) {
    emitError() << "expects a permutation of " << input.size() << " dims, got "
                << perm.size();
    return failure();
  }
  SmallVector<bool> seen(input.size(), false);
  Shape result;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(input.size()) || seen[p]) {
      emitError() << "perm " << shapeStr(perm) << " is not a permutation";
      return failure();
    }
    seen[p] = true;
    result.push_back(input[p]);
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferFlattenShape(ArrayRef<int64_t> input,
                                              int64_t axis, ErrorFn emitError) {
  if (axis < 0 || axis > static_cast<int64_t>(input.size())) {
    emitError() << "expects axis in [0, " << input.size() << "], got " << axis;
    return failure();
  }
  auto product = [](ArrayRef<int64_t> dims) -> int64_t {
    std::optional<int64_t> n = getNumElements(dims);
    return n ? *n : kDynamic;
  };
  return Shape{product(input.take_front(axis)),
               product(input.drop_front(axis))};
}

/// Checks that `axes` are sorted, distinct and below `rank`.
static LogicalResult checkAxes(ArrayRef<int64_t> axes, int64_t rank,
                               ErrorFn emitError) {
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank || (i > 0 && axes[i - 1] >= axis)) {
      emitError() << "expects sorted, distinct axes in [0, " << rank
                  << "), got " << shapeStr(axes);
      return failure();
    }
  }
  return success();
}

FailureOr<Shape> mlir::aic::inferReduceShape(ArrayRef<int64_t> input,
                                             ArrayRef<int64_t> axes,
                                             bool keepDims, ErrorFn emitError) {
  if (failed(checkAxes(axes, input.size(), emitError)))
    return failure();
  Shape result;
  for (auto [i, dim] : llvm::enumerate(input)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(dim);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferRuntimeAxesReduceShape(ArrayRef<int64_t> input,
                                                        int64_t numAxes,
                                                        bool keepDims,
                                                        ErrorFn emitError) {
  int64_t rank = input.size();
  if (numAxes == kDynamic || numAxes < 1 || numAxes > rank) {
    emitError() << "expects between 1 and " << rank
                << " axes known only at run time, got "
                << (numAxes == kDynamic ? std::string("?")
                                        : std::to_string(numAxes));
    return failure();
  }
  if (!keepDims)
    return Shape(rank - numAxes, kDynamic);
  Shape result;
  for (int64_t d : input)
    result.push_back(d == 1 ? 1 : kDynamic);
  return result;
}

FailureOr<Shape> mlir::aic::inferRuntimeAxesReshapeShape(
    ArrayRef<int64_t> input, int64_t numAxes, bool insert, ErrorFn emitError) {
  int64_t rank = input.size();
  if (numAxes == kDynamic || numAxes < 1 || (!insert && numAxes > rank)) {
    emitError() << "expects a known, non-zero number of axes known only at "
                   "run time";
    return failure();
  }
  return Shape(insert ? rank + numAxes : rank - numAxes, kDynamic);
}

std::optional<int64_t>
mlir::aic::getPooledExtent(int64_t size, int64_t kernel, int64_t stride,
                           int64_t dilation, int64_t padBegin, int64_t padEnd,
                           bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = size + padBegin + padEnd;
  if (padded < span)
    return std::nullopt;
  int64_t extent = ceilMode ? llvm::divideCeil(padded - span, stride) + 1
                            : (padded - span) / stride + 1;
  // A window may not start in the end padding.
  if (ceilMode && (extent - 1) * stride >= size + padBegin)
    --extent;
  return extent;
}

FailureOr<Shape> mlir::aic::inferPoolShape(ArrayRef<int64_t> input,
                                           ArrayRef<int64_t> kernel,
                                           ArrayRef<int64_t> strides,
                                           ArrayRef<int64_t> dilations,
                                           ArrayRef<int64_t> pads,
                                           bool ceilMode, ErrorFn emitError) {
  if (input.size() < 3) {
    emitError() << "expects an input of rank >= 3, got " << shapeStr(input);
    return failure();
  }
  size_t spatial = input.size() - 2;
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial || pads.size() != 2 * spatial) {
    emitError() << "expects " << spatial
                << " kernel, stride and dilation entries and " << 2 * spatial
                << " pads";
    return failure();
  }
  Shape result{input[0], input[1]};
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 ||
        pads[i + spatial] < 0 || pads[i] >= kernel[i] * dilations[i] ||
        pads[i + spatial] >= kernel[i] * dilations[i]) {
      emitError() << "expects positive kernel, strides and dilations, and "
                     "pads smaller than the kernel";
      return failure();
    }
    if (input[i + 2] == kDynamic) {
      result.push_back(kDynamic);
      continue;
    }
    std::optional<int64_t> extent =
        getPooledExtent(input[i + 2], kernel[i], strides[i], dilations[i],
                        pads[i], pads[i + spatial], ceilMode);
    if (!extent) {
      emitError() << "the window does not fit the padded input "
                  << shapeStr(input);
      return failure();
    }
    result.push_back(*extent);
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferConcatShape(ArrayRef<ArrayRef<int64_t>> inputs,
                                             int64_t axis, ErrorFn emitError) {
  if (inputs.empty()) {
    emitError() << "expects at least one input";
    return failure();
  }
  Shape result(inputs.front());
  if (axis < 0 || axis >= static_cast<int64_t>(result.size())) {
    emitError() << "expects axis in [0, " << result.size() << "), got " << axis;
    return failure();
  }
  result[axis] = 0;
  for (ArrayRef<int64_t> in : inputs) {
    if (in.size() != result.size()) {
      emitError() << "expects inputs of equal rank, got " << shapeStr(in)
                  << " and " << shapeStr(inputs.front());
      return failure();
    }
    for (size_t d = 0; d < in.size(); ++d) {
      if (static_cast<int64_t>(d) == axis) {
        result[d] = result[d] == kDynamic || in[d] == kDynamic
                        ? kDynamic
                        : result[d] + in[d];
      } else if (result[d] == kDynamic) {
        result[d] = in[d];
      } else if (in[d] != kDynamic && in[d] != result[d]) {
        emitError() << "inputs differ outside the axis: " << shapeStr(in)
                    << " vs " << shapeStr(inputs.front());
        return failure();
      }
    }
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferSqueezeShape(ArrayRef<int64_t> input,
                                              ArrayRef<int64_t> axes,
                                              bool insert, ErrorFn emitError) {
  int64_t rank = input.size() + (insert ? axes.size() : 0);
  if (failed(checkAxes(axes, rank, emitError)))
    return failure();
  Shape result;
  if (insert) {
    auto in = input.begin();
    for (int64_t d = 0; d < rank; ++d)
      result.push_back(llvm::is_contained(axes, d) ? 1 : *in++);
    return result;
  }
  for (auto [d, dim] : llvm::enumerate(input)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(d))) {
      result.push_back(dim);
    } else if (dim != 1 && dim != kDynamic) {
      emitError() << "cannot squeeze dim " << d << " of size " << dim;
      return failure();
    }
  }
  return result;
}

FailureOr<Shape> mlir::aic::inferGatherShape(ArrayRef<int64_t> data,
                                             ArrayRef<int64_t> indices,
                                             int64_t axis, ErrorFn emitError) {
  if (axis < 0 || axis >= static_cast<int64_t>(data.size())) {
    emitError() << "expects axis in [0, " << data.size() << "), got " << axis;
    return failure();
  }
  Shape result(data.take_front(axis));
  llvm::append_range(result, indices);
  llvm::append_range(result, data.drop_front(axis + 1));
  return result;
}

std::pair<int64_t, int64_t> mlir::aic::clampSlice(int64_t extent, int64_t start,
                                                  int64_t end, int64_t step) {
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += extent;
    return step > 0 ? std::clamp<int64_t>(v, 0, extent)
                    : std::clamp<int64_t>(v, -1, extent - 1);
  };
  start = clampIndex(start);
  end = clampIndex(end);
  int64_t size = step > 0
                     ? std::max<int64_t>(0, (end - start + step - 1) / step)
                     : std::max<int64_t>(0, (start - end - step - 1) / -step);
  return {size ? start : 0, size};
}

FailureOr<Shape> mlir::aic::inferSliceShape(ArrayRef<int64_t> input,
                                            ArrayRef<int64_t> starts,
                                            ArrayRef<int64_t> sizes,
                                            ArrayRef<int64_t> steps,
                                            ErrorFn emitError) {
  size_t rank = input.size();
  if (starts.size() != rank || sizes.size() != rank || steps.size() != rank) {
    emitError() << "expects one start, size and step per dim (" << rank << ")";
    return failure();
  }
  for (size_t d = 0; d < rank; ++d) {
    if (steps[d] == 0 || sizes[d] < 0) {
      emitError() << "expects non-zero steps and non-negative sizes";
      return failure();
    }
    if (input[d] == kDynamic || sizes[d] == 0)
      continue;
    int64_t last = starts[d] + (sizes[d] - 1) * steps[d];
    if (starts[d] < 0 || starts[d] >= input[d] || last < 0 ||
        last >= input[d]) {
      emitError() << "slice of dim " << d << " leaves [0, " << input[d] << ")";
      return failure();
    }
  }
  return Shape(sizes);
}

FailureOr<Shape> mlir::aic::inferTileShape(ArrayRef<int64_t> input,
                                           ArrayRef<int64_t> repeats,
                                           ErrorFn emitError) {
  if (repeats.size() != input.size()) {
    emitError() << "expects " << input.size() << " repeats, got "
                << repeats.size();
    return failure();
  }
  Shape result;
  for (auto [dim, n] : llvm::zip(input, repeats)) {
    if (n < 0) {
      emitError() << "expects non-negative repeats";
      return failure();
    }
    result.push_back(dim == kDynamic ? kDynamic : dim * n);
  }
  return result;
}
