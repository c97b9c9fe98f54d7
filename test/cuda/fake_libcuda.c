/*===- fake_libcuda.c - a stand-in CUDA driver for host-code tests --------===*
 *
 * Built as libcuda.so.1 in a directory of its own, which tests put first on
 * LD_LIBRARY_PATH, so that a CUDA model library's host code
 * (runtime/cuda/ModelHost.c) runs its whole protocol on a machine without a
 * GPU: device memory has addresses of its own, in a reserved range the
 * host cannot touch (a host read of device memory crashes, as it would
 * with a real GPU), backed by host memory that copies reach; managed
 * memory is plain host memory; launches are counted and not run (there is
 * nothing to run PTX on), unless the module is a shared library of kernels
 * compiled for the host (aic-compile --cuda-emulate): then each launch runs
 * the kernel for every block and thread in turn, and device memory is host
 * memory the kernels reach. It checks what it can (copies and frees stay
 * inside live allocations) and prints, when the process exits, one line of
 * what the process did:
 *
 *   fake-cuda: modules=1 launches=16 pool-allocs=8 pool-frees=8 ...
 *
 * The environment makes it fail on purpose:
 *   FAKE_CUDA_DEVICES=N        the device count (default 1)
 *   FAKE_CUDA_FAIL_POOL_ALLOC=K  the K-th stream-ordered allocation of the
 *                              process (1-based) is out of memory
 *   FAKE_CUDA_BAD_MODULE=1     no module loads (no binary for the GPU)
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int CUresult;
enum {
  SUCCESS = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NO_BINARY_FOR_GPU = 209,
  INVALID_HANDLE = 400,
};

#define EXPORT __attribute__((visibility("default")))

typedef struct {
  char *base;    /* the address the driver hands out */
  char *backing; /* host memory behind it */
  size_t size;
  int pooled;
} allocation;

/* Whether the module is emulated kernels, which run on the host. */
static int emulating;
static void *emulated;

/* Device addresses: a reserved range no host access may touch. */
static char *device_range;
static size_t device_used;
enum { DEVICE_RANGE = (size_t)1 << 36 };

static allocation live[4096];
static int num_live;
static long modules, launches, pool_allocs, pool_frees, allocs, frees, managed,
    copies, uploads, errors, streams;
static long pool_alloc_calls;

static int env_int(const char *name, int otherwise) {
  const char *value = getenv(name);
  return value && *value ? atoi(value) : otherwise;
}

static void complain(const char *what) {
  ++errors;
  fprintf(stderr, "fake-cuda: error: %s\n", what);
}

/* A new allocation: device memory, or (host_visible) managed memory. */
static CUresult add(void **pointer, size_t bytes, int pooled,
                    int host_visible) {
  if (num_live == (int)(sizeof live / sizeof *live))
    return OUT_OF_MEMORY;
  char *backing = calloc(1, bytes ? bytes : 1);
  if (!backing)
    return OUT_OF_MEMORY;
  char *base = backing;
  if (!host_visible && !emulating) {
    if (!device_range) {
      device_range = mmap(NULL, DEVICE_RANGE, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (device_range == MAP_FAILED) {
        device_range = NULL;
        free(backing);
        return OUT_OF_MEMORY;
      }
    }
    size_t size = ((bytes ? bytes : 1) + 255) & ~(size_t)255;
    if (device_used + size > DEVICE_RANGE) {
      free(backing);
      return OUT_OF_MEMORY;
    }
    base = device_range + device_used;
    device_used += size;
  }
  live[num_live++] = (allocation){base, backing, bytes, pooled};
  *pointer = base;
  return SUCCESS;
}

static allocation *find(const void *pointer, size_t bytes) {
  const char *p = pointer;
  for (int i = 0; i < num_live; ++i)
    if (p >= live[i].base && p + bytes <= live[i].base + live[i].size)
      return &live[i];
  return NULL;
}

/* Where the bytes at `pointer` are: a device address's backing memory, or
   the host address itself. */
static char *host_view(uint64_t pointer, size_t bytes) {
  allocation *a = find((void *)(uintptr_t)pointer, bytes);
  return a ? a->backing + ((char *)(uintptr_t)pointer - a->base)
           : (char *)(uintptr_t)pointer;
}

static CUresult release(uint64_t pointer, int pooled) {
  for (int i = 0; i < num_live; ++i) {
    if ((uint64_t)(uintptr_t)live[i].base != pointer)
      continue;
    if (live[i].pooled != pooled)
      complain("memory freed by the other kind of free than its allocation");
    free(live[i].backing);
    live[i] = live[--num_live];
    return SUCCESS;
  }
  complain("free of an address that is not an allocation");
  return INVALID_VALUE;
}

__attribute__((destructor)) static void report(void) {
  long leaked_pool = 0;
  for (int i = 0; i < num_live; ++i)
    leaked_pool += live[i].pooled;
  fprintf(stderr,
          "fake-cuda: modules=%ld launches=%ld pool-allocs=%ld pool-frees=%ld "
          "pool-live=%ld allocs=%ld frees=%ld managed=%ld uploads=%ld "
          "copies=%ld streams=%ld errors=%ld\n",
          modules, launches, pool_allocs, pool_frees, leaked_pool, allocs,
          frees, managed, uploads, copies, streams, errors);
}

EXPORT CUresult cuInit(unsigned flags) { return flags ? INVALID_VALUE : 0; }
EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = env_int("FAKE_CUDA_DEVICES", 1);
  return SUCCESS;
}
EXPORT CUresult cuGetErrorString(CUresult result, const char **text) {
  switch (result) {
  case OUT_OF_MEMORY:
    *text = "out of memory";
    return SUCCESS;
  case NO_BINARY_FOR_GPU:
    *text = "no kernel image is available for execution on the device";
    return SUCCESS;
  case INVALID_VALUE:
    *text = "invalid argument";
    return SUCCESS;
  default:
    return INVALID_VALUE;
  }
}
EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return SUCCESS;
}
EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  *value = attribute == 115; /* memory pools supported */
  return SUCCESS;
}
static int context;
EXPORT CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  (void)device;
  *ctx = &context;
  return SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  return SUCCESS;
}
EXPORT CUresult cuCtxSetCurrent(void *ctx) {
  return ctx == &context ? SUCCESS : INVALID_HANDLE;
}

static int module;
EXPORT CUresult cuModuleLoadDataEx(void **result, const void *image,
                                   unsigned num_options, int *options,
                                   void **values) {
  if (!image)
    return INVALID_VALUE;
  if (env_int("FAKE_CUDA_BAD_MODULE", 0)) {
    for (unsigned i = 0; i < num_options; ++i)
      if (options[i] == 5 /* CU_JIT_ERROR_LOG_BUFFER */)
        strcpy(values[i], "ptxas fatal   : the fake device is sm_00\nmore");
    return NO_BINARY_FOR_GPU;
  }
  ++modules;
  *result = &module;
  const unsigned char *elf = image;
  if (elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F') {
    /* Emulated kernels: the library ends with its section headers. */
    uint64_t shoff;
    uint16_t shentsize, shnum;
    memcpy(&shoff, elf + 0x28, 8);
    memcpy(&shentsize, elf + 0x3a, 2);
    memcpy(&shnum, elf + 0x3c, 2);
    char path[] = "/tmp/fake-cuda-XXXXXX";
    int fd = mkstemp(path);
    size_t size = shoff + (size_t)shentsize * shnum;
    int written = fd >= 0 && write(fd, elf, size) == (ssize_t)size;
    if (fd >= 0)
      close(fd);
    emulated = written ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    unlink(path);
    if (!emulated) {
      complain("the emulated kernels do not load");
      return NO_BINARY_FOR_GPU;
    }
    emulating = 1;
  }
  return SUCCESS;
}
EXPORT CUresult cuModuleUnload(void *m) {
  return m == &module ? SUCCESS : INVALID_HANDLE;
}
static int function;
EXPORT CUresult cuModuleGetFunction(void **result, void *m, const char *name) {
  if (m != &module || !name || !*name)
    return INVALID_HANDLE;
  *result = &function;
  if (emulating) {
    char symbol[256];
    snprintf(symbol, sizeof symbol, "%s__aic_emulated", name);
    *result = dlsym(emulated, symbol);
    if (!*result)
      return INVALID_HANDLE;
  }
  return SUCCESS;
}
static int stream;
EXPORT CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                               unsigned bx, unsigned by, unsigned bz,
                               unsigned shared, void *s, void **params,
                               void **extra) {
  (void)shared;
  (void)extra;
  if ((!emulating && f != &function) || s != &stream || !params)
    return INVALID_HANDLE;
  if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024)
    return INVALID_VALUE;
  ++launches;
  if (emulating) {
    /* Every thread of every block, one after another. */
    void (*kernel)(void **, int64_t *) = (void (*)(void **, int64_t *))f;
    int64_t ids[12] = {0, 0, 0, 0, 0, 0, bx, by, bz, gx, gy, gz};
    for (ids[2] = 0; ids[2] < gz; ++ids[2])
      for (ids[1] = 0; ids[1] < gy; ++ids[1])
        for (ids[0] = 0; ids[0] < gx; ++ids[0])
          for (ids[5] = 0; ids[5] < bz; ++ids[5])
            for (ids[4] = 0; ids[4] < by; ++ids[4])
              for (ids[3] = 0; ids[3] < bx; ++ids[3])
                kernel(params, ids);
  }
  return SUCCESS;
}
EXPORT CUresult cuStreamCreate(void **s, unsigned flags) {
  (void)flags;
  ++streams;
  *s = &stream;
  return SUCCESS;
}
EXPORT CUresult cuStreamDestroy_v2(void *s) {
  return s == &stream ? SUCCESS : INVALID_HANDLE;
}
EXPORT CUresult cuStreamSynchronize(void *s) {
  return s == &stream ? SUCCESS : INVALID_HANDLE;
}
EXPORT CUresult cuMemAlloc_v2(uint64_t *pointer, size_t bytes) {
  ++allocs;
  return add((void **)pointer, bytes, 0, 0);
}
EXPORT CUresult cuMemFree_v2(uint64_t pointer) {
  ++frees;
  return release(pointer, 0);
}
EXPORT CUresult cuMemAllocManaged(uint64_t *pointer, size_t bytes,
                                  unsigned flags) {
  (void)flags;
  ++managed;
  ++allocs;
  return add((void **)pointer, bytes, 0, 1);
}
EXPORT CUresult cuMemAllocAsync(uint64_t *pointer, size_t bytes, void *s) {
  if (s != &stream)
    return INVALID_HANDLE;
  if (++pool_alloc_calls == env_int("FAKE_CUDA_FAIL_POOL_ALLOC", 0))
    return OUT_OF_MEMORY;
  ++pool_allocs;
  return add((void **)pointer, bytes, 1, 0);
}
EXPORT CUresult cuMemFreeAsync(uint64_t pointer, void *s) {
  (void)s;
  ++pool_frees;
  return release(pointer, 1);
}
static int pool;
EXPORT CUresult cuDeviceGetDefaultMemPool(void **p, int device) {
  (void)device;
  *p = &pool;
  return SUCCESS;
}
EXPORT CUresult cuMemPoolSetAttribute(void *p, int attribute, void *value) {
  (void)attribute;
  (void)value;
  return p == &pool ? SUCCESS : INVALID_HANDLE;
}
EXPORT CUresult cuMemcpyAsync(uint64_t dst, uint64_t src, size_t bytes,
                              void *s) {
  if (s != &stream)
    return INVALID_HANDLE;
  /* One side at least is device memory, which the copy stays inside. */
  if (!find((void *)(uintptr_t)dst, bytes) &&
      !find((void *)(uintptr_t)src, bytes))
    complain("a copy outside device memory");
  ++copies;
  memcpy(host_view(dst, bytes), host_view(src, bytes), bytes);
  return SUCCESS;
}
EXPORT CUresult cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes) {
  if (!find((void *)(uintptr_t)dst, bytes)) {
    complain("an upload outside device memory");
    return INVALID_VALUE;
  }
  ++uploads;
  memcpy(host_view(dst, bytes), src, bytes);
  return SUCCESS;
}
