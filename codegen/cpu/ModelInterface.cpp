//===- ModelInterface.cpp - a model's inputs, outputs and C header --------===//
//
// Describes the graph function's inputs and outputs as the model ABI does,
// and writes the C header of aic-compile --emit-header.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/ModelInterface.h"

#include "aic/model_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::aic::cpu;
using llvm::formatv;
using llvm::isAlnum;
using llvm::isDigit;

int32_t mlir::aic::cpu::onnxDataType(Type type) {
  if (type.isF32())
    return AIC_FLOAT32;
  if (type.isF64())
    return AIC_FLOAT64;
  if (type.isF16())
    return AIC_FLOAT16;
  if (type.isBF16())
    return AIC_BFLOAT16;
  if (type.isInteger(1))
    return AIC_BOOL;
  if (isa<Float8E4M3FNType>(type))
    return AIC_FLOAT8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type))
    return AIC_FLOAT8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type))
    return AIC_FLOAT8E5M2;
  if (isa<Float8E5M2FNUZType>(type))
    return AIC_FLOAT8E5M2FNUZ;
  if (isa<Float4E2M1FNType>(type))
    return AIC_FLOAT4E2M1;
  if (isa<Float8E8M0FNUType>(type))
    return AIC_FLOAT8E8M0;
  if (type.isUnsignedInteger(4))
    return AIC_UINT4;
  if (type.isSignlessInteger(4))
    return AIC_INT4;
  if (type.isUnsignedInteger(2))
    return AIC_UINT2;
  if (type.isSignlessInteger(2))
    return AIC_INT2;
  if (type.isUnsignedInteger(8))
    return AIC_UINT8;
  if (type.isUnsignedInteger(16))
    return AIC_UINT16;
  if (type.isUnsignedInteger(32))
    return AIC_UINT32;
  if (type.isUnsignedInteger(64))
    return AIC_UINT64;
  if (type.isInteger(8))
    return AIC_INT8;
  if (type.isInteger(16))
    return AIC_INT16;
  if (type.isInteger(32))
    return AIC_INT32;
  if (type.isInteger(64))
    return AIC_INT64;
  return 0;
}

func::FuncOp mlir::aic::cpu::lookupGraph(ModuleOp module) {
  auto graph = module.lookupSymbol<func::FuncOp>(kGraphName);
  return graph && !graph.isExternal() ? graph : func::FuncOp();
}

FailureOr<ModelInterface>
mlir::aic::cpu::describeModelInterface(ModuleOp module) {
  func::FuncOp graph = lookupGraph(module);
  if (!graph)
    return module.emitError("expects a func.func @main with a body");
  auto inputNames = graph->getAttrOfType<ArrayAttr>("aic.input_names");
  auto outputNames = graph->getAttrOfType<ArrayAttr>("aic.output_names");
  if (!inputNames || !outputNames ||
      graph.getNumArguments() != inputNames.size() ||
      graph.getNumResults() != outputNames.size() ||
      !llvm::all_of(inputNames, llvm::IsaPred<StringAttr>) ||
      !llvm::all_of(outputNames, llvm::IsaPred<StringAttr>))
    return graph.emitError("expects aic.input_names and aic.output_names "
                           "naming every argument and result");
  ModelInterface model;
  auto modelName = module->getAttrOfType<StringAttr>("aic.model_name");
  model.name = modelName ? modelName.getValue().str() : "model";
  SmallVector<Type> types(graph.getArgumentTypes());
  llvm::append_range(types, graph.getResultTypes());
  for (auto [i, type] : llvm::enumerate(types)) {
    bool isInput = i < inputNames.size();
    int64_t index = isInput ? i : i - inputNames.size();
    auto shaped = dyn_cast<ShapedType>(type);
    // Unsigned integers became signless; their type is an attribute.
    auto recorded =
        isInput
            ? graph.getArgAttrOfType<TypeAttr>(index, "aic.element_type")
            : graph.getResultAttrOfType<TypeAttr>(index, "aic.element_type");
    int32_t dataType = shaped && shaped.hasRank()
                           ? onnxDataType(recorded ? recorded.getValue()
                                                   : shaped.getElementType())
                           : 0;
    if (!dataType)
      return graph.emitError("input or output ")
             << i << " has type " << type
             << "; the model ABI needs ranked tensors of a supported element "
                "type";
    TensorInterface tensor;
    tensor.name =
        cast<StringAttr>((isInput ? inputNames : outputNames)[index]).str();
    tensor.dataType = dataType;
    llvm::append_range(tensor.shape, shaped.getShape());
    (isInput ? model.inputs : model.outputs).push_back(std::move(tensor));
  }
  return model;
}

bool mlir::aic::cpu::isValidSymbolPrefix(StringRef prefix) {
  return !prefix.empty() && !isDigit(prefix.front()) &&
         llvm::all_of(prefix, [](char c) { return isAlnum(c) || c == '_'; });
}

namespace {
struct ElementType {
  int32_t code;
  const char *enumerator;
  const char *name;
  const char *cType;
};
constexpr ElementType kElementTypes[] = {
#define AIC_ELEMENT_TYPE(enumerator, name, bytes, ctype)                       \
  {enumerator, #enumerator, name, #ctype},
#include "aic/element_types.def"
};

const ElementType &elementType(int32_t code) {
  for (const ElementType &type : kElementTypes)
    if (type.code == code)
      return type;
  llvm_unreachable("describeModelInterface admits only the ABI's types");
}

/// The keywords of C and C++ an identifier from an ONNX name must avoid.
bool isKeyword(StringRef word) {
  static const llvm::StringSet<> keywords = {
      "auto",     "bool",      "break",    "case",     "catch",    "char",
      "class",    "const",     "continue", "default",  "delete",   "do",
      "double",   "else",      "enum",     "extern",   "false",    "float",
      "for",      "friend",    "goto",     "if",       "inline",   "int",
      "long",     "namespace", "new",      "operator", "private",  "protected",
      "public",   "register",  "restrict", "return",   "short",    "signed",
      "sizeof",   "static",    "struct",   "switch",   "template", "this",
      "throw",    "true",      "try",      "typedef",  "typename", "union",
      "unsigned", "using",     "virtual",  "void",     "volatile", "while"};
  return keywords.contains(word);
}

/// `text` with `*/` broken up, to sit in a C comment.
std::string commentSafe(StringRef text) {
  std::string safe;
  for (char c : text) {
    if (c == '/' && !safe.empty() && safe.back() == '*')
      safe.push_back(' ');
    safe.push_back(c);
  }
  return safe;
}

/// One tensor as the header names it: `id` in macros (upper case), `param`
/// as the typed entry point's parameter.
struct HeaderTensor {
  const TensorInterface *tensor;
  /// The typed entry point's parameters: the data, and the dims of an
  /// input with dynamic ones.
  std::string param, shapeParam;
  bool isStatic() const {
    return llvm::none_of(tensor->shape, ShapedType::isDynamic);
  }
  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : tensor->shape)
      n *= d;
    return n;
  }
};

class HeaderWriter {
public:
  HeaderWriter(llvm::raw_ostream &os, const ModelInterface &model,
               const HeaderOptions &options)
      : os(os), model(model), options(options),
        macro(StringRef(options.prefix).upper()) {}

  void write();

private:
  std::string identifier(StringRef name, llvm::StringSet<> &taken);
  std::string shapeList(const TensorInterface &t, StringRef dynamic);
  void writeTensorMacros(StringRef kind, ArrayRef<HeaderTensor> tensors);
  void writeTypedRun();

  llvm::raw_ostream &os;
  const ModelInterface &model;
  const HeaderOptions &options;
  std::string macro;
  SmallVector<HeaderTensor> inputs, outputs;
};
} // namespace

/// A C identifier for an ONNX name (`input.1` -> `input_1`), unique in
/// `taken` case-insensitively (macros use it in upper case).
std::string HeaderWriter::identifier(StringRef name, llvm::StringSet<> &taken) {
  std::string id;
  for (char c : name)
    id.push_back(isAlnum(c) ? c : '_');
  if (id.empty() || isDigit(id.front()))
    id.insert(id.begin(), '_');
  if (isKeyword(id) || StringRef(id).starts_with("aic_"))
    id.push_back('_');
  std::string unique = id;
  for (int n = 2; !taken.insert(StringRef(unique).upper()).second; ++n)
    unique = id + "_" + std::to_string(n);
  return unique;
}

std::string HeaderWriter::shapeList(const TensorInterface &t,
                                    StringRef dynamic) {
  SmallVector<std::string> dims;
  for (int64_t d : t.shape)
    dims.push_back(ShapedType::isDynamic(d) ? dynamic.str()
                                            : std::to_string(d));
  return llvm::join(dims, ", ");
}

void HeaderWriter::writeTensorMacros(StringRef kind,
                                     ArrayRef<HeaderTensor> tensors) {
  for (auto [i, t] : llvm::enumerate(tensors)) {
    std::string m =
        macro + "_" + kind.upper() + "_" + StringRef(t.param).upper();
    const ElementType &type = elementType(t.tensor->dataType);
    os << formatv("\n/* {0} {1}: {2}, {3} [{4}] */\n", kind, i, t.param,
                  type.name, shapeList(*t.tensor, "?"));
    os << formatv("#define {0}_INDEX {1}\n", m, i);
    os << "#define " << m << "_NAME \"";
    os.write_escaped(t.tensor->name);
    os << "\"\n";
    os << formatv("#define {0}_TYPE {1}\n", m, type.enumerator);
    os << formatv("#define {0}_RANK {1}\n", m, t.tensor->shape.size());
    if (!t.tensor->shape.empty())
      os << formatv("#define {0}_SHAPE {{{1}}\n", m,
                    shapeList(*t.tensor, "-1"));
    if (t.isStatic())
      os << formatv("#define {0}_SIZE {1}\n", m, t.elements());
  }
}

void HeaderWriter::writeTypedRun() {
  const std::string &p = options.prefix;
  // The parameters, documented one per line.
  SmallVector<std::string> params, docs;
  for (const HeaderTensor &t : inputs) {
    const ElementType &type = elementType(t.tensor->dataType);
    params.push_back(formatv("const {0} *{1}", type.cType, t.param));
    if (!t.isStatic())
      params.push_back(formatv("const int64_t *{0}", t.shapeParam));
    docs.push_back(formatv(
        " *   {0}: input \"{1}\", {2} [{3}]{4}", t.param,
        commentSafe(t.tensor->name), type.name, shapeList(*t.tensor, "?"),
        t.isStatic() ? "" : ", its dims in " + t.shapeParam));
  }
  for (const HeaderTensor &t : outputs) {
    const ElementType &type = elementType(t.tensor->dataType);
    if (t.isStatic()) {
      params.push_back(formatv("{0} *{1}", type.cType, t.param));
      docs.push_back(formatv(" *   {0}: output \"{1}\", {2} [{3}], written "
                             "to the caller's {4} elements",
                             t.param, commentSafe(t.tensor->name), type.name,
                             shapeList(*t.tensor, "?"), t.elements()));
    } else {
      params.push_back(formatv("aic_output_ref *{0}", t.param));
      docs.push_back(formatv(
          " *   {0}: output \"{1}\", {2} [{3}], whose dims are known only "
          "after\n *     the run: set {0}->shape to an array of {4} dims; "
          "release\n *     {0}->allocation with {5}_free",
          t.param, commentSafe(t.tensor->name), type.name,
          shapeList(*t.tensor, "?"), t.tensor->shape.size(), p));
    }
  }
  os << "\n/* Runs the model on the caller's buffers (dense, row-major):\n"
     << llvm::join(docs, "\n") << "\n"
     << " * Returns 0, or nonzero where a run-time check failed (" << p
     << "_error()\n * says which). */\n";
  os << "static inline int32_t " << p << "_run_typed("
     << (params.empty() ? "void" : llvm::join(params, ", ")) << ") {\n";
  os << formatv("  aic_tensor_ref aic_in[{0}];\n",
                std::max<size_t>(1, inputs.size()));
  os << formatv("  aic_output_ref aic_out[{0}];\n",
                std::max<size_t>(1, outputs.size()));
  for (auto [i, t] : llvm::enumerate(inputs)) {
    std::string shape = "0";
    if (!t.isStatic()) {
      shape = t.shapeParam;
    } else if (!t.tensor->shape.empty()) {
      shape = formatv("aic_in_shape_{0}", i);
      os << formatv("  static const int64_t {0}[{1}] = {{{2}};\n", shape,
                    t.tensor->shape.size(), shapeList(*t.tensor, "-1"));
    }
    os << formatv("  aic_in[{0}].data = (void *){1};\n", i, t.param);
    os << formatv("  aic_in[{0}].shape = {1};\n", i, shape);
  }
  for (auto [i, t] : llvm::enumerate(outputs)) {
    if (!t.isStatic()) {
      os << formatv("  aic_out[{0}] = *{1};\n", i, t.param);
      continue;
    }
    os << formatv("  int64_t aic_out_shape_{0}[{1}];\n", i,
                  std::max<size_t>(1, t.tensor->shape.size()));
    os << formatv("  aic_out[{0}].data = 0;\n", i);
    os << formatv("  aic_out[{0}].allocation = 0;\n", i);
    os << formatv("  aic_out[{0}].shape = aic_out_shape_{0};\n", i);
  }
  os << "  int32_t aic_status = " << p << "_run(aic_in, aic_out);\n";
  for (auto [i, t] : llvm::enumerate(outputs)) {
    if (!t.isStatic()) {
      os << formatv("  *{0} = aic_out[{1}];\n", t.param, i);
      continue;
    }
    os << formatv("  if (aic_status == 0)\n    memcpy({0}, aic_out[{1}].data, "
                  "sizeof(*{0}) * {2});\n",
                  t.param, i, t.elements());
    os << formatv("  {0}_free(aic_out[{1}].allocation);\n", p, i);
  }
  os << "  return aic_status;\n}\n";
}

void HeaderWriter::write() {
  llvm::StringSet<> taken;
  for (const TensorInterface &t : model.inputs)
    inputs.push_back({&t, "", ""});
  for (const TensorInterface &t : model.outputs)
    outputs.push_back({&t, "", ""});
  // Inputs and outputs share the parameter list, so their names are unique
  // across both.
  for (HeaderTensor &t : llvm::concat<HeaderTensor>(inputs, outputs))
    t.param = identifier(t.tensor->name, taken);
  for (HeaderTensor &t : inputs)
    if (!t.isStatic())
      t.shapeParam = identifier(t.param + "_shape", taken);

  const std::string &p = options.prefix;
  std::string link = "cc program.c " + options.library;
  if (options.needsOpenMP)
    link += " -l:libomp.so.5";
  link += " -lm";
  os << "/* The C interface of a model library aic-compile made from\n"
     << " * " << commentSafe(options.source) << " (graph '"
     << commentSafe(model.name) << "'). Generated: do not edit.\n"
     << " *\n"
     << " * The entry points are those of aic/model_abi.h (ABI version "
     << AIC_MODEL_ABI_VERSION << ") named\n"
     << " * " << p << "_*, plus " << p << "_run_typed. Link the model with\n"
     << " *   " << link << "\n"
     << " * or a shared library of the model in its place. */\n\n";
  os << "#ifndef " << macro << "_AIC_MODEL_H\n#define " << macro
     << "_AIC_MODEL_H\n\n";
  os << "#include \"aic/model_abi.h\"\n\n#include <stdint.h>\n#include "
        "<string.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << formatv("#define {0}_NUM_INPUTS {1}\n", macro, inputs.size());
  os << formatv("#define {0}_NUM_OUTPUTS {1}\n", macro, outputs.size());
  os << formatv("#define {0}_NEEDS_OPENMP {1}\n", macro,
                options.needsOpenMP ? 1 : 0);
  writeTensorMacros("input", inputs);
  writeTensorMacros("output", outputs);

  os << "\n/* The entry points (see aic/model_abi.h). */\n";
  os << "const aic_model_info *" << p << "_info(void);\n";
  os << "int32_t " << p
     << "_run(const aic_tensor_ref *inputs, aic_output_ref *outputs);\n";
  os << "const char *" << p << "_error(void);\n";
  if (options.hasSetNumThreads)
    os << "void " << p << "_set_num_threads(int32_t num_threads);\n";
  os << "void " << p << "_free(void *allocation);\n";
  writeTypedRun();
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << macro
     << "_AIC_MODEL_H */\n";
}

void mlir::aic::cpu::writeModelHeader(llvm::raw_ostream &os,
                                      const ModelInterface &model,
                                      const HeaderOptions &options) {
  HeaderWriter(os, model, options).write();
}
