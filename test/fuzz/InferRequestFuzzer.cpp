//===- InferRequestFuzzer.cpp - aic-serve's reading of requests -----------===//
//
// libFuzzer target: an inference request's body, as aic-serve reads it off
// the network (serving/Protocol.h), for a model with inputs of several
// datatypes and a dynamic dim. The first byte picks the
// Inference-Header-Content-Length: 0 none, 1 the whole body, 2 one byte
// past it, else the next two bytes (little-endian). A request that parses
// is encoded back as a response, with its inputs standing in for outputs,
// as aic-serve answers.
//
//===----------------------------------------------------------------------===//

#include "serving/Protocol.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

using namespace aic_serve;

namespace {
const int64_t kImage[] = {-1, 3};
const int64_t kIds[] = {2};
const int64_t kFlag[] = {};
const aic_tensor_info kTensors[] = {{"image", kImage, AIC_FLOAT16, 2},
                                    {"ids", kIds, AIC_INT64, 1},
                                    {"flag", kFlag, AIC_BOOL, 0}};
const aic_model_info kModel = {AIC_MODEL_ABI_VERSION, 3, 3, 0, "fuzz",
                               kTensors, kTensors};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  size_t skip = data[0] > 2 ? 3 : 1;
  auto body = std::make_shared<const std::string>(
      reinterpret_cast<const char *>(data) + skip, size - skip);
  size_t jsonBytes = data[0] == 0   ? std::string::npos
                     : data[0] == 1 ? body->size()
                     : data[0] == 2 ? body->size() + 1
                                    : size_t(data[1]) | size_t(data[2]) << 8;
  InferRequest request;
  if (!parseInferRequest(body, jsonBytes, kModel, request).empty())
    return 0;
  // A parsed request's tensors are whole: encoding reads every byte.
  encodeInferResponse("fuzz", "1", request, kModel, request.inputs);
  return 0;
}
