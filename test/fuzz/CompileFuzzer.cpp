//===- CompileFuzzer.cpp - import and the whole CPU pipeline --------------===//
//
// libFuzzer target, structure-aware: the bytes choose a small ONNX graph
// (inputs of small shapes, up to six nodes of common CNN and transformer
// operators with attributes and constant inputs in plausible ranges, so
// that most graphs get past the importer), which is imported and compiled
// through the graph, linalg and CPU pipelines to optimized LLVM IR, as
// aic-compile does before it writes the object file.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"
#include "compiler/Pipelines/Pipelines.h"
#include "frontends/onnx/Importer.h"
#include "test/fuzz/FuzzContext.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

/// An operator and how many inputs it takes (the last ones may be
/// omitted where ONNX allows).
struct OpSpec {
  const char *type;
  int minInputs, maxInputs, outputs;
};

constexpr OpSpec kOps[] = {
    {"Add", 2, 2, 1},         {"Sub", 2, 2, 1},
    {"Mul", 2, 2, 1},         {"Div", 2, 2, 1},
    {"Pow", 2, 2, 1},         {"Relu", 1, 1, 1},
    {"Sigmoid", 1, 1, 1},     {"Tanh", 1, 1, 1},
    {"Exp", 1, 1, 1},         {"Sqrt", 1, 1, 1},
    {"Neg", 1, 1, 1},         {"Erf", 1, 1, 1},
    {"MatMul", 2, 2, 1},      {"Gemm", 2, 3, 1},
    {"Conv", 2, 3, 1},        {"MaxPool", 1, 1, 1},
    {"AveragePool", 1, 1, 1}, {"GlobalAveragePool", 1, 1, 1},
    {"Softmax", 1, 1, 1},     {"Transpose", 1, 1, 1},
    {"Reshape", 2, 2, 1},     {"Flatten", 1, 1, 1},
    {"Concat", 1, 3, 1},      {"Slice", 3, 5, 1},
    {"Gather", 2, 2, 1},      {"GatherElements", 2, 2, 1},
    {"Squeeze", 1, 2, 1},     {"Unsqueeze", 2, 2, 1},
    {"ReduceSum", 1, 2, 1},   {"ReduceMean", 1, 2, 1},
    {"ReduceMax", 1, 2, 1},   {"Pad", 2, 3, 1},
    {"Cast", 1, 1, 1},        {"Clip", 1, 3, 1},
    {"Where", 3, 3, 1},       {"Expand", 2, 2, 1},
    {"Tile", 2, 2, 1},        {"Split", 1, 2, 2},
    {"Equal", 2, 2, 1},       {"Less", 2, 2, 1},
    {"ArgMax", 1, 1, 1},      {"CumSum", 2, 2, 1},
    {"Shape", 1, 1, 1},       {"ConstantOfShape", 1, 1, 1},
    {"Range", 3, 3, 1},       {"LayerNormalization", 2, 3, 1},
    {"Resize", 1, 4, 1},      {"ScatterND", 3, 3, 1},
    {"TopK", 2, 2, 2},        {"BatchNormalization", 5, 5, 1},
    {"Identity", 1, 1, 1},    {"Mod", 2, 2, 1},
};

/// Attributes the operators above take, with values around the legal ones.
void addAttributes(FuzzedDataProvider &data, onnx::NodeProto &node) {
  auto ints = [&](const char *name, int count, int lo, int hi) {
    onnx::AttributeProto *a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int i = 0; i < count; ++i)
      a->add_ints(data.ConsumeIntegralInRange(lo, hi));
  };
  auto integer = [&](const char *name, int lo, int hi) {
    onnx::AttributeProto *a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(data.ConsumeIntegralInRange(lo, hi));
  };
  int n = data.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < n; ++i) {
    switch (data.ConsumeIntegralInRange(0, 9)) {
    case 0:
      integer("axis", -4, 4);
      break;
    case 1:
      ints("perm", data.ConsumeIntegralInRange(0, 5), -1, 4);
      break;
    case 2:
      ints("kernel_shape", 2, 0, 4);
      break;
    case 3:
      ints("strides", 2, 0, 3);
      break;
    case 4:
      ints("pads", 4, -1, 3);
      break;
    case 5:
      integer("keepdims", 0, 1);
      break;
    case 6:
      integer("to", 0, 16);
      break;
    case 7:
      integer("group", 0, 4);
      break;
    case 8:
      ints("axes", data.ConsumeIntegralInRange(0, 3), -4, 4);
      break;
    default:
      integer("transB", 0, 1);
      break;
    }
  }
}

/// A constant initializer: float or int64, rank 0 to 3, small values.
std::string addConstant(FuzzedDataProvider &data, onnx::GraphProto &graph,
                        int index) {
  onnx::TensorProto *t = graph.add_initializer();
  std::string name = "c" + std::to_string(index);
  t->set_name(name);
  bool isFloat = data.ConsumeBool();
  t->set_data_type(isFloat ? onnx::TensorProto::FLOAT
                           : onnx::TensorProto::INT64);
  int rank = data.ConsumeIntegralInRange(0, 3), count = 1;
  for (int d = 0; d < rank; ++d) {
    int size = data.ConsumeIntegralInRange(0, 4);
    t->add_dims(size);
    count *= size;
  }
  for (int i = 0; i < count; ++i) {
    if (isFloat)
      t->add_float_data(data.ConsumeFloatingPointInRange(-4.0f, 4.0f));
    else
      t->add_int64_data(data.ConsumeIntegralInRange(-4, 8));
  }
  return name;
}

void addValueInfo(onnx::ValueInfoProto *info, const std::string &name,
                  int32_t elemType, const std::vector<int64_t> &dims) {
  info->set_name(name);
  auto *tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elemType);
  auto *shape = tensor->mutable_shape();
  for (int64_t d : dims) {
    if (d < 0)
      shape->add_dim()->set_dim_param("n");
    else
      shape->add_dim()->set_dim_value(d);
  }
}

onnx::ModelProto buildModel(FuzzedDataProvider &data) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  constexpr int kOpsets[] = {11, 13, 17, 18, 21};
  onnx::OperatorSetIdProto *opset = model.add_opset_import();
  opset->set_version(data.PickValueInArray(kOpsets));
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name("fuzz");

  std::vector<std::string> values;
  int numInputs = data.ConsumeIntegralInRange(1, 2);
  for (int i = 0; i < numInputs; ++i) {
    std::vector<int64_t> dims;
    int rank = data.ConsumeIntegralInRange(0, 4);
    for (int d = 0; d < rank; ++d)
      dims.push_back(data.ConsumeIntegralInRange(-1, 6));
    std::string name = "x" + std::to_string(i);
    addValueInfo(graph.add_input(), name,
                 data.ConsumeIntegralInRange(0, 5) ? onnx::TensorProto::FLOAT
                                                   : onnx::TensorProto::INT64,
                 dims);
    values.push_back(name);
  }
  int numNodes = data.ConsumeIntegralInRange(1, 6), constants = 0;
  for (int n = 0; n < numNodes && data.remaining_bytes(); ++n) {
    const OpSpec &spec = data.PickValueInArray(kOps);
    onnx::NodeProto &node = *graph.add_node();
    node.set_op_type(spec.type);
    node.set_name("n" + std::to_string(n));
    int inputs = data.ConsumeIntegralInRange(spec.minInputs, spec.maxInputs);
    for (int i = 0; i < inputs; ++i) {
      if (data.ConsumeIntegralInRange(0, 2) == 0)
        node.add_input(addConstant(data, graph, constants++));
      else
        node.add_input(
            values[data.ConsumeIntegralInRange<size_t>(0, values.size() - 1)]);
    }
    addAttributes(data, node);
    for (int o = 0; o < spec.outputs; ++o) {
      std::string name = "v" + std::to_string(n) + "_" + std::to_string(o);
      node.add_output(name);
      values.push_back(name);
    }
  }
  addValueInfo(graph.add_output(), values.back(), onnx::TensorProto::FLOAT, {});
  graph.mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  return model;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size) {
  FuzzedDataProvider data(bytes, size);
  unsigned optLevel = data.ConsumeIntegralInRange(0, 3);
  onnx::ModelProto model = buildModel(data);
  std::string serialized = model.SerializeAsString();
  // AIC_FUZZ_MODEL=FILE saves the model an input builds, so that a
  // finding can be replayed with aic-compile.
  if (const char *path = std::getenv("AIC_FUZZ_MODEL"))
    std::ofstream(path, std::ios::binary) << serialized;

  mlir::MLIRContext &context = aic_fuzz::context();
  mlir::aic::onnx_import::ImportOptions options;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::aic::onnx_import::importOnnxBuffer(&context, serialized,
                                               "fuzz.onnx", "", options);
  if (!module)
    return 0;
  mlir::aic::PipelineOptions pipeline;
  pipeline.optLevel = optLevel;
  pipeline.vectorBits = 256;
  mlir::PassManager pm(&context);
  mlir::aic::buildGraphPipeline(pm, pipeline);
  mlir::aic::buildLowerToLinalgPipeline(pm, pipeline);
  mlir::aic::buildCpuCodegenPipeline(pm, pipeline);
  if (mlir::failed(pm.run(*module)))
    return 0;
  llvm::LLVMContext llvmContext;
  mlir::aic::cpu::TargetOptions target;
  target.cpu = "x86-64-v3";
  target.optLevel = optLevel;
  std::string error;
  (void)mlir::aic::cpu::translateAndOptimize(*module, llvmContext, target,
                                             error);
  return 0;
}
