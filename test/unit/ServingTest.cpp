//===- ServingTest.cpp - aic-serve's protocol codec and elements ----------===//
//
// The Open Inference Protocol's JSON tensors in every datatype (half and
// bfloat16 rounding, 64-bit integers exactly, booleans, NaN and the
// infinities as strings), checked against IEEE 754 encodings and exact
// values rather than against the code's own output.
//
//===----------------------------------------------------------------------===//

#include "serving/Protocol.h"
#include "tools/common/Elements.h"

#include "aic/runtime.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

using namespace aic_serve;

namespace {
/// A one-input, one-output model description of `elemType` and `shape`.
struct OneTensorModel {
  int64_t shape[2];
  aic_tensor_info input, output;
  aic_model_info info;
  OneTensorModel(int32_t elemType, int64_t d0, int64_t d1)
      : shape{d0, d1}, input{"x", shape, elemType, 2}, output{"y", shape,
                                                              elemType, 2},
        info{AIC_MODEL_ABI_VERSION, 1, 1, 0, "m", &input, &output} {}
};

std::string parse(const OneTensorModel &m, const std::string &json,
                  InferRequest &request) {
  return parseInferRequest(std::make_shared<const std::string>(json),
                           std::string::npos, m.info, request);
}

template <typename T> T element(const Tensor &t, size_t i) {
  T v;
  std::memcpy(&v, t.data + i * sizeof(T), sizeof(T));
  return v;
}
} // namespace

TEST_CASE("half and bfloat16 round to nearest even", "[serving]") {
  using namespace aic_tools;
  CHECK(floatToHalf(1.0f) == 0x3C00);
  CHECK(floatToHalf(-2.0f) == 0xC000);
  CHECK(floatToHalf(65504.0f) == 0x7BFF); // the largest half
  CHECK(floatToHalf(65520.0f) == 0x7C00); // rounds up to infinity
  CHECK(floatToHalf(0.1f) == 0x2E66);
  CHECK(floatToHalf(std::ldexp(1.0f, -24)) == 0x0001); // smallest subnormal
  CHECK(floatToHalf(std::ldexp(1.0f, -25)) == 0x0000); // a tie: to even
  CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11)) == 0x3C00); // tie: even
  CHECK(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);
  CHECK((floatToHalf(NAN) & 0x7C00) == 0x7C00);
  CHECK((floatToHalf(NAN) & 0x3FF) != 0);
  CHECK(halfToFloat(0x3555) == Approx(0.333251953125).epsilon(0));
  CHECK(floatToBFloat16(1.0f) == 0x3F80);
  CHECK(floatToBFloat16(3.140625f) == 0x4049);
  CHECK(floatToBFloat16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80); // tie: even
  CHECK(floatToBFloat16(-INFINITY) == 0xFF80);
  CHECK(bfloat16ToFloat(0x4049) == 3.140625f);
}

TEST_CASE("JSON data of each datatype decodes exactly", "[serving]") {
  InferRequest request;
  SECTION("FP16, from numbers and the names of NaN and infinity") {
    OneTensorModel m(AIC_FLOAT16, 1, 4);
    REQUIRE(parse(m,
                  R"({"inputs":[{"name":"x","datatype":"FP16","shape":[1,4],)"
                  R"("data":[1, 0.1, "Infinity", "NaN"]}]})",
                  request) == "");
    const Tensor &t = request.inputs[0];
    CHECK(t.bytes == 8);
    CHECK(element<uint16_t>(t, 0) == 0x3C00);
    CHECK(element<uint16_t>(t, 1) == 0x2E66);
    CHECK(element<uint16_t>(t, 2) == 0x7C00);
    CHECK((element<uint16_t>(t, 3) & 0x7C00) == 0x7C00);
  }
  SECTION("INT64 beyond 2^53, nested as the shape") {
    OneTensorModel m(AIC_INT64, 2, 2);
    REQUIRE(parse(m,
                  R"({"inputs":[{"name":"x","datatype":"INT64","shape":[2,2],)"
                  R"("data":[[9007199254740993, -9223372036854775808],)"
                  R"([9223372036854775807, -1]]}]})",
                  request) == "");
    const Tensor &t = request.inputs[0];
    CHECK(element<int64_t>(t, 0) == 9007199254740993ll);
    CHECK(element<int64_t>(t, 1) == INT64_MIN);
    CHECK(element<int64_t>(t, 2) == INT64_MAX);
    CHECK(element<int64_t>(t, 3) == -1);
  }
  SECTION("UINT64 above INT64_MAX") {
    OneTensorModel m(AIC_UINT64, 1, 1);
    REQUIRE(parse(m,
                  R"({"inputs":[{"name":"x","datatype":"UINT64","shape":[1,1],)"
                  R"("data":[18446744073709551615]}]})",
                  request) == "");
    CHECK(element<uint64_t>(request.inputs[0], 0) == UINT64_MAX);
  }
  SECTION("BOOL from true, false, 0 and 1") {
    OneTensorModel m(AIC_BOOL, 1, 4);
    REQUIRE(parse(m,
                  R"({"inputs":[{"name":"x","datatype":"BOOL","shape":[1,4],)"
                  R"("data":[true, false, 1, 0]}]})",
                  request) == "");
    CHECK(std::string(request.inputs[0].data, 4) == std::string("\1\0\1\0", 4));
  }
  SECTION("integers out of their type's range, or not whole") {
    OneTensorModel m(AIC_INT8, 1, 1);
    CHECK(parse(m,
                R"({"inputs":[{"name":"x","datatype":"INT8","shape":[1,1],)"
                R"("data":[128]}]})",
                request) == "input 'x': element 0 (128) is not an INT8");
    request = {};
    CHECK(parse(m,
                R"({"inputs":[{"name":"x","datatype":"INT8","shape":[1,1],)"
                R"("data":[1.5]}]})",
                request) == "input 'x': element 0 (1.5) is not an INT8");
    OneTensorModel u(AIC_UINT16, 1, 1);
    request = {};
    CHECK(parse(u,
                R"({"inputs":[{"name":"x","datatype":"UINT16","shape":[1,1],)"
                R"("data":[-1]}]})",
                request) == "input 'x': element 0 (-1) is not a UINT16");
  }
  SECTION("a dim too large to address") {
    OneTensorModel m(AIC_FLOAT32, -1, 4);
    CHECK(parse(m,
                R"({"inputs":[{"name":"x","datatype":"FP32",)"
                R"("shape":[4611686018427387904,4],"data":[]}]})",
                request) == "input 'x' has shape [4611686018427387904,4], too "
                            "large to address");
  }
}

TEST_CASE("outputs encode as JSON exactly, or as binary data", "[serving]") {
  OneTensorModel m(AIC_FLOAT32, 1, 4);
  float values[4] = {0.1f, -2.5f, NAN, -INFINITY};
  Tensor out;
  out.elemType = AIC_FLOAT32;
  out.shape = {1, 4};
  out.data = reinterpret_cast<const char *>(values);
  out.bytes = sizeof(values);
  InferRequest request;
  request.id = "7";
  request.outputs = {{0, false}};
  EncodedResponse json = encodeInferResponse("m", "1", request, m.info, {out});
  CHECK(json.jsonBytes == std::string::npos);
  CHECK(json.body ==
        R"({"model_name":"m","model_version":"1","id":"7","outputs":[{"name":)"
        R"("y","datatype":"FP32","shape":[1,4],"data":[0.1,-2.5,"NaN",)"
        R"("-Infinity"]}]})");
  request.outputs = {{0, true}};
  EncodedResponse binary =
      encodeInferResponse("m", "1", request, m.info, {out});
  std::string header =
      R"({"model_name":"m","model_version":"1","id":"7","outputs":[{"name":)"
      R"("y","datatype":"FP32","shape":[1,4],"parameters":)"
      R"({"binary_data_size":16}}]})";
  CHECK(binary.jsonBytes == header.size());
  CHECK(binary.body == header + std::string(out.data, 16));

  OneTensorModel i64(AIC_INT64, 1, 2);
  int64_t ints[2] = {INT64_MIN, 9007199254740993ll};
  Tensor intOut{
      AIC_INT64, {1, 2}, reinterpret_cast<const char *>(ints), 16, nullptr};
  request.id.clear();
  request.outputs = {{0, false}};
  CHECK(encodeInferResponse("m", "1", request, i64.info, {intOut}).body ==
        R"({"model_name":"m","model_version":"1","outputs":[{"name":"y",)"
        R"("datatype":"INT64","shape":[1,2],"data":[-9223372036854775808,)"
        R"(9007199254740993]}]})");
}
