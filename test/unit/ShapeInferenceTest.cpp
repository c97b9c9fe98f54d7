//===- ShapeInferenceTest.cpp - shape rules of the aic ops ----------------===//
//
// Expected shapes follow the ONNX operator specification.
//
//===----------------------------------------------------------------------===//

#include "dialects/aic/IR/ShapeInference.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/MLIRContext.h"

#include <catch2/catch.hpp>

#include <functional>

using namespace mlir;
using namespace mlir::aic;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;

/// Collects the error a rule reports.
struct ErrorSink {
  MLIRContext context;
  std::string message;
  ErrorSink() {
    context.getDiagEngine().registerHandler([this](Diagnostic &d) {
      message = d.str();
      return success();
    });
  }
  std::function<InFlightDiagnostic()> emit = [this] {
    return emitError(UnknownLoc::get(&context));
  };
  ErrorFn fn() { return emit; }
};
} // namespace

TEST_CASE("numpy broadcasting", "[shape]") {
  ErrorSink e;
  CHECK(*inferBroadcastShape({2, 3, 4}, {4}, e.fn()) == Shape{2, 3, 4});
  CHECK(*inferBroadcastShape({2, 1, 4}, {3, 1}, e.fn()) == Shape{2, 3, 4});
  CHECK(*inferBroadcastShape({}, {5}, e.fn()) == Shape{5});
  CHECK(*inferBroadcastShape({kDyn, 3}, {1, 3}, e.fn()) == Shape{kDyn, 3});
  CHECK(failed(inferBroadcastShape({2, 3}, {4}, e.fn())));
  CHECK(e.message.find("do not broadcast") != std::string::npos);
}

TEST_CASE("matmul follows numpy.matmul", "[shape]") {
  ErrorSink e;
  CHECK(*inferMatMulShape({3, 4}, {4, 5}, e.fn()) == Shape{3, 5});
  CHECK(*inferMatMulShape({2, 3, 4}, {4, 5}, e.fn()) == Shape{2, 3, 5});
  CHECK(*inferMatMulShape({1, 2, 3, 4}, {5, 1, 4, 6}, e.fn()) ==
        Shape{5, 2, 3, 6});
  CHECK(*inferMatMulShape({4}, {4, 5}, e.fn()) == Shape{5});
  CHECK(*inferMatMulShape({3, 4}, {4}, e.fn()) == Shape{3});
  CHECK(*inferMatMulShape({4}, {4}, e.fn()) == Shape{});
  CHECK(failed(inferMatMulShape({3, 4}, {5, 6}, e.fn())));
  CHECK(failed(inferMatMulShape({}, {5, 6}, e.fn())));
}

TEST_CASE("gemm with transposes and C", "[shape]") {
  ErrorSink e;
  CHECK(*inferGemmShape({3, 5}, {5, 4}, std::nullopt, false, false, e.fn()) ==
        Shape{3, 4});
  CHECK(*inferGemmShape({5, 3}, {4, 5}, ArrayRef<int64_t>{4}, true, true,
                        e.fn()) == Shape{3, 4});
  CHECK(failed(inferGemmShape({3, 5}, {5, 4}, ArrayRef<int64_t>{3}, false,
                              false, e.fn())));
  CHECK(failed(
      inferGemmShape({3, 5, 1}, {5, 4}, std::nullopt, false, false, e.fn())));
}

TEST_CASE("convolution output extent", "[shape]") {
  ErrorSink e;
  // ONNX test_conv_with_strides_padding: 7x5 input, 3x3 kernel, stride 2,
  // pads 1 -> 4x3.
  CHECK(*inferConvShape({1, 1, 7, 5}, {1, 1, 3, 3}, std::nullopt, {2, 2},
                        {1, 1}, {1, 1, 1, 1}, 1, e.fn()) == Shape{1, 1, 4, 3});
  // Dilation 2 widens a 3-tap kernel to 5.
  CHECK(*inferConvShape({1, 4, 9}, {8, 2, 3}, ArrayRef<int64_t>{8}, {1}, {2},
                        {0, 0}, 2, e.fn()) == Shape{1, 8, 5});
  CHECK(failed(inferConvShape({1, 3, 5, 5}, {8, 2, 3, 3}, std::nullopt, {1, 1},
                              {1, 1}, {0, 0, 0, 0}, 1, e.fn())));
  CHECK(e.message.find("channels") != std::string::npos);
  CHECK(failed(inferConvShape({1, 1, 2, 2}, {1, 1, 3, 3}, std::nullopt, {1, 1},
                              {1, 1}, {0, 0, 0, 0}, 1, e.fn())));
  CHECK(failed(inferConvShape({1, 1, 5, 5}, {1, 1, 3, 3}, std::nullopt, {0, 1},
                              {1, 1}, {0, 0, 0, 0}, 1, e.fn())));
}

TEST_CASE("reshape with 0 and -1", "[shape]") {
  ErrorSink e;
  CHECK(*inferReshapeShape({2, 3, 4}, {0, -1}, false, e.fn()) == Shape{2, 12});
  CHECK(*inferReshapeShape({2, 3, 4}, {4, 0, 2}, false, e.fn()) ==
        Shape{4, 3, 2});
  CHECK(*inferReshapeShape({0, 3}, {0, 3}, true, e.fn()) == Shape{0, 3});
  CHECK(*inferReshapeShape({1, 1}, {}, false, e.fn()) == Shape{});
  CHECK(failed(inferReshapeShape({6}, {}, false, e.fn())));
  CHECK(failed(inferReshapeShape({2, 3}, {-1, -1}, false, e.fn())));
  CHECK(failed(inferReshapeShape({2, 3}, {4, -1}, false, e.fn())));
  CHECK(failed(inferReshapeShape({2, 3}, {7}, false, e.fn())));
}

TEST_CASE("transpose and flatten", "[shape]") {
  ErrorSink e;
  CHECK(*inferTransposeShape({2, 3, 4}, {2, 0, 1}, e.fn()) == Shape{4, 2, 3});
  CHECK(failed(inferTransposeShape({2, 3}, {0, 0}, e.fn())));
  CHECK(*inferFlattenShape({2, 3, 4}, 0, e.fn()) == Shape{1, 24});
  CHECK(*inferFlattenShape({2, 3, 4}, 3, e.fn()) == Shape{24, 1});
  CHECK(*inferFlattenShape({kDyn, 3, 4}, 1, e.fn()) == Shape{kDyn, 12});
  CHECK(failed(inferFlattenShape({2, 3}, 3, e.fn())));
}

TEST_CASE("element counts overflow cleanly", "[shape]") {
  CHECK(getNumElements({2, 3}) == 6);
  CHECK(getNumElements({}) == 1);
  CHECK(!getNumElements({int64_t(1) << 40, int64_t(1) << 40}));
  CHECK(!getNumElements({kDyn, 2}));
}

TEST_CASE("reductions keep or drop their axes", "[shape]") {
  ErrorSink e;
  CHECK(*inferReduceShape({2, 3, 4}, {1}, true, e.fn()) == Shape{2, 1, 4});
  CHECK(*inferReduceShape({2, 3, 4}, {0, 2}, false, e.fn()) == Shape{3});
  CHECK(failed(inferReduceShape({2, 3}, {1, 0}, false, e.fn())));
}

TEST_CASE("pooling extents follow ONNX, with ceil_mode", "[shape]") {
  ErrorSink e;
  // ONNX test_maxpool_2d_ceil: 4x4, kernel 3, stride 2, ceil -> 2x2.
  CHECK(*inferPoolShape({1, 1, 4, 4}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0},
                        true, e.fn()) == Shape{1, 1, 2, 2});
  CHECK(*inferPoolShape({1, 1, 4, 4}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0},
                        false, e.fn()) == Shape{1, 1, 1, 1});
  // A last window that would start in the end padding is dropped.
  CHECK(getPooledExtent(5, 2, 2, 1, 0, 1, true) == 3);
  CHECK(getPooledExtent(4, 2, 2, 1, 0, 1, true) == 2);
  CHECK(
      failed(inferPoolShape({1, 1, 2}, {3}, {1}, {1}, {0, 0}, false, e.fn())));
}

TEST_CASE("concat, squeeze, gather, slice and tile shapes", "[shape]") {
  ErrorSink e;
  CHECK(*inferConcatShape({ArrayRef<int64_t>{2, 3}, ArrayRef<int64_t>{4, 3}}, 0,
                          e.fn()) == Shape{6, 3});
  CHECK(failed(inferConcatShape(
      {ArrayRef<int64_t>{2, 3}, ArrayRef<int64_t>{2, 4}}, 0, e.fn())));
  CHECK(*inferSqueezeShape({1, 3, 1}, {0, 2}, false, e.fn()) == Shape{3});
  CHECK(*inferSqueezeShape({3}, {0, 2}, true, e.fn()) == Shape{1, 3, 1});
  CHECK(failed(inferSqueezeShape({2, 3}, {0}, false, e.fn())));
  CHECK(*inferGatherShape({5, 4, 3}, {2, 2}, 1, e.fn()) == Shape{5, 2, 2, 3});
  CHECK(*inferSliceShape({10}, {9}, {4}, {-2}, e.fn()) == Shape{4});
  CHECK(failed(inferSliceShape({10}, {9}, {6}, {-2}, e.fn())));
  CHECK(*inferTileShape({2, 3}, {2, 0}, e.fn()) == Shape{4, 0});
}
