//===- aic-compile.cpp - the aic compiler driver --------------------------===//
//
// aic-compile MODEL.onnx [-o OUT] [--emit=graph|linalg|llvm|obj|static|lib]
//             [-O0..3]
//             [--cpu=native|NAME] [--shape NAME=DIMS ...] [--report FILE]
//
// Runs the phases in order (import, graph pipeline, lowering to linalg, CPU
// codegen, LLVM, object, link) and stops at the one --emit names. Every
// error is one line, `aic-compile: error: FILE: ...`, and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"
#include "compiler/InitAll.h"
#include "compiler/Pipelines/Pipelines.h"
#include "frontends/onnx/Importer.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace llvm;

namespace {
enum class Emit { Graph, Linalg, Llvm, Obj, Static, Lib };
enum OptLevel { O0 = 0, O1 = 1, O2 = 2, O3 = 3 };

cl::OptionCategory aicCategory("aic-compile options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::cat(aicCategory));
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::cat(aicCategory));
cl::opt<Emit>
    emit("emit", cl::desc("What to produce"), cl::init(Emit::Lib),
         cl::values(clEnumValN(Emit::Graph, "graph", "the aic dialect graph"),
                    clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
                    clEnumValN(Emit::Llvm, "llvm", "optimized LLVM IR"),
                    clEnumValN(Emit::Obj, "obj", "an object file"),
                    clEnumValN(Emit::Static, "static",
                               "a static model library (an archive)"),
                    clEnumValN(Emit::Lib, "lib", "a shared model library")),
         cl::cat(aicCategory));
cl::opt<OptLevel> optLevel(cl::desc("Optimization level"), cl::init(O2),
                           cl::values(clEnumVal(O0, "no optimization"),
                                      clEnumVal(O1, "basic optimization"),
                                      clEnumVal(O2, "default optimization"),
                                      clEnumVal(O3, "aggressive optimization")),
                           cl::cat(aicCategory));
cl::opt<std::string> cpuName("cpu",
                             cl::desc("Target CPU (native or an LLVM name)"),
                             cl::init("native"), cl::cat(aicCategory));
cl::list<std::string> shapes("shape",
                             cl::desc("Pin an input's dims: NAME=D0xD1x..."),
                             cl::value_desc("NAME=DIMS"), cl::cat(aicCategory));
cl::opt<bool> verbose("verbose", cl::desc("Print each phase as it runs"),
                      cl::cat(aicCategory));
cl::opt<std::string>
    constInputs("const-inputs",
                cl::desc("Freeze graph input K to the value in DIR/input_K.pb"),
                cl::value_desc("DIR"), cl::cat(aicCategory));
cl::opt<std::string> shapesFrom(
    "shapes-from",
    cl::desc("Pin graph input K's dims to those of DIR/input_K.pb (where "
             "--shape does not)"),
    cl::value_desc("DIR"), cl::cat(aicCategory));
cl::opt<bool> symbolicDims("symbolic-dims",
                           cl::desc("Treat every input dim as symbolic"),
                           cl::cat(aicCategory));
cl::opt<std::string>
    reportPath("report",
               cl::desc("Write the kernels (their ONNX nodes and FLOPs) and "
                        "the peak activation bytes to FILE as JSON"),
               cl::value_desc("FILE"), cl::cat(aicCategory));
cl::opt<bool> listOps("list-ops",
                      cl::desc("Print the supported ONNX operators as a "
                               "Markdown table (docs/supported-ops.md)"),
                      cl::cat(aicCategory));

std::string inputFile;

/// Prints `aic-compile: error: FILE: [node 'N': ]MESSAGE` on one line.
void printError(StringRef message, std::optional<Location> loc = {}) {
  std::string prefix;
  if (auto name = loc ? dyn_cast<NameLoc>(*loc) : NameLoc())
    prefix = "node '" + name.getName().str() + "': ";
  std::string text = prefix + message.str();
  std::replace(text.begin(), text.end(), '\n', ' ');
  errs() << "aic-compile: error: " << inputFile << ": " << text << "\n";
}

int fail(StringRef message) {
  printError(message);
  return 1;
}

void printModule(ModuleOp module, raw_ostream &os) {
  // Weights stay out of the printed IR.
  OpPrintingFlags flags;
  flags.elideLargeElementsAttrs(16);
  flags.elideLargeResourceString(64);
  module.print(os, flags);
  os << "\n";
}
/// The report --report writes: the target, the peak activation bytes (the
/// arena aic-cpu-plan-buffers placed the temporaries in; null where it did
/// not run), and the kernels aic-cpu-describe-kernels recorded, each with
/// its ONNX nodes and float operations, and their sum (null where one is
/// not static).
json::Object buildReport(ModuleOp module, StringRef cpu, int64_t vectorBits) {
  std::optional<int64_t> arena;
  module.walk([&](Operation *op) {
    if (auto bytes = op->getAttrOfType<IntegerAttr>("aic.arena_bytes"))
      arena = bytes.getInt();
  });
  json::Array kernels;
  std::optional<int64_t> total = 0;
  if (auto described = module->getAttrOfType<ArrayAttr>("aic.kernels")) {
    for (auto kernel : described.getAsRange<DictionaryAttr>()) {
      json::Array nodes;
      for (auto node :
           kernel.getAs<ArrayAttr>("nodes").getAsRange<StringAttr>())
        nodes.push_back(node.getValue());
      json::Value flops = nullptr;
      if (auto f = kernel.getAs<IntegerAttr>("flops")) {
        flops = f.getInt();
        if (total)
          *total += f.getInt();
      } else {
        total.reset();
      }
      kernels.push_back(json::Object{
          {"nodes", std::move(nodes)},
          {"flops", std::move(flops)},
          {"parallel", kernel.getAs<BoolAttr>("parallel").getValue()}});
    }
  }
  return json::Object{
      {"model", inputFile},
      {"cpu", cpu},
      {"vector_bits", vectorBits},
      {"opt_level", "O" + std::to_string(static_cast<int>(optLevel))},
      {"activation_bytes", arena ? json::Value(*arena) : json::Value(nullptr)},
      {"flops", total ? json::Value(*total) : json::Value(nullptr)},
      {"kernels", std::move(kernels)}};
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(aicCategory);
  cl::ParseCommandLineOptions(argc, argv, "aic ONNX compiler\n");
  if (listOps) {
    aic::onnx_import::printSupportedOps(outs());
    return 0;
  }
  if (inputPath.empty()) {
    errs() << "aic-compile: error: no model given (aic-compile MODEL.onnx "
              "[-o OUT]; --help for more)\n";
    return 1;
  }
  inputFile = inputPath;
  if (!reportPath.empty() && (emit == Emit::Graph || emit == Emit::Linalg))
    return fail("--report describes generated code: it needs --emit=llvm, "
                "obj, static or lib");

  DialectRegistry registry;
  aic::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  bool failedOnce = false;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error) {
      // One line per failure: the first error wins; notes are dropped.
      if (!failedOnce)
        printError(diag.str(), diag.getLocation());
      failedOnce = true;
    }
    return success();
  });

  aic::onnx_import::ImportOptions importOptions;
  importOptions.constInputsDir = constInputs;
  importOptions.shapesFromDir = shapesFrom;
  importOptions.symbolicDims = symbolicDims;
  for (const std::string &s : shapes) {
    std::string error;
    if (failed(aic::onnx_import::parseShapeOption(s, importOptions, error)))
      return fail(error);
  }

  auto phase = [&](StringRef name) {
    if (verbose)
      errs() << "aic-compile: " << name << "\n";
  };
  phase("importing");
  OwningOpRef<ModuleOp> module =
      aic::onnx_import::importOnnxFile(&context, inputPath, importOptions);
  if (!module)
    return 1;

  aic::PipelineOptions pipelineOptions;
  pipelineOptions.optLevel = optLevel;
  auto runPipeline = [&](StringRef name, auto build) {
    phase(name);
    PassManager pm(&context);
    build(pm, pipelineOptions);
    return pm.run(*module);
  };

  // Text output goes to stdout unless -o names a file.
  auto writeText = [&](auto print) {
    std::string path = outputPath.empty() ? "-" : outputPath.getValue();
    std::error_code ec;
    ToolOutputFile out(path, ec, sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + path + "': " + ec.message());
    print(out.os());
    out.keep();
    return 0;
  };

  if (failed(runPipeline("graph pipeline", aic::buildGraphPipeline)))
    return 1;
  if (emit == Emit::Graph)
    return writeText([&](raw_ostream &os) { printModule(*module, os); });
  if (failed(
          runPipeline("lowering to linalg", aic::buildLowerToLinalgPipeline)))
    return 1;
  if (emit == Emit::Linalg)
    return writeText([&](raw_ostream &os) { printModule(*module, os); });
  // Kernels are tiled for the target's vector registers.
  aic::cpu::TargetOptions targetOptions;
  targetOptions.cpu = cpuName;
  targetOptions.optLevel = optLevel;
  std::string error;
  FailureOr<int64_t> vectorBits =
      aic::cpu::targetVectorBits(targetOptions, error);
  if (failed(vectorBits))
    return fail(error);
  pipelineOptions.vectorBits = *vectorBits;
  if (failed(runPipeline("CPU codegen", aic::buildCpuCodegenPipeline)))
    return 1;
  if (!reportPath.empty()) {
    std::error_code ec;
    ToolOutputFile out(reportPath, ec, sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + reportPath + "': " + ec.message());
    std::string cpu =
        cpuName == "native" ? sys::getHostCPUName().str() : cpuName.getValue();
    out.os() << formatv("{0:2}",
                        json::Value(buildReport(*module, cpu, *vectorBits)))
             << "\n";
    out.keep();
  }

  phase("LLVM");
  llvm::LLVMContext llvmContext;
  auto llvmModule = aic::cpu::translateAndOptimize(*module, llvmContext,
                                                   targetOptions, error);
  if (failed(llvmModule))
    return fail(error);
  if (emit == Emit::Llvm)
    return writeText(
        [&](raw_ostream &os) { (*llvmModule)->print(os, nullptr); });

  std::string stem = sys::path::stem(inputPath).str();
  if (emit == Emit::Obj) {
    std::string path = outputPath.empty() ? stem + ".o" : outputPath.getValue();
    phase("object code");
    if (failed(aic::cpu::writeObjectFile(**llvmModule, path, targetOptions,
                                         error)))
      return fail(error);
    return 0;
  }

  std::string path = outputPath.empty()
                         ? stem + (emit == Emit::Static ? ".a" : ".so")
                         : outputPath.getValue();
  SmallString<128> object;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("aic-model", "o", object))
    return fail("cannot create a temporary file: " + ec.message());
  FileRemover removeObject(object);
  phase("object code");
  if (failed(aic::cpu::writeObjectFile(**llvmModule, object, targetOptions,
                                       error)))
    return fail(error);
  if (emit == Emit::Static) {
    // An archive of the one object, for `cc program.c model.a -lm`.
    phase("archiving");
    Expected<NewArchiveMember> member =
        NewArchiveMember::getFile(object, /*Deterministic=*/true);
    if (!member)
      return fail("cannot archive the object file: " +
                  toString(member.takeError()));
    std::string memberName = stem + ".o";
    member->MemberName = memberName;
    SmallVector<NewArchiveMember> members;
    members.push_back(std::move(*member));
    if (Error e = writeArchive(path, members, SymtabWritingMode::NormalSymtab,
                               object::Archive::K_GNU, /*Deterministic=*/true,
                               /*Thin=*/false))
      return fail("cannot write '" + path + "': " + toString(std::move(e)));
    return 0;
  }
  phase("linking");
  if (failed(aic::cpu::linkSharedLibrary(**llvmModule, object, path, error)))
    return fail(error);
  return 0;
}
