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
