//===- Protocol.cpp - the Open Inference Protocol's messages --------------===//

#include "serving/Protocol.h"

#include "tools/common/Elements.h"

#include "aic/runtime.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace aic_serve {

using nlohmann::json;

namespace {
struct Datatype {
  int32_t elemType;
  const char *name;
};
constexpr Datatype kDatatypes[] = {
    {AIC_BOOL, "BOOL"},     {AIC_UINT8, "UINT8"},   {AIC_UINT16, "UINT16"},
    {AIC_UINT32, "UINT32"}, {AIC_UINT64, "UINT64"}, {AIC_INT8, "INT8"},
    {AIC_INT16, "INT16"},   {AIC_INT32, "INT32"},   {AIC_INT64, "INT64"},
    {AIC_FLOAT16, "FP16"},  {AIC_FLOAT32, "FP32"},  {AIC_FLOAT64, "FP64"},
    {AIC_BFLOAT16, "BF16"}};

bool isFloat(int32_t elemType) {
  return elemType == AIC_FLOAT16 || elemType == AIC_FLOAT32 ||
         elemType == AIC_FLOAT64 || elemType == AIC_BFLOAT16;
}

std::string names(const aic_tensor_info *tensors, uint32_t count) {
  std::string out;
  for (uint32_t i = 0; i < count; ++i)
    out += (i ? ", " : "") + std::string(tensors[i].name);
  return out;
}

/// The index of the tensor named `name`, or `count`.
uint32_t indexOf(const std::string &name, const aic_tensor_info *tensors,
                 uint32_t count) {
  uint32_t k = 0;
  while (k < count && name != tensors[k].name)
    ++k;
  return k;
}

/// "unknown input 'x' (the model's inputs: a, b)".
std::string unknown(const std::string &what, const std::string &name,
                    const aic_tensor_info *tensors, uint32_t count) {
  return "unknown " + what + " '" + name + "' (the model's " + what +
         "s: " + names(tensors, count) + ")";
}

/// The range of an integer element type, as a double-free pair.
bool inRange(int32_t elemType, const json &v) {
  auto fits = [&](auto lo, auto hi) {
    if (v.is_number_unsigned())
      return v.get<uint64_t>() <= static_cast<uint64_t>(hi);
    int64_t x = v.get<int64_t>();
    return x >= static_cast<int64_t>(lo) &&
           (x < 0 || static_cast<uint64_t>(x) <= static_cast<uint64_t>(hi));
  };
  switch (elemType) {
  case AIC_BOOL:
    return fits(0, 1);
  case AIC_INT8:
    return fits(INT8_MIN, INT8_MAX);
  case AIC_INT16:
    return fits(INT16_MIN, INT16_MAX);
  case AIC_INT32:
    return fits(INT32_MIN, INT32_MAX);
  case AIC_INT64:
    return fits(INT64_MIN, INT64_MAX);
  case AIC_UINT8:
    return fits(0, UINT8_MAX);
  case AIC_UINT16:
    return fits(0, UINT16_MAX);
  case AIC_UINT32:
    return fits(0, UINT32_MAX);
  case AIC_UINT64:
    return fits(0, UINT64_MAX);
  }
  return false;
}

/// Writes integer `v` (in range) as element `i` of `data`.
void storeInteger(int32_t elemType, char *data, size_t i, const json &v) {
  uint64_t bits = v.is_number_unsigned()
                      ? v.get<uint64_t>()
                      : static_cast<uint64_t>(v.get<int64_t>());
  size_t size = aic_element_size(elemType);
  // Little-endian: the low bytes of the two's complement value.
  std::memcpy(data + i * size, &bits, size);
}

/// Decodes JSON `data` (flat, or nested to `rank` levels) into `count`
/// elements of `elemType` at `out`; "" or the problem.
std::string decodeData(const json &data, int32_t elemType, size_t rank,
                       size_t count, char *out) {
  size_t n = 0;
  // Depth-first over nested arrays, with an explicit stack (no recursion
  // for a hostile nesting depth).
  std::vector<std::pair<const json *, size_t>> stack{{&data, 0}};
  if (!data.is_array())
    return "data is not an array";
  while (!stack.empty()) {
    auto &[array, next] = stack.back();
    if (next == array->size()) {
      stack.pop_back();
      continue;
    }
    const json &v = (*array)[next++];
    if (v.is_array()) {
      if (stack.size() >= std::max<size_t>(rank, 1))
        return "data is nested deeper than the shape";
      stack.push_back({&v, 0});
      continue;
    }
    if (n == count)
      return "data has more than the shape's " + std::to_string(count) +
             " elements";
    if (isFloat(elemType)) {
      double x;
      if (v.is_number()) {
        x = v.get<double>();
      } else if (v.is_string() && v.get_ref<const std::string &>() == "NaN") {
        x = std::numeric_limits<double>::quiet_NaN();
      } else if (v.is_string() &&
                 v.get_ref<const std::string &>() == "Infinity") {
        x = std::numeric_limits<double>::infinity();
      } else if (v.is_string() &&
                 v.get_ref<const std::string &>() == "-Infinity") {
        x = -std::numeric_limits<double>::infinity();
      } else {
        return "element " + std::to_string(n) + " (" + v.dump() +
               ") is not a number";
      }
      aic_tools::storeFloat(elemType, out, n++, x);
      continue;
    }
    if (elemType == AIC_BOOL && v.is_boolean()) {
      out[n++] = v.get<bool>() ? 1 : 0;
      continue;
    }
    if (!v.is_number_integer() || !inRange(elemType, v))
      return "element " + std::to_string(n) + " (" + v.dump() + ") is not a" +
             (elemType == AIC_INT8 || elemType == AIC_INT16 ||
                      elemType == AIC_INT32 || elemType == AIC_INT64
                  ? "n "
                  : " ") +
             datatypeName(elemType);
    storeInteger(elemType, out, n++, v);
  }
  if (n != count)
    return "data has " + std::to_string(n) + " elements, but the shape has " +
           std::to_string(count);
  return "";
}

/// A JSON number for element `i` of `t`: integers exactly, floats in the
/// fewest digits that read back to the same value.
void appendElement(std::string &out, const Tensor &t, size_t i) {
  char text[64];
  std::to_chars_result end{text, {}};
  using aic_tools::load;
  auto finite = [&](auto x) {
    if (std::isnan(x)) {
      out += "\"NaN\"";
      return;
    }
    if (std::isinf(x)) {
      out += x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      return;
    }
    end = std::to_chars(text, text + sizeof(text), x);
    out.append(text, end.ptr);
  };
  switch (t.elemType) {
  case AIC_FLOAT32:
    return finite(load<float>(t.data, i));
  case AIC_FLOAT64:
    return finite(load<double>(t.data, i));
  case AIC_FLOAT16:
    return finite(aic_tools::halfToFloat(load<uint16_t>(t.data, i)));
  case AIC_BFLOAT16:
    return finite(aic_tools::bfloat16ToFloat(load<uint16_t>(t.data, i)));
  case AIC_BOOL:
    out += load<uint8_t>(t.data, i) ? "true" : "false";
    return;
  case AIC_INT64:
    end = std::to_chars(text, text + sizeof(text), load<int64_t>(t.data, i));
    break;
  case AIC_UINT64:
    end = std::to_chars(text, text + sizeof(text), load<uint64_t>(t.data, i));
    break;
  default: // The narrower integers, which a double holds exactly.
    end = std::to_chars(text, text + sizeof(text),
                        static_cast<int64_t>(
                            aic_tools::elementToDouble(t.elemType, t.data, i)));
  }
  out.append(text, end.ptr);
}

std::string tensorsMetadata(const aic_tensor_info *tensors, uint32_t count) {
  json list = json::array();
  for (uint32_t i = 0; i < count; ++i) {
    const aic_tensor_info &t = tensors[i];
    const char *datatype = datatypeName(t.elem_type);
    list.push_back(
        {{"name", t.name},
         {"datatype", datatype ? datatype : "UNKNOWN"},
         {"shape", std::vector<int64_t>(t.shape, t.shape + t.rank)}});
  }
  return list.dump(-1, ' ', false, json::error_handler_t::replace);
}
} // namespace

const char *datatypeName(int32_t elemType) {
  for (const Datatype &d : kDatatypes)
    if (d.elemType == elemType)
      return d.name;
  return nullptr;
}

int32_t datatypeFromName(const std::string &name) {
  for (const Datatype &d : kDatatypes)
    if (name == d.name)
      return d.elemType;
  return 0;
}

size_t elementCount(const std::vector<int64_t> &shape) {
  size_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d && n > std::numeric_limits<size_t>::max() /
                               static_cast<uint64_t>(d)))
      return std::numeric_limits<size_t>::max();
    n *= static_cast<size_t>(d);
  }
  return n;
}

std::string checkInputShape(const aic_tensor_info &want,
                            const std::vector<int64_t> &shape, size_t &bytes) {
  std::string name = want.name;
  bool fits = shape.size() == static_cast<size_t>(want.rank);
  for (size_t d = 0; fits && d < shape.size(); ++d)
    fits = shape[d] >= 0 && (want.shape[d] < 0 || want.shape[d] == shape[d]);
  if (!fits)
    return "input '" + name + "' has shape " + shapeString(shape) +
           ", but the model takes " + shapeString(want.shape, want.rank);
  size_t count = elementCount(shape);
  size_t size = aic_element_size(want.elem_type);
  if (count > size_t(std::numeric_limits<ptrdiff_t>::max()) / size)
    return "input '" + name + "' has shape " + shapeString(shape) +
           ", too large to address";
  bytes = count * size;
  return "";
}

std::string shapeString(const int64_t *shape, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string parseInferRequest(std::shared_ptr<const std::string> body,
                              size_t jsonBytes, const aic_model_info &info,
                              InferRequest &request) {
  if (jsonBytes == std::string::npos)
    jsonBytes = body->size();
  if (jsonBytes > body->size())
    return "Inference-Header-Content-Length is " + std::to_string(jsonBytes) +
           ", but the body has " + std::to_string(body->size()) + " bytes";
  json j;
  try {
    j = json::parse(body->data(), body->data() + jsonBytes);
  } catch (const json::exception &e) {
    std::string what = e.what();
    size_t bracket = what.find("] ");
    return "malformed JSON: " +
           (bracket == std::string::npos ? what : what.substr(bracket + 2));
  }
  if (!j.is_object())
    return "the request is not a JSON object";
  if (j.contains("id")) {
    if (!j["id"].is_string())
      return "\"id\" is not a string";
    request.id = j["id"].get<std::string>();
  }
  bool binaryOutputs = false;
  if (j.contains("parameters")) {
    const json &p = j["parameters"];
    if (!p.is_object())
      return "\"parameters\" is not an object";
    if (p.contains("binary_data_output")) {
      if (!p["binary_data_output"].is_boolean())
        return "\"binary_data_output\" is not true or false";
      binaryOutputs = p["binary_data_output"].get<bool>();
    }
  }
  if (!j.contains("inputs") || !j["inputs"].is_array())
    return "the request has no \"inputs\" array";
  request.inputs.assign(info.num_inputs, Tensor{});
  std::vector<bool> given(info.num_inputs, false);
  size_t binaryOffset = jsonBytes;
  for (const json &in : j["inputs"]) {
    if (!in.is_object() || !in.contains("name") || !in["name"].is_string())
      return "an input has no \"name\"";
    const std::string &name = in["name"].get_ref<const std::string &>();
    uint32_t k = indexOf(name, info.inputs, info.num_inputs);
    if (k == info.num_inputs)
      return unknown("input", name, info.inputs, info.num_inputs);
    if (given[k])
      return "input '" + name + "' is given twice";
    given[k] = true;
    const aic_tensor_info &want = info.inputs[k];
    const char *wantType = datatypeName(want.elem_type);
    if (!in.contains("datatype") || !in["datatype"].is_string())
      return "input '" + name + "' has no \"datatype\"";
    const std::string &datatype = in["datatype"].get_ref<const std::string &>();
    if (datatype != wantType)
      return "input '" + name + "' has datatype " + datatype +
             ", but the model takes " + wantType;
    if (!in.contains("shape") || !in["shape"].is_array())
      return "input '" + name + "' has no \"shape\" array";
    Tensor &t = request.inputs[k];
    t.elemType = want.elem_type;
    for (const json &d : in["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0 ||
          (d.is_number_unsigned() &&
           d.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())))
        return "input '" + name + "' has a shape of other than natural numbers";
      t.shape.push_back(d.get<int64_t>());
    }
    std::string problem = checkInputShape(want, t.shape, t.bytes);
    if (!problem.empty())
      return problem;
    size_t count = elementCount(t.shape);
    const json *parameters =
        in.contains("parameters") ? &in["parameters"] : nullptr;
    if (parameters && parameters->contains("binary_data_size")) {
      const json &b = (*parameters)["binary_data_size"];
      if (!b.is_number_unsigned() || b.get<uint64_t>() != t.bytes)
        return "input '" + name + "' has binary_data_size " + b.dump() +
               ", but shape " + shapeString(t.shape) + " of " + wantType +
               " takes " + std::to_string(t.bytes) + " bytes";
      if (body->size() - binaryOffset < t.bytes)
        return "the binary data of input '" + name +
               "' runs past the end of the request";
      t.data = body->data() + binaryOffset;
      t.owner = body;
      binaryOffset += t.bytes;
      continue;
    }
    if (!in.contains("data"))
      return "input '" + name + "' has no \"data\" (or binary_data_size)";
    auto buffer = std::shared_ptr<char[]>(new char[t.bytes ? t.bytes : 1]);
    problem = decodeData(in["data"], want.elem_type, t.shape.size(), count,
                         buffer.get());
    if (!problem.empty())
      return "input '" + name + "': " + problem;
    t.data = buffer.get();
    t.owner = buffer;
  }
  for (uint32_t k = 0; k < info.num_inputs; ++k)
    if (!given[k])
      return "missing input '" + std::string(info.inputs[k].name) +
             "' (the model's inputs: " + names(info.inputs, info.num_inputs) +
             ")";
  if (binaryOffset != body->size())
    return std::to_string(body->size() - binaryOffset) +
           " bytes after the inputs' binary data";
  if (j.contains("outputs")) {
    if (!j["outputs"].is_array())
      return "\"outputs\" is not an array";
    for (const json &out : j["outputs"]) {
      if (!out.is_object() || !out.contains("name") || !out["name"].is_string())
        return "a requested output has no \"name\"";
      const std::string &name = out["name"].get_ref<const std::string &>();
      uint32_t k = indexOf(name, info.outputs, info.num_outputs);
      if (k == info.num_outputs)
        return unknown("output", name, info.outputs, info.num_outputs);
      bool binary = binaryOutputs;
      if (out.contains("parameters") && out["parameters"].is_object() &&
          out["parameters"].contains("binary_data")) {
        const json &b = out["parameters"]["binary_data"];
        if (!b.is_boolean())
          return "\"binary_data\" of output '" + name +
                 "' is not true or false";
        binary = b.get<bool>();
      }
      request.outputs.push_back({k, binary});
    }
  } else {
    for (uint32_t k = 0; k < info.num_outputs; ++k)
      request.outputs.push_back({k, binaryOutputs});
  }
  return "";
}

EncodedResponse encodeInferResponse(const std::string &model,
                                    const std::string &version,
                                    const InferRequest &request,
                                    const aic_model_info &info,
                                    const std::vector<Tensor> &outputs) {
  EncodedResponse response;
  std::string &out = response.body;
  out = "{\"model_name\":" + jsonString(model) +
        ",\"model_version\":" + jsonString(version);
  if (!request.id.empty())
    out += ",\"id\":" + jsonString(request.id);
  out += ",\"outputs\":[";
  bool anyBinary = false;
  for (size_t n = 0; n < request.outputs.size(); ++n) {
    auto [k, binary] = request.outputs[n];
    const Tensor &t = outputs[k];
    out += n ? ",{" : "{";
    out += "\"name\":" + jsonString(info.outputs[k].name) + ",\"datatype\":\"" +
           datatypeName(t.elemType) + "\",\"shape\":" + shapeString(t.shape);
    if (binary) {
      out +=
          ",\"parameters\":{\"binary_data_size\":" + std::to_string(t.bytes) +
          "}}";
      anyBinary = true;
      continue;
    }
    out += ",\"data\":[";
    size_t count = elementCount(t.shape);
    for (size_t i = 0; i < count; ++i) {
      if (i)
        out += ',';
      appendElement(out, t, i);
    }
    out += "]}";
  }
  out += "]}";
  if (anyBinary) {
    response.jsonBytes = out.size();
    for (auto [k, binary] : request.outputs)
      if (binary)
        out.append(outputs[k].data, outputs[k].bytes);
  }
  return response;
}

std::string modelMetadata(const std::string &name,
                          const std::vector<std::string> &versions,
                          const aic_model_info &info) {
  json versionList = versions;
  return "{\"name\":" + jsonString(name) + ",\"versions\":" +
         versionList.dump(-1, ' ', false, json::error_handler_t::replace) +
         ",\"platform\":\"aic\",\"inputs\":" +
         tensorsMetadata(info.inputs, info.num_inputs) +
         ",\"outputs\":" + tensorsMetadata(info.outputs, info.num_outputs) +
         "}";
}

std::string jsonString(const std::string &text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string errorBody(const std::string &message) {
  return "{\"error\":" + jsonString(message) + "}";
}

} // namespace aic_serve
