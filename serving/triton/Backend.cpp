//===- Backend.cpp - libtriton_aic.so, a Triton backend for aic models ----===//
//
// Serves libraries made by aic-compile from a Triton model repository
// (`backend: "aic"` in config.pbtxt; the library at VERSION/model.so, or
// default_model_filename), so that Triton's dynamic batching, instance
// groups, metrics and protocols apply to them:
//
// - ModelInitialize loads the library once for all the model's instances
//   (its run entry point is reentrant), checks the config against it
//   (datatypes, max_batch_size needing a dynamic first dim), fills in the
//   config's inputs, outputs and max_batch_size where Triton asks the
//   backend to complete it, and sets the threads of each run from the
//   `threads` parameter.
// - ModelInstanceExecute reads each request's inputs in place (gathered
//   where Triton hands them in pieces), runs the requests of a batch as one
//   run over their rows where the model batches (aic_serving_core's
//   concatRows and splitRows), else one run each, and answers each request
//   with its outputs or its own error: a request that is wrong, or that a
//   run-time check fails, does not fail the others.
//
//===----------------------------------------------------------------------===//

#include "serving/triton/TritonApi.h"

#include "serving/Batch.h"
#include "serving/Protocol.h"

#include "aic/runtime.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace aic_serve;
using nlohmann::json;

namespace {
/// Triton's datatypes in enum order (TRITONSERVER_DataType), by the
/// protocol's names.
const char *const kTritonTypes[] = {
    "INVALID", "BOOL",  "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
    "INT32",   "INT64", "FP16",  "FP32",   "FP64",   "BYTES",  "BF16"};

int32_t elementTypeOf(TRITONSERVER_DataType type) {
  unsigned index = static_cast<unsigned>(type);
  return index < sizeof(kTritonTypes) / sizeof(kTritonTypes[0])
             ? datatypeFromName(kTritonTypes[index])
             : 0;
}

TRITONSERVER_DataType tritonTypeOf(int32_t elemType) {
  const char *name = datatypeName(elemType);
  for (unsigned i = 0; name && i < sizeof(kTritonTypes) / sizeof(*kTritonTypes);
       ++i)
    if (std::strcmp(name, kTritonTypes[i]) == 0)
      return static_cast<TRITONSERVER_DataType>(i);
  return TRITONSERVER_TYPE_INVALID;
}

TRITONSERVER_Error *error(TRITONSERVER_Error_Code code,
                          const std::string &message) {
  return TRITONSERVER_ErrorNew(code, message.c_str());
}

uint64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// One model: its library, loaded once for every instance.
struct ModelState {
  std::string name, path;
  aic_model *model = nullptr;
  const aic_model_info *info = nullptr;
  /// Triton's max_batch_size: above 0, the first dim of every input and
  /// output is the batch's, and the requests of an execution run as one.
  int64_t maxBatchSize = 0;
  ~ModelState() { aic_model_unload(model); }
};

/// The config's "input" or "output" entries, as the library has them
/// (without the batch dim where the model batches).
json tensorsConfig(const aic_tensor_info *tensors, uint32_t count,
                   bool batched) {
  json list = json::array();
  for (uint32_t i = 0; i < count; ++i) {
    std::vector<int64_t> dims(tensors[i].shape + (batched ? 1 : 0),
                              tensors[i].shape + tensors[i].rank);
    list.push_back({{"name", tensors[i].name},
                    {"data_type",
                     std::string("TYPE_") + datatypeName(tensors[i].elem_type)},
                    {"dims", dims}});
  }
  return list;
}

/// Checks the config's inputs or outputs (those it lists) against the
/// library's: names and datatypes.
std::string checkTensors(const json &config, const char *key,
                         const aic_tensor_info *tensors, uint32_t count) {
  if (!config.contains(key) || !config[key].is_array())
    return "";
  for (const json &t : config[key]) {
    std::string name = t.value("name", "");
    uint32_t k = 0;
    while (k < count && name != tensors[k].name)
      ++k;
    if (k == count)
      return std::string("config ") + key + " '" + name +
             "' is not one of the library's";
    std::string type = t.value("data_type", "");
    std::string want =
        std::string("TYPE_") + datatypeName(tensors[k].elem_type);
    if (type != want)
      return std::string("config ") + key + " '" + name + "' has data_type " +
             type + ", but the library's is " + want;
  }
  return "";
}

TRITONSERVER_Error *loadModel(TRITONBACKEND_Model *model,
                              std::unique_ptr<ModelState> &state) {
  state = std::make_unique<ModelState>();
  const char *name = nullptr, *location = nullptr;
  uint64_t version = 0;
  TRITONBACKEND_ArtifactType artifacts;
  if (TRITONSERVER_Error *e = TRITONBACKEND_ModelName(model, &name))
    return e;
  if (TRITONSERVER_Error *e = TRITONBACKEND_ModelVersion(model, &version))
    return e;
  if (TRITONSERVER_Error *e =
          TRITONBACKEND_ModelRepository(model, &artifacts, &location))
    return e;
  state->name = name;
  TRITONSERVER_Message *message = nullptr;
  if (TRITONSERVER_Error *e = TRITONBACKEND_ModelConfig(model, 1, &message))
    return e;
  const char *text = nullptr;
  size_t size = 0;
  TRITONSERVER_Error *e =
      TRITONSERVER_MessageSerializeToJson(message, &text, &size);
  json config = e ? json() : json::parse(text, text + size, nullptr, false);
  TRITONSERVER_MessageDelete(message);
  if (e)
    return e;
  if (!config.is_object())
    return error(TRITONSERVER_ERROR_INVALID_ARG,
                 "model '" + state->name + "': its config is not JSON");

  std::string file = config.value("default_model_filename", "");
  state->path = std::string(location) + "/" + std::to_string(version) + "/" +
                (file.empty() ? "model.so" : file);
  if (aic_model_load(state->path.c_str(), &state->model) != AIC_OK)
    return error(TRITONSERVER_ERROR_INVALID_ARG, aic_last_error());
  state->info = aic_model_describe(state->model);
  const aic_model_info &info = *state->info;
  for (uint32_t i = 0; i < info.num_inputs + info.num_outputs; ++i) {
    const aic_tensor_info &t = i < info.num_inputs
                                   ? info.inputs[i]
                                   : info.outputs[i - info.num_inputs];
    if (!datatypeName(t.elem_type))
      return error(TRITONSERVER_ERROR_UNSUPPORTED,
                   state->path + ": '" + t.name + "' is " +
                       aic_element_type_name(t.elem_type) +
                       ", which Triton has no datatype for");
  }

  // Complete the config from the library where Triton asks.
  bool complete = false;
  if (TRITONSERVER_Error *e2 =
          TRITONBACKEND_ModelAutoCompleteConfig(model, &complete))
    return e2;
  if (complete) {
    bool changed = false;
    if (!config.contains("max_batch_size") && hasBatchDim(info)) {
      config["max_batch_size"] = 64;
      changed = true;
    }
    bool batched = config.value("max_batch_size", 0) > 0;
    if (!config.contains("input") || config["input"].empty()) {
      config["input"] = tensorsConfig(info.inputs, info.num_inputs, batched);
      changed = true;
    }
    if (!config.contains("output") || config["output"].empty()) {
      config["output"] = tensorsConfig(info.outputs, info.num_outputs, batched);
      changed = true;
    }
    if (changed) {
      std::string updated = config.dump();
      TRITONSERVER_Message *out = nullptr;
      if (TRITONSERVER_Error *e2 = TRITONSERVER_MessageNewFromSerializedJson(
              &out, updated.data(), updated.size()))
        return e2;
      TRITONSERVER_Error *e2 = TRITONBACKEND_ModelSetConfig(model, 1, out);
      TRITONSERVER_MessageDelete(out);
      if (e2)
        return e2;
    }
  }

  state->maxBatchSize = config.value("max_batch_size", 0);
  if (state->maxBatchSize > 0 && !hasBatchDim(info))
    return error(TRITONSERVER_ERROR_INVALID_ARG,
                 "model '" + state->name + "': max_batch_size is " +
                     std::to_string(state->maxBatchSize) + ", but " +
                     state->path +
                     " has inputs or outputs whose first dim is not dynamic "
                     "(compile it with --shape NAME=?x...)");
  for (const char *key : {"input", "output"}) {
    bool inputs = std::strcmp(key, "input") == 0;
    std::string problem =
        checkTensors(config, key, inputs ? info.inputs : info.outputs,
                     inputs ? info.num_inputs : info.num_outputs);
    if (!problem.empty())
      return error(TRITONSERVER_ERROR_INVALID_ARG,
                   "model '" + state->name + "': " + problem);
  }
  const json threads = config.value(
      json::json_pointer("/parameters/threads/string_value"), json());
  if (!threads.is_null()) {
    std::string value = threads.is_string() ? threads.get<std::string>() : "";
    int n = 0;
    if (!parseThreadCount(value, n))
      return error(TRITONSERVER_ERROR_INVALID_ARG,
                   "model '" + state->name + "': parameter threads is '" +
                       value + "', not a thread count");
    aic_model_set_num_threads(state->model, n);
  }
  return nullptr;
}

/// Reads `request`'s inputs in the model's order: "" or what is wrong.
std::string readInputs(const ModelState &state, TRITONBACKEND_Request *request,
                       std::vector<Tensor> &inputs) {
  const aic_model_info &info = *state.info;
  for (uint32_t k = 0; k < info.num_inputs; ++k) {
    const aic_tensor_info &want = info.inputs[k];
    std::string name = want.name;
    TRITONBACKEND_Input *input = nullptr;
    if (TRITONSERVER_Error *e =
            TRITONBACKEND_RequestInput(request, want.name, &input)) {
      TRITONSERVER_ErrorDelete(e);
      return "missing input '" + name + "'";
    }
    TRITONSERVER_DataType type;
    const int64_t *shape = nullptr;
    uint32_t rank = 0, buffers = 0;
    uint64_t bytes = 0;
    if (TRITONSERVER_Error *e = TRITONBACKEND_InputProperties(
            input, nullptr, &type, &shape, &rank, &bytes, &buffers)) {
      std::string message = TRITONSERVER_ErrorMessage(e);
      TRITONSERVER_ErrorDelete(e);
      return message;
    }
    Tensor t;
    t.elemType = want.elem_type;
    t.shape.assign(shape, shape + rank);
    if (elementTypeOf(type) != want.elem_type)
      return "input '" + name + "' has datatype " +
             kTritonTypes[type <= TRITONSERVER_TYPE_BF16 ? type : 0] +
             ", but the model takes " + datatypeName(want.elem_type);
    std::string problem = checkInputShape(want, t.shape, t.bytes);
    if (!problem.empty())
      return problem;
    if (t.bytes != bytes)
      return "input '" + name + "' has " + std::to_string(bytes) +
             " bytes, but shape " + shapeString(t.shape) + " takes " +
             std::to_string(t.bytes);
    // One buffer in CPU memory is read in place; pieces are gathered.
    std::shared_ptr<char[]> gathered;
    if (buffers != 1)
      gathered = std::shared_ptr<char[]>(new char[bytes ? bytes : 1]);
    uint64_t offset = 0;
    for (uint32_t b = 0; b < buffers; ++b) {
      const void *data = nullptr;
      uint64_t pieceBytes = 0;
      TRITONSERVER_MemoryType memory = TRITONSERVER_MEMORY_CPU;
      int64_t memoryId = 0;
      if (TRITONSERVER_Error *e = TRITONBACKEND_InputBuffer(
              input, b, &data, &pieceBytes, &memory, &memoryId)) {
        std::string message = TRITONSERVER_ErrorMessage(e);
        TRITONSERVER_ErrorDelete(e);
        return message;
      }
      if (memory == TRITONSERVER_MEMORY_GPU)
        return "input '" + name +
               "' is in GPU memory; the aic backend reads CPU memory";
      if (pieceBytes > bytes - offset)
        return "input '" + name + "' has more data than its byte size";
      if (buffers == 1)
        t.data = static_cast<const char *>(data);
      else if (pieceBytes)
        std::memcpy(gathered.get() + offset, data, pieceBytes);
      offset += pieceBytes;
    }
    if (offset != bytes)
      return "input '" + name + "' has less data than its byte size";
    if (buffers != 1) {
      t.data = gathered.get();
      t.owner = gathered;
    }
    inputs.push_back(std::move(t));
  }
  return "";
}

/// Answers `request` with the outputs it asks for: "" or what went wrong.
std::string respond(const ModelState &state, TRITONBACKEND_Request *request,
                    TRITONBACKEND_Response *response,
                    const std::vector<Tensor> &outputs) {
  uint32_t count = 0;
  if (TRITONSERVER_Error *e =
          TRITONBACKEND_RequestOutputCount(request, &count)) {
    std::string message = TRITONSERVER_ErrorMessage(e);
    TRITONSERVER_ErrorDelete(e);
    return message;
  }
  for (uint32_t i = 0; i < count; ++i) {
    const char *name = nullptr;
    if (TRITONSERVER_Error *e =
            TRITONBACKEND_RequestOutputName(request, i, &name)) {
      std::string message = TRITONSERVER_ErrorMessage(e);
      TRITONSERVER_ErrorDelete(e);
      return message;
    }
    uint32_t k = 0;
    while (k < state.info->num_outputs &&
           std::strcmp(name, state.info->outputs[k].name) != 0)
      ++k;
    if (k == state.info->num_outputs)
      return std::string("unknown output '") + name + "'";
    const Tensor &t = outputs[k];
    TRITONBACKEND_Output *output = nullptr;
    void *buffer = nullptr;
    TRITONSERVER_MemoryType memory = TRITONSERVER_MEMORY_CPU;
    int64_t memoryId = 0;
    TRITONSERVER_Error *e = TRITONBACKEND_ResponseOutput(
        response, &output, name, tritonTypeOf(t.elemType), t.shape.data(),
        static_cast<uint32_t>(t.shape.size()));
    if (!e)
      e = TRITONBACKEND_OutputBuffer(output, &buffer, t.bytes, &memory,
                                     &memoryId);
    if (e) {
      std::string message = TRITONSERVER_ErrorMessage(e);
      TRITONSERVER_ErrorDelete(e);
      return message;
    }
    if (memory == TRITONSERVER_MEMORY_GPU)
      return "Triton gave output '" + std::string(name) +
             "' GPU memory; the aic backend writes CPU memory";
    if (t.bytes)
      std::memcpy(buffer, t.data, t.bytes);
  }
  return "";
}

/// What `step` returns, or "out of memory" where it runs out: each
/// request gets an answer and is released once, whatever fails.
template <typename Step> std::string outOfMemoryAs(Step step) {
  try {
    return step();
  } catch (const std::bad_alloc &) {
    return "out of memory";
  }
}

/// Sends `response` for `request` (an error one where `message` is set).
void send(TRITONBACKEND_Request *request, TRITONBACKEND_Response *response,
          TRITONSERVER_Error_Code code, const std::string &message) {
  if (!response && TRITONBACKEND_ResponseNew(&response, request) != nullptr)
    return; // Triton could not make one: nothing to answer with.
  TRITONSERVER_Error *e = message.empty() ? nullptr : error(code, message);
  TRITONSERVER_Error *sent = TRITONBACKEND_ResponseSend(
      response, TRITONSERVER_RESPONSE_COMPLETE_FINAL, e);
  if (e)
    TRITONSERVER_ErrorDelete(e);
  if (sent)
    TRITONSERVER_ErrorDelete(sent);
}
TRITONSERVER_Error *execute(TRITONBACKEND_ModelInstance *instance,
                            TRITONBACKEND_Request **requests,
                            const uint32_t request_count);
} // namespace

extern "C" {

TRITONSERVER_Error *TRITONBACKEND_Initialize(TRITONBACKEND_Backend *) {
  uint32_t major = 0, minor = 0;
  if (TRITONSERVER_Error *e = TRITONBACKEND_ApiVersion(&major, &minor))
    return e;
  if (major != AIC_TRITON_API_MAJOR || minor < AIC_TRITON_API_MINOR)
    return error(TRITONSERVER_ERROR_UNSUPPORTED,
                 "the aic backend needs Triton's backend API " +
                     std::to_string(AIC_TRITON_API_MAJOR) + "." +
                     std::to_string(AIC_TRITON_API_MINOR) +
                     " or a later 1.x, this server has " +
                     std::to_string(major) + "." + std::to_string(minor));
  return nullptr;
}

TRITONSERVER_Error *TRITONBACKEND_ModelInitialize(TRITONBACKEND_Model *model) {
  std::unique_ptr<ModelState> state;
  try {
    if (TRITONSERVER_Error *e = loadModel(model, state))
      return e;
  } catch (const std::exception &e) {
    // A config of the wrong JSON types, or memory running out.
    return error(TRITONSERVER_ERROR_INVALID_ARG,
                 std::string("the aic backend: ") + e.what());
  }
  if (TRITONSERVER_Error *e = TRITONBACKEND_ModelSetState(model, state.get()))
    return e;
  state.release();
  return nullptr;
}

TRITONSERVER_Error *TRITONBACKEND_ModelFinalize(TRITONBACKEND_Model *model) {
  void *state = nullptr;
  if (TRITONSERVER_Error *e = TRITONBACKEND_ModelState(model, &state))
    return e;
  delete static_cast<ModelState *>(state);
  return nullptr;
}

TRITONSERVER_Error *
TRITONBACKEND_ModelInstanceInitialize(TRITONBACKEND_ModelInstance *) {
  return nullptr; // Instances share the model's library.
}

TRITONSERVER_Error *
TRITONBACKEND_ModelInstanceFinalize(TRITONBACKEND_ModelInstance *) {
  return nullptr;
}

TRITONSERVER_Error *
TRITONBACKEND_ModelInstanceExecute(TRITONBACKEND_ModelInstance *instance,
                                   TRITONBACKEND_Request **requests,
                                   const uint32_t request_count) {
  // Running out of memory is each request's error (outOfMemoryAs), so
  // every request is answered and released here once.
  return execute(instance, requests, request_count);
}

} // extern "C"

namespace {
TRITONSERVER_Error *execute(TRITONBACKEND_ModelInstance *instance,
                            TRITONBACKEND_Request **requests,
                            const uint32_t request_count) {
  TRITONBACKEND_Model *model = nullptr;
  void *pointer = nullptr;
  if (TRITONSERVER_Error *e =
          TRITONBACKEND_ModelInstanceModel(instance, &model))
    return e;
  if (TRITONSERVER_Error *e = TRITONBACKEND_ModelState(model, &pointer))
    return e;
  const ModelState &state = *static_cast<ModelState *>(pointer);
  uint64_t execStart = nowNs();

  struct Pending {
    TRITONBACKEND_Request *request;
    std::vector<Tensor> inputs;
    RunResult result;
  };
  std::vector<Pending> pending;
  auto finish = [&](TRITONBACKEND_Request *request, bool success,
                    uint64_t computeStart, uint64_t computeEnd) {
    TRITONSERVER_Error *e = TRITONBACKEND_ModelInstanceReportStatistics(
        instance, request, success, execStart, computeStart, computeEnd,
        nowNs());
    if (e)
      TRITONSERVER_ErrorDelete(e);
    e = TRITONBACKEND_RequestRelease(request, TRITONSERVER_REQUEST_RELEASE_ALL);
    if (e)
      TRITONSERVER_ErrorDelete(e);
  };
  for (uint32_t r = 0; r < request_count; ++r) {
    Pending p{requests[r], {}, {}};
    std::string problem =
        outOfMemoryAs([&] { return readInputs(state, p.request, p.inputs); });
    if (!problem.empty()) {
      send(p.request, nullptr, TRITONSERVER_ERROR_INVALID_ARG, problem);
      finish(p.request, false, 0, 0);
      continue;
    }
    pending.push_back(std::move(p));
  }

  uint64_t computeStart = nowNs();
  // The requests of a batch run as one where the model batches and their
  // rows agree but for the first dim; otherwise, or where that run fails,
  // each alone.
  bool batched = state.maxBatchSize > 0 && pending.size() > 1;
  for (size_t i = 1; batched && i < pending.size(); ++i)
    batched = sameRows(pending[0].inputs, pending[i].inputs);
  if (batched) {
    std::vector<const std::vector<Tensor> *> all;
    std::vector<int64_t> rows;
    for (const Pending &p : pending) {
      all.push_back(&p.inputs);
      rows.push_back(p.inputs[0].shape[0]);
    }
    RunResult result;
    std::string problem = outOfMemoryAs([&] {
      result = runModel(state.model, concatRows(all));
      return std::string();
    });
    std::vector<std::vector<Tensor>> parts;
    batched = problem.empty() && result.error.empty() &&
              splitRows(result.outputs, rows, parts);
    for (size_t i = 0; batched && i < pending.size(); ++i)
      pending[i].result.outputs = std::move(parts[i]);
  }
  if (!batched) {
    for (Pending &p : pending) {
      std::string problem = outOfMemoryAs([&] {
        p.result = runModel(state.model, p.inputs);
        return std::string();
      });
      if (!problem.empty())
        p.result = {{}, problem, 503};
    }
  }
  uint64_t computeEnd = nowNs();

  for (Pending &p : pending) {
    TRITONBACKEND_Response *response = nullptr;
    std::string problem = p.result.error;
    TRITONSERVER_Error_Code code =
        p.result.httpStatus == 400   ? TRITONSERVER_ERROR_INVALID_ARG
        : p.result.httpStatus == 503 ? TRITONSERVER_ERROR_UNAVAILABLE
                                     : TRITONSERVER_ERROR_INTERNAL;
    if (problem.empty()) {
      if (TRITONSERVER_Error *e =
              TRITONBACKEND_ResponseNew(&response, p.request)) {
        TRITONSERVER_ErrorDelete(e);
        finish(p.request, false, computeStart, computeEnd);
        continue;
      }
      problem = outOfMemoryAs([&] {
        return respond(state, p.request, response, p.result.outputs);
      });
      code = TRITONSERVER_ERROR_INTERNAL;
    }
    send(p.request, response, code, problem);
    finish(p.request, problem.empty(), computeStart, computeEnd);
  }
  // One batch a run: all the requests, or each alone.
  size_t runs = batched ? 1 : pending.size();
  for (size_t i = 0; i < runs; ++i) {
    TRITONSERVER_Error *e = TRITONBACKEND_ModelInstanceReportBatchStatistics(
        instance, batched ? pending.size() : 1, execStart, computeStart,
        computeEnd, nowNs());
    if (e)
      TRITONSERVER_ErrorDelete(e);
  }
  return nullptr;
}

} // namespace
