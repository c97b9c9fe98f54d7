//===- RuntimeTest.cpp - libaic_runtime's C API ---------------------------===//
//
// Loads the tiny_cnn example compiled at build time and checks that the
// runtime rejects bad calls with the right status and message, and runs
// good ones; and that the CUDA driver is looked for at run time.
//
// aic-runtime-tests links libaic_runtime and nothing of the compiler, so
// the ThreadSanitizer build runs it without building a compiler. There the
// model comes from the release build: AIC_TEST_MODEL in the environment
// names it in place of the one compiled beside the tests.
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"
#include "runtime/src/Internal.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <dlfcn.h>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {
const char *testModel() {
  const char *path = std::getenv("AIC_TEST_MODEL");
  return path && *path ? path : AIC_TEST_MODEL;
}

bool lastErrorHas(const std::string &text) {
  return std::string(aic_last_error()).find(text) != std::string::npos;
}

struct Model {
  aic_model *model = nullptr;
  Model() { REQUIRE(aic_model_load(testModel(), &model) == AIC_OK); }
  ~Model() { aic_model_unload(model); }
};
} // namespace

TEST_CASE("loading reports what is wrong", "[runtime]") {
  aic_model *model = nullptr;
  CHECK(aic_model_load("/nonexistent/model.so", &model) == AIC_ERROR_LOAD);
  CHECK(model == nullptr);
  CHECK(lastErrorHas("/nonexistent/model.so"));
  CHECK(aic_model_load(AIC_TEST_NOT_A_MODEL, &model) == AIC_ERROR_NOT_A_MODEL);
  CHECK(lastErrorHas("not an aic model library"));
  CHECK(aic_model_load(nullptr, &model) == AIC_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("a model describes itself", "[runtime]") {
  Model m;
  const aic_model_info *info = aic_model_describe(m.model);
  REQUIRE(info);
  CHECK(info->abi_version == AIC_MODEL_ABI_VERSION);
  CHECK(std::string(info->name) == "tiny_cnn");
  REQUIRE(info->num_inputs == 1);
  REQUIRE(info->num_outputs == 1);
  CHECK(std::string(info->inputs[0].name) == "image");
  CHECK(info->inputs[0].elem_type == AIC_FLOAT32);
  REQUIRE(info->inputs[0].rank == 4);
  CHECK(
      std::vector<int64_t>(info->inputs[0].shape, info->inputs[0].shape + 4) ==
      std::vector<int64_t>{1, 1, 6, 6});
  CHECK(std::string(info->outputs[0].name) == "logits");
}

TEST_CASE("runs check their inputs", "[runtime]") {
  Model m;
  std::vector<float> image(36, 0.0f);
  int64_t shape[] = {1, 1, 6, 6};
  aic_tensor input = {image.data(), shape, 4, AIC_FLOAT32, nullptr};
  aic_tensor output = {};

  aic_tensor wrongType = input;
  wrongType.elem_type = AIC_INT64;
  CHECK(aic_model_run(m.model, &wrongType, 1, &output, 1) ==
        AIC_ERROR_TYPE_MISMATCH);
  CHECK(lastErrorHas("input 'image' has element type int64"));

  int64_t badShape[] = {1, 1, 6, 7};
  aic_tensor wrongShape = input;
  wrongShape.shape = badShape;
  CHECK(aic_model_run(m.model, &wrongShape, 1, &output, 1) ==
        AIC_ERROR_SHAPE_MISMATCH);
  CHECK(lastErrorHas("[1,1,6,7]"));

  aic_tensor wrongRank = input;
  wrongRank.rank = 3;
  CHECK(aic_model_run(m.model, &wrongRank, 1, &output, 1) ==
        AIC_ERROR_SHAPE_MISMATCH);

  CHECK(aic_model_run(m.model, &input, 2, &output, 1) ==
        AIC_ERROR_INVALID_ARGUMENT);
  CHECK(aic_model_run(m.model, &input, 1, &output, 0) ==
        AIC_ERROR_INVALID_ARGUMENT);
  CHECK(aic_model_run(nullptr, &input, 1, &output, 1) ==
        AIC_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("a library's description is checked before it is used", "[runtime]") {
  using aic_runtime::checkModelInfo;
  int64_t shape[] = {2, -1};
  aic_tensor_info tensor = {"x", shape, AIC_FLOAT32, 2};
  aic_model_info info = {
      AIC_MODEL_ABI_VERSION, 1, 1, AIC_DEVICE_CPU, "m", &tensor, &tensor};
  CHECK(checkModelInfo(&info, "m.so") == AIC_OK);

  CHECK(checkModelInfo(nullptr, "m.so") == AIC_ERROR_NOT_A_MODEL);
  int64_t negative[] = {2, -5};
  int64_t huge[] = {int64_t(1) << 40, int64_t(1) << 40};
  // Each spoils a copy of the description (its input a copy of `tensor`).
  struct Case {
    std::function<void(aic_model_info &, aic_tensor_info &)> spoil;
    const char *message;
  };
  const Case cases[] = {
      {[](auto &m, auto &) { m.abi_version = 7; },
       "'m.so' describes ABI version 7, expected 1"},
      {[](auto &m, auto &) { m.device = 9; },
       "'m.so' runs on device 9, which this runtime does not know"},
      {[](auto &m, auto &) {
         m.num_inputs = aic_runtime::kMaxModelTensors + 1;
       },
       "'m.so' describes 65537 inputs, more than 65536"},
      {[](auto &m, auto &) { m.outputs = nullptr; },
       "'m.so' describes 1 outputs but no array"},
      {[](auto &, auto &t) { t.name = nullptr; },
       "'m.so': input 0 has no name"},
      {[](auto &, auto &t) { t.elem_type = 99; },
       "'m.so': input 'x' has unknown element type 99"},
      {[](auto &, auto &t) { t.rank = aic_runtime::kMaxRank + 1; },
       "'m.so': input 'x' has rank 65"},
      {[](auto &, auto &t) { t.shape = nullptr; },
       "'m.so': input 'x' has rank 2"},
      {[&](auto &, auto &t) { t.shape = negative; },
       "'m.so': input 'x' has shape [2,-5]"},
      {[&](auto &, auto &t) { t.shape = huge; },
       "'m.so': input 'x' has shape [1099511627776,1099511627776]"},
  };
  for (const Case &c : cases) {
    aic_model_info bad = info;
    aic_tensor_info input = tensor;
    bad.inputs = &input;
    c.spoil(bad, input);
    CHECK(checkModelInfo(&bad, "m.so") == AIC_ERROR_NOT_A_MODEL);
    CHECK_THAT(aic_last_error(), Catch::Contains(c.message));
  }
}

TEST_CASE("an input too large to address is refused", "[runtime]") {
  int64_t declared[] = {-1, -1};
  aic_tensor_info info = {"x", declared, AIC_FLOAT32, 2};
  int64_t shape[] = {int64_t(1) << 31, int64_t(1) << 31};
  float element = 0;
  aic_tensor input = {&element, shape, 2, AIC_FLOAT32, nullptr};
  CHECK(aic_runtime::checkInputs(&input, 1, &info, 1) ==
        AIC_ERROR_SHAPE_MISMATCH);
  CHECK(lastErrorHas(
      "input 'x' has shape [2147483648,2147483648], too large to address"));
  shape[1] = 4;
  CHECK(aic_runtime::checkInputs(&input, 1, &info, 1) == AIC_OK);
}

TEST_CASE("thread counts are checked", "[runtime]") {
  Model m;
  CHECK(aic_model_set_num_threads(m.model, -1) == AIC_ERROR_INVALID_ARGUMENT);
  CHECK(lastErrorHas("must not be negative, got -1"));
  CHECK(aic_model_set_num_threads(nullptr, 1) == AIC_ERROR_INVALID_ARGUMENT);
  // tiny_cnn has no parallel loops: a count is accepted and changes nothing.
  CHECK(aic_model_set_num_threads(m.model, 2) == AIC_OK);
  CHECK(aic_model_set_num_threads(m.model, 0) == AIC_OK);
}

TEST_CASE("a run fills in its outputs", "[runtime]") {
  Model m;
  // An all-zero image leaves only the biases: relu(conv bias) feeds the
  // classifier, so the output is relu(b_conv) . W_fc + b_fc, here with both
  // conv biases negative: exactly the classifier bias.
  std::vector<float> image(36, 0.0f);
  int64_t shape[] = {1, 1, 6, 6};
  aic_tensor input = {image.data(), shape, 4, AIC_FLOAT32, nullptr};
  aic_tensor output = {};
  REQUIRE(aic_model_run(m.model, &input, 1, &output, 1) == AIC_OK);
  REQUIRE(output.rank == 2);
  CHECK(output.shape[0] == 1);
  CHECK(output.shape[1] == 3);
  CHECK(output.elem_type == AIC_FLOAT32);
  const float *logits = static_cast<const float *>(output.data);
  // fc.bias in examples/tiny_cnn/model.textproto.
  CHECK(logits[0] == Approx(-0.4363f));
  CHECK(logits[1] == Approx(-0.5807f));
  CHECK(logits[2] == Approx(0.3446f));
  aic_tensor_release(&output);
  CHECK(output.data == nullptr);
  aic_tensor_release(&output); // Released twice: a no-op.
}

TEST_CASE("several threads run one model at once", "[runtime]") {
  Model m;
  constexpr int kThreads = 4, kRuns = 50;
  int64_t shape[] = {1, 1, 6, 6};
  auto runOnce = [&](int seed, std::vector<float> &logits) {
    std::vector<float> image(36);
    for (int i = 0; i < 36; ++i)
      image[i] = static_cast<float>((seed * 37 + i * 11) % 17) / 8.0f - 1.0f;
    aic_tensor input = {image.data(), shape, 4, AIC_FLOAT32, nullptr};
    aic_tensor output = {};
    if (aic_model_run(m.model, &input, 1, &output, 1) != AIC_OK)
      return false;
    const float *data = static_cast<const float *>(output.data);
    logits.assign(data, data + 3);
    aic_tensor_release(&output);
    return true;
  };
  // Sequential results first, then the same runs from several threads.
  std::vector<std::vector<float>> expected(kThreads * kRuns);
  for (int i = 0; i < kThreads * kRuns; ++i)
    REQUIRE(runOnce(i, expected[i]));
  std::vector<std::vector<float>> actual(kThreads * kRuns);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRuns; ++r)
        failures[t] += !runOnce(t * kRuns + r, actual[t * kRuns + r]);
    });
  for (std::thread &thread : threads)
    thread.join();
  CHECK(failures == std::vector<int>(kThreads, 0));
  CHECK(actual == expected);
}

TEST_CASE("the CUDA driver is found at run time or reported missing",
          "[runtime][cuda]") {
  // What this machine has, asked independently of the runtime.
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  int32_t devices = -1;
  aic_status status = aic_cuda_init(&devices);
  if (!driver) {
    CHECK(status == AIC_ERROR_UNSUPPORTED);
    CHECK(devices == 0);
    CHECK(std::string(aic_last_error()).find("libcuda.so.1") !=
          std::string::npos);
  } else {
    dlclose(driver);
    // A driver: it starts and sees devices, or says why not.
    if (status == AIC_OK)
      CHECK(devices > 0);
    else
      CHECK(std::string(aic_last_error()).rfind("CUDA: ", 0) == 0);
  }
  // The answer stays the same.
  CHECK(aic_cuda_init(nullptr) == status);
}
