//===- Quantization.h - aic-compile --quantize ------------------*- C++ -*-===//
//
// Calibration (the float model run on sample inputs to measure the ranges
// of the activations aic-quantize quantizes) and the accuracy of the
// quantized library against the float model, both by compiling and running
// model libraries through libaic_runtime.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TOOLS_AIC_COMPILE_QUANTIZATION_H
#define AIC_TOOLS_AIC_COMPILE_QUANTIZATION_H

#include "tools/aic-run/TensorFiles.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <string>
#include <vector>

namespace aic_compile {

/// One set of model inputs (input_K.pb files).
struct DataSet {
  std::string dir;
  std::vector<aic_run::HostTensor> inputs;
};

/// The data sets in `dir`: its test_data_set_* folders in order, else `dir`
/// itself, each with the model's `numInputs` input_K.pb files.
mlir::LogicalResult readDataSets(const std::string &dir, size_t numInputs,
                                 std::vector<DataSet> &sets,
                                 std::string &error);

/// Compiles a module (aic dialect) into the model library at a path.
using CompileLibrary = std::function<mlir::LogicalResult(
    mlir::ModuleOp module, const std::string &path, std::string &error)>;

/// Runs the model library at `path` on each data set; `outputs[s]` gets
/// data set s's outputs.
mlir::LogicalResult
runLibrary(const std::string &path, const std::vector<DataSet> &sets,
           std::vector<std::vector<aic_run::HostTensor>> &outputs,
           std::string &error);

/// Compiles `module` into a temporary model library with `compile` and
/// runs it on each data set (runLibrary); the library is removed after.
mlir::LogicalResult
compileAndRun(mlir::ModuleOp module, const CompileLibrary &compile,
              const std::vector<DataSet> &sets,
              std::vector<std::vector<aic_run::HostTensor>> &outputs,
              std::string &error);

struct CalibrationOptions {
  /// "minmax", or "percentile" (of `percentile`, and 100 minus it).
  std::string method = "minmax";
  double percentile = 99.99;
  std::vector<std::string> exclude;
};

/// Measures the activations of `module`'s quantization candidates
/// (quantizationCandidates) on `sets`: compiles a copy of the float model
/// that also returns them, runs it, and sets each candidate's
/// `aic.input_range`. `floatOutputs` gets the float model's outputs per
/// data set; `sqnr`, per candidate (in quantizationCandidates' order), the
/// signal-to-quantization-noise ratio in dB of its activations quantized
/// to 8 bits in that range (NaN where unmeasured): how much it loses.
mlir::LogicalResult
calibrate(mlir::ModuleOp module, const std::vector<DataSet> &sets,
          const CalibrationOptions &options, const CompileLibrary &compile,
          std::vector<std::vector<aic_run::HostTensor>> &floatOutputs,
          std::vector<double> &sqnr, std::string &error);

/// The accuracy of a calibrated module quantized (its candidates with an
/// `aic.input_range`): the lowest cosine similarity over its outputs of
/// its library's against the float model's.
using QuantizedCosine = std::function<mlir::FailureOr<double>(
    mlir::ModuleOp module, std::string &error)>;

/// --quantize-min-cosine: keeps in float the fewest of `module`'s
/// calibrated candidates (of `exclude`'s quantizationCandidates), those of
/// lowest `sqnr` first, for which `cosine` reaches `minCosine`, by dropping
/// their `aic.input_range`. Found by bisection over how many (each try a
/// quantized library built and run; more in float is taken to be no less
/// accurate). Returns the names of the nodes kept in float.
mlir::FailureOr<std::vector<std::string>>
keepInFloatForAccuracy(mlir::ModuleOp module,
                       const std::vector<std::string> &exclude,
                       const std::vector<double> &sqnr, double minCosine,
                       const QuantizedCosine &cosine, std::string &error);

/// Per output, the largest absolute difference of `quantized` from
/// `reference` and the cosine similarity of the two over all data sets,
/// as JSON ({"name", "max_abs_error", "cosine_similarity"}).
llvm::json::Array
compareOutputs(const std::vector<std::vector<aic_run::HostTensor>> &reference,
               const std::vector<std::vector<aic_run::HostTensor>> &quantized);

} // namespace aic_compile

#endif // AIC_TOOLS_AIC_COMPILE_QUANTIZATION_H
