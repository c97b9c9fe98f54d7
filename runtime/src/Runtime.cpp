//===- Runtime.cpp - libaic_runtime ---------------------------------------===//
//
// Implements aic/runtime.h: dlopen of model libraries, ABI checks, and
// argument checks before each run. Never aborts: every failure becomes a
// status with a message.
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"
#include "runtime/src/Internal.h"

#include <dlfcn.h>

#include <atomic>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

namespace {
// A fixed buffer: reporting that memory ran out must not need memory.
thread_local char lastError[1024];
} // namespace

aic_status aic_runtime::fail(aic_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(lastError, sizeof(lastError), format, args);
  va_end(args);
  return status;
}

using aic_runtime::fail;

namespace {
using InfoFn = const aic_model_info *(*)();
using RunFn = int32_t (*)(const aic_tensor_ref *, aic_output_ref *);
using FreeFn = void (*)(void *);
using ErrorFn = const char *(*)();
using SetNumThreadsFn = void (*)(int32_t);

/// What an output tensor's `owner` points to: how to free its data, and
/// its dims.
struct OutputOwner {
  FreeFn free;
  void *allocation;
  int64_t shape[1]; // `rank` entries (at least one slot)
};

OutputOwner *newOwner(FreeFn free, int32_t rank) {
  size_t size =
      sizeof(OutputOwner) + sizeof(int64_t) * (rank > 1 ? rank - 1 : 0);
  auto *owner = static_cast<OutputOwner *>(std::calloc(1, size));
  if (owner)
    owner->free = free;
  return owner;
}

std::string shapeString(const int64_t *shape, int32_t rank) {
  std::string s = "[";
  for (int32_t i = 0; i < rank; ++i) {
    if (i)
      s += ",";
    s += shape[i] == -1 ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

} // namespace

aic_status aic_runtime::checkInputs(const aic_tensor *tensors, size_t count,
                                    const aic_tensor_info *infos,
                                    uint32_t expected) {
  const char *what = "input";
  if (count != expected)
    return fail(AIC_ERROR_INVALID_ARGUMENT, "the model has %u %ss, got %zu",
                expected, what, count);
  if (count && !tensors)
    return fail(AIC_ERROR_INVALID_ARGUMENT, "null %s array", what);
  for (size_t i = 0; i < count; ++i) {
    const aic_tensor &t = tensors[i];
    const aic_tensor_info &info = infos[i];
    if (t.elem_type != info.elem_type)
      return fail(AIC_ERROR_TYPE_MISMATCH,
                  "%s '%s' has element type %s, expected %s", what, info.name,
                  aic_element_type_name(t.elem_type),
                  aic_element_type_name(info.elem_type));
    if (t.rank != info.rank || (t.rank && !t.shape))
      return fail(AIC_ERROR_SHAPE_MISMATCH, "%s '%s' has rank %d, expected %s",
                  what, info.name, t.rank,
                  shapeString(info.shape, info.rank).c_str());
    for (int32_t d = 0; d < t.rank; ++d) {
      if (t.shape[d] < 0 || (info.shape[d] >= 0 && t.shape[d] != info.shape[d]))
        return fail(AIC_ERROR_SHAPE_MISMATCH,
                    "%s '%s' has shape %s, expected %s", what, info.name,
                    shapeString(t.shape, t.rank).c_str(),
                    shapeString(info.shape, info.rank).c_str());
    }
    // The byte size must fit in 63 bits: the model computes with it.
    int64_t bytes = static_cast<int64_t>(aic_element_size(info.elem_type));
    for (int32_t d = 0; d < t.rank; ++d)
      if (__builtin_mul_overflow(bytes, t.shape[d], &bytes))
        return fail(AIC_ERROR_SHAPE_MISMATCH,
                    "%s '%s' has shape %s, too large to address", what,
                    info.name, shapeString(t.shape, t.rank).c_str());
    if (!t.data && bytes != 0)
      return fail(AIC_ERROR_INVALID_ARGUMENT, "%s '%s' has no data", what,
                  info.name);
  }
  return AIC_OK;
}

static aic_status checkTensorInfos(const aic_tensor_info *infos, uint32_t count,
                                   const char *kind, const char *what) {
  if (count > aic_runtime::kMaxModelTensors)
    return fail(AIC_ERROR_NOT_A_MODEL, "'%s' describes %u %ss, more than %u",
                what, count, kind, aic_runtime::kMaxModelTensors);
  if (count && !infos)
    return fail(AIC_ERROR_NOT_A_MODEL, "'%s' describes %u %ss but no array",
                what, count, kind);
  for (uint32_t i = 0; i < count; ++i) {
    const aic_tensor_info &info = infos[i];
    if (!info.name)
      return fail(AIC_ERROR_NOT_A_MODEL, "'%s': %s %u has no name", what, kind,
                  i);
    if (aic_element_size(info.elem_type) == 0)
      return fail(AIC_ERROR_NOT_A_MODEL,
                  "'%s': %s '%s' has unknown element type %d", what, kind,
                  info.name, info.elem_type);
    if (info.rank < 0 || info.rank > aic_runtime::kMaxRank ||
        (info.rank && !info.shape))
      return fail(AIC_ERROR_NOT_A_MODEL, "'%s': %s '%s' has rank %d", what,
                  kind, info.name, info.rank);
    int64_t elements = 1;
    for (int32_t d = 0; d < info.rank; ++d) {
      if (info.shape[d] < -1 ||
          (info.shape[d] > 0 &&
           __builtin_mul_overflow(elements, info.shape[d], &elements)))
        return fail(AIC_ERROR_NOT_A_MODEL, "'%s': %s '%s' has shape %s", what,
                    kind, info.name,
                    shapeString(info.shape, info.rank).c_str());
    }
  }
  return AIC_OK;
}

aic_status aic_runtime::checkModelInfo(const aic_model_info *info,
                                       const char *what) {
  if (!info || info->abi_version != AIC_MODEL_ABI_VERSION)
    return fail(AIC_ERROR_NOT_A_MODEL,
                "'%s' describes ABI version %u, expected %d", what,
                info ? info->abi_version : 0, AIC_MODEL_ABI_VERSION);
  if (info->device != AIC_DEVICE_CPU && info->device != AIC_DEVICE_CUDA)
    return fail(AIC_ERROR_NOT_A_MODEL,
                "'%s' runs on device %u, which this runtime does not know "
                "(made by a newer aic?)",
                what, info->device);
  if (aic_status s =
          checkTensorInfos(info->inputs, info->num_inputs, "input", what))
    return s;
  return checkTensorInfos(info->outputs, info->num_outputs, "output", what);
}

struct aic_model {
  void *handle = nullptr;
  const aic_model_info *info = nullptr;
  RunFn run = nullptr;
  FreeFn free = nullptr;
  ErrorFn error = nullptr; // Optional: models with run-time checks.
  // Optional: models with parallel loops.
  SetNumThreadsFn setNumThreads = nullptr;
  std::atomic<int32_t> numThreads{0};
};

extern "C" {

const char *aic_last_error(void) { return lastError; }

const char *aic_status_name(aic_status status) {
  switch (status) {
  case AIC_OK:
    return "AIC_OK";
  case AIC_ERROR_INVALID_ARGUMENT:
    return "AIC_ERROR_INVALID_ARGUMENT";
  case AIC_ERROR_LOAD:
    return "AIC_ERROR_LOAD";
  case AIC_ERROR_NOT_A_MODEL:
    return "AIC_ERROR_NOT_A_MODEL";
  case AIC_ERROR_TYPE_MISMATCH:
    return "AIC_ERROR_TYPE_MISMATCH";
  case AIC_ERROR_SHAPE_MISMATCH:
    return "AIC_ERROR_SHAPE_MISMATCH";
  case AIC_ERROR_UNSUPPORTED:
    return "AIC_ERROR_UNSUPPORTED";
  case AIC_ERROR_RUN:
    return "AIC_ERROR_RUN";
  }
  return "unknown status";
}

size_t aic_element_size(int32_t elem_type) {
  switch (elem_type) {
#define AIC_ELEMENT_TYPE(enumerator, name, bytes, ctype)                       \
  case enumerator:                                                             \
    return bytes;
#include "aic/element_types.def"
  default:
    return 0;
  }
}

const char *aic_element_type_name(int32_t elem_type) {
  switch (elem_type) {
#define AIC_ELEMENT_TYPE(enumerator, name, bytes, ctype)                       \
  case enumerator:                                                             \
    return name;
#include "aic/element_types.def"
  default:
    return "unknown";
  }
}

aic_status aic_model_load(const char *path, aic_model **model) {
  if (!path || !model)
    return fail(AIC_ERROR_INVALID_ARGUMENT, "null path or model pointer");
  *model = nullptr;
  // A path without a slash would make dlopen search the library path.
  std::string file = path;
  if (file.find('/') == std::string::npos)
    file = "./" + file;
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return fail(AIC_ERROR_LOAD, "cannot load '%s': %s", path,
                why ? why : "unknown error");
  }
  auto info = reinterpret_cast<InfoFn>(dlsym(handle, "aic_model_v1_info"));
  auto run = reinterpret_cast<RunFn>(dlsym(handle, "aic_model_v1_run"));
  auto release = reinterpret_cast<FreeFn>(dlsym(handle, "aic_model_v1_free"));
  if (!info || !run || !release) {
    dlclose(handle);
    return fail(AIC_ERROR_NOT_A_MODEL,
                "'%s' is not an aic model library of ABI version %d", path,
                AIC_MODEL_ABI_VERSION);
  }
  const aic_model_info *description = info();
  if (aic_status s = aic_runtime::checkModelInfo(description, path)) {
    dlclose(handle);
    return s;
  }
  if (description->device == AIC_DEVICE_CUDA) {
    // Its kernels need the driver: without one, this is the error.
    if (aic_cuda_init(nullptr) != AIC_OK) {
      std::string why = aic_last_error();
      dlclose(handle);
      return fail(AIC_ERROR_UNSUPPORTED,
                  "'%s' runs on an NVIDIA GPU (aic-compile --target=cuda): %s",
                  path, why.c_str());
    }
  }
  auto *result = new (std::nothrow) aic_model;
  if (!result) {
    dlclose(handle);
    return fail(AIC_ERROR_LOAD, "out of memory");
  }
  result->handle = handle;
  result->info = description;
  result->run = run;
  result->error =
      reinterpret_cast<ErrorFn>(dlsym(handle, "aic_model_v1_error"));
  result->free = release;
  result->setNumThreads = reinterpret_cast<SetNumThreadsFn>(
      dlsym(handle, "aic_model_v1_set_num_threads"));
  *model = result;
  return AIC_OK;
}

void aic_model_unload(aic_model *model) {
  if (!model)
    return;
  dlclose(model->handle);
  delete model;
}

const aic_model_info *aic_model_describe(const aic_model *model) {
  return model ? model->info : nullptr;
}

aic_status aic_model_set_num_threads(aic_model *model, int32_t num_threads) {
  if (!model)
    return fail(AIC_ERROR_INVALID_ARGUMENT, "null model");
  if (num_threads < 0)
    return fail(AIC_ERROR_INVALID_ARGUMENT,
                "the thread count must not be negative, got %d", num_threads);
  model->numThreads = num_threads;
  return AIC_OK;
}

aic_status aic_model_run(const aic_model *model, const aic_tensor *inputs,
                         size_t num_inputs, aic_tensor *outputs,
                         size_t num_outputs) {
  if (!model)
    return fail(AIC_ERROR_INVALID_ARGUMENT, "null model");
  const aic_model_info *info = model->info;
  if (aic_status s = aic_runtime::checkInputs(inputs, num_inputs, info->inputs,
                                              info->num_inputs))
    return s;
  if (num_outputs != info->num_outputs || (num_outputs && !outputs))
    return fail(AIC_ERROR_INVALID_ARGUMENT,
                "the model has %u outputs, got room for %zu", info->num_outputs,
                num_outputs);
  std::vector<aic_tensor_ref> in;
  std::vector<aic_output_ref> out;
  std::vector<OutputOwner *> owners;
  try {
    in.resize(num_inputs);
    out.resize(num_outputs);
    owners.resize(num_outputs);
  } catch (const std::bad_alloc &) {
    return fail(AIC_ERROR_RUN, "out of memory");
  }
  auto freeOwners = [&] {
    for (OutputOwner *owner : owners)
      std::free(owner);
  };
  for (size_t i = 0; i < num_inputs; ++i)
    in[i] = {inputs[i].data, inputs[i].shape};
  for (size_t i = 0; i < num_outputs; ++i) {
    owners[i] = newOwner(model->free, info->outputs[i].rank);
    if (!owners[i]) {
      freeOwners();
      return fail(AIC_ERROR_RUN, "out of memory");
    }
    out[i] = {nullptr, nullptr, owners[i]->shape};
  }
  // The team size is the calling thread's (an OpenMP setting), so it is
  // set before each run, on the thread that runs.
  if (model->setNumThreads)
    model->setNumThreads(model->numThreads);
  if (int32_t rc = model->run(in.data(), out.data())) {
    // A failed run may still have allocated its outputs.
    for (const aic_output_ref &output : out)
      model->free(output.allocation);
    freeOwners();
    const char *message = model->error ? model->error() : nullptr;
    if (message)
      return fail(AIC_ERROR_RUN, "%s", message);
    return fail(AIC_ERROR_RUN, "the model failed with code %d", rc);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    owners[i]->allocation = out[i].allocation;
    outputs[i] = {out[i].data, owners[i]->shape, info->outputs[i].rank,
                  info->outputs[i].elem_type, owners[i]};
  }
  return AIC_OK;
}

void aic_tensor_release(aic_tensor *tensor) {
  if (!tensor || !tensor->owner)
    return;
  auto *owner = static_cast<OutputOwner *>(tensor->owner);
  owner->free(owner->allocation);
  std::free(owner);
  *tensor = aic_tensor{};
}

} // extern "C"
