//===- Report.h - aic-compile --report: what the compiler did ---*- C++ -*-===//
//
// The report of a compile: the target, the kernels of the generated code
// (their ONNX nodes, float operations and bytes), the memory plan, the
// ONNX graph and the time of each phase; as JSON, or as a self-contained
// HTML page that draws the graph before and after fusion.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TOOLS_AIC_COMPILE_REPORT_H
#define AIC_TOOLS_AIC_COMPILE_REPORT_H

#include "frontends/onnx/Importer.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <utility>
#include <vector>

namespace aic_compile {

struct ReportContext {
  std::string model, cpu, optLevel;
  int64_t vectorBits = 0;
  /// The ONNX graph's nodes (the picture before fusion).
  const std::vector<mlir::aic::onnx_import::GraphNode> *graph = nullptr;
};

/// The report of `module` after CPU codegen (aic.kernels, aic.arena_bytes).
llvm::json::Object buildReport(mlir::ModuleOp module,
                               const ReportContext &context);

/// Adds each phase's wall time to `report`.
void addPhaseTimes(llvm::json::Object &report,
                   const std::vector<std::pair<std::string, double>> &phases);

/// Writes `report` as a self-contained HTML page (no network): a summary,
/// the graph before and after fusion (kernels coloured), the kernels' FLOPs
/// and bytes, the memory plan and the phases' times.
void writeReportPage(llvm::raw_ostream &os, const llvm::json::Object &report);

} // namespace aic_compile

#endif // AIC_TOOLS_AIC_COMPILE_REPORT_H
