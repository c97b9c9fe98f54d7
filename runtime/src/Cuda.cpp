//===- Cuda.cpp - the CUDA driver, loaded at run time ---------------------===//
//
// libaic_runtime finds the CUDA driver API (libcuda.so.1) with dlopen when
// a program first asks for it, so that it links nothing of CUDA and CPU
// models run where there is no NVIDIA driver. The driver API's types are
// declared here as the ABI has them (CUresult is an int, CUdevice an int).
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"
#include "runtime/src/Internal.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace {
using CUresult = int;
constexpr CUresult CUDA_SUCCESS = 0;

struct CudaDriver {
  void *handle = nullptr;
  CUresult (*init)(unsigned) = nullptr;
  CUresult (*deviceGetCount)(int *) = nullptr;
  CUresult (*getErrorString)(CUresult, const char **) = nullptr;
  int devices = 0;
  aic_status status = AIC_OK;
  std::string error;

  /// The driver's words for `result`, or its number.
  std::string describe(CUresult result) const {
    const char *text = nullptr;
    if (getErrorString && getErrorString(result, &text) == CUDA_SUCCESS && text)
      return text;
    return "CUDA error " + std::to_string(result);
  }

  void load() {
    handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      status = AIC_ERROR_UNSUPPORTED;
      error = std::string("CUDA: no NVIDIA driver (libcuda.so.1 cannot be "
                          "loaded: ") +
              (why ? why : "not found") + ")";
      return;
    }
    init = reinterpret_cast<decltype(init)>(dlsym(handle, "cuInit"));
    deviceGetCount = reinterpret_cast<decltype(deviceGetCount)>(
        dlsym(handle, "cuDeviceGetCount"));
    getErrorString = reinterpret_cast<decltype(getErrorString)>(
        dlsym(handle, "cuGetErrorString"));
    if (!init || !deviceGetCount) {
      status = AIC_ERROR_UNSUPPORTED;
      error = "CUDA: libcuda.so.1 lacks cuInit or cuDeviceGetCount (not a "
              "CUDA driver?)";
      return;
    }
    if (CUresult r = init(0); r != CUDA_SUCCESS) {
      status = AIC_ERROR_UNSUPPORTED;
      error = "CUDA: the driver does not start (cuInit: " + describe(r) + ")";
      return;
    }
    if (CUresult r = deviceGetCount(&devices); r != CUDA_SUCCESS) {
      status = AIC_ERROR_UNSUPPORTED;
      error = "CUDA: cuDeviceGetCount: " + describe(r);
      return;
    }
    if (devices == 0) {
      status = AIC_ERROR_UNSUPPORTED;
      error = "CUDA: the driver sees no device";
    }
  }
};

CudaDriver &driver() {
  static CudaDriver instance;
  static std::once_flag loaded;
  std::call_once(loaded, [] { instance.load(); });
  return instance;
}
} // namespace

extern "C" aic_status aic_cuda_init(int32_t *num_devices) {
  CudaDriver &cuda = driver();
  if (num_devices)
    *num_devices = cuda.devices;
  if (cuda.status != AIC_OK)
    return aic_runtime::fail(cuda.status, "%s", cuda.error.c_str());
  return AIC_OK;
}
