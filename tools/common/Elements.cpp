//===- Elements.cpp - tensor elements as numbers, for the tools -----------===//

#include "tools/common/Elements.h"

#include "aic/model_abi.h"

#include <cmath>

namespace aic_tools {

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f)
    bits = sign | 0x7f800000u | (man << 13);
  else if (exp == 0) {
    float f = std::ldexp(static_cast<float>(man), -24);
    return sign ? -f : f;
  } else
    bits = sign | ((exp + 112) << 23) | (man << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) // NaN: keep it quiet.
    return sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu);
  if (magnitude >= 0x477ff000u) // Rounds to at least 65536: infinity.
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) {
    // A subnormal half (or zero): the value in units of 2^-24, rounded
    // to nearest even by the float addition.
    float scaled = std::fabs(f) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  // A normal half: rebias the exponent, round the 13 dropped bits to even.
  uint32_t half = (magnitude >> 13) - (112u << 10);
  uint32_t dropped = magnitude & 0x1fffu;
  if (dropped > 0x1000u || (dropped == 0x1000u && (half & 1)))
    ++half;
  return sign | half;
}

uint16_t floatToBFloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it quiet.
    return (bits >> 16) | 0x40u;
  bits += 0x7fffu + ((bits >> 16) & 1); // Round to nearest even.
  return bits >> 16;
}

float bfloat16ToFloat(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// The value of an 8-bit float with `exponentBits` exponent bits and
/// `bias`. E5M2 has IEEE infinities and NaNs; E4M3FN has no infinity and
/// NaN at magnitude 0x7F; the FNUZ types have NaN at 0x80 and no -0.
namespace {
enum class Float8Kind { IEEE, FN, FNUZ };
double float8ToDouble(uint8_t v, int exponentBits, int bias, Float8Kind kind) {
  int mantissaBits = 7 - exponentBits;
  bool negative = v & 0x80;
  int exponent = (v >> mantissaBits) & ((1 << exponentBits) - 1);
  int mantissa = v & ((1 << mantissaBits) - 1);
  if (kind == Float8Kind::FNUZ && v == 0x80)
    return NAN;
  if (kind == Float8Kind::FN && (v & 0x7F) == 0x7F)
    return NAN;
  if (kind == Float8Kind::IEEE && exponent == (1 << exponentBits) - 1)
    return mantissa ? NAN : (negative ? -INFINITY : INFINITY);
  double magnitude = exponent == 0
                         ? std::ldexp(mantissa, 1 - bias - mantissaBits)
                         : std::ldexp(mantissa + (1 << mantissaBits),
                                      exponent - bias - mantissaBits);
  return negative ? -magnitude : magnitude;
}

} // namespace

double elementToDouble(int32_t elemType, const void *data, size_t i) {
  const char *p = static_cast<const char *>(data);
  switch (elemType) {
  case AIC_FLOAT32:
    return load<float>(p, i);
  case AIC_FLOAT64:
    return load<double>(p, i);
  case AIC_FLOAT16:
    return halfToFloat(load<uint16_t>(p, i));
  case AIC_BFLOAT16:
    return bfloat16ToFloat(load<uint16_t>(p, i));
  case AIC_INT8:
    return load<int8_t>(p, i);
  case AIC_BOOL:
    return load<uint8_t>(p, i) != 0;
  case AIC_INT16:
    return load<int16_t>(p, i);
  case AIC_INT32:
    return load<int32_t>(p, i);
  case AIC_INT64:
    return static_cast<double>(load<int64_t>(p, i));
  case AIC_UINT8:
    return load<uint8_t>(p, i);
  case AIC_UINT16:
    return load<uint16_t>(p, i);
  case AIC_UINT32:
    return load<uint32_t>(p, i);
  case AIC_UINT64:
    return static_cast<double>(load<uint64_t>(p, i));
  case AIC_UINT4:
    return load<uint8_t>(p, i) & 0xF;
  case AIC_INT4:
    return static_cast<int8_t>(load<uint8_t>(p, i) << 4) >> 4;
  case AIC_FLOAT4E2M1: {
    // 1 sign, 2 exponent (bias 1), 1 mantissa bit; no infinity or NaN.
    static const double magnitudes[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
    uint8_t v = load<uint8_t>(p, i);
    return (v & 0x8 ? -1 : 1) * magnitudes[v & 0x7];
  }
  case AIC_UINT2:
    return load<uint8_t>(p, i) & 0x3;
  case AIC_INT2:
    return static_cast<int8_t>(load<uint8_t>(p, i) << 6) >> 6;
  case AIC_FLOAT8E4M3FN:
    return float8ToDouble(load<uint8_t>(p, i), 4, 7, Float8Kind::FN);
  case AIC_FLOAT8E4M3FNUZ:
    return float8ToDouble(load<uint8_t>(p, i), 4, 8, Float8Kind::FNUZ);
  case AIC_FLOAT8E5M2:
    return float8ToDouble(load<uint8_t>(p, i), 5, 15, Float8Kind::IEEE);
  case AIC_FLOAT8E5M2FNUZ:
    return float8ToDouble(load<uint8_t>(p, i), 5, 16, Float8Kind::FNUZ);
  case AIC_FLOAT8E8M0: {
    // A power of two: 2^(bits - 127); 0xFF is NaN.
    uint8_t v = load<uint8_t>(p, i);
    return v == 0xFF ? NAN : std::ldexp(1.0, v - 127);
  }
  }
  return 0;
}

bool storeFloat(int32_t elemType, void *data, size_t i, double value) {
  char *p = static_cast<char *>(data);
  auto store = [&](auto v) { std::memcpy(p + sizeof(v) * i, &v, sizeof(v)); };
  switch (elemType) {
  case AIC_FLOAT64:
    store(value);
    return true;
  case AIC_FLOAT32:
    store(static_cast<float>(value));
    return true;
  case AIC_FLOAT16:
    store(floatToHalf(static_cast<float>(value)));
    return true;
  case AIC_BFLOAT16:
    store(floatToBFloat16(static_cast<float>(value)));
    return true;
  default:
    return false;
  }
}

bool isNarrowInteger(int32_t elemType) {
  switch (elemType) {
  case AIC_BOOL:
  case AIC_INT8:
  case AIC_INT16:
  case AIC_INT32:
  case AIC_UINT8:
  case AIC_UINT16:
  case AIC_UINT32:
  case AIC_INT4:
  case AIC_UINT4:
  case AIC_INT2:
  case AIC_UINT2:
    return true;
  default:
    return false;
  }
}

} // namespace aic_tools
