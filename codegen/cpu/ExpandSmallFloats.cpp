//===- ExpandSmallFloats.cpp - the aic-expand-small-floats pass -----------===//
//
// LLVM has no 8-bit or 4-bit float types; the LLVM lowering stores them as
// integers. This pass rewrites every conversion to or from such a float with
// a sign and a mantissa (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ,
// f4E2M1FN, ...) into integer code on its bits, derived from the type's
// APFloat semantics:
//
// - extf: a table of every encoding's value as f32 (exact), indexed by the
//   bits;
// - truncf: round to nearest even on the f32 bits (a scaled roundeven for
//   the subnormal range); values beyond the largest finite one become
//   infinity where the type has one, NaN where it has that, and the
//   largest value otherwise (saturation and the NaN of types without one
//   are the caller's, before the truncf).
//
// f8E8M0FNU (no sign, no mantissa) uses upstream's arith expansion.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_EXPANDSMALLFLOATSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
/// The layout of a float of at most 8 bits with a sign bit and a mantissa.
struct SmallFloatLayout {
  unsigned width;
  unsigned mantissaBits;
  int64_t bias;
  uint32_t largest;  // largest finite magnitude's code
  uint32_t overflow; // code of a magnitude beyond it: +inf or NaN
  bool nanIsNegZero; // FNUZ types: the sign bit alone is NaN, no -0
  uint32_t nan;      // a quiet NaN's code (the largest without NaNs)

  static std::optional<SmallFloatLayout> of(Type type) {
    auto f = dyn_cast<FloatType>(type);
    if (!f || f.getWidth() > 8)
      return std::nullopt;
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    if (!APFloat::semanticsHasSignedRepr(sem) ||
        APFloat::semanticsPrecision(sem) < 2)
      return std::nullopt; // f8E8M0FNU: upstream's patterns.
    SmallFloatLayout l;
    l.width = f.getWidth();
    l.mantissaBits = APFloat::semanticsPrecision(sem) - 1;
    l.bias = 1 - APFloat::semanticsMinExponent(sem);
    l.largest = APFloat::getLargest(sem).bitcastToAPInt().getZExtValue();
    bool hasNaN = APFloat::semanticsHasNaN(sem);
    l.nan = hasNaN ? APFloat::getQNaN(sem).bitcastToAPInt().getZExtValue()
                   : l.largest;
    l.nanIsNegZero = hasNaN && l.nan == (1u << (l.width - 1));
    l.overflow = APFloat::semanticsHasInf(sem)
                     ? APFloat::getInf(sem).bitcastToAPInt().getZExtValue()
                     : l.nan;
    return l;
  }
};

/// extf from a small float: a load from a table of its values.
struct ExpandExtF : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getIn().getType();
    if (!SmallFloatLayout::of(from))
      return failure();
    Location loc = op.getLoc();
    memref::GlobalOp table = getTable(rewriter, op, cast<FloatType>(from));
    Value tableRef = memref::GetGlobalOp::create(rewriter, loc, table.getType(),
                                                 table.getSymName());
    Value bits = arith::BitcastOp::create(
        rewriter, loc, rewriter.getIntegerType(from.getIntOrFloatBitWidth()),
        op.getIn());
    Value index = arith::IndexCastUIOp::create(
        rewriter, loc, rewriter.getIndexType(),
        arith::ExtUIOp::create(rewriter, loc, rewriter.getI32Type(), bits));
    Value value = memref::LoadOp::create(rewriter, loc, tableRef, index);
    Type to = op.getType();
    if (!to.isF32())
      value = to.getIntOrFloatBitWidth() > 32
                  ? Value(arith::ExtFOp::create(rewriter, loc, to, value))
                  : Value(arith::TruncFOp::create(rewriter, loc, to, value));
    rewriter.replaceOp(op, value);
    return success();
  }

  /// The module's table of `type`'s values as f32, made once.
  static memref::GlobalOp getTable(PatternRewriter &rewriter, Operation *op,
                                   FloatType type) {
    auto module = op->getParentOfType<ModuleOp>();
    std::string name;
    llvm::raw_string_ostream os(name);
    os << "__aic_" << type << "_values";
    if (auto existing = module.lookupSymbol<memref::GlobalOp>(name))
      return existing;
    unsigned width = type.getWidth();
    SmallVector<float> values;
    for (unsigned code = 0; code < (1u << width); ++code) {
      APFloat v(type.getFloatSemantics(), APInt(width, code));
      bool lost;
      v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v.convertToFloat());
    }
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    int64_t count = values.size();
    auto memrefType = MemRefType::get({count}, rewriter.getF32Type());
    auto tensorType = RankedTensorType::get({count}, rewriter.getF32Type());
    return memref::GlobalOp::create(
        rewriter, op->getLoc(), name, rewriter.getStringAttr("private"),
        memrefType, DenseElementsAttr::get(tensorType, ArrayRef(values)),
        /*constant=*/true, /*alignment=*/IntegerAttr());
  }
};

/// truncf to an 8-bit float: rounding on the f32 bits.
struct ExpandTruncF : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<SmallFloatLayout> l = SmallFloatLayout::of(op.getType());
    if (!l)
      return failure();
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(rewriter, loc, i32,
                                       rewriter.getI32IntegerAttr(v));
    };
    Value x = op.getIn();
    if (!x.getType().isF32())
      x = x.getType().getIntOrFloatBitWidth() > 32
              ? Value(arith::TruncFOp::create(rewriter, loc, f32, x))
              : Value(arith::ExtFOp::create(rewriter, loc, f32, x));
    Value bits = arith::BitcastOp::create(rewriter, loc, i32, x);
    Value sign = arith::ShRUIOp::create(rewriter, loc, bits, c(31));
    Value magnitude = arith::AndIOp::create(rewriter, loc, bits, c(0x7FFFFFFF));
    auto cmp = [&](arith::CmpIPredicate p, Value a, Value b) -> Value {
      return arith::CmpIOp::create(rewriter, loc, p, a, b);
    };
    auto select = [&](Value cond, Value a, Value b) -> Value {
      return arith::SelectOp::create(rewriter, loc, cond, a, b);
    };

    // Normal range: round the f32 mantissa to `mantissaBits` (ties to
    // even; a carry moves into the exponent), then rebias.
    int64_t shift = 23 - l->mantissaBits;
    Value lsb = arith::AndIOp::create(
        rewriter, loc,
        arith::ShRUIOp::create(rewriter, loc, magnitude, c(shift)), c(1));
    Value rounded = arith::AddIOp::create(
        rewriter, loc, magnitude,
        arith::AddIOp::create(rewriter, loc, lsb, c((1 << (shift - 1)) - 1)));
    Value normal = arith::SubIOp::create(
        rewriter, loc, arith::ShRUIOp::create(rewriter, loc, rounded, c(shift)),
        c((127 - l->bias) << l->mantissaBits));
    // Subnormal range: |x| in units of the smallest subnormal, rounded to
    // the nearest even integer (which may reach the smallest normal).
    Value absX = arith::BitcastOp::create(rewriter, loc, f32, magnitude);
    Value units = arith::MulFOp::create(
        rewriter, loc, absX,
        arith::ConstantOp::create(rewriter, loc, f32,
                                  rewriter.getF32FloatAttr(std::ldexp(
                                      1.0f, l->bias - 1 + l->mantissaBits))));
    Value subnormal = arith::FPToSIOp::create(
        rewriter, loc, i32, math::RoundEvenOp::create(rewriter, loc, units));
    Value isSubnormal =
        cmp(arith::CmpIPredicate::ult, magnitude, c((127 - l->bias + 1) << 23));
    Value code = select(isSubnormal, subnormal, normal);
    // Beyond the largest finite value (infinity included): +inf or NaN.
    Value overflows = cmp(arith::CmpIPredicate::sgt, code, c(l->largest));
    Value isNaN = cmp(arith::CmpIPredicate::ugt, magnitude, c(0x7F800000));
    Value result;
    int64_t signShift = l->width - 1, magnitudeMask = (1 << signShift) - 1;
    if (l->nanIsNegZero) {
      // No -0: the sign only goes on non-zero codes; NaN is the sign bit.
      Value signed_ = arith::OrIOp::create(
          rewriter, loc, code,
          select(cmp(arith::CmpIPredicate::eq, code, c(0)), c(0),
                 arith::ShLIOp::create(rewriter, loc, sign, c(signShift))));
      Value invalid = arith::OrIOp::create(rewriter, loc, overflows, isNaN);
      result = select(invalid, c(l->nan), signed_);
    } else {
      code = select(overflows, c(l->overflow), code);
      code = select(isNaN, c(l->nan & magnitudeMask), code);
      result = arith::OrIOp::create(
          rewriter, loc, code,
          arith::ShLIOp::create(rewriter, loc, sign, c(signShift)));
    }
    Value narrow = arith::TruncIOp::create(
        rewriter, loc, rewriter.getIntegerType(l->width), result);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), narrow);
    return success();
  }
};

struct ExpandSmallFloatsPass
    : mlir::aic::cpu::impl::ExpandSmallFloatsPassBase<ExpandSmallFloatsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandExtF, ExpandTruncF>(&getContext());
    arith::populateExpandF8E8M0Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
