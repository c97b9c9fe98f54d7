//===- aic-opt.cpp - the aic pass-testing driver --------------------------===//
//
// mlir-opt with every aic dialect, pass and pipeline registered.
//
//===----------------------------------------------------------------------===//

#include "compiler/InitAll.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::aic::registerAllDialects(registry);
  mlir::aic::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "aic pass driver\n", registry));
}
