//===- ModelInterface.h - a model's inputs, outputs, entry points -*- C++
//-*-===//
//
// What the C ABI of a model library (runtime/include/aic/model_abi.h)
// describes about a compiled graph: its name and, for each input and output,
// the ONNX name, element type and dims. aic-cpu-emit-model-abi turns it into
// the library's constant aic_model_info; aic-compile --emit-header into a C
// header with the model's typed entry point.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CPU_MODELINTERFACE_H
#define AIC_CODEGEN_CPU_MODELINTERFACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::aic::cpu {

/// The prefix of the versioned entry points a model library exports
/// (aic_model_v1_info, ...), and their suffixes, in the order model_abi.h
/// declares them.
inline constexpr llvm::StringLiteral kAbiPrefix = "aic_model_v1";
inline constexpr llvm::StringLiteral kEntryPoints[] = {
    "info", "run", "error", "set_num_threads", "free"};

/// One input or output of the graph.
struct TensorInterface {
  std::string name;
  /// ONNX TensorProto.DataType (aic_element_type).
  int32_t dataType = 0;
  /// The dims; ShapedType::kDynamic where known only at run time.
  llvm::SmallVector<int64_t> shape;
};

struct ModelInterface {
  std::string name;
  llvm::SmallVector<TensorInterface> inputs, outputs;
};

/// ONNX TensorProto.DataType of an element type, or 0 where it has none.
int32_t onnxDataType(Type type);

/// The name of the graph function the importer makes.
inline constexpr llvm::StringLiteral kGraphName = "main";

/// The graph function of `module`: `func.func @main` with a body, or null.
func::FuncOp lookupGraph(ModuleOp module);

/// Describes the graph of `module` (`@main`, with tensor or memref
/// arguments and results and the importer's aic.input_names and
/// aic.output_names); emits an error on the module where it cannot.
FailureOr<ModelInterface> describeModelInterface(ModuleOp module);

/// The LLVM lowering's descriptor of a memref of `rank`: allocated and
/// aligned pointers, offset, sizes, strides.
LLVM::LLVMStructType descriptorType(MLIRContext *ctx, int64_t rank);

/// A memref of `type` (identity layout) over the elements at `data` (an
/// !llvm.ptr): the LLVM lowering's descriptor, with `dynamicSizes[d]` (i64)
/// for each dynamic dim d (entries of static dims unused), cast to `type`;
/// the cast reconciles away after the lowering to LLVM.
Value buildMemRefFromPointer(OpBuilder &b, Location loc, Value data,
                             ArrayRef<Value> dynamicSizes, MemRefType type);

/// Whether `prefix` can start the model's C symbols (a C identifier).
bool isValidSymbolPrefix(StringRef prefix);

/// What the generated header declares besides the model's description.
struct HeaderOptions {
  /// The entry points' prefix (kAbiPrefix or aic-compile's --name).
  std::string prefix = kAbiPrefix.str();
  /// The model file the library was compiled from, and the library's file
  /// name (comments).
  std::string source, library = "model.a";
  /// Whether the library has the optional entry points.
  bool hasSetNumThreads = false;
  /// Whether a program linking the library also needs libomp.
  bool needsOpenMP = false;
};

/// Writes a self-describing C header for the library: the entry points with
/// `options.prefix`, each tensor's name, element type and dims as constants,
/// and `PREFIX_run_typed`, which takes one pointer per input and output.
void writeModelHeader(llvm::raw_ostream &os, const ModelInterface &model,
                      const HeaderOptions &options);

} // namespace mlir::aic::cpu

#endif // AIC_CODEGEN_CPU_MODELINTERFACE_H
