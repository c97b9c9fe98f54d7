/*===- aic/model_abi.h - the C ABI of compiled model libraries ----*- C -*-===*
 *
 * A model library made by `aic-compile` (model.so) exports the three
 * functions declared here, versioned by name: a library of ABI version N
 * exports aic_model_vN_info, aic_model_vN_run and aic_model_vN_free. Load it
 * with dlopen and look them up, or use libaic_runtime (aic/runtime.h), which
 * does that and checks inputs before each run.
 *
 * Element types use the numbering of ONNX's TensorProto.DataType
 * (1 = float32, 7 = int64, ...), so tools that read ONNX data agree on it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef AIC_MODEL_ABI_H
#define AIC_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define AIC_MODEL_ABI_VERSION 1

/** Element types (ONNX TensorProto.DataType values). */
enum aic_element_type {
  AIC_FLOAT32 = 1,
  AIC_UINT8 = 2,
  AIC_INT8 = 3,
  AIC_UINT16 = 4,
  AIC_INT16 = 5,
  AIC_INT32 = 6,
  AIC_INT64 = 7,
  AIC_BOOL = 9,
  AIC_FLOAT16 = 10,
  AIC_FLOAT64 = 11,
  AIC_UINT32 = 12,
  AIC_UINT64 = 13,
  AIC_BFLOAT16 = 16,
  AIC_FLOAT8E4M3FN = 17,
  AIC_FLOAT8E4M3FNUZ = 18,
  AIC_FLOAT8E5M2 = 19,
  AIC_FLOAT8E5M2FNUZ = 20,
  /* The sub-byte types travel one element per byte, in the low bits
     with the high bits zero (not packed as ONNX files store them). */
  AIC_UINT4 = 21,
  AIC_INT4 = 22,
  AIC_FLOAT4E2M1 = 23,
  AIC_FLOAT8E8M0 = 24, /* 2^(bits - 127); 0xFF is NaN */
  AIC_UINT2 = 25,
  AIC_INT2 = 26
};

/** Where a model runs (`aic-compile --target`). */
enum aic_device {
  AIC_DEVICE_CPU = 0,
  AIC_DEVICE_CUDA = 1 /**< an NVIDIA GPU, through the CUDA driver */
};

/** One input or output of the model. */
typedef struct aic_tensor_info {
  const char *name;     /**< the ONNX graph input/output name */
  const int64_t *shape; /**< `rank` dims; -1 marks a dynamic dim */
  int32_t elem_type;    /**< an aic_element_type */
  int32_t rank;
} aic_tensor_info;

/** What a model library describes about itself. */
typedef struct aic_model_info {
  uint32_t abi_version; /**< AIC_MODEL_ABI_VERSION of the library */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t device;   /**< an aic_device (zero, the CPU, in libraries made
                          before CUDA models, where it was reserved) */
  const char *name;  /**< the ONNX graph name */
  const aic_tensor_info *inputs;
  const aic_tensor_info *outputs;
} aic_model_info;

/** An input: a dense row-major tensor the caller owns. */
typedef struct aic_tensor_ref {
  void *data;           /**< the elements, contiguous, row-major */
  const int64_t *shape; /**< the actual dims (all static ones must agree) */
} aic_tensor_ref;

/** An output: filled in by a run. */
typedef struct aic_output_ref {
  void *data;       /**< set by the run: the elements, row-major */
  void *allocation; /**< set by the run: release with aic_model_v1_free */
  int64_t *shape;   /**< the caller's array of `rank` dims, set by the run */
} aic_output_ref;

/** Returns the library's static description; valid while it is loaded. */
const aic_model_info *aic_model_v1_info(void);

/**
 * Runs the model: reads `inputs[0..num_inputs)` and fills in
 * `outputs[0..num_outputs)`: each output is a new allocation (release it
 * with aic_model_v1_free) and its dims are written to the caller's `shape`
 * array, so outputs whose shapes depend on the inputs work too. Input
 * shapes are not checked here (libaic_runtime checks them). The function
 * keeps no state between calls: several threads may run one model at once.
 * Returns 0 on success, nonzero where a run-time check failed (see
 * aic_model_v1_error); the outputs are then undefined, though allocated.
 * A CPU model's run that runs out of memory returns nonzero too, with the
 * message "out of memory": it frees what it allocated and leaves the
 * outputs as they were.
 */
int32_t aic_model_v1_run(const aic_tensor_ref *inputs, aic_output_ref *outputs);

/**
 * The message of the calling thread's last failed run (a run-time check the
 * compiler could not decide, such as an `If` branch that cannot run on the
 * given shapes, or memory running out), or null. Optional: libraries made
 * before every library had it may lack it; runtimes look it up with dlsym.
 */
const char *aic_model_v1_error(void);

/**
 * Sets the number of threads the calling thread's following runs use (0:
 * all the cores). Optional: only libraries with parallel loops have it
 * (they run them on LLVM's OpenMP runtime, libomp, whose team size for the
 * calling thread this sets); runtimes look it up with dlsym.
 */
void aic_model_v1_set_num_threads(int32_t num_threads);

/** Releases an output's `allocation` (null is allowed). */
void aic_model_v1_free(void *allocation);

#ifdef __cplusplus
}
#endif

#endif /* AIC_MODEL_ABI_H */
