//===- TensorFileFuzzer.cpp - aic-run's TensorProto reader ----------------===//
//
// libFuzzer target: any bytes as an input_K.pb file, as aic-run and
// aic-compile --calibrate read them.
//
//===----------------------------------------------------------------------===//

#include "tools/aic-run/TensorFiles.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aic_run::HostTensor tensor;
  std::string error;
  aic_run::parseTensor(std::string(reinterpret_cast<const char *>(data), size),
                       "fuzz.pb", tensor, error);
  return 0;
}
