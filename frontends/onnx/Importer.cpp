//===- Importer.cpp - ONNX graph importer ---------------------------------===//
//
// Reads the model protobuf, checks it, and walks the graph in order: graph
// inputs become function arguments, initializers constants, nodes aic ops
// through the per-operator importers, graph outputs the returned values.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"
#include "frontends/onnx/NodeImporter.h"
#include "frontends/onnx/TensorBytes.h"
#include "frontends/onnx/TensorData.h"

#include "dialects/aic/IR/AicOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace mlir::aic;
using namespace mlir::aic::onnx_import;

/// int4, uint4, int2, uint2 (not bool) and float4e2m1.
static bool isSubByteType(Type type) {
  return (type.isInteger() || isa<FloatType>(type)) &&
         type.getIntOrFloatBitWidth() > 1 && type.getIntOrFloatBitWidth() < 8;
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

void OpRegistry::on(StringRef opType, ArrayRef<int64_t> history,
                    int64_t firstSupported, ImportFn fn) {
  importers[opType] =
      OpImporter{SmallVector<int64_t>(history), firstSupported, std::move(fn)};
}

const OpImporter *OpRegistry::lookup(StringRef opType) const {
  auto it = importers.find(opType);
  return it == importers.end() ? nullptr : &it->second;
}

const OpRegistry &mlir::aic::onnx_import::getOpRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerContractionOps(r);
    registerShapeOps(r);
    registerReductionOps(r);
    registerQuantizationOps(r);
    registerControlFlowOps(r);
    registerRecurrentOps(r);
    registerRearrangeOps(r);
    return r;
  }();
  return registry;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

/// Why an operator of the default domain that aic does not import fails:
/// one ONNX defines (its schema registry knows it) is not implemented yet;
/// another name is likely a misspelling of one aic imports, named where
/// one is close (at most 2 edits, and fewer than a third of the name).
static std::string unknownOpHint(StringRef opType) {
  if (onnx::OpSchemaRegistry::Schema(opType.str(),
                                     std::numeric_limits<int>::max(), ""))
    return "an ONNX operator aic does not implement yet (see aic-compile "
           "--list-ops)";
  StringRef nearest;
  unsigned best = std::min<unsigned>(3, (opType.size() + 2) / 3);
  for (const auto &entry : getOpRegistry().all()) {
    unsigned distance =
        opType.edit_distance_insensitive(entry.getKey(), true, best);
    if (distance < best) {
      best = distance;
      nearest = entry.getKey();
    }
  }
  if (!nearest.empty())
    return "not an ONNX operator; did you mean " + nearest.str() + "?";
  return "not an ONNX operator aic knows (see aic-compile --list-ops)";
}

/// Why a tensor of `type` is more than aic accepts (docs/security.md: rank
/// at most kMaxRank, at most kMaxTensorBytes), or an empty string. Dynamic
/// dims count as 1.
static std::string checkTensorLimits(RankedTensorType type) {
  using namespace ::aic::onnx_tensor;
  if (std::string error = rankLimitError(type.getRank()); !error.empty())
    return error;
  int64_t bytes =
      std::max<int64_t>(1, type.getElementType().getIntOrFloatBitWidth() / 8);
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d) && __builtin_mul_overflow(bytes, d, &bytes))
      return "dimensions overflow 64 bits";
  if (bytes <= kMaxTensorBytes)
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      type.getShape(), os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  os << 'x' << type.getElementType() << " is " << bytes << " bytes, "
     << kBeyondLimits << " (1 TiB)";
  return text;
}

/// The deepest nesting of subgraphs (If branches, Loop and Scan bodies)
/// aic imports. Protobuf's recursion limit (100 messages, 3 per level)
/// stops files nested past about 33 levels before this.
static constexpr unsigned kMaxSubgraphDepth = 16;

/// A node's name, or its op type where it has none: its location's name.
static std::string nameOf(const onnx::NodeProto &node) {
  return node.name().empty() ? node.op_type() : node.name();
}

namespace mlir::aic::onnx_import {
class GraphImporter {
public:
  /// `modelDir`: where external data is read from (empty: nowhere).
  GraphImporter(MLIRContext *context, StringRef modelPath, StringRef modelDir,
                const ImportOptions &options)
      : context(context), modelPath(modelPath.str()), modelDir(modelDir.str()),
        options(options),
        fileLoc(FileLineColLoc::get(context, modelPath, 0, 0)),
        inputShapes(options.inputShapes) {}

  OwningOpRef<ModuleOp> import(const onnx::ModelProto &model);

  /// Imports the subgraph `g` of a node at b's insertion point, its inputs
  /// bound to `inputs` and the enclosing graphs' values in scope; returns
  /// its outputs. Names bound inside go out of scope again.
  FailureOr<SmallVector<Value>>
  importSubgraph(OpBuilder &b, const onnx::GraphProto &g, ValueRange inputs);

  /// Imports the nodes of the graph being walked after the one being
  /// imported (`node`), with node's outputs bound to `nodeResults`; returns
  /// the graph's outputs. Names bound inside go out of scope again.
  FailureOr<SmallVector<Value>> importRestOfGraph(OpBuilder &b,
                                                  const onnx::NodeProto &node,
                                                  ValueRange nodeResults);
  /// Binds the outputs of the graph being walked, whose nodes after the
  /// current one importRestOfGraph has imported.
  void setGraphResults(ValueRange results);
  unsigned getVersionDepth() const { return versionDepth; }
  const onnx::GraphProto &getWalkedGraph() const { return *walk->graph; }

  MLIRContext *getContext() const { return context; }
  StringRef getModelDir() const { return modelDir; }
  int64_t getOpset() const { return opset; }
  Location getFileLoc() const { return fileLoc; }

  std::string nodeLabel(const onnx::NodeProto &node) const {
    // Unnamed nodes (common in exported models) go by their first output.
    std::string label =
        !node.name().empty() || node.output_size() == 0
            ? "node '" + node.name() + "' (" + node.op_type()
            : "node producing '" + node.output(0) + "' (" + node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      label += ", domain " + node.domain();
    return label + ", opset " + std::to_string(opset) + ")";
  }

private:
  LogicalResult importOpsets(const onnx::ModelProto &model);
  /// Checks that g names each value once: its inputs, its initializers
  /// (which may repeat an input's name, as a default) and its nodes'
  /// outputs.
  LogicalResult checkNames(const onnx::GraphProto &g);
  FailureOr<Type> importValueInfoType(const onnx::ValueInfoProto &info,
                                      bool isInput);
  LogicalResult importInitializers(OpBuilder &b, const onnx::GraphProto &g);
  /// Imports g's nodes from the `first`th on.
  LogicalResult importNodes(OpBuilder &b, const onnx::GraphProto &g,
                            int first = 0);
  /// The values bound to g's outputs.
  FailureOr<SmallVector<Value>> graphOutputs(const onnx::GraphProto &g);

  /// Where importNodes is: the graph, the node it is importing, and
  /// whether that node imported the rest of the graph (setGraphResults).
  struct Walk {
    const onnx::GraphProto *graph;
    int index;
    bool restImported;
  };
  Walk *walk = nullptr;
  const onnx::GraphProto *topGraph = nullptr;
  /// How many importRestOfGraph calls are active.
  unsigned versionDepth = 0;
  /// How many subgraphs enclose the one being imported.
  unsigned subgraphDepth = 0;

  MLIRContext *context;
  std::string modelPath, modelDir;
  const ImportOptions &options;
  Location fileLoc;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  /// --shape's dims, and those --shapes-from adds.
  llvm::StringMap<SmallVector<int64_t>> inputShapes;

  /// Reads DIR/input_K.pb (the value of graph input `name`), for `option`.
  LogicalResult readInputTensor(StringRef option, StringRef dir, size_t k,
                                StringRef name, onnx::TensorProto &value);
};
} // namespace mlir::aic::onnx_import

LogicalResult GraphImporter::importOpsets(const onnx::ModelProto &model) {
  for (const auto &entry : model.opset_import()) {
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  }
  bool usesDefaultDomain = llvm::any_of(model.graph().node(), [](auto &n) {
    return n.domain().empty() || n.domain() == "ai.onnx";
  });
  if (opset <= 0 && usesDefaultDomain) {
    emitError(fileLoc) << "the model imports no version of the default "
                          "ONNX operator set";
    return failure();
  }
  if (opset > kNewestKnownOpset) {
    emitError(fileLoc) << "the model uses opset " << opset
                       << ", newer than the newest aic knows ("
                       << kNewestKnownOpset << ")";
    return failure();
  }
  return success();
}

LogicalResult GraphImporter::checkNames(const onnx::GraphProto &g) {
  // The node that defines each name so far; null for a graph input or an
  // initializer (`inputs` tells which).
  llvm::StringMap<const onnx::NodeProto *> defined;
  llvm::StringSet<> inputs, initializers;
  std::string where =
      topGraph == &g ? std::string() : "subgraph '" + g.name() + "': ";
  for (const auto &in : g.input()) {
    defined.try_emplace(in.name(), nullptr);
    if (!inputs.insert(in.name()).second) {
      emitError(fileLoc) << where << "graph input '" << in.name()
                         << "' is declared twice";
      return failure();
    }
  }
  for (const auto &init : g.initializer()) {
    if (!initializers.insert(init.name()).second) {
      emitError(fileLoc) << where << "initializer '" << init.name()
                         << "' is declared twice";
      return failure();
    }
    defined.try_emplace(init.name(), nullptr);
  }
  for (const auto &node : g.node()) {
    for (const auto &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = defined.try_emplace(out, &node);
      if (inserted)
        continue;
      InFlightDiagnostic diag = emitError(fileLoc);
      diag << where << nodeLabel(node) << ": output '" << out << "' is ";
      if (const onnx::NodeProto *first = it->second)
        diag << "already produced by "
             << StringRef(nodeLabel(*first)).split(" (").first;
      else if (inputs.contains(out))
        diag << "already a graph input";
      else
        diag << "already an initializer";
      return failure();
    }
  }
  return success();
}

FailureOr<Type>
GraphImporter::importValueInfoType(const onnx::ValueInfoProto &info,
                                   bool isInput) {
  StringRef what = isInput ? "input" : "output";
  if (!info.type().has_tensor_type()) {
    emitError(fileLoc) << "graph " << what << " '" << info.name()
                       << "' has an unsupported type (a sequence, map or "
                          "optional, not a tensor)";
    return failure();
  }
  const auto &tensorType = info.type().tensor_type();
  Type elementType = getElementType(context, tensorType.elem_type());
  if (!elementType) {
    emitError(fileLoc) << "graph " << what << " '" << info.name()
                       << "' has unsupported element type "
                       << getDataTypeName(tensorType.elem_type());
    return failure();
  }
  auto pinned = inputShapes.find(info.name());
  bool isPinned = isInput && pinned != inputShapes.end();
  if (!tensorType.has_shape()) {
    if (isPinned)
      return Type(RankedTensorType::get(pinned->second, elementType));
    emitError(fileLoc) << "graph " << what << " '" << info.name()
                       << "' has no shape; give one with --shape "
                       << info.name() << "=D0xD1x...";
    return failure();
  }
  SmallVector<int64_t> dims;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0) {
        emitError(fileLoc) << "graph " << what << " '" << info.name()
                           << "' has negative dimension " << dim.dim_value();
        return failure();
      }
      dims.push_back(dim.dim_value());
    } else {
      dims.push_back(ShapedType::kDynamic); // Symbolic or unknown.
    }
  }
  if (isPinned) {
    ArrayRef<int64_t> want = pinned->second;
    if (want.size() != dims.size()) {
      emitError(fileLoc) << "--shape gives " << want.size()
                         << " dims for input '" << info.name()
                         << "', which has rank " << dims.size();
      return failure();
    }
    for (auto [i, d] : llvm::enumerate(dims)) {
      if (d != ShapedType::kDynamic && !ShapedType::isDynamic(want[i]) &&
          d != want[i]) {
        emitError(fileLoc) << "--shape gives dim " << i << " of input '"
                           << info.name() << "' as " << want[i]
                           << ", but the model fixes it at " << d;
        return failure();
      }
      d = want[i];
    }
  }
  auto type = RankedTensorType::get(dims, elementType);
  std::string problem = checkTensorLimits(type);
  if (!problem.empty()) {
    emitError(fileLoc) << "graph " << what << " '" << info.name()
                       << "': " << problem;
    return failure();
  }
  return Type(type);
}

LogicalResult GraphImporter::importInitializers(OpBuilder &b,
                                                const onnx::GraphProto &g) {
  for (const auto &init : g.initializer()) {
    std::string error;
    FailureOr<ElementsAttr> value =
        importTensorData(context, init, modelDir, error);
    if (failed(value)) {
      emitError(fileLoc) << "initializer '" << init.name() << "': " << error;
      return failure();
    }
    Location loc = NameLoc::get(b.getStringAttr(init.name()), fileLoc);
    values[init.name()] = ConstantOp::create(b, loc, *value);
  }
  return success();
}

LogicalResult GraphImporter::importNodes(OpBuilder &b,
                                         const onnx::GraphProto &g, int first) {
  const OpRegistry &registry = getOpRegistry();
  SmallVector<std::string> unsupported;
  llvm::StringSet<> poisoned; // Outputs of unsupported nodes.
  Walk here{&g, first, false};
  Walk *enclosing = std::exchange(walk, &here);
  llvm::scope_exit leave([&] { walk = enclosing; });

  for (; here.index < g.node_size() && !here.restImported; ++here.index) {
    const onnx::NodeProto &node = g.node(here.index);
    std::string label = nodeLabel(node);
    auto markUnsupported = [&](std::string why) {
      unsupported.push_back(label + (why.empty() ? "" : ": " + why));
      for (const auto &out : node.output())
        poisoned.insert(out);
    };

    if (node.op_type().empty()) {
      emitError(fileLoc) << label << ": the node has no op_type";
      return failure();
    }
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    const OpImporter *importer =
        defaultDomain ? registry.lookup(node.op_type()) : nullptr;
    if (!importer) {
      markUnsupported(defaultDomain ? unknownOpHint(node.op_type()) : "");
      continue;
    }
    // The version of the operator in force at the model's opset.
    int64_t since = 0;
    for (int64_t v : importer->history)
      if (v <= opset)
        since = v;
    if (since == 0) {
      // An operator newer than the model's opset: name the opset to use.
      markUnsupported("not in opset " + std::to_string(opset) +
                      " (ONNX added it in opset " +
                      std::to_string(importer->history.front()) +
                      "; export the model with opset " +
                      std::to_string(importer->firstSupported) + " or later)");
      continue;
    }
    if (since < importer->firstSupported) {
      markUnsupported("version " + std::to_string(since) +
                      " of the operator is not supported (aic implements " +
                      std::to_string(importer->firstSupported) +
                      " and later; export the model with opset " +
                      std::to_string(importer->firstSupported) + " or later)");
      continue;
    }

    SmallVector<Value> operands;
    bool skip = false;
    for (const auto &name : node.input()) {
      if (name.empty()) {
        operands.push_back(Value()); // Omitted optional input.
        continue;
      }
      auto it = values.find(name);
      if (it != values.end()) {
        operands.push_back(it->second);
        continue;
      }
      if (poisoned.contains(name)) {
        skip = true;
        break;
      }
      InFlightDiagnostic diag = emitError(fileLoc);
      diag << label << ": input '" << name
           << "' is not produced by any node, graph input or initializer "
              "before it";
      // A producer further on: the nodes are out of order, or in a cycle.
      for (int later = here.index; later < g.node_size(); ++later)
        if (llvm::is_contained(g.node(later).output(), name)) {
          diag << " (" << nodeLabel(g.node(later))
               << " produces it later: the nodes are not in topological "
                  "order, or form a cycle)";
          break;
        }
      return failure();
    }
    if (skip) {
      for (const auto &out : node.output())
        poisoned.insert(out);
      continue;
    }

    Location loc = NameLoc::get(b.getStringAttr(nameOf(node)), fileLoc);
    NodeContext ctx(*this, node, since, b, loc, std::move(operands));
    if (failed(importer->fn(ctx)))
      return failure();
    if (here.restImported)
      break;
    ArrayRef<Value> results = ctx.getResults();
    bool unbound = false;
    for (int i = results.size(); i < node.output_size(); ++i)
      unbound |= !node.output(i).empty();
    if (unbound) {
      ctx.emitError() << "produces " << results.size()
                      << " outputs, but the model names " << node.output_size();
      return failure();
    }
    for (auto [name, value] : llvm::zip(node.output(), results)) {
      auto type = dyn_cast_or_null<RankedTensorType>(value.getType());
      std::string problem = type ? checkTensorLimits(type) : "";
      if (!problem.empty()) {
        ctx.emitError() << "output '" << name << "': " << problem;
        return failure();
      }
    }
    for (auto [name, value] : llvm::zip(node.output(), results))
      if (!name.empty())
        values[name] = value;
  }

  if (!unsupported.empty()) {
    emitError(fileLoc) << unsupported.size() << " unsupported node"
                       << (unsupported.size() == 1 ? "" : "s") << ": "
                       << llvm::join(unsupported, "; ");
    return failure();
  }
  return success();
}

LogicalResult GraphImporter::readInputTensor(StringRef option, StringRef dir,
                                             size_t k, StringRef name,
                                             onnx::TensorProto &value) {
  std::string path = (dir + "/input_" + Twine(k) + ".pb").str();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer || !value.ParseFromArray((*buffer)->getBufferStart(),
                                       (*buffer)->getBufferSize())) {
    emitError(fileLoc) << option << ": cannot read '" << path << "' for input '"
                       << name << "'";
    return failure();
  }
  return success();
}

FailureOr<SmallVector<Value>>
GraphImporter::importSubgraph(OpBuilder &b, const onnx::GraphProto &g,
                              ValueRange inputs) {
  if (g.input_size() != (int)inputs.size()) {
    emitError(fileLoc) << "subgraph '" << g.name() << "' has " << g.input_size()
                       << " inputs, expected " << inputs.size();
    return failure();
  }
  if (subgraphDepth >= kMaxSubgraphDepth) {
    emitError(fileLoc) << "subgraph '" << g.name()
                       << "': subgraphs nested more than " << kMaxSubgraphDepth
                       << " deep are " << ::aic::onnx_tensor::kBeyondLimits;
    return failure();
  }
  if (failed(checkNames(g)))
    return failure();
  ++subgraphDepth;
  llvm::StringMap<Value> outer = values;
  llvm::scope_exit restore([&] {
    values = std::move(outer);
    --subgraphDepth;
  });
  for (auto [in, value] : llvm::zip(g.input(), inputs))
    values[in.name()] = value;
  if (failed(importInitializers(b, g)) || failed(importNodes(b, g)))
    return failure();
  return graphOutputs(g);
}

FailureOr<SmallVector<Value>>
GraphImporter::graphOutputs(const onnx::GraphProto &g) {
  SmallVector<Value> outputs;
  for (const auto &out : g.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      InFlightDiagnostic diag = emitError(fileLoc);
      if (topGraph != &g)
        diag << "subgraph '" << g.name() << "': ";
      diag << "graph output '" << out.name() << "' is not produced by any node";
      return failure();
    }
    outputs.push_back(it->second);
  }
  return outputs;
}

FailureOr<SmallVector<Value>>
GraphImporter::importRestOfGraph(OpBuilder &b, const onnx::NodeProto &node,
                                 ValueRange nodeResults) {
  const Walk &at = *walk;
  llvm::StringMap<Value> outer = values;
  ++versionDepth;
  llvm::scope_exit restore([&] {
    values = std::move(outer);
    --versionDepth;
  });
  for (auto [name, value] : llvm::zip(node.output(), nodeResults))
    if (!name.empty())
      values[name] = value;
  if (failed(importNodes(b, *at.graph, at.index + 1)))
    return failure();
  return graphOutputs(*at.graph);
}

void GraphImporter::setGraphResults(ValueRange results) {
  for (auto [out, value] : llvm::zip(walk->graph->output(), results))
    values[out.name()] = value;
  walk->restImported = true;
}

OwningOpRef<ModuleOp> GraphImporter::import(const onnx::ModelProto &model) {
  if (!model.has_graph()) {
    emitError(fileLoc) << "the model has no graph";
    return nullptr;
  }
  if (failed(importOpsets(model)))
    return nullptr;
  const onnx::GraphProto &g = model.graph();
  topGraph = &g;
  if (failed(checkNames(g)))
    return nullptr;

  llvm::StringSet<> initializerNames;
  for (const auto &init : g.initializer())
    initializerNames.insert(init.name());

  // Graph inputs that are not initializers are the model's inputs (before
  // IR version 4, initializers were listed as inputs too).
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<Type> inputTypes;
  std::vector<std::pair<std::string, onnx::TensorProto>> constInputs;
  if (!options.shapesFromDir.empty()) {
    // Input K takes the dims of input_K.pb where --shape leaves it open.
    size_t k = 0;
    for (const auto &in : g.input()) {
      if (initializerNames.contains(in.name()))
        continue;
      onnx::TensorProto value;
      if (failed(readInputTensor("--shapes-from", options.shapesFromDir, k++,
                                 in.name(), value)))
        return nullptr;
      if (!inputShapes.contains(in.name()))
        inputShapes[in.name()] =
            SmallVector<int64_t>(value.dims().begin(), value.dims().end());
    }
  }
  for (const auto &in : g.input()) {
    if (initializerNames.contains(in.name()))
      continue;
    if (!options.constInputsDir.empty() && in.type().has_tensor_type()) {
      // Input K takes its value from input_K.pb.
      onnx::TensorProto value;
      if (failed(readInputTensor("--const-inputs", options.constInputsDir,
                                 constInputs.size(), in.name(), value)))
        return nullptr;
      value.set_name(in.name());
      constInputs.push_back({in.name(), std::move(value)});
      continue;
    }
    FailureOr<Type> type = importValueInfoType(in, /*isInput=*/true);
    if (failed(type))
      return nullptr;
    if (options.symbolicDims) {
      auto ranked = cast<RankedTensorType>(*type);
      *type = RankedTensorType::get(
          SmallVector<int64_t>(ranked.getRank(), ShapedType::kDynamic),
          ranked.getElementType());
    }
    inputs.push_back(&in);
    inputTypes.push_back(*type);
  }
  for (const auto &entry : inputShapes) {
    if (!llvm::any_of(inputs,
                      [&](auto *in) { return in->name() == entry.getKey(); })) {
      emitError(fileLoc) << "--shape names '" << entry.getKey()
                         << "', which is not an input of the model";
      return nullptr;
    }
  }
  if (g.output_size() == 0) {
    emitError(fileLoc) << "the graph has no outputs";
    return nullptr;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  OpBuilder b(context);
  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, fileLoc, "main",
                                   b.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Attribute> inputNames, outputNames;
  for (auto [in, arg] : llvm::zip(inputs, entry->getArguments())) {
    values[in->name()] = arg;
    inputNames.push_back(b.getStringAttr(in->name()));
  }
  // Sub-byte types (int4, uint2, float4e2m1, ...) cross the model ABI one
  // element per byte in the low bits: a uint8 argument truncated to the
  // type's width (and, for floats, its bits reinterpreted).
  for (BlockArgument arg : entry->getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    if (!isSubByteType(type.getElementType()))
      continue;
    Type logical = type.getElementType();
    arg.setType(type.clone(b.getIntegerType(8, /*isSigned=*/false)));
    inputTypes[arg.getArgNumber()] = arg.getType();
    Value value;
    if (isa<FloatType>(logical)) {
      Type bits = b.getIntegerType(logical.getIntOrFloatBitWidth(),
                                   /*isSigned=*/false);
      value = BitcastOp::create(
          b, fileLoc, type,
          CastOp::create(b, fileLoc, type.clone(bits), arg, bits));
    } else {
      value = CastOp::create(b, fileLoc, type, arg, logical);
    }
    values[inputs[arg.getArgNumber()]->name()] = value;
    func.setArgAttr(arg.getArgNumber(), "aic.element_type",
                    TypeAttr::get(logical));
  }

  for (auto &[name, tensor] : constInputs) {
    std::string error;
    FailureOr<ElementsAttr> value =
        importTensorData(context, tensor, modelDir, error);
    if (failed(value)) {
      emitError(fileLoc) << "--const-inputs: input '" << name << "': " << error;
      return nullptr;
    }
    values[name] = ConstantOp::create(
        b, NameLoc::get(b.getStringAttr(name), fileLoc), *value);
  }
  if (failed(importInitializers(b, g)) || failed(importNodes(b, g)))
    return nullptr;

  FailureOr<SmallVector<Value>> graphResults = graphOutputs(g);
  if (failed(graphResults))
    return nullptr;
  SmallVector<Value> results = std::move(*graphResults);
  for (const auto &out : g.output())
    outputNames.push_back(b.getStringAttr(out.name()));
  // Sub-byte results go out zero-extended into uint8 (see the inputs).
  SmallVector<Type> logicalResultTypes;
  for (Value &result : results) {
    auto type = cast<RankedTensorType>(result.getType());
    logicalResultTypes.push_back(type.getElementType());
    if (!isSubByteType(type.getElementType()))
      continue;
    auto asUnsigned = b.getIntegerType(
        type.getElementType().getIntOrFloatBitWidth(), /*isSigned=*/false);
    Value bits = isa<FloatType>(type.getElementType())
                     ? Value(BitcastOp::create(b, fileLoc,
                                               type.clone(asUnsigned), result))
                     : Value(CastOp::create(b, fileLoc, type.clone(asUnsigned),
                                            result, asUnsigned));
    Type carrier = b.getIntegerType(8, /*isSigned=*/false);
    result = CastOp::create(b, fileLoc, type.clone(carrier), bits, carrier);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(
      b.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  for (auto [i, type] : llvm::enumerate(logicalResultTypes))
    if (isSubByteType(type))
      func.setResultAttr(i, "aic.element_type", TypeAttr::get(type));
  func->setAttr("aic.input_names", b.getArrayAttr(inputNames));
  func->setAttr("aic.output_names", b.getArrayAttr(outputNames));
  std::string name = model.graph().name().empty() ? "model" : g.name();
  (*module)->setAttr("aic.model_name", b.getStringAttr(name));

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

unsigned NodeContext::numResults() const { return node.output_size(); }

std::string NodeContext::nodeName() const { return nameOf(node); }

InFlightDiagnostic NodeContext::emitError() {
  return mlir::emitError(graph.getFileLoc()) << graph.nodeLabel(node) << ": ";
}

const onnx::AttributeProto *NodeContext::findAttr(StringRef name) const {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

const onnx::GraphProto *NodeContext::graphAttr(StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr && attr->type() == onnx::AttributeProto::GRAPH ? &attr->g()
                                                             : nullptr;
}

FailureOr<SmallVector<Value>>
NodeContext::importSubgraph(OpBuilder &b, const onnx::GraphProto &g,
                            ValueRange inputs) {
  return graph.importSubgraph(b, g, inputs);
}

FailureOr<SmallVector<Value>>
NodeContext::importRestOfGraph(OpBuilder &b, ValueRange nodeResults) {
  return graph.importRestOfGraph(b, node, nodeResults);
}

unsigned NodeContext::versionDepth() const { return graph.getVersionDepth(); }

unsigned mlir::aic::onnx_import::numGraphInputs(const onnx::GraphProto &g) {
  return g.input_size();
}

unsigned mlir::aic::onnx_import::numGraphOutputs(const onnx::GraphProto &g) {
  return g.output_size();
}

SmallVector<std::optional<int64_t>>
NodeContext::declaredGraphOutputRanks() const {
  SmallVector<std::optional<int64_t>> ranks;
  for (const auto &out : graph.getWalkedGraph().output()) {
    const auto &type = out.type();
    if (type.has_tensor_type() && type.tensor_type().has_shape())
      ranks.push_back(type.tensor_type().shape().dim_size());
    else
      ranks.push_back(std::nullopt);
  }
  return ranks;
}

void NodeContext::setGraphResults(ValueRange results) {
  graph.setGraphResults(results);
}

bool NodeContext::hasAttr(StringRef name) const {
  return findAttr(name) != nullptr;
}

FailureOr<int64_t> NodeContext::intAttr(StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return defaultValue;
  if (attr->type() != onnx::AttributeProto::INT) {
    emitError() << "attribute '" << name << "' is not an INT";
    return failure();
  }
  return attr->i();
}

FailureOr<float> NodeContext::floatAttr(StringRef name, float defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return defaultValue;
  if (attr->type() != onnx::AttributeProto::FLOAT) {
    emitError() << "attribute '" << name << "' is not a FLOAT";
    return failure();
  }
  return attr->f();
}

FailureOr<std::string> NodeContext::stringAttr(StringRef name,
                                               StringRef defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return defaultValue.str();
  if (attr->type() != onnx::AttributeProto::STRING) {
    emitError() << "attribute '" << name << "' is not a STRING";
    return failure();
  }
  return attr->s();
}

FailureOr<SmallVector<int64_t>>
NodeContext::intsAttr(StringRef name, ArrayRef<int64_t> defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return SmallVector<int64_t>(defaultValue);
  if (attr->type() != onnx::AttributeProto::INTS) {
    emitError() << "attribute '" << name << "' is not INTS";
    return failure();
  }
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

FailureOr<SmallVector<float>> NodeContext::floatsAttr(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return SmallVector<float>();
  if (attr->type() != onnx::AttributeProto::FLOATS) {
    emitError() << "attribute '" << name << "' is not FLOATS";
    return failure();
  }
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

FailureOr<SmallVector<std::string>> NodeContext::stringsAttr(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return SmallVector<std::string>();
  if (attr->type() != onnx::AttributeProto::STRINGS) {
    emitError() << "attribute '" << name << "' is not STRINGS";
    return failure();
  }
  return SmallVector<std::string>(attr->strings().begin(),
                                  attr->strings().end());
}

FailureOr<Value> NodeContext::tensorAttr(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || attr->type() != onnx::AttributeProto::TENSOR) {
    emitError() << "expects a TENSOR attribute '" << name << "'";
    return failure();
  }
  std::string error;
  FailureOr<ElementsAttr> value = importTensorData(
      graph.getContext(), attr->t(), graph.getModelDir(), error);
  if (failed(value)) {
    emitError() << "attribute '" << name << "': " << error;
    return failure();
  }
  return ConstantOp::create(builder, loc, *value).getResult();
}

FailureOr<SmallVector<Value>>
NodeContext::createOp(StringRef opName, ValueRange operands,
                      ArrayRef<NamedAttribute> attrs, unsigned numResults) {
  // Build with a placeholder result type, then let the op infer its types;
  // a rejected node is erased again and reported with the node's label.
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(SmallVector<Type>(numResults, builder.getNoneType()));
  Operation *op = builder.create(state);
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  SmallVector<Type> types;
  std::string message;
  LogicalResult inferred = success();
  if (infer) {
    // Capture inference diagnostics so that they carry the node label.
    ScopedDiagnosticHandler capture(builder.getContext(), [&](Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return success();
    });
    inferred = infer.inferReturnTypes(
        builder.getContext(), loc, op->getOperands(),
        op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
        op->getRegions(), types);
  } else {
    // Ops whose result type equals their first operand's.
    types.push_back(operands.front().getType());
  }
  if (failed(inferred) || types.size() != numResults) {
    op->erase();
    emitError() << (message.empty() ? "cannot infer the result types"
                                    : message);
    return failure();
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  if (failed(verifyOp(op)))
    return failure();

  // Fold where the operands are constants (shape computations), so that
  // the ops that consume the results see constants and static shapes.
  SmallVector<OpFoldResult> folded;
  SmallVector<Value> results(op->getResults());
  if (succeeded(op->fold(folded)) && !folded.empty()) {
    for (auto [i, f] : llvm::enumerate(folded)) {
      if (auto value = dyn_cast<Value>(f)) {
        results[i] = value;
        continue;
      }
      Operation *constant = op->getDialect()->materializeConstant(
          builder, cast<Attribute>(f), op->getResult(i).getType(), loc);
      if (!constant)
        return SmallVector<Value>(op->getResults());
      results[i] = constant->getResult(0);
    }
    op->erase();
  }
  return results;
}

Value OpChain::cast(Value value, Type to) {
  return (*this)(CastOp::getOperationName(), value,
                 {NamedAttribute(StringAttr::get(to.getContext(), "to"),
                                 TypeAttr::get(to))});
}

LogicalResult NodeContext::verifyOp(Operation *op) {
  std::string message;
  {
    ScopedDiagnosticHandler capture(builder.getContext(), [&](Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return success();
    });
    if (succeeded(mlir::verify(op, /*verifyRecursively=*/false)))
      return success();
  }
  op->erase();
  emitError() << message;
  return failure();
}

LogicalResult NodeContext::emitOp(StringRef opName, ValueRange operands,
                                  ArrayRef<NamedAttribute> attrs) {
  FailureOr<SmallVector<Value>> results = createOp(opName, operands, attrs);
  if (failed(results))
    return failure();
  setResults(*results);
  return success();
}

Value NodeContext::runtimeOperand(unsigned i) const {
  Value v = operand(i);
  if (!v || matchPattern(v, m_Constant()))
    return Value();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (type && type.hasStaticShape() && type.getNumElements() == 0)
    return Value();
  return v;
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(unsigned i,
                                                          StringRef what) {
  // An input with no elements has no values to wait for.
  if (auto type = operand(i) ? dyn_cast<RankedTensorType>(operand(i).getType())
                             : RankedTensorType();
      type && type.hasStaticShape() && type.getNumElements() == 0)
    return SmallVector<int64_t>();
  DenseIntElementsAttr values;
  if (!operand(i) || !matchPattern(operand(i), m_Constant(&values))) {
    emitError() << "unsupported: input '" << what
                << "' must be a constant (values known only at run time are "
                   "not supported yet)";
    return failure();
  }
  return llvm::to_vector(
      llvm::map_range(values.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
}

LogicalResult mlir::aic::onnx_import::resolveAutoPad(
    NodeContext &ctx, StringRef autoPad, RankedTensorType inputType,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations, SmallVectorImpl<int64_t> &pads) {
  size_t spatial = kernel.size();
  if (autoPad == "NOTSET")
    return success();
  if (autoPad == "VALID") {
    pads.assign(2 * spatial, 0);
    return success();
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    ctx.emitError() << "unknown auto_pad '" << autoPad << "'";
    return failure();
  }
  // The output covers ceil(size / stride); the odd padding element goes at
  // the end for SAME_UPPER and at the beginning for SAME_LOWER.
  pads.assign(2 * spatial, 0);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t size = inputType.getDimSize(i + 2), stride = strides[i];
    if (ShapedType::isDynamic(size) || stride < 1) {
      ctx.emitError() << "unsupported: auto_pad " << autoPad
                      << " on dynamic spatial dims or non-positive strides";
      return failure();
    }
    int64_t out = (size + stride - 1) / stride;
    int64_t span = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + span - size);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp>
mlir::aic::onnx_import::importOnnxFile(MLIRContext *context, StringRef path,
                                       const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  // Protobuf reads at most 2 GiB - 1 bytes; larger models keep their
  // weights in external data.
  uint64_t size = 0;
  if (!llvm::sys::fs::file_size(path, size) &&
      size > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
    emitError(fileLoc) << "the model file is "
                       << llvm::formatv("{0:f1}", size / double(1 << 30))
                       << " GiB; aic reads models up to 2.0 GiB (protobuf's "
                          "limit): keep the weights in external data";
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(fileLoc) << "cannot open the model: "
                       << buffer.getError().message();
    return nullptr;
  }
  if ((*buffer)->getBufferSize() == 0) {
    emitError(fileLoc) << "the model file is empty";
    return nullptr;
  }
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  return importOnnxBuffer(context, (*buffer)->getBuffer(), path,
                          dir.empty() ? "." : dir.str(), options);
}

OwningOpRef<ModuleOp>
mlir::aic::onnx_import::importOnnxBuffer(MLIRContext *context, StringRef data,
                                         StringRef path, StringRef modelDir,
                                         const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(data.data()), data.size());
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    emitError(fileLoc) << "not a valid ONNX model (the protobuf does not "
                          "parse; is the file truncated?)";
    return nullptr;
  }
  if (model.ir_version() <= 0) {
    emitError(fileLoc) << "not a valid ONNX model (no ir_version)";
    return nullptr;
  }
  if (options.graphNodes)
    for (const onnx::NodeProto &node : model.graph().node())
      options.graphNodes->push_back(
          {nameOf(node),
           node.op_type(),
           {node.input().begin(), node.input().end()},
           {node.output().begin(), node.output().end()}});
  if (options.graphInputs) {
    llvm::StringSet<> initializers;
    for (const onnx::TensorProto &init : model.graph().initializer())
      initializers.insert(init.name());
    for (const onnx::ValueInfoProto &input : model.graph().input()) {
      if (initializers.contains(input.name()))
        continue;
      GraphInput described{input.name(), {}, {}};
      for (const auto &dim : input.type().tensor_type().shape().dim()) {
        bool known = dim.has_dim_value() && dim.dim_value() >= 0;
        described.dims.push_back(known ? dim.dim_value() : -1);
        described.dimNames.push_back(known ? "" : dim.dim_param());
      }
      options.graphInputs->push_back(std::move(described));
    }
  }
  GraphImporter importer(context, path, modelDir, options);
  return importer.import(model);
}

void mlir::aic::onnx_import::printSupportedOps(llvm::raw_ostream &os) {
  os << "# Supported ONNX operators\n\n"
     << "Generated by `aic-compile --list-ops`; test/tools/supported-ops.test "
        "checks that this file is current.\n\n"
     << "An operator imports at a model's opset when the version in force "
        "there (the newest of its versions not above the opset) is one aic "
        "implements. aic knows operator versions up to opset "
     << kNewestKnownOpset << ".\n\n"
     << "| operator | versions (ONNX since_version) | aic implements |\n"
     << "|---|---|---|\n";
  const auto &all = getOpRegistry().all();
  SmallVector<StringRef> names;
  for (const auto &entry : all)
    names.push_back(entry.getKey());
  llvm::sort(names);
  for (StringRef name : names) {
    const OpImporter &op = all.find(name)->second;
    SmallVector<std::string> supported;
    for (int64_t v : op.history)
      if (v >= op.firstSupported)
        supported.push_back(std::to_string(v));
    os << "| " << name << " | "
       << llvm::join(
              llvm::map_range(op.history,
                              [](int64_t v) { return std::to_string(v); }),
              ", ")
       << " | " << llvm::join(supported, ", ") << " |\n";
  }
}

LogicalResult mlir::aic::onnx_import::parseShapeOption(StringRef text,
                                                       ImportOptions &options,
                                                       std::string &error) {
  auto [name, dimsText] = text.rsplit('=');
  if (name.empty() || dimsText.empty() || !text.contains('=')) {
    error = "--shape expects NAME=D0xD1x..., got '" + text.str() + "'";
    return failure();
  }
  SmallVector<int64_t> dims;
  SmallVector<StringRef> parts;
  dimsText.split(parts, 'x');
  for (StringRef part : parts) {
    // `?` leaves the dim to run time, even where the model fixes it.
    int64_t d = ShapedType::kDynamic;
    if (part != "?" && (part.getAsInteger(10, d) || d < 0)) {
      error = "--shape " + text.str() + ": '" + part.str() +
              "' is not a non-negative dimension or ?";
      return failure();
    }
    dims.push_back(d);
  }
  options.inputShapes[name] = std::move(dims);
  return success();
}
