//===- TensorFiles.h - ONNX TensorProto files for aic-run -------*- C++ -*-===//
//
// Reads and writes `input_K.pb` / `output_K.pb` files (ONNX TensorProto),
// the layout of the ONNX backend test suite.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TOOLS_AIC_RUN_TENSORFILES_H
#define AIC_TOOLS_AIC_RUN_TENSORFILES_H

#include <cstdint>
#include <string>
#include <vector>

namespace aic_run {

/// A tensor in host memory that owns its data.
struct HostTensor {
  std::string name;
  int32_t elemType = 0; // ONNX TensorProto.DataType
  std::vector<int64_t> shape;
  std::vector<char> data;
};

/// Reads one TensorProto file; false with `error` set on failure.
bool readTensorFile(const std::string &path, HostTensor &tensor,
                    std::string &error);

/// Decodes the contents of one TensorProto file, named `path` in errors.
bool parseTensor(const std::string &bytes, const std::string &path,
                 HostTensor &tensor, std::string &error);

/// Writes one TensorProto file (raw_data); false with `error` on failure.
bool writeTensorFile(const std::string &path, const HostTensor &tensor,
                     std::string &error);

} // namespace aic_run

#endif // AIC_TOOLS_AIC_RUN_TENSORFILES_H
