/*===- Driver.h - the CUDA driver API, loaded with dlopen ---------*- C -*-===*
 *
 * The few entry points of libcuda.so.1 that aic uses, declared as the
 * driver's ABI has them (CUresult and CUdevice are ints, handles are
 * pointers, device addresses 64-bit integers), so that nothing of aic
 * needs the CUDA Toolkit's headers or links libcuda. libaic_runtime
 * (aic_cuda_init) and the host code of CUDA model libraries
 * (ModelHost.c) both load the driver through aic_cuda_driver_load.
 *
 *===----------------------------------------------------------------------===*/

#ifndef AIC_RUNTIME_CUDA_DRIVER_H
#define AIC_RUNTIME_CUDA_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUmemPoolHandle_st *CUmemoryPool;
typedef uint64_t CUdeviceptr;

enum {
  AIC_CUDA_SUCCESS = 0,
  AIC_CUDA_STREAM_NON_BLOCKING = 1,
  AIC_CUDA_MEM_ATTACH_GLOBAL = 1,
  AIC_CUDA_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
  AIC_CUDA_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4,
  AIC_CUDA_JIT_ERROR_LOG_BUFFER = 5,
  AIC_CUDA_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

/** The driver's functions; those after cuDeviceGetCount are null where the
    driver lacks them. */
typedef struct aic_cuda_driver {
  void *handle;
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuGetErrorString)(CUresult result, const char **text);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext context);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image,
                                 unsigned num_options, int *options,
                                 void **values);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module,
                                  const char *name);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned grid_x,
                             unsigned grid_y, unsigned grid_z, unsigned block_x,
                             unsigned block_y, unsigned block_z,
                             unsigned shared_bytes, CUstream stream,
                             void **params, void **extra);
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned flags);
  CUresult (*cuStreamDestroy)(CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuMemAlloc)(CUdeviceptr *pointer, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr pointer);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *pointer, size_t bytes,
                                unsigned flags);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *pointer, size_t bytes,
                              CUstream stream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr pointer, CUstream stream);
  CUresult (*cuDeviceGetDefaultMemPool)(CUmemoryPool *pool, CUdevice device);
  CUresult (*cuMemPoolSetAttribute)(CUmemoryPool pool, int attribute,
                                    void *value);
  CUresult (*cuMemcpyAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                            CUstream stream);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr dst, const void *src, size_t bytes);
  int num_devices;
} aic_cuda_driver;

/**
 * Loads libcuda.so.1, starts it (cuInit) and counts its devices. Returns 0,
 * or nonzero with a one-line cause in `error` ("CUDA: no NVIDIA driver
 * (...)", the driver does not start, it sees no device).
 */
__attribute__((visibility("hidden"))) int
aic_cuda_driver_load(aic_cuda_driver *driver, char *error, size_t error_size);

/** The driver's words for `result` ("out of memory"), or its number. */
__attribute__((visibility("hidden"))) const char *
aic_cuda_describe(const aic_cuda_driver *driver, CUresult result, char *buffer,
                  size_t size);

#ifdef __cplusplus
}
#endif

#endif /* AIC_RUNTIME_CUDA_DRIVER_H */
