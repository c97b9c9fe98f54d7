//===- NodeImporter.h - per-operator import hooks ---------------*- C++ -*-===//
//
// The interface between the graph importer and the per-operator import
// functions. Each op family registers its operators with the ONNX version
// history aic knows and the first version it implements (torch-mlir's
// `onOp("Add", 7, ...)` habit, plus the history so that a model stamped with
// a newer opset imports only when the operator has not changed since).
//
//===----------------------------------------------------------------------===//

#ifndef AIC_FRONTENDS_ONNX_NODEIMPORTER_H
#define AIC_FRONTENDS_ONNX_NODEIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <functional>

namespace onnx {
class GraphProto;
class NodeProto;
class AttributeProto;
class TensorProto;
} // namespace onnx

namespace mlir::aic::onnx_import {

class GraphImporter;

/// What an import function sees of one node.
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
              int64_t sinceVersion, OpBuilder &builder, Location loc,
              SmallVector<Value> operands)
      : graph(graph), node(node), sinceVersion(sinceVersion), builder(builder),
        loc(loc), operands(std::move(operands)) {}

  OpBuilder &getBuilder() { return builder; }
  Location getLoc() const { return loc; }
  /// The version of the operator in force (its since_version).
  int64_t getSinceVersion() const { return sinceVersion; }

  /// Operand `i`, or a null Value where it is absent or empty (optional).
  Value operand(unsigned i) const {
    return i < operands.size() ? operands[i] : Value();
  }
  unsigned numOperands() const { return operands.size(); }
  unsigned numResults() const;

  /// Attribute accessors: the default where the attribute is absent; an
  /// error (and failure) where it is present with another type.
  FailureOr<int64_t> intAttr(StringRef name, int64_t defaultValue);
  FailureOr<float> floatAttr(StringRef name, float defaultValue);
  FailureOr<std::string> stringAttr(StringRef name, StringRef defaultValue);
  FailureOr<SmallVector<int64_t>> intsAttr(StringRef name,
                                           ArrayRef<int64_t> defaultValue);
  /// FLOATS and STRINGS attributes; empty where absent.
  FailureOr<SmallVector<float>> floatsAttr(StringRef name);
  FailureOr<SmallVector<std::string>> stringsAttr(StringRef name);
  bool hasAttr(StringRef name) const;
  /// A TENSOR attribute imported as a constant; failure if absent.
  FailureOr<Value> tensorAttr(StringRef name);
  /// A GRAPH attribute (a branch or loop body), or nullptr if absent.
  const onnx::GraphProto *graphAttr(StringRef name) const;
  /// Imports subgraph `g` at b's insertion point with its inputs bound to
  /// `inputs` (the enclosing values stay in scope); returns its outputs.
  FailureOr<SmallVector<Value>> importSubgraph(OpBuilder &b,
                                               const onnx::GraphProto &g,
                                               ValueRange inputs = {});
  /// Imports the rest of the graph this node is in (the nodes after it) at
  /// b's insertion point, with the node's outputs bound to `nodeResults`;
  /// returns the graph's outputs. The names it binds go out of scope again.
  /// For versioning: a node whose results' ranks are known only at run time
  /// imports the rest once per rank, then binds the graph's outputs with
  /// setGraphResults instead of its own.
  FailureOr<SmallVector<Value>> importRestOfGraph(OpBuilder &b,
                                                  ValueRange nodeResults);
  /// How many importRestOfGraph calls enclose this node.
  unsigned versionDepth() const;
  /// The ranks the outputs of the graph this node is in declare, one per
  /// output (none where a type gives no shape).
  SmallVector<std::optional<int64_t>> declaredGraphOutputRanks() const;
  /// Binds the outputs of the graph this node is in (see importRestOfGraph);
  /// its nodes after this one are then not imported again.
  void setGraphResults(ValueRange results);
  /// The attribute of that name, or nullptr.
  const onnx::AttributeProto *findAttr(StringRef name) const;

  /// The node's name, or its op type where it has none (as its location
  /// and run-time messages give it).
  std::string nodeName() const;

  /// Reports an error about this node: "node 'n' (Op, opset v): ...".
  InFlightDiagnostic emitError();

  /// Creates an aic op, infers its result types from its operands and
  /// attributes, and folds it where its operands are constants; returns its
  /// results, or reports failure (with the op's diagnostic) on bad input.
  FailureOr<SmallVector<Value>> createOp(StringRef opName, ValueRange operands,
                                         ArrayRef<NamedAttribute> attrs = {},
                                         unsigned numResults = 1);

  /// Verifies an op built for this node; on failure erases it and reports
  /// the verifier's message with the node's label.
  LogicalResult verifyOp(Operation *op);

  /// Operand `i` when it has elements but no values yet (known only at run
  /// time), else null: absent, constant, or empty.
  Value runtimeOperand(unsigned i) const;

  /// The values of operand `i` when it is an integer constant (shape, axes
  /// and similar inputs); reports an error naming `what` otherwise.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i, StringRef what);

  /// The float attributes' default for `name`, read as an attribute.
  Attribute f32(float value) { return builder.getF32FloatAttr(value); }

  /// createOp, then binds the op's results as the node's outputs.
  LogicalResult emitOp(StringRef opName, ValueRange operands,
                       ArrayRef<NamedAttribute> attrs = {});

  /// Binds the node's outputs in order.
  void setResults(ValueRange results) {
    this->results.assign(results.begin(), results.end());
  }
  ArrayRef<Value> getResults() const { return results; }

private:
  GraphImporter &graph;
  const onnx::NodeProto &node;
  int64_t sinceVersion;
  OpBuilder &builder;
  Location loc;
  SmallVector<Value> operands;
  SmallVector<Value> results;
};

/// How many inputs and outputs graph `g` (a node's body or branch) has.
unsigned numGraphInputs(const onnx::GraphProto &g);
unsigned numGraphOutputs(const onnx::GraphProto &g);

using ImportFn = std::function<LogicalResult(NodeContext &)>;

/// Builds a chain of aic ops for one node (a decomposition), stopping at
/// the first that fails: later calls return null, and `ok()` is false.
class OpChain {
public:
  explicit OpChain(NodeContext &ctx) : ctx(ctx) {}
  Value operator()(StringRef opName, ValueRange operands,
                   ArrayRef<NamedAttribute> attrs = {}) {
    if (!good || llvm::is_contained(operands, Value()))
      return good = false, Value();
    FailureOr<SmallVector<Value>> results =
        ctx.createOp(opName, operands, attrs);
    good = succeeded(results);
    return good ? results->front() : Value();
  }
  /// `value` converted to element type `to` (aic.cast).
  Value cast(Value value, Type to);
  bool ok() const { return good; }

private:
  NodeContext &ctx;
  bool good = true;
};

/// A rank-0 aic.constant of `type` holding `value`.
Value scalarConstant(OpBuilder &b, Location loc, Type type, double value);

/// An aic.conv of `input` and `weight` (and `bias`) with the node's Conv
/// attributes (strides, dilations, pads or auto_pad, kernel_shape, group).
FailureOr<Value> buildConv(NodeContext &ctx, Value input, Value weight,
                           Value bias);

/// An aic.conv_integer of `input` and `weight` less their zero points
/// (either may be null) with the node's Conv attributes.
FailureOr<Value> buildConvInteger(NodeContext &ctx, Value input, Value weight,
                                  Value inputZero, Value weightZero);

/// An aic.pad of `input` in `mode`: by the constant `pads`, or by
/// `padsInput` (known only at run time) for `axes` (all dims where empty).
/// `value` is the constant mode's scalar fill, or null for zero.
FailureOr<Value> buildPad(NodeContext &ctx, Value input, Value value,
                          StringRef mode, ArrayRef<int64_t> pads,
                          Value padsInput = {}, ArrayRef<int64_t> axes = {});

/// The rank of an imported (ranked tensor) value.
inline int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

/// Resolves ONNX's `auto_pad` (NOTSET, VALID, SAME_UPPER, SAME_LOWER) for a
/// window over the spatial dims of `inputType` (NC...) into explicit `pads`
/// (all begins, then all ends).
LogicalResult
resolveAutoPad(NodeContext &ctx, StringRef autoPad, RankedTensorType inputType,
               ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> dilations, SmallVectorImpl<int64_t> &pads);

/// One operator aic imports.
struct OpImporter {
  /// Every since_version of the operator up to kNewestKnownOpset.
  SmallVector<int64_t> history;
  /// The oldest version `fn` implements; it implements all later ones.
  int64_t firstSupported;
  ImportFn fn;
};

class OpRegistry {
public:
  /// Registers `opType` of the default domain.
  void on(StringRef opType, ArrayRef<int64_t> history, int64_t firstSupported,
          ImportFn fn);
  const OpImporter *lookup(StringRef opType) const;
  const llvm::StringMap<OpImporter> &all() const { return importers; }

private:
  llvm::StringMap<OpImporter> importers;
};

/// The registry with every operator aic imports.
const OpRegistry &getOpRegistry();

// One registration function per op family.
void registerElementwiseOps(OpRegistry &registry);
void registerContractionOps(OpRegistry &registry);
void registerShapeOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);
void registerQuantizationOps(OpRegistry &registry);
void registerControlFlowOps(OpRegistry &registry);
void registerRecurrentOps(OpRegistry &registry);
void registerRearrangeOps(OpRegistry &registry);

} // namespace mlir::aic::onnx_import

#endif // AIC_FRONTENDS_ONNX_NODEIMPORTER_H
