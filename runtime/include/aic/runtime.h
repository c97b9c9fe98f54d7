/*===- aic/runtime.h - libaic_runtime: load and run model libraries -*- C
 *-*-===*
 *
 * A small C library over the model ABI (aic/model_abi.h): opens a compiled
 * model library, describes its inputs and outputs, checks a run's tensors
 * against them, and runs it. It depends on neither LLVM nor MLIR.
 *
 * Every function that can fail returns an aic_status; on failure,
 * aic_last_error() holds a one-line message for the calling thread.
 *
 *===----------------------------------------------------------------------===*/

#ifndef AIC_RUNTIME_H
#define AIC_RUNTIME_H

#include "aic/model_abi.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aic_status {
  AIC_OK = 0,
  AIC_ERROR_INVALID_ARGUMENT = 1, /**< a null pointer, a bad count */
  AIC_ERROR_LOAD = 2,             /**< the library cannot be opened */
  AIC_ERROR_NOT_A_MODEL = 3,      /**< not an aic model, or another ABI */
  AIC_ERROR_TYPE_MISMATCH = 4,    /**< a tensor's element type is wrong */
  AIC_ERROR_SHAPE_MISMATCH = 5,   /**< a tensor's rank or dims are wrong */
  AIC_ERROR_UNSUPPORTED = 6, /**< the model needs what this runtime lacks */
  AIC_ERROR_RUN = 7          /**< the model reported a failure */
} aic_status;

/**
 * A dense, row-major tensor with `rank` dims in `shape`. Inputs belong to
 * the caller (`owner` null); outputs of aic_model_run belong to the runtime
 * until aic_tensor_release.
 */
typedef struct aic_tensor {
  void *data;
  const int64_t *shape;
  int32_t rank;
  int32_t elem_type; /**< an aic_element_type */
  void *owner;       /**< set on outputs; opaque */
} aic_tensor;

typedef struct aic_model aic_model;

/** The message of the calling thread's last failure ("" if none). */
const char *aic_last_error(void);

/** The name of a status code ("AIC_OK", ...). */
const char *aic_status_name(aic_status status);

/** Bytes per element of `elem_type`, or 0 where it is unknown. */
size_t aic_element_size(int32_t elem_type);

/** The name of an element type ("float32", ...), or "unknown". */
const char *aic_element_type_name(int32_t elem_type);

/** Opens the model library at `path`. */
aic_status aic_model_load(const char *path, aic_model **model);

/** Closes a model; null is allowed. */
void aic_model_unload(aic_model *model);

/** The model's description (names, element types, shapes). */
const aic_model_info *aic_model_describe(const aic_model *model);

/**
 * Sets how many threads the model's runs use from now on: 0, the default,
 * uses all the cores (or OMP_NUM_THREADS where it is set). Models whose
 * loops all run on the calling thread (small ones, or compiled at -O1 or
 * below) ignore it. Fails on a negative count.
 */
aic_status aic_model_set_num_threads(aic_model *model, int32_t num_threads);

/**
 * Runs the model on `inputs` and fills in `outputs` (data, shape, rank,
 * element type); release each output with aic_tensor_release. Every input
 * count, element type, rank and static dim is checked first. Thread-safe:
 * several threads may run one model at once.
 */
aic_status aic_model_run(const aic_model *model, const aic_tensor *inputs,
                         size_t num_inputs, aic_tensor *outputs,
                         size_t num_outputs);

/** Frees an output of aic_model_run and clears it; no-op on other tensors. */
void aic_tensor_release(aic_tensor *tensor);

/**
 * Loads and starts the CUDA driver (libcuda.so.1, found with dlopen on the
 * first call: the runtime links nothing of CUDA) and sets `*num_devices`
 * (may be null) to the devices it sees. Fails with AIC_ERROR_UNSUPPORTED
 * and a message naming the cause where there is no driver, it does not
 * start, or it sees no device; the answer stays the same for the process.
 */
aic_status aic_cuda_init(int32_t *num_devices);

#ifdef __cplusplus
}
#endif

#endif /* AIC_RUNTIME_H */
