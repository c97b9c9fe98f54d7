//===- AicToLinalgPass.cpp - the aic-convert-aic-to-linalg pass -----------===//
//
// Applies every op family's patterns as a partial conversion with the aic
// dialect illegal, so that an op no pattern lowers is reported by name. The
// same conversion makes unsigned integer types signless everywhere,
// function signatures included.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AicToLinalg/AicToLinalg.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/aic/IR/AicDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::aic {
#define GEN_PASS_DEF_CONVERTAICTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::aic

using namespace mlir;
using namespace mlir::aic;

namespace {
struct ConvertAicToLinalgPass
    : mlir::aic::impl::ConvertAicToLinalgPassBase<ConvertAicToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SignlessTypeConverter converter;
    recordUnsignedElementTypes(converter);
    ConversionTarget target(*context);
    target.addIllegalDialect<AicDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    RewritePatternSet patterns(context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    // scf.if from ONNX If, with unsigned results made signless.
    scf::populateSCFStructuralTypeConversions(converter, patterns);
    populateElementwiseToLinalgPatterns(converter, patterns);
    populateContractionToLinalgPatterns(converter, patterns);
    populateShapeToLinalgPatterns(converter, patterns);
    populateReductionToLinalgPatterns(converter, patterns);
    populateAttentionToLinalgPatterns(converter, patterns);
    populateQuantizationToLinalgPatterns(converter, patterns);
    populateRecurrentToLinalgPatterns(converter, patterns);
    populateCheckToLinalgPatterns(converter, patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    copyRepeatedResults();
  }

  /// A graph that outputs one tensor twice (y and Identity(y)) returns a
  /// copy for each repeat: each result of the model is its own buffer,
  /// which the caller frees on its own.
  void copyRepeatedResults() {
    getOperation()->walk([&](func::ReturnOp ret) {
      OpBuilder b(ret);
      DenseSet<Value> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        if (seen.insert(v).second || !type)
          continue;
        // An allocation (which no folding merges with another) holding a
        // copy.
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), type, buildDynamicDims(b, ret.getLoc(), v),
            /*copy=*/v));
      }
    });
  }

  /// The graph's signature becomes signless; the element types it had are
  /// kept as `aic.element_type` argument and result attributes, so that the
  /// model ABI still describes a uint8 input as uint8.
  void recordUnsignedElementTypes(const TypeConverter &converter) {
    getOperation()->walk([&](func::FuncOp func) {
      // Keeps what the importer recorded (the sub-byte types whose uint8
      // carriers these are).
      auto mark = [&](Type type, DictionaryAttr attrs, auto setAttr) {
        if (attrs && attrs.contains("aic.element_type"))
          return;
        if (converter.convertType(type) != type)
          setAttr(TypeAttr::get(getElementTypeOrSelf(type)));
      };
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        mark(func.getArgumentTypes()[i], func.getArgAttrDict(i),
             [&](TypeAttr attr) {
               func.setArgAttr(i, "aic.element_type", attr);
             });
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        mark(func.getResultTypes()[i], func.getResultAttrDict(i),
             [&](TypeAttr attr) {
               func.setResultAttr(i, "aic.element_type", attr);
             });
    });
  }
};
} // namespace
