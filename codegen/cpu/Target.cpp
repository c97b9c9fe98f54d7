//===- Target.cpp - LLVM dialect to object code and libraries -------------===//
//
// LLVM IR translation, optimization at the requested level for the target
// CPU, object emission, and the link into a shared model library.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"
#include "codegen/cpu/ModelInterface.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::cpu;

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const TargetOptions &options, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu, features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    SmallVector<std::string> flags;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      flags.push_back((feature.second ? "+" : "-") + feature.first().str());
    features = llvm::join(flags, ",");
  }
  // Checked before LLVM sees it, which would warn on stderr.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!generic || !generic->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for " + triple.str();
    return nullptr;
  }
  llvm::CodeGenOptLevel level =
      options.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, llvm::TargetOptions(),
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine) {
    error = "cannot create a target machine for " + triple.str();
    return nullptr;
  }
  return machine;
}

FailureOr<mlir::aic::cpu::TargetFeatures>
mlir::aic::cpu::targetFeatures(const TargetOptions &options,
                               std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return failure();
  const llvm::MCSubtargetInfo *info = machine->getMCSubtargetInfo();
  TargetFeatures features;
  if (info->checkFeatures("+avx512f")) {
    features.vectorBits = 512;
    features.int8DotProducts = info->checkFeatures("+avx512vnni");
    features.bf16DotProducts = info->checkFeatures("+avx512bf16");
  } else if (info->checkFeatures("+avx")) {
    features.vectorBits = 256;
    features.int8DotProducts = info->checkFeatures("+avxvnni");
  }
  return features;
}

FailureOr<std::unique_ptr<llvm::Module>> mlir::aic::cpu::translateAndOptimize(
    ModuleOp module, llvm::LLVMContext &llvmContext,
    const TargetOptions &options, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return failure();
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "aic_model");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return failure();
  }
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", machine->getTargetCPU());
    fn.addFnAttr("target-features", machine->getTargetFeatureString());
  }
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            machine.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    error = "LLVM optimization failed: " + llvm::toString(std::move(err));
    return failure();
  }
  return llvmModule;
}

LogicalResult mlir::aic::cpu::writeObjectFile(llvm::Module &module,
                                              StringRef path,
                                              const TargetOptions &options,
                                              std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return failure();
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  os.flush();
  return success();
}

LogicalResult mlir::aic::cpu::linkSharedLibrary(const llvm::Module &module,
                                                StringRef objectPath,
                                                StringRef outputPath,
                                                ArrayRef<std::string> libraries,
                                                std::string &error) {
  llvm::ErrorOr<std::string> driver =
      std::make_error_code(std::errc::no_such_file_or_directory);
  for (StringRef name : {"cc", "gcc", "clang"}) {
    driver = llvm::sys::findProgramByName(name);
    if (driver)
      break;
  }
  if (!driver) {
    error = "no C compiler driver (cc, gcc or clang) found to link with";
    return failure();
  }
  SmallString<128> log;
  if (failed(createTemporaryFile("aic-link", "log", log, error)))
    return failure();
  std::string out = outputPath.str(), obj = objectPath.str();
  SmallVector<StringRef> args = {*driver, "-shared", "-o",
                                 out,     obj,       "-Wl,-z,noexecstack"};
  for (const std::string &library : libraries)
    args.push_back(library);
  // Parallel loops call the OpenMP runtime (__kmpc_fork_call); libomp.so.5
  // is LLVM's, from Debian's libomp5-14 package.
  if (module.getFunction("__kmpc_fork_call"))
    args.push_back("-l:libomp.so.5");
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*driver, args, std::nullopt, redirects, 0,
                                     0, &execError);
  auto logText = llvm::MemoryBuffer::getFile(log);
  llvm::sys::fs::remove(log);
  if (rc != 0) {
    error = "linking with " + *driver + " failed";
    if (!execError.empty())
      error += ": " + execError;
    if (logText)
      error += ": " + StringRef((*logText)->getBuffer()).trim().str();
    return failure();
  }
  return success();
}

LogicalResult mlir::aic::cpu::buildSharedLibrary(ModuleOp module,
                                                 const TargetOptions &options,
                                                 StringRef outputPath,
                                                 std::string &error) {
  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateAndOptimize(module, llvmContext, options, error);
  if (failed(llvmModule))
    return failure();
  SmallString<128> object;
  if (failed(createTemporaryFile("aic-model", "o", object, error)))
    return failure();
  llvm::FileRemover removeObject(object);
  if (failed(writeObjectFile(**llvmModule, object, options, error)))
    return failure();
  return linkSharedLibrary(**llvmModule, object, outputPath, {}, error);
}

LogicalResult mlir::aic::cpu::createTemporaryFile(StringRef prefix,
                                                  StringRef suffix,
                                                  SmallVectorImpl<char> &path,
                                                  std::string &error) {
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile(prefix, suffix, path)) {
    error = "cannot create a temporary file: " + ec.message();
    return failure();
  }
  return success();
}

void mlir::aic::cpu::renameEntryPoints(llvm::Module &module, StringRef prefix,
                                       bool keepAbiNames) {
  if (prefix == kAbiPrefix)
    return;
  for (StringRef suffix : kEntryPoints) {
    llvm::Function *fn = module.getFunction((kAbiPrefix + "_" + suffix).str());
    if (!fn)
      continue;
    std::string abiName = fn->getName().str();
    fn->setName(prefix + "_" + suffix);
    if (keepAbiNames)
      llvm::GlobalAlias::create(abiName, fn);
  }
}
