//===- OpsetTest.cpp - aic's operator versions against ONNX's -------------===//
//
// The importer resolves which version of an operator a model's opset means
// from its own version table (which runs to opsets newer than Debian's ONNX
// library knows). Up to the opsets ONNX's schema registry knows, the table
// must agree with it exactly.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/NodeImporter.h"

#include <onnx/defs/schema.h>

#include <catch2/catch.hpp>

using namespace mlir::aic::onnx_import;

TEST_CASE("operator version tables agree with ONNX's schemas", "[opset]") {
  int newestKnown = onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
                        .Map()
                        .at("")
                        .second;
  REQUIRE(newestKnown >= 13);
  for (const auto &entry : getOpRegistry().all()) {
    std::string op = entry.getKey().str();
    const OpImporter &importer = entry.getValue();
    INFO("operator " << op);
    for (int opset = 1; opset <= newestKnown; ++opset) {
      INFO("opset " << opset);
      const onnx::OpSchema *schema =
          onnx::OpSchemaRegistry::Schema(op, opset, "");
      int64_t expected = schema ? schema->SinceVersion() : 0;
      int64_t actual = 0;
      for (int64_t v : importer.history)
        if (v <= opset)
          actual = v;
      CHECK(actual == expected);
    }
  }
}
