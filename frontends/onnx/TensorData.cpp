//===- TensorData.cpp - ONNX tensors to MLIR attributes -------------------===//
//
// TensorProto decoding: element types, inline typed and raw data, and
// external data files confined to the model's folder.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/TensorData.h"
#include "frontends/onnx/TensorBytes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

Type mlir::aic::onnx_import::getElementType(MLIRContext *context,
                                            int32_t dataType) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  // The 8-bit floats (newer than Debian's ONNX enum).
  case 17:
    return b.getType<Float8E4M3FNType>();
  case 18:
    return b.getType<Float8E4M3FNUZType>();
  case 19:
    return b.getType<Float8E5M2Type>();
  case 20:
    return b.getType<Float8E5M2FNUZType>();
  case 23:
    return b.getType<Float4E2M1FNType>();
  case 24:
    return b.getType<Float8E8M0FNUType>();
  // The packed sub-byte integers (newer than Debian's ONNX enum).
  case 21:
    return b.getIntegerType(4, /*isSigned=*/false);
  case 22:
    return b.getIntegerType(4);
  case 25:
    return b.getIntegerType(2, /*isSigned=*/false);
  case 26:
    return b.getIntegerType(2);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  default:
    return nullptr;
  }
}

std::string mlir::aic::onnx_import::getDataTypeName(int32_t dataType) {
  return ::aic::onnx_tensor::dataTypeName(dataType);
}

static std::string sanitizeName(StringRef name) {
  std::string out;
  for (char c : name)
    out.push_back(llvm::isAlnum(c) ? c : '_');
  if (out.empty() || llvm::isDigit(out[0]))
    out.insert(0, "t_");
  return out;
}

FailureOr<ElementsAttr> mlir::aic::onnx_import::importTensorData(
    MLIRContext *context, const onnx::TensorProto &tensor, StringRef modelDir,
    std::string &error) {
  Type elementType = getElementType(context, tensor.data_type());
  if (!elementType) {
    error = "unsupported element type " + getDataTypeName(tensor.data_type());
    return failure();
  }
  std::vector<char> bytes;
  if (!::aic::onnx_tensor::decodeTensor(tensor, modelDir.str(), bytes, error))
    return failure();

  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(dims, elementType);
  // Bools and small tensors (shape operands, scalars) stay inline so that
  // folders and matchers see their values; weights become resources.
  if (elementType.isInteger(1)) {
    SmallVector<bool> values(bytes.begin(), bytes.end());
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }
  if (type.getNumElements() <= 64)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, bytes));
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t));
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, sanitizeName(tensor.name().empty() ? "constant" : tensor.name()),
      std::move(blob)));
}
