//===- ModelInfoFuzzer.cpp - the runtime's reading of model metadata ------===//
//
// libFuzzer target: a model library's description of itself
// (aic_model_info) made from the bytes, as libaic_runtime checks it when it
// loads a library, then tensors checked against it as before a run. The
// arrays the description points to are as long as it says: the library is
// code the caller chose to load (docs/security.md); its values are not
// trusted beyond that.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Internal.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

namespace {
struct Tensors {
  std::vector<aic_tensor_info> infos;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<std::string> names;
};

int64_t dim(FuzzedDataProvider &data) {
  switch (data.ConsumeIntegralInRange(0, 3)) {
  case 0:
    return -1;
  case 1:
    return data.ConsumeIntegral<int64_t>();
  default:
    return data.ConsumeIntegralInRange<int64_t>(0, 16);
  }
}

/// `count` descriptions; a rank outside [0, 80] gets no shape array.
void describe(FuzzedDataProvider &data, uint32_t count, Tensors &t) {
  t.infos.resize(count);
  t.shapes.resize(count);
  t.names.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    aic_tensor_info &info = t.infos[i];
    t.names[i] = data.ConsumeRandomLengthString(16);
    info.name = data.ConsumeBool() ? t.names[i].c_str() : nullptr;
    info.elem_type = data.ConsumeBool() ? data.ConsumeIntegralInRange(0, 27)
                                        : data.ConsumeIntegral<int32_t>();
    info.rank = data.ConsumeBool() ? data.ConsumeIntegralInRange(-2, 80)
                                   : data.ConsumeIntegral<int32_t>();
    if (info.rank >= 0 && info.rank <= 80) {
      for (int32_t d = 0; d < info.rank; ++d)
        t.shapes[i].push_back(dim(data));
    }
    info.shape = t.shapes[i].empty() ? nullptr : t.shapes[i].data();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size) {
  FuzzedDataProvider data(bytes, size);
  aic_model_info info{};
  info.abi_version = data.ConsumeBool() ? AIC_MODEL_ABI_VERSION
                                        : data.ConsumeIntegral<uint32_t>();
  info.device = data.ConsumeIntegralInRange<uint32_t>(0, 2);
  std::string name = data.ConsumeRandomLengthString(16);
  info.name = name.c_str();
  Tensors inputs, outputs;
  info.num_inputs = data.ConsumeIntegralInRange<uint32_t>(0, 4);
  info.num_outputs = data.ConsumeIntegralInRange<uint32_t>(0, 4);
  describe(data, info.num_inputs, inputs);
  describe(data, info.num_outputs, outputs);
  info.inputs = inputs.infos.empty() ? nullptr : inputs.infos.data();
  info.outputs = outputs.infos.empty() ? nullptr : outputs.infos.data();
  // A count larger than the arrays only with no array at all.
  if (data.ConsumeBool() && !info.inputs)
    info.num_inputs = data.ConsumeIntegral<uint32_t>();
  if (aic_runtime::checkModelInfo(&info, "fuzz.so") != AIC_OK)
    return 0;

  // Tensors for the inputs, each like its description or not.
  std::vector<aic_tensor> tensors(info.num_inputs);
  std::vector<std::vector<int64_t>> shapes(info.num_inputs);
  char element[16] = {};
  for (uint32_t i = 0; i < info.num_inputs; ++i) {
    const aic_tensor_info &in = info.inputs[i];
    aic_tensor &t = tensors[i];
    t.elem_type =
        data.ConsumeBool() ? in.elem_type : data.ConsumeIntegral<int32_t>();
    t.rank = data.ConsumeBool() ? in.rank : data.ConsumeIntegralInRange(0, 8);
    for (int32_t d = 0; d < t.rank; ++d)
      shapes[i].push_back(d < in.rank && in.shape[d] >= 0 && data.ConsumeBool()
                              ? in.shape[d]
                              : dim(data));
    t.shape = shapes[i].empty() ? nullptr : shapes[i].data();
    // Data only where it is at most one element: a check that passes must
    // not let a run read more than the tensor holds.
    t.data = data.ConsumeBool() ? element : nullptr;
  }
  size_t given =
      data.ConsumeBool() ? tensors.size() : data.ConsumeIntegralInRange(0, 8);
  if (given > tensors.size())
    given = tensors.size();
  aic_runtime::checkInputs(tensors.data(), given, info.inputs, info.num_inputs);
  return 0;
}
