//===- Importer.h - ONNX model importer -------------------------*- C++ -*-===//
//
// Reads an ONNX model (binary protobuf) and imports its graph as a
// `func.func @main` of aic operations.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_FRONTENDS_ONNX_IMPORTER_H
#define AIC_FRONTENDS_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::aic::onnx_import {

/// The newest ONNX opset whose operator versions aic knows.
constexpr int64_t kNewestKnownOpset = 28;

/// A node of the model's main graph, as aic-compile --report draws it.
struct GraphNode {
  /// The name the import's locations give it (its op type where unnamed).
  std::string name;
  std::string opType;
  std::vector<std::string> inputs, outputs;
};

/// An input of the model's main graph: its dims, with the name of each dim
/// the model leaves open ("" where it has none) and -1 in `dims`.
struct GraphInput {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<std::string> dimNames;
};

struct ImportOptions {
  /// Input dims to pin, by input name (`--shape NAME=1x3x224x224`); they
  /// replace symbolic and dynamic dims and must agree with static ones.
  /// A dynamic dim here (`?`) leaves that dim to run time, even where the
  /// model fixes it (a batch dim exported as 1, for server-side batching).
  llvm::StringMap<SmallVector<int64_t>> inputShapes;
  /// A folder of input_K.pb files: graph input K becomes a constant with
  /// that value (`--const-inputs`; the "constant inputs" test variant).
  std::string constInputsDir;
  /// A folder of input_K.pb files: graph input K takes that tensor's dims
  /// unless `inputShapes` names it (`--shapes-from`: specialize to sample
  /// inputs).
  std::string shapesFromDir;
  /// Makes every input dim symbolic (`--symbolic-dims`; the "dynamic
  /// shapes" test variant).
  bool symbolicDims = false;
  /// Where set, receive the main graph's nodes, in order, and its inputs
  /// (not initializers).
  std::vector<GraphNode> *graphNodes = nullptr;
  std::vector<GraphInput> *graphInputs = nullptr;
};

/// Imports the model at `path`. Errors are emitted as diagnostics, each one
/// line naming the node, op type and opset where there is one; a model with
/// unsupported operators yields one error that lists all of them.
OwningOpRef<ModuleOp> importOnnxFile(MLIRContext *context, StringRef path,
                                     const ImportOptions &options);

/// Imports a model from the bytes `data`; `path` names it in messages and
/// `modelDir` is the folder its external data must lie in (empty: external
/// data is refused).
OwningOpRef<ModuleOp> importOnnxBuffer(MLIRContext *context, StringRef data,
                                       StringRef path, StringRef modelDir,
                                       const ImportOptions &options);

/// Prints the operators aic imports and their versions as a Markdown table.
void printSupportedOps(llvm::raw_ostream &os);

/// Parses `NAME=D0xD1x...` into `options` (for `--shape`).
LogicalResult parseShapeOption(StringRef text, ImportOptions &options,
                               std::string &error);

} // namespace mlir::aic::onnx_import

#endif // AIC_FRONTENDS_ONNX_IMPORTER_H
