//===- aic-compile.cpp - the aic compiler driver --------------------------===//
//
// aic-compile MODEL.onnx [-o OUT] [--emit=graph|linalg|llvm|obj|static|lib]
//             [-O0..3] [--cpu=native|NAME] [--shape NAME=DIMS ...]
//             [--name PREFIX] [--emit-header FILE] [--report FILE]
//
// Runs the phases in order (import, graph pipeline, lowering to linalg, CPU
// codegen, LLVM, object, archive or link) and stops at the one --emit
// names, showing progress on a terminal. Every error is one line,
// `aic-compile: error: FILE: ...`, and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "aic/model_abi.h"
#include "codegen/cpu/ModelInterface.h"
#include "codegen/cpu/Target.h"
#include "codegen/cuda/Passes.h"
#include "compiler/InitAll.h"
#include "compiler/Pipelines/Pipelines.h"
#include "dialects/aic/Transforms/Passes.h"
#include "frontends/onnx/Importer.h"
#include "tools/aic-compile/Progress.h"
#include "tools/aic-compile/Quantization.h"
#include "tools/aic-compile/Report.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace llvm;

namespace {
enum class Emit { Graph, Linalg, Llvm, Obj, Static, Lib, Ptx };
enum class Target { Cpu, Cuda };
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
                    clEnumValN(Emit::Lib, "lib", "a shared model library"),
                    clEnumValN(Emit::Ptx, "ptx",
                               "the kernels' PTX (--target=cuda)")),
         cl::cat(aicCategory));
cl::opt<OptLevel> optLevel(cl::desc("Optimization level"), cl::init(O2),
                           cl::values(clEnumVal(O0, "no optimization"),
                                      clEnumVal(O1, "basic optimization"),
                                      clEnumVal(O2, "default optimization"),
                                      clEnumVal(O3, "aggressive optimization")),
                           cl::cat(aicCategory));
cl::opt<Target>
    target("target", cl::desc("What the model runs on"), cl::init(Target::Cpu),
           cl::values(clEnumValN(Target::Cpu, "cpu", "the CPU (x86-64)"),
                      clEnumValN(Target::Cuda, "cuda", "an NVIDIA GPU")),
           cl::cat(aicCategory));
cl::opt<std::string>
    cudaArch("cuda-arch",
             cl::desc("The NVIDIA GPU architecture of --target=cuda"),
             cl::value_desc("sm_80|sm_86|sm_89|sm_90"), cl::init("sm_80"),
             cl::cat(aicCategory));
cl::opt<bool> cudaEmulate(
    "cuda-emulate",
    cl::desc("For tests: compile --target=cuda's kernels for this CPU, for "
             "the stand-in CUDA driver to run"),
    cl::Hidden, cl::cat(aicCategory));
cl::opt<std::string> cpuName("cpu",
                             cl::desc("Target CPU (native or an LLVM name)"),
                             cl::init("native"), cl::cat(aicCategory));
cl::list<std::string>
    shapes("shape",
           cl::desc("Pin an input's dims: NAME=D0xD1x... (? leaves "
                    "a dim to run time)"),
           cl::value_desc("NAME=DIMS"), cl::cat(aicCategory));
cl::opt<std::string> symbolPrefix(
    "name",
    cl::desc("Name the entry points PREFIX_run, ... (default aic_model_v1)"),
    cl::value_desc("PREFIX"), cl::cat(aicCategory));
cl::opt<std::string> headerPath(
    "emit-header",
    cl::desc("Also write the model's C header (typed entry point) to FILE"),
    cl::value_desc("FILE"), cl::cat(aicCategory));
cl::opt<std::string> crashReproducer(
    "crash-reproducer",
    cl::desc("Where a compiler pass fails or crashes, write the IR it was "
             "given and the pipeline to DIR/PHASE.mlir (for aic-opt)"),
    cl::value_desc("DIR"), cl::cat(aicCategory));
cl::opt<bool> verbose("verbose", cl::desc("Print each phase as it runs"),
                      cl::cat(aicCategory));
cl::opt<bool> quiet("quiet", cl::desc("Show no progress on a terminal"),
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
cl::opt<std::string> reportPath(
    "report",
    cl::desc("Describe the kernels, memory plan and phases: FILE.html as a "
             "page, else JSON"),
    cl::value_desc("FILE"), cl::cat(aicCategory));
cl::opt<std::string> quantize(
    "quantize",
    cl::desc("Quantize matmuls by constant weights to 8 bits: int8 (with "
             "--calibrate) or int8-dynamic"),
    cl::value_desc("MODE"), cl::cat(aicCategory));
cl::opt<std::string> calibrateDir(
    "calibrate",
    cl::desc("Measure activation ranges (and report accuracy) on the inputs "
             "in DIR (test_data_set_*/input_K.pb, or DIR/input_K.pb)"),
    cl::value_desc("DIR"), cl::cat(aicCategory));
cl::opt<std::string>
    calibrateMethod("calibrate-method",
                    cl::desc("How ranges are measured: minmax or percentile"),
                    cl::init("minmax"), cl::cat(aicCategory));
cl::opt<double> calibratePercentile(
    "calibrate-percentile",
    cl::desc("The percentile of --calibrate-method=percentile (and 100 - it)"),
    cl::init(99.99), cl::cat(aicCategory));
cl::opt<double> quantizeMinCosine(
    "quantize-min-cosine",
    cl::desc("With --quantize=int8: keep in float the fewest ops (least "
             "accurate first) for the outputs' cosine similarity to the "
             "float model's to reach C on the calibration inputs"),
    cl::value_desc("C"), cl::init(0.0), cl::cat(aicCategory));
cl::opt<std::string> precision(
    "precision",
    cl::desc("fp32 (default), or bf16: f32 matmuls by constant weights "
             "computed in bf16 with f32 accumulation (AVX512-BF16)"),
    cl::init("fp32"), cl::cat(aicCategory));
cl::list<std::string> quantizeExclude(
    "quantize-exclude", cl::desc("Keep these ONNX nodes (by name) in float"),
    cl::value_desc("NODE,..."), cl::CommaSeparated, cl::cat(aicCategory));
cl::opt<bool> listOps("list-ops",
                      cl::desc("Print the supported ONNX operators as a "
                               "Markdown table (docs/supported-ops.md)"),
                      cl::cat(aicCategory));

std::string inputFile;
aic_compile::Progress *progress = nullptr;

/// Prints `aic-compile: error: FILE: [node 'N': ]MESSAGE` on one line.
void printError(StringRef message, std::optional<Location> loc = {}) {
  if (progress)
    progress->finish();
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

/// Writes a file with `print`; "-" is stdout.
int writeFile(StringRef path, llvm::function_ref<void(raw_ostream &)> print) {
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_Text);
  if (ec)
    return fail(("cannot write '" + path + "': " + ec.message()).str());
  print(out.os());
  out.keep();
  return 0;
}

/// For an error about dims known only at run time, how --shape pins the
/// dims the model leaves open ("" where the error is another or none are).
std::string shapeHint(StringRef message,
                      ArrayRef<aic::onnx_import::GraphInput> inputs,
                      const llvm::StringMap<SmallVector<int64_t>> &pinned) {
  if (!message.contains("run time") && !message.contains("dynamic"))
    return "";
  SmallVector<std::string> options;
  for (const auto &input : inputs) {
    if (pinned.contains(input.name) ||
        llvm::none_of(input.dims, [](int64_t d) { return d < 0; }))
      continue;
    SmallVector<std::string> dims;
    for (auto [d, name] : llvm::zip(input.dims, input.dimNames))
      dims.push_back(d >= 0 ? std::to_string(d)
                            : "<" + (name.empty() ? "?" : name) + ">");
    options.push_back("--shape " + input.name + "=" + llvm::join(dims, "x"));
  }
  if (options.empty())
    return "";
  return " (pin the dims the model leaves open: " + llvm::join(options, " ") +
         ")";
}

/// The host code of CUDA models: installed in the library directory beside
/// the tools' (AIC_CUDA_HOST_LIBRARY, relative to them), or in the build
/// tree.
std::string findCudaHostLibrary(const char *argv0) {
  static int anchor;
  std::string tool = sys::fs::getMainExecutable(argv0, &anchor);
  SmallString<256> installed(sys::path::parent_path(tool));
  sys::path::append(installed, AIC_CUDA_HOST_LIBRARY);
  sys::path::remove_dots(installed, /*remove_dot_dot=*/true);
  for (StringRef path :
       {StringRef(installed), StringRef(AIC_BUILD_CUDA_HOST_LIBRARY)})
    if (sys::fs::exists(path))
      return path.str();
  return "";
}

/// How many phases a compile to `emit` for `target` runs (the progress
/// bar's length).
unsigned phaseCount(Emit emit, Target target) {
  // A CUDA library has its host code as a phase of its own; quantizing
  // adds calibration and quantization, and for a library its accuracy.
  unsigned extra = target == Target::Cuda && emit != Emit::Ptx ? 1 : 0;
  if (!quantize.empty())
    extra += 2 + (emit == Emit::Lib ? 1 : 0);
  switch (emit) {
  case Emit::Graph:
    return 2 + extra;
  case Emit::Linalg:
    return 3 + extra;
  case Emit::Llvm:
    return 5 + extra;
  case Emit::Obj:
    return 6 + extra;
  case Emit::Ptx:
    return 4 + extra;
  case Emit::Static:
  case Emit::Lib:
    return 7 + extra;
  }
  return 7 + extra;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(aicCategory);
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "aic-compile " << AIC_VERSION << " (model ABI "
       << AIC_MODEL_ABI_VERSION << ", LLVM " << LLVM_VERSION_STRING << ")\n";
  });
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
  bool makesCode =
      emit != Emit::Graph && emit != Emit::Linalg && emit != Emit::Ptx;
  if (target == Target::Cuda && (emit == Emit::Obj || emit == Emit::Static))
    return fail("--target=cuda makes shared model libraries (--emit=lib), "
                "LLVM IR and PTX so far, not --emit=obj or static");
  if (target == Target::Cuda && !reportPath.empty())
    return fail("--report describes CPU code so far, not --target=cuda");
  if (cudaEmulate && (target != Target::Cuda || emit == Emit::Ptx))
    return fail("--cuda-emulate needs --target=cuda and a library");
  if (emit == Emit::Ptx && target != Target::Cuda)
    return fail("--emit=ptx needs --target=cuda");
  if (target == Target::Cuda && !aic::cuda::isSupportedArch(cudaArch))
    return fail("--cuda-arch '" + cudaArch + "' is not supported (" +
                llvm::join(aic::cuda::supportedArchs(), ", ") + ")");
  if (!reportPath.empty() && !makesCode)
    return fail("--report describes generated code: it needs --emit=llvm, "
                "obj, static or lib");
  if (!headerPath.empty() && !makesCode)
    return fail("--emit-header describes a model library: it needs "
                "--emit=llvm, obj, static or lib");
  if (!quantize.empty() && quantize != "int8" && quantize != "int8-dynamic")
    return fail("--quantize '" + quantize +
                "' is not a mode (int8, int8-dynamic)");
  if (!quantize.empty() && target == Target::Cuda)
    return fail("--quantize makes CPU kernels so far, not --target=cuda");
  if (quantize == "int8" && calibrateDir.empty())
    return fail("--quantize=int8 measures activation ranges on sample "
                "inputs: give them with --calibrate DIR");
  if (quantize.empty() && !calibrateDir.empty())
    return fail("--calibrate needs --quantize");
  if (quantizeMinCosine.getNumOccurrences() &&
      (quantize != "int8" ||
       !(quantizeMinCosine > 0 && quantizeMinCosine <= 1)))
    return fail("--quantize-min-cosine needs --quantize=int8 and a cosine "
                "above 0 and at most 1");
  if (precision != "fp32" && precision != "bf16")
    return fail("--precision '" + precision + "' is not fp32 or bf16");
  if (precision == "bf16" && target == Target::Cuda)
    return fail("--precision=bf16 makes CPU kernels so far, not "
                "--target=cuda");
  if (calibrateMethod != "minmax" && calibrateMethod != "percentile")
    return fail("--calibrate-method '" + calibrateMethod +
                "' is not minmax or percentile");
  if (!(calibratePercentile > 50 && calibratePercentile <= 100))
    return fail("--calibrate-percentile must be above 50 and at most 100");
  if (symbolPrefix.getNumOccurrences() &&
      !aic::cpu::isValidSymbolPrefix(symbolPrefix))
    return fail("--name '" + symbolPrefix +
                "' is not a C identifier (letters, digits and _, not "
                "starting with a digit)");
  std::string prefix = symbolPrefix.getNumOccurrences()
                           ? symbolPrefix.getValue()
                           : aic::cpu::kAbiPrefix.str();

  aic_compile::Progress::Style style = aic_compile::Progress::Style::None;
  if (verbose)
    style = aic_compile::Progress::Style::Lines;
  else if (!quiet && sys::Process::StandardErrIsDisplayed())
    style = aic_compile::Progress::Style::Bar;
  aic_compile::Progress phases(phaseCount(emit, target), style);
  progress = &phases;

  DialectRegistry registry;
  aic::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  // Every pass manager: the verifier after each pass (MLIR's default), and
  // --crash-reproducer's file for the phase. A local reproducer (the IR
  // just before the failing pass) needs one thread.
  if (!crashReproducer.empty()) {
    if (std::error_code ec = sys::fs::create_directories(crashReproducer))
      return fail("--crash-reproducer: cannot make '" + crashReproducer +
                  "': " + ec.message());
    context.disableMultithreading();
  }
  auto passManager = [&](StringRef phase) {
    auto pm = std::make_unique<PassManager>(&context);
    pm->enableVerifier(true);
    if (!crashReproducer.empty()) {
      std::string file = phase.str();
      llvm::replace(file, ' ', '-');
      SmallString<256> path(crashReproducer.getValue());
      sys::path::append(path, file + ".mlir");
      pm->enableCrashReproducerGeneration(path, /*genLocalReproducer=*/true);
    }
    return pm;
  };
  std::vector<aic::onnx_import::GraphNode> graphNodes;
  std::vector<aic::onnx_import::GraphInput> graphInputs;
  aic::onnx_import::ImportOptions importOptions;
  importOptions.graphInputs = &graphInputs;
  bool failedOnce = false;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error) {
      // One line per failure: the first error wins; notes are dropped.
      if (!failedOnce)
        printError(diag.str() + shapeHint(diag.str(), graphInputs,
                                          importOptions.inputShapes),
                   diag.getLocation());
      failedOnce = true;
    }
    return success();
  });

  importOptions.constInputsDir = constInputs;
  importOptions.shapesFromDir = shapesFrom;
  importOptions.symbolicDims = symbolicDims;
  if (!reportPath.empty())
    importOptions.graphNodes = &graphNodes;
  for (const std::string &s : shapes) {
    std::string error;
    if (failed(aic::onnx_import::parseShapeOption(s, importOptions, error)))
      return fail(error);
  }

  phases.start("importing");
  OwningOpRef<ModuleOp> module =
      aic::onnx_import::importOnnxFile(&context, inputPath, importOptions);
  if (!module)
    return 1;

  aic::PipelineOptions pipelineOptions;
  pipelineOptions.optLevel = optLevel;
  auto runPipeline = [&](StringRef name, auto build) {
    phases.start(name);
    std::unique_ptr<PassManager> pm = passManager(name);
    build(*pm, pipelineOptions);
    return pm->run(*module);
  };
  // Text output goes to stdout unless -o names a file.
  std::string textPath = outputPath.empty() ? "-" : outputPath.getValue();
  // Kernels are tiled for the target's vector registers.
  aic::cpu::TargetOptions targetOptions;
  targetOptions.cpu = cpuName;
  targetOptions.optLevel = optLevel;
  std::string error;
  FailureOr<aic::cpu::TargetFeatures> features =
      aic::cpu::targetFeatures(targetOptions, error);
  if (failed(features))
    return fail(error);
  pipelineOptions.vectorBits = features->vectorBits;
  pipelineOptions.int8DotProducts = features->int8DotProducts;
  if (precision == "bf16") {
    if (!features->bf16DotProducts)
      return fail("--precision=bf16 needs a CPU with AVX512-BF16 (--cpu=" +
                  cpuName + " has none)");
    pipelineOptions.bf16DotProducts = true;
  }

  // --quantize: activation ranges measured on the float model, then the
  // graph quantized; the float outputs stay for the accuracy below.
  std::vector<aic_compile::DataSet> calibrationSets;
  std::vector<std::vector<aic_run::HostTensor>> floatOutputs;
  std::vector<std::string> exclude(quantizeExclude.begin(),
                                   quantizeExclude.end());
  // --quantize-min-cosine's choice.
  std::vector<std::string> keptInFloat;
  auto compileLibrary = [&](ModuleOp m, const std::string &path,
                            std::string &error) -> LogicalResult {
    std::unique_ptr<PassManager> pm = passManager("calibration library");
    aic::buildGraphPipeline(*pm, pipelineOptions);
    aic::buildLowerToLinalgPipeline(*pm, pipelineOptions);
    aic::buildCpuCodegenPipeline(*pm, pipelineOptions);
    if (failed(pm->run(m)))
      return failure();
    return aic::cpu::buildSharedLibrary(m, targetOptions, path, error);
  };
  if (!quantize.empty()) {
    phases.start("calibrating");
    if (!calibrateDir.empty()) {
      auto main = module->lookupSymbol<func::FuncOp>("main");
      if (failed(aic_compile::readDataSets(calibrateDir, main.getNumArguments(),
                                           calibrationSets, error)))
        return fail(error);
      aic_compile::CalibrationOptions calibration;
      calibration.method = calibrateMethod;
      calibration.percentile = calibratePercentile;
      calibration.exclude = exclude;
      std::vector<double> sqnr;
      if (failed(aic_compile::calibrate(*module, calibrationSets, calibration,
                                        compileLibrary, floatOutputs, sqnr,
                                        error)))
        return error.empty() ? 1 : fail(error);
      if (quantizeMinCosine.getNumOccurrences()) {
        // Quantized libraries built and run on the calibration inputs.
        phases.start("choosing what stays float");
        auto cosine = [&](ModuleOp m, std::string &error) -> FailureOr<double> {
          std::unique_ptr<PassManager> pm = passManager("quantizing trial");
          aic::QuantizePassOptions options;
          options.mode = quantize;
          options.exclude.assign(exclude.begin(), exclude.end());
          pm->addPass(aic::createQuantizePass(options));
          std::vector<std::vector<aic_run::HostTensor>> outputs;
          if (failed(pm->run(m)) ||
              failed(aic_compile::compileAndRun(
                  m, compileLibrary, calibrationSets, outputs, error)))
            return failure();
          double lowest = 1;
          for (const json::Value &output :
               aic_compile::compareOutputs(floatOutputs, outputs))
            lowest = std::min(
                lowest, *output.getAsObject()->getNumber("cosine_similarity"));
          return lowest;
        };
        FailureOr<std::vector<std::string>> kept =
            aic_compile::keepInFloatForAccuracy(
                *module, exclude, sqnr, quantizeMinCosine, cosine, error);
        if (failed(kept))
          return error.empty() ? 1 : fail(error);
        keptInFloat = std::move(*kept);
        outs() << formatv(
            "aic-compile: {0} of {1} quantizable op(s) kept in "
            "float for cosine similarity >= {2}\n",
            keptInFloat.size(),
            llvm::count_if(sqnr, [](double v) { return !std::isnan(v); }),
            quantizeMinCosine.getValue());
      }
    }
    phases.start("quantizing");
    std::unique_ptr<PassManager> pm = passManager("quantizing");
    aic::QuantizePassOptions quantizeOptions;
    quantizeOptions.mode = quantize;
    quantizeOptions.exclude.assign(exclude.begin(), exclude.end());
    pm->addPass(aic::createQuantizePass(quantizeOptions));
    if (failed(pm->run(*module)))
      return 1;
  }

  if (failed(runPipeline("graph pipeline", aic::buildGraphPipeline)))
    return 1;
  if (emit == Emit::Graph) {
    phases.finish();
    return writeFile(textPath,
                     [&](raw_ostream &os) { printModule(*module, os); });
  }
  if (failed(
          runPipeline("lowering to linalg", aic::buildLowerToLinalgPipeline)))
    return 1;
  if (emit == Emit::Linalg) {
    phases.finish();
    return writeFile(textPath,
                     [&](raw_ostream &os) { printModule(*module, os); });
  }
  // The library's inputs and outputs, for --emit-header.
  FailureOr<aic::cpu::ModelInterface> interface = failure();
  if (!headerPath.empty()) {
    interface = aic::cpu::describeModelInterface(*module);
    if (failed(interface))
      return 1;
  }
  // A CUDA library's host code, linked into it.
  SmallVector<std::string> libraries;
  if (target == Target::Cuda) {
    pipelineOptions.cudaArch = cudaArch;
    if (emit != Emit::Ptx) {
      std::string hostLibrary = findCudaHostLibrary(argv[0]);
      if (hostLibrary.empty())
        return fail("the host code of CUDA models (libaic_cuda_host.a) is "
                    "not installed beside aic-compile");
      libraries.push_back(hostLibrary);
      // Cubins where the toolkit can make them, for a quick load; the PTX
      // beside them serves newer GPUs.
      pipelineOptions.cudaCubin =
          aic::cuda::canMakeCubin(aic::cuda::findCudaToolkit());
    }
    pipelineOptions.cudaEmulate = cudaEmulate;
    if (failed(runPipeline("CUDA codegen", aic::buildCudaCodegenPipeline)))
      return 1;
    if (cudaEmulate) {
      aic::cpu::TargetOptions host;
      host.cpu = cpuName;
      host.optLevel = optLevel;
      std::string error;
      if (failed(aic::cuda::emulateKernels(*module, host, error)))
        return error.empty() ? 1 : fail(error);
    }
    if (emit == Emit::Ptx) {
      SmallVector<std::pair<std::string, std::string>> ptx;
      std::string error;
      if (failed(aic::cuda::collectPtx(*module, ptx, error)))
        return fail(error);
      phases.finish();
      return writeFile(textPath, [&](raw_ostream &os) {
        if (ptx.empty())
          os << "// aic: the model has no kernels (" << cudaArch << ")\n";
        for (const auto &[name, text] : ptx)
          os << "// aic kernel module " << name << " (" << cudaArch << ")\n"
             << text << "\n";
      });
    }
    if (failed(runPipeline("CUDA host code", aic::buildCudaHostPipeline)))
      return 1;
  }
  if (target == Target::Cpu &&
      failed(runPipeline("CPU codegen", aic::buildCpuCodegenPipeline)))
    return 1;
  std::optional<json::Object> report;
  if (!reportPath.empty()) {
    aic_compile::ReportContext reportContext;
    reportContext.model = inputFile;
    reportContext.cpu =
        cpuName == "native" ? sys::getHostCPUName().str() : cpuName.getValue();
    reportContext.optLevel = "O" + std::to_string(static_cast<int>(optLevel));
    reportContext.vectorBits = features->vectorBits;
    reportContext.graph = &graphNodes;
    report = aic_compile::buildReport(*module, reportContext);
  }

  phases.start("LLVM");
  llvm::LLVMContext llvmContext;
  auto llvmModule = aic::cpu::translateAndOptimize(*module, llvmContext,
                                                   targetOptions, error);
  if (failed(llvmModule))
    return fail(error);
  // A shared library keeps the versioned names the runtime loads it by.
  aic::cpu::renameEntryPoints(**llvmModule, prefix,
                              /*keepAbiNames=*/emit == Emit::Lib);
  if (!headerPath.empty()) {
    aic::cpu::HeaderOptions headerOptions;
    headerOptions.prefix = prefix;
    headerOptions.source = sys::path::filename(inputPath).str();
    headerOptions.library = outputPath.empty()
                                ? sys::path::stem(inputPath).str() +
                                      (emit == Emit::Lib ? ".so" : ".a")
                                : sys::path::filename(outputPath).str();
    headerOptions.hasSetNumThreads =
        (*llvmModule)->getFunction(prefix + "_set_num_threads") != nullptr;
    headerOptions.needsOpenMP =
        (*llvmModule)->getFunction("__kmpc_fork_call") != nullptr;
    if (int rc = writeFile(headerPath, [&](raw_ostream &os) {
          aic::cpu::writeModelHeader(os, *interface, headerOptions);
        }))
      return rc;
  }

  // Writes the report once every phase is timed.
  auto finish = [&]() {
    phases.finish();
    if (!report)
      return 0;
    aic_compile::addPhaseTimes(*report, phases.timings());
    return writeFile(reportPath, [&](raw_ostream &os) {
      StringRef ext = sys::path::extension(reportPath);
      if (ext.equals_insensitive(".html") || ext.equals_insensitive(".htm"))
        aic_compile::writeReportPage(os, *report);
      else
        os << formatv("{0:2}", json::Value(std::move(*report))) << "\n";
    });
  };

  if (emit == Emit::Llvm) {
    phases.finish();
    if (int rc = writeFile(textPath, [&](raw_ostream &os) {
          (*llvmModule)->print(os, nullptr);
        }))
      return rc;
    return finish();
  }

  std::string stem = sys::path::stem(inputPath).str();
  if (emit == Emit::Obj) {
    std::string path = outputPath.empty() ? stem + ".o" : outputPath.getValue();
    phases.start("object code");
    if (failed(aic::cpu::writeObjectFile(**llvmModule, path, targetOptions,
                                         error)))
      return fail(error);
    return finish();
  }

  std::string path = outputPath.empty()
                         ? stem + (emit == Emit::Static ? ".a" : ".so")
                         : outputPath.getValue();
  SmallString<128> object;
  if (failed(aic::cpu::createTemporaryFile("aic-model", "o", object, error)))
    return fail(error);
  FileRemover removeObject(object);
  phases.start("object code");
  if (failed(aic::cpu::writeObjectFile(**llvmModule, object, targetOptions,
                                       error)))
    return fail(error);
  if (emit == Emit::Static) {
    // An archive of the one object, for `cc program.c model.a -lm`.
    phases.start("archiving");
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
    return finish();
  }
  phases.start("linking");
  if (failed(aic::cpu::linkSharedLibrary(**llvmModule, object, path, libraries,
                                         error)))
    return fail(error);
  if (!floatOutputs.empty()) {
    // The quantized library against the float model on the calibration
    // inputs: printed, and in the report.
    phases.start("accuracy");
    std::vector<std::vector<aic_run::HostTensor>> quantizedOutputs;
    if (failed(aic_compile::runLibrary(path, calibrationSets, quantizedOutputs,
                                       error)))
      return fail(error);
    json::Array accuracy =
        aic_compile::compareOutputs(floatOutputs, quantizedOutputs);
    phases.finish();
    for (const json::Value &output : accuracy) {
      const json::Object &o = *output.getAsObject();
      outs() << formatv("aic-compile: {0} against float on {1} input "
                        "set(s): output '{2}': max abs error {3:e}, cosine "
                        "similarity {4:f6}\n",
                        quantize.getValue(), calibrationSets.size(),
                        *o.getString("name"), *o.getNumber("max_abs_error"),
                        *o.getNumber("cosine_similarity"));
    }
    if (report)
      (*report)["quantization"] =
          json::Object{{"mode", quantize.getValue()},
                       {"calibration_sets", (int64_t)calibrationSets.size()},
                       {"kept_in_float", json::Array(keptInFloat)},
                       {"outputs", std::move(accuracy)}};
  }
  return finish();
}
