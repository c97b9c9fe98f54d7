//===- CheckToLinalg.cpp - aic.check to a store of its message ------------===//
//
// aic.check becomes `if (!condition && !slot) slot = &message`, where slot
// is the model's thread-local run-error global (kRunErrorSlot) and message a
// constant string; the model ABI's run entry point clears the slot before
// the graph and returns the message as the run's error after it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "dialects/aic/IR/AicDialect.h"
#include "dialects/aic/IR/AicOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::aic;

/// A constant, NUL-terminated copy of `text` in the module.
static LLVM::GlobalOp getMessage(OpBuilder &b, ModuleOp module,
                                 StringRef text) {
  std::string value = text.str();
  value.push_back('\0');
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), value.size());
  std::string name;
  for (unsigned i = 0;; ++i) {
    name = "__aic_check_message_" + std::to_string(i);
    if (!module.lookupSymbol(name))
      break;
  }
  return LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/true,
                                LLVM::Linkage::Internal, name,
                                b.getStringAttr(value));
}

void mlir::aic::buildRunCheck(OpBuilder &b, Location loc, Value ok,
                              StringRef message) {
  Operation *parent = b.getInsertionBlock()->getParentOp();
  auto module = isa<ModuleOp>(parent) ? cast<ModuleOp>(parent)
                                      : parent->getParentOfType<ModuleOp>();
  LLVM::GlobalOp slot = getOrCreateRunErrorSlot(b, module);
  LLVM::GlobalOp text = getMessage(b, module, message);
  Value failed = arith::XOrIOp::create(
      b, loc, ok, arith::ConstantIntOp::create(b, loc, 1, 1));
  scf::IfOp::create(b, loc, failed, [&](OpBuilder &nb, Location l) {
    // The first failure's message stays.
    auto ptrType = LLVM::LLVMPointerType::get(nb.getContext());
    Value slotAddress = LLVM::AddressOfOp::create(nb, l, slot);
    Value current = LLVM::LoadOp::create(nb, l, ptrType, slotAddress);
    Value none =
        LLVM::ICmpOp::create(nb, l, LLVM::ICmpPredicate::eq, current,
                             LLVM::ZeroOp::create(nb, l, ptrType).getResult());
    Value address = LLVM::AddressOfOp::create(nb, l, text);
    LLVM::StoreOp::create(nb, l,
                          LLVM::SelectOp::create(nb, l, none, address, current),
                          slotAddress);
    scf::YieldOp::create(nb, l);
  });
}

namespace {
struct CheckToLinalg : OpConversionPattern<CheckOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CheckOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value condition = adaptor.getCondition();
    auto type = cast<RankedTensorType>(condition.getType());
    SmallVector<Value> zeros(type.getRank(),
                             arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value ok = tensor::ExtractOp::create(rewriter, loc, condition, zeros);
    buildRunCheck(rewriter, loc, ok, op.getMessage());
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void mlir::aic::populateCheckToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<CheckToLinalg>(converter, patterns.getContext());
}
