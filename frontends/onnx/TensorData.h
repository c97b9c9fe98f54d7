//===- TensorData.h - ONNX tensors to MLIR attributes -----------*- C++ -*-===//
//
// Converts ONNX element types and TensorProtos (inline or in external data
// files) into MLIR types and elements attributes, checking every length,
// dimension and path on the way.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_FRONTENDS_ONNX_TENSORDATA_H
#define AIC_FRONTENDS_ONNX_TENSORDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

namespace onnx {
class TensorProto;
} // namespace onnx

namespace mlir::aic::onnx_import {

/// The MLIR element type of ONNX data type `dataType`, or null where aic
/// does not support it.
Type getElementType(MLIRContext *context, int32_t dataType);

/// The ONNX name of a data type ("FLOAT", "INT64", ...), for messages.
std::string getDataTypeName(int32_t dataType);

/// Imports `tensor`'s value. `modelDir` is the folder external data must lie
/// in. Small tensors become dense attributes (shape constants stay
/// foldable); larger ones dense resources named after the tensor. On error,
/// returns failure and sets `error`.
FailureOr<ElementsAttr> importTensorData(MLIRContext *context,
                                         const onnx::TensorProto &tensor,
                                         StringRef modelDir,
                                         std::string &error);

} // namespace mlir::aic::onnx_import

#endif // AIC_FRONTENDS_ONNX_TENSORDATA_H
