//===- TensorBytes.h - decode ONNX TensorProto data -------------*- C++ -*-===//
//
// Decodes the data of an ONNX TensorProto (raw, typed fields, or external
// files confined to a folder) into little-endian element bytes, checking
// dims, lengths and paths. Free of LLVM and MLIR, so that aic-run shares it
// with the importer.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_FRONTENDS_ONNX_TENSORBYTES_H
#define AIC_FRONTENDS_ONNX_TENSORBYTES_H

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace aic::onnx_tensor {

/// What aic accepts of a model it reads (docs/security.md): larger inputs
/// are rejected with an error rather than processed.
/// The most dims a tensor may have.
constexpr int64_t kMaxRank = 64;
/// The most bytes one tensor may hold (1 TiB): past any machine's memory,
/// so a larger tensor is a malformed model, not a big one.
constexpr int64_t kMaxTensorBytes = int64_t(1) << 40;
/// The words that end every message about these limits (an If branch that
/// passes one fails the compile, not a run).
constexpr const char *kBeyondLimits = "more than aic supports";

/// The message for a rank past kMaxRank, or an empty string.
std::string rankLimitError(int64_t rank);

/// Bytes per element of ONNX data type `dataType` as aic stores it (bool:
/// one byte; the 4- and 2-bit types: one byte each, in the low bits), or 0
/// where aic does not support the type.
int64_t elementSize(int32_t dataType);

/// Bits per element of the sub-byte types ONNX packs (UINT4, INT4,
/// FLOAT4E2M1: 4; UINT2, INT2: 2), else 0.
int packedBits(int32_t dataType);

/// ONNX's packing of sub-byte elements (the first in the lowest bits) from
/// one element per byte.
std::vector<char> packElements(const std::vector<char> &unpacked, int bits);

/// The ONNX name of a data type ("FLOAT", ...), for messages.
std::string dataTypeName(int32_t dataType);

/// Number of elements of `dims`; false on more than kMaxRank dims, a
/// negative dim or overflow (with `error` set).
bool elementCount(const std::vector<int64_t> &dims, int64_t &count,
                  std::string &error);

/// Decodes `tensor`'s data into `bytes`. External data is read relative to
/// `baseDir` and must resolve inside it; an empty `baseDir` refuses it.
bool decodeTensor(const onnx::TensorProto &tensor, const std::string &baseDir,
                  std::vector<char> &bytes, std::string &error);

} // namespace aic::onnx_tensor

#endif // AIC_FRONTENDS_ONNX_TENSORBYTES_H
