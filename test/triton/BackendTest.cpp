//===- BackendTest.cpp - libtriton_aic.so against a fake Triton -----------===//
//
// A stand-in for Triton Inference Server: this program defines the server
// and backend API functions the aic backend calls (exported, so that the
// backend, loaded with dlopen, binds to them), and drives the backend's
// entry points the way Triton does: initialize the backend, a model and an
// instance, execute batches of requests, finalize. Outputs are checked
// against the tiny_cnn example's reference (from its make_model.py); the
// real check, in a Triton container, is docs/serving.md's.
//
//===----------------------------------------------------------------------===//

#include "serving/triton/TritonApi.h"
#include "tools/aic-run/TensorFiles.h"

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

//===----------------------------------------------------------------------===//
// The fake server.
//===----------------------------------------------------------------------===//

struct TRITONSERVER_Error {
  TRITONSERVER_Error_Code code;
  std::string message;
};
struct TRITONSERVER_Message {
  std::string json;
};
struct TRITONBACKEND_Model {
  std::string name = "tiny";
  uint64_t version = 1;
  std::string repository;
  std::string config = "{}";
  bool autoComplete = false;
  std::string setConfig; // what the backend completed the config to
  void *state = nullptr;
};
struct TRITONBACKEND_ModelInstance {
  TRITONBACKEND_Model *model;
  struct Stat {
    bool success;
  };
  std::vector<Stat> stats;
  std::vector<uint64_t> batches;
};
struct TRITONBACKEND_Input {
  std::string name;
  TRITONSERVER_DataType type = TRITONSERVER_TYPE_FP32;
  std::vector<int64_t> shape;
  std::vector<std::vector<char>> buffers;
  TRITONSERVER_MemoryType memory = TRITONSERVER_MEMORY_CPU;
  uint64_t bytes() const {
    uint64_t n = 0;
    for (const auto &b : buffers)
      n += b.size();
    return n;
  }
};
struct TRITONBACKEND_Output {
  std::string name;
  TRITONSERVER_DataType type;
  std::vector<int64_t> shape;
  std::vector<char> data;
};
struct TRITONBACKEND_Response {
  TRITONBACKEND_Request *request;
  std::vector<std::unique_ptr<TRITONBACKEND_Output>> outputs;
};
struct TRITONBACKEND_Request {
  std::vector<TRITONBACKEND_Input> inputs;
  std::vector<std::string> outputs{"logits"};
  bool released = false;
  int responses = 0; // sent
  std::unique_ptr<TRITONBACKEND_Response> response;
  std::string error; // of the response sent, "" for none
};

namespace {
uint32_t apiMajor = 1, apiMinor = 19;
TRITONSERVER_Error *fakeError(const std::string &message) {
  return new TRITONSERVER_Error{TRITONSERVER_ERROR_INVALID_ARG, message};
}
} // namespace

extern "C" {
TRITONSERVER_Error *TRITONSERVER_ErrorNew(TRITONSERVER_Error_Code code,
                                          const char *msg) {
  return new TRITONSERVER_Error{code, msg};
}
void TRITONSERVER_ErrorDelete(TRITONSERVER_Error *error) { delete error; }
const char *TRITONSERVER_ErrorMessage(TRITONSERVER_Error *error) {
  return error->message.c_str();
}
TRITONSERVER_Error *
TRITONSERVER_MessageNewFromSerializedJson(TRITONSERVER_Message **message,
                                          const char *base, size_t byte_size) {
  *message = new TRITONSERVER_Message{std::string(base, byte_size)};
  return nullptr;
}
TRITONSERVER_Error *TRITONSERVER_MessageDelete(TRITONSERVER_Message *message) {
  delete message;
  return nullptr;
}
TRITONSERVER_Error *
TRITONSERVER_MessageSerializeToJson(TRITONSERVER_Message *message,
                                    const char **base, size_t *byte_size) {
  *base = message->json.data();
  *byte_size = message->json.size();
  return nullptr;
}
TRITONSERVER_Error *TRITONSERVER_LogMessage(TRITONSERVER_LogLevel, const char *,
                                            const int, const char *) {
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ApiVersion(uint32_t *major, uint32_t *minor) {
  *major = apiMajor;
  *minor = apiMinor;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelName(TRITONBACKEND_Model *model,
                                            const char **name) {
  *name = model->name.c_str();
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelVersion(TRITONBACKEND_Model *model,
                                               uint64_t *version) {
  *version = model->version;
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_ModelRepository(TRITONBACKEND_Model *model,
                              TRITONBACKEND_ArtifactType *artifact_type,
                              const char **location) {
  *artifact_type = TRITONBACKEND_ARTIFACT_FILESYSTEM;
  *location = model->repository.c_str();
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelConfig(TRITONBACKEND_Model *model,
                                              const uint32_t config_version,
                                              TRITONSERVER_Message **config) {
  if (config_version != 1)
    return fakeError("config version 1 only");
  *config = new TRITONSERVER_Message{model->config};
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_ModelAutoCompleteConfig(TRITONBACKEND_Model *model,
                                      bool *auto_complete_config) {
  *auto_complete_config = model->autoComplete;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelSetConfig(TRITONBACKEND_Model *model,
                                                 const uint32_t,
                                                 TRITONSERVER_Message *config) {
  model->setConfig = config->json;
  model->config = config->json;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelState(TRITONBACKEND_Model *model,
                                             void **state) {
  *state = model->state;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelSetState(TRITONBACKEND_Model *model,
                                                void *state) {
  model->state = state;
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_ModelInstanceModel(TRITONBACKEND_ModelInstance *instance,
                                 TRITONBACKEND_Model **model) {
  *model = instance->model;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelInstanceReportStatistics(
    TRITONBACKEND_ModelInstance *instance, TRITONBACKEND_Request *request,
    const bool success, const uint64_t, const uint64_t, const uint64_t,
    const uint64_t) {
  if (request->released)
    return fakeError("statistics of a released request");
  instance->stats.push_back({success});
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ModelInstanceReportBatchStatistics(
    TRITONBACKEND_ModelInstance *instance, const uint64_t batch_size,
    const uint64_t, const uint64_t, const uint64_t, const uint64_t) {
  instance->batches.push_back(batch_size);
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_RequestInput(TRITONBACKEND_Request *request,
                                               const char *name,
                                               TRITONBACKEND_Input **input) {
  for (TRITONBACKEND_Input &in : request->inputs)
    if (in.name == name) {
      *input = &in;
      return nullptr;
    }
  return new TRITONSERVER_Error{TRITONSERVER_ERROR_NOT_FOUND,
                                std::string("no input ") + name};
}
TRITONSERVER_Error *
TRITONBACKEND_RequestOutputCount(TRITONBACKEND_Request *request,
                                 uint32_t *count) {
  *count = static_cast<uint32_t>(request->outputs.size());
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_RequestOutputName(TRITONBACKEND_Request *request,
                                const uint32_t index, const char **name) {
  *name = request->outputs.at(index).c_str();
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_RequestRelease(TRITONBACKEND_Request *request,
                                                 uint32_t flags) {
  if (request->released || flags != TRITONSERVER_REQUEST_RELEASE_ALL)
    return fakeError("released twice");
  request->released = true;
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_InputProperties(TRITONBACKEND_Input *input, const char **name,
                              TRITONSERVER_DataType *datatype,
                              const int64_t **shape, uint32_t *dims_count,
                              uint64_t *byte_size, uint32_t *buffer_count) {
  if (name)
    *name = input->name.c_str();
  *datatype = input->type;
  *shape = input->shape.data();
  *dims_count = static_cast<uint32_t>(input->shape.size());
  *byte_size = input->bytes();
  *buffer_count = static_cast<uint32_t>(input->buffers.size());
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_InputBuffer(TRITONBACKEND_Input *input, const uint32_t index,
                          const void **buffer, uint64_t *buffer_byte_size,
                          TRITONSERVER_MemoryType *memory_type,
                          int64_t *memory_type_id) {
  *buffer = input->buffers.at(index).data();
  *buffer_byte_size = input->buffers[index].size();
  *memory_type = input->memory;
  *memory_type_id = 0;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ResponseNew(TRITONBACKEND_Response **response,
                                              TRITONBACKEND_Request *request) {
  if (request->released || request->response)
    return fakeError("a response for a released or answered request");
  request->response = std::make_unique<TRITONBACKEND_Response>();
  request->response->request = request;
  *response = request->response.get();
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_ResponseOutput(TRITONBACKEND_Response *response,
                             TRITONBACKEND_Output **output, const char *name,
                             const TRITONSERVER_DataType datatype,
                             const int64_t *shape, const uint32_t dims_count) {
  response->outputs.push_back(std::make_unique<TRITONBACKEND_Output>(
      TRITONBACKEND_Output{name, datatype, {shape, shape + dims_count}, {}}));
  *output = response->outputs.back().get();
  return nullptr;
}
TRITONSERVER_Error *
TRITONBACKEND_OutputBuffer(TRITONBACKEND_Output *output, void **buffer,
                           const uint64_t buffer_byte_size,
                           TRITONSERVER_MemoryType *memory_type,
                           int64_t *memory_type_id) {
  output->data.resize(buffer_byte_size);
  *buffer = output->data.data();
  *memory_type = TRITONSERVER_MEMORY_CPU;
  *memory_type_id = 0;
  return nullptr;
}
TRITONSERVER_Error *TRITONBACKEND_ResponseSend(TRITONBACKEND_Response *response,
                                               const uint32_t send_flags,
                                               TRITONSERVER_Error *error) {
  if (send_flags != TRITONSERVER_RESPONSE_COMPLETE_FINAL)
    return fakeError("not final");
  // The error stays the caller's.
  response->request->responses++;
  response->request->error = error ? error->message : "";
  return nullptr;
}
} // extern "C"

//===----------------------------------------------------------------------===//
// The tests.
//===----------------------------------------------------------------------===//

namespace {
using aic_run::HostTensor;

/// The backend's entry points, from the library CMake built.
struct Backend {
  void *handle = nullptr;
  TRITONSERVER_Error *(*initialize)(TRITONBACKEND_Backend *);
  TRITONSERVER_Error *(*modelInitialize)(TRITONBACKEND_Model *);
  TRITONSERVER_Error *(*modelFinalize)(TRITONBACKEND_Model *);
  TRITONSERVER_Error *(*instanceInitialize)(TRITONBACKEND_ModelInstance *);
  TRITONSERVER_Error *(*instanceFinalize)(TRITONBACKEND_ModelInstance *);
  TRITONSERVER_Error *(*execute)(TRITONBACKEND_ModelInstance *,
                                 TRITONBACKEND_Request **, uint32_t);
  Backend() {
    handle = dlopen(AIC_TRITON_BACKEND, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(handle);
    auto get = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(handle, name));
      REQUIRE(fn);
    };
    get(initialize, "TRITONBACKEND_Initialize");
    get(modelInitialize, "TRITONBACKEND_ModelInitialize");
    get(modelFinalize, "TRITONBACKEND_ModelFinalize");
    get(instanceInitialize, "TRITONBACKEND_ModelInstanceInitialize");
    get(instanceFinalize, "TRITONBACKEND_ModelInstanceFinalize");
    get(execute, "TRITONBACKEND_ModelInstanceExecute");
  }
};

/// The message of `error` ("" for none), which it deletes.
std::string message(TRITONSERVER_Error *error) {
  if (!error)
    return "";
  std::string text = error->message;
  delete error;
  return text;
}

/// A model repository (in the build tree) with `library` as version 1 of
/// a model.
std::string repositoryWith(const std::string &library) {
  static int count = 0;
  std::filesystem::path folder = std::filesystem::path(AIC_TEST_WORK) /
                                 ("aic-triton-" + std::to_string(count++));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder / "1");
  std::filesystem::create_symlink(library, folder / "1" / "model.so");
  return folder.string();
}

HostTensor readData(const char *name) {
  HostTensor t;
  std::string error;
  REQUIRE(aic_run::readTensorFile(std::string(AIC_TEST_DATA) + "/" + name, t,
                                  error));
  return t;
}

/// A request of the example's input, `copies` rows of it.
std::unique_ptr<TRITONBACKEND_Request> exampleRequest(int copies = 1) {
  HostTensor image = readData("input_0.pb");
  auto request = std::make_unique<TRITONBACKEND_Request>();
  TRITONBACKEND_Input input;
  input.name = "image";
  input.shape = image.shape;
  input.shape[0] = copies;
  std::vector<char> bytes;
  for (int c = 0; c < copies; ++c)
    bytes.insert(bytes.end(), image.data.begin(), image.data.end());
  input.buffers.push_back(std::move(bytes));
  request->inputs.push_back(std::move(input));
  return request;
}

/// Checks that `request` was answered with `rows` rows of the example's
/// reference logits, and released.
void checkAnswer(TRITONBACKEND_Request &request, int rows = 1) {
  HostTensor expected = readData("output_0.pb");
  CHECK(request.released);
  REQUIRE(request.response);
  REQUIRE(request.response->outputs.size() == 1);
  const TRITONBACKEND_Output &out = *request.response->outputs[0];
  CHECK(out.name == "logits");
  CHECK(out.type == TRITONSERVER_TYPE_FP32);
  CHECK(out.shape == std::vector<int64_t>{rows, 3});
  REQUIRE(out.data.size() == size_t(rows) * expected.data.size());
  for (int r = 0; r < rows; ++r)
    for (size_t i = 0; i < 3; ++i) {
      float a, e;
      std::memcpy(&a, out.data.data() + (r * 3 + i) * 4, 4);
      std::memcpy(&e, expected.data.data() + i * 4, 4);
      CHECK(std::fabs(a - e) <= 1e-4f + 1e-3f * std::fabs(e));
    }
}

/// The example compiled with a dynamic batch dim, loaded with
/// max_batch_size 8, and an instance of it.
struct BatchedModel {
  Backend backend;
  TRITONBACKEND_Model model;
  TRITONBACKEND_ModelInstance instance{&model, {}, {}};
  BatchedModel() {
    model.repository = repositoryWith(AIC_TEST_BATCHED_MODEL);
    model.config = R"({"max_batch_size": 8})";
    REQUIRE(message(backend.modelInitialize(&model)) == "");
  }
  ~BatchedModel() { CHECK(message(backend.modelFinalize(&model)) == ""); }
};

/// Loads `library` as a model with `config`: the error message, "" where
/// it loaded (then finalized).
std::string loadError(Backend &backend, const std::string &library,
                      const std::string &config) {
  TRITONBACKEND_Model model;
  model.repository = repositoryWith(library);
  model.config = config;
  std::string error = message(backend.modelInitialize(&model));
  if (error.empty())
    CHECK(message(backend.modelFinalize(&model)) == "");
  return error;
}
} // namespace

TEST_CASE("a model loads, completes its config and answers", "[triton]") {
  Backend backend;
  REQUIRE(message(backend.initialize(nullptr)) == "");
  TRITONBACKEND_Model model;
  model.repository = repositoryWith(AIC_TEST_MODEL);
  model.config = R"({"name": "tiny", "backend": "aic"})";
  model.autoComplete = true;
  REQUIRE(message(backend.modelInitialize(&model)) == "");
  CHECK(
      model.setConfig ==
      R"({"backend":"aic","input":[{"data_type":"TYPE_FP32","dims":[1,1,6,6],)"
      R"("name":"image"}],"name":"tiny","output":[{"data_type":"TYPE_FP32",)"
      R"("dims":[1,3],"name":"logits"}]})");
  TRITONBACKEND_ModelInstance instance{&model, {}, {}};
  REQUIRE(message(backend.instanceInitialize(&instance)) == "");

  auto request = exampleRequest();
  TRITONBACKEND_Request *requests[] = {request.get()};
  REQUIRE(message(backend.execute(&instance, requests, 1)) == "");
  checkAnswer(*request);
  CHECK(instance.stats.size() == 1);
  CHECK(instance.stats[0].success);
  CHECK(instance.batches == std::vector<uint64_t>{1});

  CHECK(message(backend.instanceFinalize(&instance)) == "");
  CHECK(message(backend.modelFinalize(&model)) == "");
}

TEST_CASE("the requests of an execution run as one batch", "[triton]") {
  BatchedModel batched;
  TRITONBACKEND_ModelInstance &instance = batched.instance;
  Backend &backend = batched.backend;
  auto a = exampleRequest(1), b = exampleRequest(2), c = exampleRequest(1);
  // Triton may hand an input in pieces: gathered before the run.
  std::vector<char> whole = c->inputs[0].buffers[0];
  c->inputs[0].buffers = {std::vector<char>(whole.begin(), whole.begin() + 40),
                          std::vector<char>(whole.begin() + 40, whole.end())};
  TRITONBACKEND_Request *requests[] = {a.get(), b.get(), c.get()};
  REQUIRE(message(backend.execute(&instance, requests, 3)) == "");
  checkAnswer(*a, 1);
  checkAnswer(*b, 2);
  checkAnswer(*c, 1);
  CHECK(instance.batches == std::vector<uint64_t>{3}); // one run of three
}

TEST_CASE("a bad request gets its own error, the others their outputs",
          "[triton]") {
  BatchedModel batched;
  TRITONBACKEND_ModelInstance &instance = batched.instance;
  Backend &backend = batched.backend;

  std::vector<std::unique_ptr<TRITONBACKEND_Request>> bad;
  std::vector<std::string> expected;
  auto add = [&](std::unique_ptr<TRITONBACKEND_Request> r,
                 const std::string &error) {
    bad.push_back(std::move(r));
    expected.push_back(error);
  };
  auto r = exampleRequest();
  r->inputs[0].type = TRITONSERVER_TYPE_INT64;
  add(std::move(r),
      "input 'image' has datatype INT64, but the model takes FP32");
  r = exampleRequest();
  r->inputs[0].shape = {1, 1, 6, 5};
  add(std::move(r),
      "input 'image' has shape [1,1,6,5], but the model takes [-1,1,6,6]");
  r = exampleRequest();
  r->inputs[0].buffers[0].resize(100);
  add(std::move(r),
      "input 'image' has 100 bytes, but shape [1,1,6,6] takes 144");
  r = exampleRequest();
  r->inputs[0].name = "other";
  add(std::move(r), "missing input 'image'");
  r = exampleRequest();
  r->inputs[0].memory = TRITONSERVER_MEMORY_GPU;
  add(std::move(r),
      "input 'image' is in GPU memory; the aic backend reads CPU memory");
  r = exampleRequest();
  r->outputs = {"nope"};
  add(std::move(r), "unknown output 'nope'");

  auto good = exampleRequest();
  std::vector<TRITONBACKEND_Request *> requests{good.get()};
  for (auto &b : bad)
    requests.push_back(b.get());
  REQUIRE(message(backend.execute(&instance, requests.data(),
                                  static_cast<uint32_t>(requests.size()))) ==
          "");
  checkAnswer(*good);
  for (size_t i = 0; i < bad.size(); ++i) {
    INFO("bad request " << i);
    CHECK(bad[i]->released);
    CHECK(bad[i]->responses == 1);
    CHECK(bad[i]->error == expected[i]);
  }
  CHECK(good->responses == 1);
  CHECK(good->error == "");
  size_t failures = 0;
  for (const auto &stat : instance.stats)
    failures += !stat.success;
  CHECK(failures == bad.size());
}

TEST_CASE("a model that cannot be served fails to load, saying why",
          "[triton]") {
  Backend backend;
  // A library that is not there: its path in the repository, named.
  std::string missing = loadError(backend, "/nonexistent/model.so", "{}");
  CHECK(missing.find("/1/model.so") != std::string::npos);
  CHECK(missing.find("aic-triton-") != std::string::npos);
  CHECK(loadError(backend, AIC_TEST_MODEL, R"({"max_batch_size": 4})")
            .find("max_batch_size is 4, but") != std::string::npos);
  CHECK(loadError(
            backend, AIC_TEST_MODEL,
            R"({"input": [{"name": "image", "data_type": "TYPE_INT8"}]})") ==
        "model 'tiny': config input 'image' has data_type TYPE_INT8, but the "
        "library's is TYPE_FP32");
  CHECK(loadError(
            backend, AIC_TEST_MODEL,
            R"({"output": [{"name": "probs", "data_type": "TYPE_FP32"}]})") ==
        "model 'tiny': config output 'probs' is not one of the library's");
  CHECK(loadError(backend, AIC_TEST_MODEL,
                  R"({"parameters": {"threads": {"string_value": "x"}}})") ==
        "model 'tiny': parameter threads is 'x', not a thread count");
  CHECK(loadError(backend, AIC_TEST_MODEL, "not json") ==
        "model 'tiny': its config is not JSON");
  CHECK(loadError(backend, AIC_TEST_MODEL, R"({"max_batch_size": "8"})")
            .rfind("the aic backend: ", 0) == 0);
  CHECK(loadError(backend, AIC_TEST_MODEL, R"({"threads": 2})") == "");
}

TEST_CASE("a server with another backend API is refused", "[triton]") {
  Backend backend;
  apiMajor = 2;
  CHECK(message(backend.initialize(nullptr)) ==
        "the aic backend needs Triton's backend API 1.10 or a later 1.x, this "
        "server has 2.19");
  apiMajor = 1;
  apiMinor = 9;
  CHECK(message(backend.initialize(nullptr)) ==
        "the aic backend needs Triton's backend API 1.10 or a later 1.x, this "
        "server has 1.9");
  apiMinor = 19;
  CHECK(message(backend.initialize(nullptr)) == "");
}
