//===- ImportFuzzer.cpp - the ONNX importer on raw bytes ------------------===//
//
// libFuzzer target: any bytes as a model file. The importer must answer
// with a module or an error; external data is refused (no folder).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"
#include "test/fuzz/FuzzContext.h"

#include "mlir/IR/BuiltinOps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::aic::onnx_import::ImportOptions options;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::aic::onnx_import::importOnnxBuffer(
          &aic_fuzz::context(),
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.onnx", /*modelDir=*/"", options);
  return 0;
}
