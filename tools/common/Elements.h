//===- Elements.h - tensor elements as numbers, for the tools ---*- C++ -*-===//
//
// Reads any aic element type (aic/model_abi.h) as a double, and writes
// floats of the 16-, 32- and 64-bit types, for tools that print, compare or
// decode tensors (aic-run, aic-serve). Links nothing but the C++ library.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TOOLS_COMMON_ELEMENTS_H
#define AIC_TOOLS_COMMON_ELEMENTS_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace aic_tools {

/// Element `i` of type T at `p`.
template <typename T> T load(const char *p, size_t i) {
  T v;
  std::memcpy(&v, p + sizeof(T) * i, sizeof(T));
  return v;
}

/// IEEE half and bfloat16 bits to float, exactly.
float halfToFloat(uint16_t h);
float bfloat16ToFloat(uint16_t v);
/// Float to IEEE half and bfloat16 bits, rounded to nearest even.
uint16_t floatToHalf(float f);
uint16_t floatToBFloat16(float f);

/// Element `i` of `data`, of aic element type `elemType`, as a double
/// (64-bit integers beyond 2^53 round).
double elementToDouble(int32_t elemType, const void *data, size_t i);

/// Writes `value` as element `i` of `data`, of the float type `elemType`
/// (float16, bfloat16, float32, float64), rounded to nearest even; false
/// for other types.
bool storeFloat(int32_t elemType, void *data, size_t i, double value);

/// Integer types up to 32 bits (and bool), which a double holds exactly.
bool isNarrowInteger(int32_t elemType);

} // namespace aic_tools

#endif // AIC_TOOLS_COMMON_ELEMENTS_H
