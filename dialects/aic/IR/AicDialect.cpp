//===- AicDialect.cpp - aic dialect registration --------------------------===//
//
// Registers the aic operations and materializes folded constants.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/IR/AicDialect.h"
#include "dialects/aic/IR/AicOps.h"

using namespace mlir;
using namespace mlir::aic;

#include "dialects/aic/IR/AicDialect.cpp.inc"

void AicDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/aic/IR/AicOps.cpp.inc"
      >();
}

Operation *AicDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

LLVM::GlobalOp mlir::aic::getOrCreateRunErrorSlot(OpBuilder &b,
                                                  ModuleOp module) {
  if (auto slot = module.lookupSymbol<LLVM::GlobalOp>(kRunErrorSlot))
    return slot;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  auto slot = LLVM::GlobalOp::create(
      b, module.getLoc(), ptrType, /*isConstant=*/false,
      LLVM::Linkage::Internal, kRunErrorSlot, Attribute(),
      /*alignment=*/0, /*addrSpace=*/0, /*dsoLocal=*/true,
      /*threadLocal=*/true);
  Block *init = b.createBlock(&slot.getInitializerRegion());
  b.setInsertionPointToStart(init);
  LLVM::ReturnOp::create(
      b, module.getLoc(),
      LLVM::ZeroOp::create(b, module.getLoc(), ptrType).getResult());
  return slot;
}
