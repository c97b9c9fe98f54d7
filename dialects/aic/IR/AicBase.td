//===- AicBase.td - aic dialect definition -----------------*- tablegen -*-===//
//
// The `aic` dialect: tensor operations with ONNX semantics (numpy
// broadcasting, ONNX attributes), the level at which graph passes work.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_DIALECT_AIC_IR_AICBASE_TD
#define AIC_DIALECT_AIC_IR_AICBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Aic_Dialect : Dialect {
  let name = "aic";
  let cppNamespace = "::mlir::aic";
  let summary = "Graph-level tensor operations with ONNX semantics";
  let description = [{
    The aic dialect holds the operations the ONNX importer produces. Each op
    follows the semantics of the ONNX operator it is named after (numpy
    broadcasting, attribute defaults already resolved by the importer), infers
    its result type from its operands through `InferTypeOpInterface`, and
    verifies its operands without ever asserting on them.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
}

/// Element types the aic ops compute on. Signed ONNX integers and bool are
/// signless integers; unsigned ONNX integers are unsigned (`ui8`), so that
/// division, comparison and conversion know their signedness.
def Aic_Numeric : AnyTypeOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger]>;
def Aic_Tensor : RankedTensorOf<[Aic_Numeric]>;
def Aic_FloatTensor : RankedTensorOf<[AnyFloat]>;

class Aic_Op<string mnemonic, list<Trait> traits = []>
    : Op<Aic_Dialect, mnemonic, traits>;

#endif // AIC_DIALECT_AIC_IR_AICBASE_TD
