/*===- Driver.c - the CUDA driver API, loaded with dlopen -----------------===*/

#include "Driver.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* Versioned names: the driver keeps the first ABI of each function under
   its plain name and the current one under _v2. */
#define AIC_LOOKUP(field, symbol)                                              \
  (*(void **)&driver->field = dlsym(driver->handle, symbol))

int aic_cuda_driver_load(aic_cuda_driver *driver, char *error,
                         size_t error_size) {
  memset(driver, 0, sizeof *driver);
  driver->handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver->handle) {
    const char *why = dlerror();
    snprintf(error, error_size,
             "CUDA: no NVIDIA driver (libcuda.so.1 cannot be loaded: %s)",
             why ? why : "not found");
    return 1;
  }
  AIC_LOOKUP(cuInit, "cuInit");
  AIC_LOOKUP(cuDeviceGetCount, "cuDeviceGetCount");
  AIC_LOOKUP(cuGetErrorString, "cuGetErrorString");
  AIC_LOOKUP(cuDeviceGet, "cuDeviceGet");
  AIC_LOOKUP(cuDeviceGetAttribute, "cuDeviceGetAttribute");
  AIC_LOOKUP(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  AIC_LOOKUP(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  AIC_LOOKUP(cuCtxSetCurrent, "cuCtxSetCurrent");
  AIC_LOOKUP(cuModuleLoadDataEx, "cuModuleLoadDataEx");
  AIC_LOOKUP(cuModuleUnload, "cuModuleUnload");
  AIC_LOOKUP(cuModuleGetFunction, "cuModuleGetFunction");
  AIC_LOOKUP(cuLaunchKernel, "cuLaunchKernel");
  AIC_LOOKUP(cuStreamCreate, "cuStreamCreate");
  AIC_LOOKUP(cuStreamDestroy, "cuStreamDestroy_v2");
  AIC_LOOKUP(cuStreamSynchronize, "cuStreamSynchronize");
  AIC_LOOKUP(cuMemAlloc, "cuMemAlloc_v2");
  AIC_LOOKUP(cuMemFree, "cuMemFree_v2");
  AIC_LOOKUP(cuMemAllocManaged, "cuMemAllocManaged");
  AIC_LOOKUP(cuMemAllocAsync, "cuMemAllocAsync");
  AIC_LOOKUP(cuMemFreeAsync, "cuMemFreeAsync");
  AIC_LOOKUP(cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool");
  AIC_LOOKUP(cuMemPoolSetAttribute, "cuMemPoolSetAttribute");
  AIC_LOOKUP(cuMemcpyAsync, "cuMemcpyAsync");
  AIC_LOOKUP(cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  if (!driver->cuInit || !driver->cuDeviceGetCount) {
    snprintf(error, error_size,
             "CUDA: libcuda.so.1 lacks cuInit or "
             "cuDeviceGetCount (not a CUDA driver?)");
    return 1;
  }
  char words[128];
  CUresult result = driver->cuInit(0);
  if (result != AIC_CUDA_SUCCESS) {
    snprintf(error, error_size, "CUDA: the driver does not start (cuInit: %s)",
             aic_cuda_describe(driver, result, words, sizeof words));
    return 1;
  }
  result = driver->cuDeviceGetCount(&driver->num_devices);
  if (result != AIC_CUDA_SUCCESS) {
    snprintf(error, error_size, "CUDA: cuDeviceGetCount: %s",
             aic_cuda_describe(driver, result, words, sizeof words));
    return 1;
  }
  if (driver->num_devices == 0) {
    snprintf(error, error_size, "CUDA: the driver sees no device");
    return 1;
  }
  return 0;
}

const char *aic_cuda_describe(const aic_cuda_driver *driver, CUresult result,
                              char *buffer, size_t size) {
  const char *text = NULL;
  if (driver->cuGetErrorString &&
      driver->cuGetErrorString(result, &text) == AIC_CUDA_SUCCESS && text)
    return text;
  snprintf(buffer, size, "CUDA error %d", result);
  return buffer;
}
