//===- TensorFiles.cpp - ONNX TensorProto files for aic-run ---------------===//
//
// TensorProto file I/O on top of the shared TensorProto decoder.
//
//===----------------------------------------------------------------------===//

#include "tools/aic-run/TensorFiles.h"

#include "frontends/onnx/TensorBytes.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <sstream>

using namespace aic_run;

bool aic_run::readTensorFile(const std::string &path, HostTensor &tensor,
                             std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::stringstream contents;
  contents << file.rdbuf();
  return parseTensor(contents.str(), path, tensor, error);
}

bool aic_run::parseTensor(const std::string &bytes, const std::string &path,
                          HostTensor &tensor, std::string &error) {
  onnx::TensorProto proto;
  if (bytes.empty() || !proto.ParseFromString(bytes)) {
    error = "'" + path + "' is not an ONNX TensorProto file";
    return false;
  }
  tensor.name = proto.name();
  tensor.elemType = proto.data_type();
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  // Test data never refers to external files.
  if (!aic::onnx_tensor::decodeTensor(proto, "", tensor.data, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  return true;
}

bool aic_run::writeTensorFile(const std::string &path, const HostTensor &tensor,
                              std::string &error) {
  onnx::TensorProto proto;
  proto.set_name(tensor.name);
  proto.set_data_type(tensor.elemType);
  for (int64_t d : tensor.shape)
    proto.add_dims(d);
  if (int bits = aic::onnx_tensor::packedBits(tensor.elemType)) {
    std::vector<char> packed =
        aic::onnx_tensor::packElements(tensor.data, bits);
    proto.set_raw_data(packed.data(), packed.size());
  } else {
    proto.set_raw_data(tensor.data.data(), tensor.data.size());
  }
  std::ofstream file(path, std::ios::binary);
  if (!file || !proto.SerializeToOstream(&file)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}
