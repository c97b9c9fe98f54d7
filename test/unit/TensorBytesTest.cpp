//===- TensorBytesTest.cpp - TensorProto decoding -------------------------===//

#include "frontends/onnx/TensorBytes.h"

#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace aic::onnx_tensor;

namespace {
onnx::TensorProto floatTensor(std::initializer_list<int64_t> dims) {
  onnx::TensorProto t;
  t.set_name("t");
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    t.add_dims(d);
  return t;
}

/// A fresh folder holding a 16-byte data file "w.bin".
struct TempModelDir {
  std::string path;
  TempModelDir() {
    char pattern[] = "/tmp/aic-tensorbytes-XXXXXX";
    path = mkdtemp(pattern);
    std::ofstream(path + "/w.bin", std::ios::binary)
        .write("0123456789abcdef", 16);
  }
  ~TempModelDir() {
    std::remove((path + "/w.bin").c_str());
    std::remove((path + "/link").c_str());
    rmdir(path.c_str());
  }
};

void setExternal(onnx::TensorProto &t, const std::string &location,
                 const std::string &offset = "",
                 const std::string &length = "") {
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char *key, const std::string &value) {
    auto *entry = t.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  if (!offset.empty())
    add("offset", offset);
  if (!length.empty())
    add("length", length);
}
} // namespace

TEST_CASE("typed and raw data decode to little-endian bytes", "[tensor]") {
  std::vector<char> bytes;
  std::string error;
  onnx::TensorProto t = floatTensor({2});
  t.add_float_data(1.5f);
  t.add_float_data(-2.0f);
  REQUIRE(decodeTensor(t, "", bytes, error));
  float values[2];
  std::memcpy(values, bytes.data(), 8);
  CHECK(values[0] == 1.5f);
  CHECK(values[1] == -2.0f);

  onnx::TensorProto i = floatTensor({});
  i.set_data_type(onnx::TensorProto::INT64);
  i.add_int64_data(-7);
  REQUIRE(decodeTensor(i, "", bytes, error));
  int64_t v;
  std::memcpy(&v, bytes.data(), 8);
  CHECK(v == -7);
}

TEST_CASE("lengths that disagree with dims are errors", "[tensor]") {
  std::vector<char> bytes;
  std::string error;
  onnx::TensorProto t = floatTensor({3});
  t.set_raw_data(std::string(8, '\0'));
  CHECK(!decodeTensor(t, "", bytes, error));
  CHECK(error.find("raw_data holds 8 bytes") != std::string::npos);

  onnx::TensorProto typed = floatTensor({3});
  typed.add_float_data(1);
  CHECK(!decodeTensor(typed, "", bytes, error));

  onnx::TensorProto negative = floatTensor({-1});
  CHECK(!decodeTensor(negative, "", bytes, error));
  CHECK(error.find("negative") != std::string::npos);

  onnx::TensorProto huge = floatTensor({int64_t(1) << 40, int64_t(1) << 40});
  CHECK(!decodeTensor(huge, "", bytes, error));
  CHECK(error.find("overflow") != std::string::npos);
}

TEST_CASE("external data stays inside the model's folder", "[tensor]") {
  TempModelDir dir;
  std::vector<char> bytes;
  std::string error;

  onnx::TensorProto ok = floatTensor({2});
  setExternal(ok, "w.bin", "4", "8");
  REQUIRE(decodeTensor(ok, dir.path, bytes, error));
  CHECK(std::string(bytes.begin(), bytes.end()) == "456789ab");

  for (const char *escape : {"../../etc/passwd", "/etc/passwd", "a/../../x"}) {
    onnx::TensorProto t = floatTensor({2});
    setExternal(t, escape);
    CHECK(!decodeTensor(t, dir.path, bytes, error));
    CHECK(error.find("outside the model's folder") != std::string::npos);
  }

  REQUIRE(symlink("/etc/passwd", (dir.path + "/link").c_str()) == 0);
  onnx::TensorProto link = floatTensor({2});
  setExternal(link, "link");
  CHECK(!decodeTensor(link, dir.path, bytes, error));
  CHECK(error.find("resolves outside") != std::string::npos);

  onnx::TensorProto beyond = floatTensor({2});
  setExternal(beyond, "w.bin", "12", "8");
  CHECK(!decodeTensor(beyond, dir.path, bytes, error));
  CHECK(error.find("lies beyond") != std::string::npos);

  onnx::TensorProto badOffset = floatTensor({2});
  setExternal(badOffset, "w.bin", "-4");
  CHECK(!decodeTensor(badOffset, dir.path, bytes, error));
}
