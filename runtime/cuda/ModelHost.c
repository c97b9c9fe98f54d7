/*===- ModelHost.c - the host side of CUDA model libraries ----------------===*
 *
 * Linked into each model library that `aic-compile --target=cuda` makes
 * (libaic_cuda_host.a; every symbol hidden, so each model keeps its own
 * state). It implements the GPU runtime calls that MLIR's gpu-to-llvm
 * lowering and gpu.binary translation emit (mgpuModuleLoad, mgpuLaunchKernel,
 * mgpuMemAlloc, ...) over the CUDA driver, loaded with dlopen, and the calls
 * of aic's own host code:
 *
 * - aic_cuda_run_begin / aic_cuda_run_end bracket a run. The first failure
 *   of a run (no driver, out of memory, a failed launch) is kept as the
 *   run's message; the rest of that run's device work is skipped (buffers
 *   the host reads are then zero-filled host memory), so that the run ends,
 *   frees what it allocated and returns the message, and the next run
 *   starts afresh.
 * - aic_cuda_resident copies a weight to the device on its first use and
 *   keeps it there for the library's lifetime.
 * - aic_cuda_synchronize waits for the run's device work, before the host
 *   reads what it wrote (aic-cuda-device-memory's host waits: a call, which
 *   canonicalization keeps, where it drops a gpu.wait on the stream's
 *   token, a token with no dependencies).
 *
 * Device memory comes from the driver's stream-ordered pool (cuMemAllocAsync
 * on the run's stream), which keeps freed memory for the next run; memory
 * the host reads (a computed shape) is managed memory. Each thread's runs
 * use one stream, created on its first run.
 *
 *===----------------------------------------------------------------------===*/

#include "Driver.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AIC_HIDDEN __attribute__((visibility("hidden")))

/* The library's state: the driver, the device's primary context. */
static aic_cuda_driver driver;
static pthread_once_t started = PTHREAD_ONCE_INIT;
static char start_error[512];
static CUdevice device;
static CUcontext context;
static int pooled;
/* Why the kernels' module did not load, where it did not. */
static char module_error[1024];

/* Weights on the device, and memory the host reads (managed, or host memory
   in a failed run), which frees differently. */
typedef struct allocation_list {
  pthread_mutex_t lock;
  void **items;
  size_t size, capacity;
} allocation_list;
static allocation_list resident = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};
static allocation_list managed = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};
static allocation_list host_fallback = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

/* The calling thread's run. */
static __thread struct {
  int failed;
  char message[1024];
  CUstream stream;
} run;

static int list_add(allocation_list *list, void *item) {
  pthread_mutex_lock(&list->lock);
  int ok = 1;
  if (list->size == list->capacity) {
    size_t capacity = list->capacity ? 2 * list->capacity : 16;
    void **items = realloc(list->items, capacity * sizeof *items);
    if (items) {
      list->items = items;
      list->capacity = capacity;
    } else {
      ok = 0;
    }
  }
  if (ok)
    list->items[list->size++] = item;
  pthread_mutex_unlock(&list->lock);
  return ok;
}

/* Removes `item`; returns whether it was there. */
static int list_remove(allocation_list *list, void *item) {
  pthread_mutex_lock(&list->lock);
  int found = 0;
  for (size_t i = list->size; i-- > 0;) {
    if (list->items[i] == item) {
      list->items[i] = list->items[--list->size];
      found = 1;
      break;
    }
  }
  pthread_mutex_unlock(&list->lock);
  return found;
}

static void start(void) {
  if (aic_cuda_driver_load(&driver, start_error, sizeof start_error))
    return;
  if (!driver.cuDeviceGet || !driver.cuDevicePrimaryCtxRetain ||
      !driver.cuCtxSetCurrent || !driver.cuModuleLoadDataEx ||
      !driver.cuModuleGetFunction || !driver.cuLaunchKernel ||
      !driver.cuStreamCreate || !driver.cuStreamSynchronize ||
      !driver.cuMemAlloc || !driver.cuMemFree || !driver.cuMemAllocManaged ||
      !driver.cuMemcpyAsync || !driver.cuMemcpyHtoD) {
    snprintf(start_error, sizeof start_error,
             "CUDA: the driver is too old (it lacks functions of CUDA 11)");
    return;
  }
  /* AIC_CUDA_DEVICE picks the device; the first by default. */
  int ordinal = 0;
  const char *chosen = getenv("AIC_CUDA_DEVICE");
  if (chosen && *chosen)
    ordinal = atoi(chosen);
  char words[128];
  CUresult result;
  if (ordinal < 0 || ordinal >= driver.num_devices) {
    snprintf(start_error, sizeof start_error,
             "CUDA: AIC_CUDA_DEVICE=%s, but the driver sees %d device(s)",
             chosen, driver.num_devices);
    return;
  }
  if ((result = driver.cuDeviceGet(&device, ordinal)) != AIC_CUDA_SUCCESS ||
      (result = driver.cuDevicePrimaryCtxRetain(&context, device)) !=
          AIC_CUDA_SUCCESS ||
      (result = driver.cuCtxSetCurrent(context)) != AIC_CUDA_SUCCESS) {
    snprintf(start_error, sizeof start_error, "CUDA: cannot open device %d: %s",
             ordinal, aic_cuda_describe(&driver, result, words, sizeof words));
    return;
  }
  /* The stream-ordered pool, which keeps what runs free for the next. */
  int pools = 0;
  CUmemoryPool pool;
  if (driver.cuMemAllocAsync && driver.cuMemFreeAsync &&
      driver.cuDeviceGetAttribute && driver.cuDeviceGetDefaultMemPool &&
      driver.cuMemPoolSetAttribute &&
      driver.cuDeviceGetAttribute(&pools,
                                  AIC_CUDA_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                                  device) == AIC_CUDA_SUCCESS &&
      pools &&
      driver.cuDeviceGetDefaultMemPool(&pool, device) == AIC_CUDA_SUCCESS) {
    uint64_t keep = UINT64_MAX;
    driver.cuMemPoolSetAttribute(pool, AIC_CUDA_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                 &keep);
    pooled = 1;
  }
}

/* Starts the driver; returns whether it runs. */
static int started_ok(void) {
  pthread_once(&started, start);
  return start_error[0] == 0;
}

/* Records the run's first failure; later device work of the run is
   skipped. */
static void fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *format, ...) {
  if (run.failed)
    return;
  run.failed = 1;
  va_list args;
  va_start(args, format);
  vsnprintf(run.message, sizeof run.message, format, args);
  va_end(args);
  /* What the run queued may still use its buffers: let it finish before
     they are freed. */
  if (run.stream)
    driver.cuStreamSynchronize(run.stream);
}

static const char *describe(CUresult result) {
  static __thread char words[128];
  return aic_cuda_describe(&driver, result, words, sizeof words);
}

AIC_HIDDEN void aic_cuda_run_begin(void) {
  run.failed = 0;
  run.message[0] = 0;
  if (!started_ok()) {
    fail("%s", start_error);
    return;
  }
  if (module_error[0]) {
    fail("%s", module_error);
    return;
  }
  CUresult result = driver.cuCtxSetCurrent(context);
  if (result != AIC_CUDA_SUCCESS)
    fail("CUDA: cannot use the device: %s", describe(result));
}

AIC_HIDDEN const char *aic_cuda_run_end(void) {
  return run.failed ? run.message : NULL;
}

/* Kernel modules: loaded when the library is (a constructor the gpu.binary
   translation emits). */
static CUmodule load_module(const void *image, const char *what) {
  if (!started_ok())
    return NULL;
  char log[4096] = {0};
  int options[] = {AIC_CUDA_JIT_ERROR_LOG_BUFFER,
                   AIC_CUDA_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, (void *)(uintptr_t)sizeof log};
  CUmodule module = NULL;
  CUresult result =
      driver.cuModuleLoadDataEx(&module, image, 2, options, values);
  if (result != AIC_CUDA_SUCCESS) {
    /* The log's first line names the cause (an architecture the device
       is not). */
    char *newline = strchr(log, '\n');
    if (newline)
      *newline = 0;
    snprintf(module_error, sizeof module_error,
             "CUDA: the device cannot load the model's kernels (%s): %s%s%s",
             what, describe(result), log[0] ? ": " : "", log);
    return NULL;
  }
  return module;
}

AIC_HIDDEN void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  return load_module(data, "cubin and PTX");
}

AIC_HIDDEN void *mgpuModuleLoadJIT(void *data, int opt_level) {
  (void)opt_level;
  return load_module(data, "PTX");
}

AIC_HIDDEN void mgpuModuleUnload(void *module) {
  if (module && driver.cuModuleUnload)
    driver.cuModuleUnload((CUmodule)module);
}

AIC_HIDDEN void *mgpuModuleGetFunction(void *module, const char *name) {
  if (run.failed || !module)
    return NULL;
  CUfunction function = NULL;
  CUresult result =
      driver.cuModuleGetFunction(&function, (CUmodule)module, name);
  if (result != AIC_CUDA_SUCCESS) {
    fail("CUDA: kernel '%s' is not in the model's module: %s", name,
         describe(result));
    return NULL;
  }
  return function;
}

AIC_HIDDEN void mgpuLaunchKernel(void *function, intptr_t grid_x,
                                 intptr_t grid_y, intptr_t grid_z,
                                 intptr_t block_x, intptr_t block_y,
                                 intptr_t block_z, int32_t shared_bytes,
                                 void *stream, void **params, void **extra,
                                 size_t num_params) {
  (void)num_params;
  if (run.failed || !function)
    return;
  /* An empty tensor's loop has no blocks. */
  if (grid_x <= 0 || grid_y <= 0 || grid_z <= 0)
    return;
  if (grid_x > 0x7fffffff || grid_y > 65535 || grid_z > 65535) {
    fail("CUDA: a kernel needs a grid of %ld x %ld x %ld blocks, more than "
         "the device has",
         (long)grid_x, (long)grid_y, (long)grid_z);
    return;
  }
  CUresult result = driver.cuLaunchKernel(
      (CUfunction)function, (unsigned)grid_x, (unsigned)grid_y,
      (unsigned)grid_z, (unsigned)block_x, (unsigned)block_y, (unsigned)block_z,
      (unsigned)shared_bytes, (CUstream)stream, params, extra);
  if (result != AIC_CUDA_SUCCESS)
    fail("CUDA: a kernel launch failed: %s", describe(result));
}

AIC_HIDDEN void *mgpuStreamCreate(void) {
  if (run.failed)
    return NULL;
  if (!run.stream) {
    CUresult result =
        driver.cuStreamCreate(&run.stream, AIC_CUDA_STREAM_NON_BLOCKING);
    if (result != AIC_CUDA_SUCCESS) {
      run.stream = NULL;
      fail("CUDA: cannot create a stream: %s", describe(result));
    }
  }
  return run.stream;
}

/* The thread's stream stays for its next run. */
AIC_HIDDEN void mgpuStreamDestroy(void *stream) { (void)stream; }

AIC_HIDDEN void mgpuStreamSynchronize(void *stream) {
  if (run.failed || !stream)
    return;
  CUresult result = driver.cuStreamSynchronize((CUstream)stream);
  if (result != AIC_CUDA_SUCCESS)
    fail("CUDA: the model's kernels failed: %s", describe(result));
}

AIC_HIDDEN void aic_cuda_synchronize(void) {
  mgpuStreamSynchronize(run.stream);
}

AIC_HIDDEN void *mgpuMemAlloc(uint64_t bytes, void *stream,
                              int8_t host_shared) {
  /* Zero-sized tensors still get an address of their own. */
  if (bytes == 0)
    bytes = 1;
  if (run.failed) {
    if (!host_shared)
      return NULL;
    /* The host reads it: zeros it can read, in host memory. */
    void *zeros = calloc(1, bytes);
    if (zeros && !list_add(&host_fallback, zeros)) {
      free(zeros);
      zeros = NULL;
    }
    return zeros;
  }
  CUdeviceptr pointer = 0;
  CUresult result;
  if (host_shared) {
    result =
        driver.cuMemAllocManaged(&pointer, bytes, AIC_CUDA_MEM_ATTACH_GLOBAL);
    if (result == AIC_CUDA_SUCCESS &&
        !list_add(&managed, (void *)(uintptr_t)pointer)) {
      driver.cuMemFree(pointer);
      fail("CUDA: out of host memory");
      return mgpuMemAlloc(bytes, stream, host_shared);
    }
  } else if (pooled) {
    result = driver.cuMemAllocAsync(&pointer, bytes, (CUstream)stream);
  } else {
    result = driver.cuMemAlloc(&pointer, bytes);
  }
  if (result != AIC_CUDA_SUCCESS) {
    fail("CUDA: cannot allocate %llu bytes of device memory: %s",
         (unsigned long long)bytes, describe(result));
    return host_shared ? mgpuMemAlloc(bytes, stream, host_shared) : NULL;
  }
  return (void *)(uintptr_t)pointer;
}

AIC_HIDDEN void mgpuMemFree(void *pointer, void *stream) {
  if (!pointer)
    return;
  if (list_remove(&host_fallback, pointer)) {
    free(pointer);
    return;
  }
  CUdeviceptr address = (CUdeviceptr)(uintptr_t)pointer;
  if (list_remove(&managed, pointer) || !pooled) {
    driver.cuMemFree(address);
    return;
  }
  /* A failed run has no stream left: its work finished (fail). */
  driver.cuMemFreeAsync(address, (CUstream)stream);
}

AIC_HIDDEN void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (run.failed || bytes == 0)
    return;
  CUresult result = driver.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                                         (CUdeviceptr)(uintptr_t)src, bytes,
                                         (CUstream)stream);
  if (result != AIC_CUDA_SUCCESS)
    fail("CUDA: copying %zu bytes failed: %s", bytes, describe(result));
}

AIC_HIDDEN void *aic_cuda_resident(const void *host, uint64_t bytes,
                                   void **slot) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  if (run.failed)
    return NULL;
  pthread_mutex_lock(&lock);
  void *copy = *slot;
  if (!copy) {
    CUdeviceptr pointer = 0;
    CUresult result = driver.cuMemAlloc(&pointer, bytes ? bytes : 1);
    if (result == AIC_CUDA_SUCCESS) {
      result = driver.cuMemcpyHtoD(pointer, host, bytes);
      if (result != AIC_CUDA_SUCCESS || !list_add(&resident, (void *)pointer)) {
        driver.cuMemFree(pointer);
        pointer = 0;
      }
    }
    if (pointer)
      *slot = copy = (void *)(uintptr_t)pointer;
    else
      fail("CUDA: cannot put a weight of %llu bytes on the device: %s",
           (unsigned long long)bytes, describe(result));
  }
  pthread_mutex_unlock(&lock);
  return copy;
}

/* Unloading the library returns its weights' memory (the primary context
   stays: other libraries of the process may use it). At process exit the
   driver may be gone already; its errors are of no use then. */
__attribute__((destructor)) static void release_resident(void) {
  if (driver.cuMemFree)
    for (size_t i = 0; i < resident.size; ++i)
      driver.cuMemFree((CUdeviceptr)(uintptr_t)resident.items[i]);
  /* The lists' own arrays, whatever is left in them. */
  allocation_list *lists[] = {&resident, &managed, &host_fallback};
  for (size_t i = 0; i < sizeof lists / sizeof *lists; ++i) {
    free(lists[i]->items);
    lists[i]->items = NULL;
    lists[i]->size = lists[i]->capacity = 0;
  }
}
