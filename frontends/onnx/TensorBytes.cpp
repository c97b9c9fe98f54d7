//===- TensorBytes.cpp - decode ONNX TensorProto data ---------------------===//
//
// TensorProto decoding shared by the importer and aic-run.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/TensorBytes.h"

#include <onnx/onnx_pb.h>

#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace aic::onnx_tensor;

int aic::onnx_tensor::packedBits(int32_t dataType) {
  switch (dataType) {
  case 21: // UINT4
  case 22: // INT4
  case 23: // FLOAT4E2M1
    return 4;
  case 25: // UINT2
  case 26: // INT2
    return 2;
  default:
    return 0;
  }
}

std::vector<char>
aic::onnx_tensor::packElements(const std::vector<char> &unpacked, int bits) {
  int perByte = 8 / bits;
  std::vector<char> packed((unpacked.size() + perByte - 1) / perByte, 0);
  for (size_t i = 0; i < unpacked.size(); ++i)
    packed[i / perByte] |= static_cast<char>(
        (static_cast<unsigned char>(unpacked[i]) & ((1u << bits) - 1))
        << (bits * (i % perByte)));
  return packed;
}

/// One element per byte (zero-extended) from ONNX's packing.
static std::vector<char> unpackElements(const std::vector<char> &packed,
                                        int bits, int64_t count) {
  int perByte = 8 / bits;
  std::vector<char> unpacked(count);
  for (int64_t i = 0; i < count; ++i)
    unpacked[i] =
        static_cast<char>((static_cast<unsigned char>(packed[i / perByte]) >>
                           (bits * (i % perByte))) &
                          ((1u << bits) - 1));
  return unpacked;
}

int64_t aic::onnx_tensor::elementSize(int32_t dataType) {
  if (packedBits(dataType))
    return 1;
  switch (dataType) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case 17: // FLOAT8E4M3FN
  case 18: // FLOAT8E4M3FNUZ
  case 19: // FLOAT8E5M2
  case 20: // FLOAT8E5M2FNUZ
  case 24: // FLOAT8E8M0
    return 1;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  default:
    return 0;
  }
}

std::string aic::onnx_tensor::dataTypeName(int32_t dataType) {
  // Types newer than Debian's ONNX library's enum.
  static const char *const newer[] = {
      "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",
      "INT4",         "FLOAT4E2M1",     "FLOAT8E8M0", "UINT2",          "INT2"};
  if (dataType >= 17 && dataType < 17 + int32_t(std::size(newer)))
    return newer[dataType - 17];
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "data type " + std::to_string(dataType);
}

std::string aic::onnx_tensor::rankLimitError(int64_t rank) {
  if (rank <= kMaxRank)
    return "";
  return "rank " + std::to_string(rank) + " is " + kBeyondLimits + " (" +
         std::to_string(kMaxRank) + ")";
}

bool aic::onnx_tensor::elementCount(const std::vector<int64_t> &dims,
                                    int64_t &count, std::string &error) {
  count = 1;
  error = rankLimitError(dims.size());
  if (!error.empty())
    return false;
  for (int64_t d : dims) {
    if (d < 0) {
      error = "negative dimension " + std::to_string(d);
      return false;
    }
    if (__builtin_mul_overflow(count, d, &count)) {
      error = "dimensions overflow 64 bits";
      return false;
    }
  }
  return true;
}

static bool parseNonNegative(const std::string &text, int64_t &value) {
  const char *end = text.data() + text.size();
  auto [stop, status] = std::from_chars(text.data(), end, value);
  return status == std::errc() && stop == end && value >= 0;
}

static bool readExternal(const onnx::TensorProto &tensor,
                         const std::string &baseDir, int64_t expectedBytes,
                         std::vector<char> &bytes, std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      int64_t value;
      if (!parseNonNegative(entry.value(), value)) {
        error = "external data " + entry.key() + " '" + entry.value() +
                "' is not a byte count (a non-negative 64-bit integer)";
        return false;
      }
      (entry.key() == "offset" ? offset : length) = value;
    }
  }
  if (location.empty()) {
    error = "external data has no location";
    return false;
  }
  if (baseDir.empty()) {
    error = "external data is not allowed here";
    return false;
  }
  // Relative to the model's folder, and inside it after symlinks.
  bool escapes = location[0] == '/';
  for (size_t start = 0; !escapes && start <= location.size();) {
    size_t end = location.find('/', start);
    if (end == std::string::npos)
      end = location.size();
    escapes =
        location.compare(start, end - start, "..") == 0 && end - start == 2;
    start = end + 1;
  }
  if (escapes) {
    error = "external data location '" + location +
            "' is outside the model's folder";
    return false;
  }
  char realDir[PATH_MAX], realFile[PATH_MAX];
  std::string path = baseDir + "/" + location;
  if (!realpath(baseDir.c_str(), realDir) ||
      !realpath(path.c_str(), realFile)) {
    error = "cannot open external data file '" + location + "'";
    return false;
  }
  if (std::strncmp(realFile, realDir, std::strlen(realDir)) != 0 ||
      realFile[std::strlen(realDir)] != '/') {
    error = "external data location '" + location +
            "' resolves outside the model's folder";
    return false;
  }
  std::ifstream file(realFile, std::ios::binary | std::ios::ate);
  if (!file) {
    error = "cannot read external data file '" + location + "'";
    return false;
  }
  int64_t fileSize = file.tellg();
  if (length < 0)
    length = expectedBytes;
  if (offset > fileSize || length > fileSize - offset) {
    error = "external data offset " + std::to_string(offset) + " + length " +
            std::to_string(length) + " lies beyond the " +
            std::to_string(fileSize) + "-byte file '" + location + "'";
    return false;
  }
  if (length != expectedBytes) {
    error = "external data holds " + std::to_string(length) +
            " bytes, but the tensor needs " + std::to_string(expectedBytes);
    return false;
  }
  bytes.resize(length);
  file.seekg(offset);
  if (!file.read(bytes.data(), length)) {
    error = "cannot read external data file '" + location + "'";
    return false;
  }
  return true;
}

/// Copies typed repeated fields into little-endian element storage.
template <typename Field>
static bool copyTyped(const Field &field, int64_t count, int32_t dataType,
                      std::vector<char> &bytes, std::string &error) {
  if (static_cast<int64_t>(field.size()) != count) {
    error = "tensor holds " + std::to_string(field.size()) +
            " values, but its dims need " + std::to_string(count);
    return false;
  }
  int64_t width = elementSize(dataType);
  bytes.resize(count * width);
  for (int64_t i = 0; i < count; ++i) {
    auto value = field.Get(i);
    char *dst = bytes.data() + i * width;
    if (dataType == onnx::TensorProto::FLOAT) {
      float v = static_cast<float>(value);
      std::memcpy(dst, &v, 4);
    } else if (dataType == onnx::TensorProto::DOUBLE) {
      double v = static_cast<double>(value);
      std::memcpy(dst, &v, 8);
    } else {
      // Integers, bool, and 16-bit floats stored as their bit pattern.
      int64_t v = static_cast<int64_t>(value);
      std::memcpy(dst, &v, width);
    }
  }
  return true;
}

bool aic::onnx_tensor::decodeTensor(const onnx::TensorProto &tensor,
                                    const std::string &baseDir,
                                    std::vector<char> &bytes,
                                    std::string &error) {
  int64_t width = elementSize(tensor.data_type());
  if (width == 0) {
    error = "unsupported element type " + dataTypeName(tensor.data_type());
    return false;
  }
  std::vector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  int64_t count, needed;
  if (!elementCount(dims, count, error))
    return false;
  if (__builtin_mul_overflow(count, width, &needed)) {
    error = "dimensions overflow 64 bits";
    return false;
  }
  if (needed > kMaxTensorBytes) {
    error = "its " + std::to_string(needed) + " bytes are " + kBeyondLimits +
            " (1 TiB)";
    return false;
  }
  if (int bits = packedBits(tensor.data_type())) {
    // Stored packed (also in int32_data, one byte per entry); unpacked to
    // one element per byte.
    onnx::TensorProto bytesOnly(tensor);
    bytesOnly.set_data_type(onnx::TensorProto::UINT8);
    bytesOnly.clear_dims();
    bytesOnly.add_dims(count / 8 * bits + (count % 8 * bits + 7) / 8);
    std::vector<char> packed;
    if (!decodeTensor(bytesOnly, baseDir, packed, error))
      return false;
    bytes = unpackElements(packed, bits, count);
    return true;
  }
  // One place holds the data: naming two is a malformed (or crafted)
  // tensor whose meaning depends on which one a reader picks.
  std::vector<std::string> fields;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    fields.push_back("external data");
  if (tensor.has_raw_data())
    fields.push_back("raw_data");
  for (auto [name, size] :
       {std::pair<const char *, int>{"float_data", tensor.float_data_size()},
        {"int32_data", tensor.int32_data_size()},
        {"int64_data", tensor.int64_data_size()},
        {"double_data", tensor.double_data_size()},
        {"uint64_data", tensor.uint64_data_size()},
        {"string_data", tensor.string_data_size()}})
    if (size)
      fields.push_back(name);
  if (fields.size() > 1) {
    error = "holds data in both " + fields[0] + " and " + fields[1];
    return false;
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return readExternal(tensor, baseDir, needed, bytes, error);
  if (tensor.has_raw_data()) {
    if (static_cast<int64_t>(tensor.raw_data().size()) != needed) {
      error = "raw_data holds " + std::to_string(tensor.raw_data().size()) +
              " bytes, but its dims and type need " + std::to_string(needed);
      return false;
    }
    bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
    return true;
  }
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return copyTyped(tensor.float_data(), count, tensor.data_type(), bytes,
                     error);
  case onnx::TensorProto::DOUBLE:
    return copyTyped(tensor.double_data(), count, tensor.data_type(), bytes,
                     error);
  case onnx::TensorProto::INT64:
    return copyTyped(tensor.int64_data(), count, tensor.data_type(), bytes,
                     error);
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return copyTyped(tensor.uint64_data(), count, tensor.data_type(), bytes,
                     error);
  default: // INT32 and narrower, bool, float16, bfloat16.
    return copyTyped(tensor.int32_data(), count, tensor.data_type(), bytes,
                     error);
  }
}
