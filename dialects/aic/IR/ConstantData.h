//===- ConstantData.h - reading and making constant tensors -----*- C++ -*-===//
//
// The bytes of a tensor constant (dense elements or a resource blob, as the
// importer makes large weights), and constants made from bytes: what the
// passes that transform weights at compile time (transposes, packing,
// zero-point sums) share.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECTS_AIC_IR_CONSTANTDATA_H
#define AIC_DIALECTS_AIC_IR_CONSTANTDATA_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir::aic {

/// The bytes of the elements of `v`, a constant tensor (arith.constant,
/// aic.constant) of whole-byte elements, row-major; none for a splat, an
/// elided resource (printed IR read back) or what is not such a constant.
std::optional<ArrayRef<char>> constantBytes(Value v);

/// The elements of `v`, a constant tensor of f32 (a splat too); none where
/// `v` is not such a constant.
std::optional<SmallVector<float>> constantFloats(Value v);

/// The integer elements of `v`, a constant tensor of integers (a splat
/// too), sign- or zero-extended as `isUnsigned` says; none where `v` is
/// not such a constant.
std::optional<SmallVector<int64_t>> constantIntegers(Value v, bool isUnsigned);

/// Elements of `type` holding `data` (row-major bytes) as a resource named
/// `name`.
DenseResourceElementsAttr resourceElements(ShapedType type, StringRef name,
                                           ArrayRef<char> data);

/// An arith.constant of resourceElements(type, name, data).
Value resourceConstant(OpBuilder &b, Location loc, ShapedType type,
                       StringRef name, ArrayRef<char> data);

} // namespace mlir::aic

#endif // AIC_DIALECTS_AIC_IR_CONSTANTDATA_H
