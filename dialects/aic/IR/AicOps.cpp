//===- AicOps.cpp - aic operations ----------------------------------------===//
//
// Type inference and folding of the aic operations. The shape rules live in
// ShapeInference.cpp; this file adapts them to each op's operands and
// attributes.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/IR/AicOps.h"
#include "dialects/aic/IR/ShapeInference.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::aic;

namespace {
/// Emits an error at `loc` when there is one; inference during parsing or
/// building may run without a location.
struct LocError {
  std::optional<Location> loc;
  InFlightDiagnostic operator()() const {
    return loc ? mlir::emitError(*loc) : InFlightDiagnostic();
  }
};
} // namespace

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Pushes `tensor<shape x elementType>` when `shape` was inferred.
static LogicalResult pushTensor(FailureOr<Shape> shape, Type elementType,
                                SmallVectorImpl<Type> &results) {
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

/// Result types are compatible when element types agree and shapes agree
/// wherever both are static; a pass may refine `?` dims.
static bool compatibleTensorTypes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    if (getElementTypeOrSelf(l) != getElementTypeOrSelf(r) ||
        failed(verifyCompatibleShape(l, r)))
      return false;
  }
  return true;
}

static std::optional<ArrayRef<int64_t>> optionalShape(Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

#define AIC_COMPATIBLE_RETURN_TYPES(Op)                                        \
  bool Op::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                 \
    return compatibleTensorTypes(l, r);                                        \
  }
AIC_COMPATIBLE_RETURN_TYPES(AddOp)
AIC_COMPATIBLE_RETURN_TYPES(SubOp)
AIC_COMPATIBLE_RETURN_TYPES(MulOp)
AIC_COMPATIBLE_RETURN_TYPES(DivOp)
AIC_COMPATIBLE_RETURN_TYPES(MatMulOp)
AIC_COMPATIBLE_RETURN_TYPES(GemmOp)
AIC_COMPATIBLE_RETURN_TYPES(ConvOp)
AIC_COMPATIBLE_RETURN_TYPES(ReshapeOp)
AIC_COMPATIBLE_RETURN_TYPES(TransposeOp)
AIC_COMPATIBLE_RETURN_TYPES(FlattenOp)
#undef AIC_COMPATIBLE_RETURN_TYPES

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferBinary(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  return pushTensor(inferBroadcastShape(shapeOf(adaptor.getLhs()),
                                        shapeOf(adaptor.getRhs()),
                                        LocError{loc}),
                    elementTypeOf(adaptor.getLhs()), results);
}

#define AIC_INFER_BINARY(Op)                                                   \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &results) {                                        \
    return inferBinary(loc, adaptor, results);                                 \
  }
AIC_INFER_BINARY(AddOp)
AIC_INFER_BINARY(SubOp)
AIC_INFER_BINARY(MulOp)
AIC_INFER_BINARY(DivOp)
#undef AIC_INFER_BINARY

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return pushTensor(inferMatMulShape(shapeOf(adaptor.getLhs()),
                                     shapeOf(adaptor.getRhs()), LocError{loc}),
                    elementTypeOf(adaptor.getLhs()), results);
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  return pushTensor(
      inferGemmShape(shapeOf(adaptor.getA()), shapeOf(adaptor.getB()),
                     optionalShape(adaptor.getC()), adaptor.getTransA(),
                     adaptor.getTransB(), LocError{loc}),
      elementTypeOf(adaptor.getA()), results);
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  return pushTensor(
      inferConvShape(shapeOf(adaptor.getInput()), shapeOf(adaptor.getWeight()),
                     optionalShape(adaptor.getBias()), adaptor.getStrides(),
                     adaptor.getDilations(), adaptor.getPads(),
                     adaptor.getGroup(), LocError{loc}),
      elementTypeOf(adaptor.getInput()), results);
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  Type elementType = elementTypeOf(adaptor.getInput());
  auto shapeType = cast<RankedTensorType>(adaptor.getShape().getType());
  DenseIntElementsAttr target;
  if (!matchPattern(adaptor.getShape(), m_Constant(&target))) {
    // Only the rank is known until the shape is.
    if (shapeType.isDynamicDim(0)) {
      if (loc)
        mlir::emitError(*loc) << "expects a shape operand of static length";
      return failure();
    }
    results.push_back(RankedTensorType::get(
        Shape(shapeType.getDimSize(0), ShapedType::kDynamic), elementType));
    return success();
  }
  Shape dims = llvm::to_vector(
      llvm::map_range(target.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
  return pushTensor(inferReshapeShape(shapeOf(adaptor.getInput()), dims,
                                      adaptor.getAllowzero(), LocError{loc}),
                    elementType, results);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return pushTensor(inferTransposeShape(shapeOf(adaptor.getInput()),
                                        adaptor.getPerm(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return pushTensor(inferFlattenShape(shapeOf(adaptor.getInput()),
                                      adaptor.getAxis(), LocError{loc}),
                    elementTypeOf(adaptor.getInput()), results);
}

#define GET_OP_CLASSES
#include "dialects/aic/IR/AicOps.cpp.inc"
