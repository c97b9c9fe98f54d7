//===- ConstantData.cpp - reading and making constant tensors -------------===//

#include "dialects/aic/IR/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

/// The value of `v`'s constant op (arith.constant, aic.constant), if any.
static Attribute constantValue(Value v) {
  Attribute value;
  if (!matchPattern(v, m_Constant(&value)))
    return {};
  return value;
}

std::optional<ArrayRef<char>> mlir::aic::constantBytes(Value v) {
  Attribute value = constantValue(v);
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!value || !type || type.getElementTypeBitWidth() % 8 != 0)
    return std::nullopt;
  std::optional<ArrayRef<char>> bytes;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    bytes = resource.getData();
  else if (auto dense = dyn_cast<DenseElementsAttr>(value);
           dense && !dense.isSplat())
    bytes = dense.getRawData();
  if (!bytes || (int64_t)bytes->size() !=
                    type.getNumElements() * type.getElementTypeBitWidth() / 8)
    return std::nullopt;
  return bytes;
}

std::optional<SmallVector<int64_t>>
mlir::aic::constantIntegers(Value v, bool isUnsigned) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isInteger())
    return std::nullopt;
  auto extend = [&](const APInt &value) {
    return isUnsigned ? (int64_t)value.getZExtValue() : value.getSExtValue();
  };
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(constantValue(v)))
    return llvm::map_to_vector(dense.getValues<APInt>(), extend);
  std::optional<ArrayRef<char>> bytes = constantBytes(v);
  unsigned width = type.getElementTypeBitWidth();
  if (!bytes || width > 64)
    return std::nullopt;
  SmallVector<int64_t> values;
  size_t size = width / 8;
  for (size_t at = 0; at < bytes->size(); at += size) {
    uint64_t raw = 0;
    std::memcpy(&raw, bytes->data() + at, size);
    values.push_back(extend(APInt(width, raw)));
  }
  return values;
}

std::optional<SmallVector<float>> mlir::aic::constantFloats(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(constantValue(v)))
    return llvm::to_vector(dense.getValues<float>());
  std::optional<ArrayRef<char>> bytes = constantBytes(v);
  if (!bytes)
    return std::nullopt;
  SmallVector<float> values(type.getNumElements());
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

DenseResourceElementsAttr mlir::aic::resourceElements(ShapedType type,
                                                      StringRef name,
                                                      ArrayRef<char> data) {
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(uint64_t));
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

Value mlir::aic::resourceConstant(OpBuilder &b, Location loc, ShapedType type,
                                  StringRef name, ArrayRef<char> data) {
  return arith::ConstantOp::create(b, loc, resourceElements(type, name, data));
}
