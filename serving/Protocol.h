//===- Protocol.h - the Open Inference Protocol's messages ------*- C++ -*-===//
//
// Decodes inference requests and encodes responses and metadata of the
// Open Inference Protocol (KServe v2, Triton's HTTP/REST API), with
// Triton's binary tensor extension: a request whose JSON is followed by
// raw tensors (Inference-Header-Content-Length: the JSON's bytes; an
// input's "binary_data_size" parameter: its bytes, in input order), and
// outputs returned the same way where asked ("binary_data": true on an
// output, or "binary_data_output": true on the request).
//
// JSON tensor data is flat in row-major order (nested arrays of the
// tensor's shape are read too). JSON has no NaN or infinities: they travel
// as the strings "NaN", "Infinity" and "-Infinity" (as in protobuf's JSON
// mapping), both ways.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_SERVING_PROTOCOL_H
#define AIC_SERVING_PROTOCOL_H

#include "serving/Tensor.h"

#include "aic/model_abi.h"

#include <memory>
#include <string>
#include <vector>

namespace aic_serve {

/// The protocol's datatype ("FP32", "INT64", ...) of an aic element type,
/// or null where it has none (the 8-bit and smaller floats, 4-bit ints).
const char *datatypeName(int32_t elemType);
/// The aic element type of a datatype name, or 0.
int32_t datatypeFromName(const std::string &name);

struct InferRequest {
  std::string id;
  /// The inputs in the model's order, checked against its description.
  std::vector<Tensor> inputs;
  /// The outputs to answer with, by index into the model's, in the order
  /// asked (all of them where the request names none), and whether each
  /// travels as binary data.
  std::vector<std::pair<size_t, bool>> outputs;
};

/// Decodes an inference request for the model `info` from `body`, whose
/// first `jsonBytes` bytes are JSON (all of it where `jsonBytes` is
/// std::string::npos) and the rest binary tensors, read in place. Returns
/// "" or a one-line error (the request's fault: HTTP 400).
std::string parseInferRequest(std::shared_ptr<const std::string> body,
                              size_t jsonBytes, const aic_model_info &info,
                              InferRequest &request);

/// An encoded response: the JSON's length where binary data follows it
/// (Inference-Header-Content-Length), else std::string::npos.
struct EncodedResponse {
  std::string body;
  size_t jsonBytes = std::string::npos;
};

/// The response to `request` with `outputs` (in the model's order).
EncodedResponse encodeInferResponse(const std::string &model,
                                    const std::string &version,
                                    const InferRequest &request,
                                    const aic_model_info &info,
                                    const std::vector<Tensor> &outputs);

/// GET /v2/models/NAME[/versions/V]: name, versions, platform, inputs and
/// outputs (-1 for dims known only at run time).
std::string modelMetadata(const std::string &name,
                          const std::vector<std::string> &versions,
                          const aic_model_info &info);

/// {"error": message}.
std::string errorBody(const std::string &message);

/// `text` as a JSON string, quoted (bytes that are not UTF-8 become
/// U+FFFD).
std::string jsonString(const std::string &text);

} // namespace aic_serve

#endif // AIC_SERVING_PROTOCOL_H
