//===- Tensor.h - tensors that aic-serve passes around ----------*- C++ -*-===//
//
// A dense row-major tensor whose bytes something else keeps alive: the
// request's body (binary inputs, read in place), a decoded JSON array, a
// batch's concatenated inputs, or a run's output (released with
// aic_tensor_release when the last view of it goes).
//
//===----------------------------------------------------------------------===//

#ifndef AIC_SERVING_TENSOR_H
#define AIC_SERVING_TENSOR_H

#include "aic/model_abi.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aic_serve {

struct Tensor {
  int32_t elemType = 0; ///< an aic_element_type
  std::vector<int64_t> shape;
  const char *data = nullptr;
  size_t bytes = 0;
  std::shared_ptr<const void> owner;
};

/// The number of elements of `shape`, or SIZE_MAX where it overflows.
size_t elementCount(const std::vector<int64_t> &shape);

/// `[1,3,224,224]`, with -1 for dims known only at run time.
std::string shapeString(const int64_t *shape, size_t rank);
inline std::string shapeString(const std::vector<int64_t> &shape) {
  return shapeString(shape.data(), shape.size());
}

/// Checks an input's `shape` against `want`, the model's description of
/// it, and sets `bytes` to what the input takes: "" or the problem (a
/// shape the model does not take, or one too large to address).
std::string checkInputShape(const aic_tensor_info &want,
                            const std::vector<int64_t> &shape, size_t &bytes);

} // namespace aic_serve

#endif // AIC_SERVING_TENSOR_H
