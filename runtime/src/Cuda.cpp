//===- Cuda.cpp - the CUDA driver, loaded at run time ---------------------===//
//
// libaic_runtime finds the CUDA driver API (libcuda.so.1) with dlopen when
// a program first asks for it (runtime/cuda/Driver.c), so that it links
// nothing of CUDA and CPU models run where there is no NVIDIA driver.
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"
#include "runtime/cuda/Driver.h"
#include "runtime/src/Internal.h"

#include <mutex>

namespace {
struct CudaState {
  aic_cuda_driver driver;
  int failed = 0;
  char error[512] = {0};
};

CudaState &cuda() {
  static CudaState state;
  static std::once_flag loaded;
  std::call_once(loaded, [] {
    state.failed =
        aic_cuda_driver_load(&state.driver, state.error, sizeof state.error);
  });
  return state;
}
} // namespace

extern "C" aic_status aic_cuda_init(int32_t *num_devices) {
  CudaState &state = cuda();
  if (num_devices)
    *num_devices = state.driver.num_devices;
  if (state.failed)
    return aic_runtime::fail(AIC_ERROR_UNSUPPORTED, "%s", state.error);
  return AIC_OK;
}
