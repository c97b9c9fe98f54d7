// RUN: aic-opt %s --aic-cpu-codegen-pipeline | FileCheck %s

// Tests that the CPU pipeline takes linalg on tensors (with a padded conv,
// whose bufferization copies into a strided view) all the way to the LLVM
// dialect with the model ABI and no runtime calls but malloc and free.
// CHECK-NOT: memrefCopy
// CHECK-DAG: llvm.func @malloc
// CHECK-DAG: llvm.func @free
// CHECK-DAG: llvm.func internal @__aic_graph
// CHECK-DAG: llvm.func @aic_model_v1_info() -> !llvm.ptr
// CHECK-DAG: llvm.func @aic_model_v1_run(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @aic_model_v1_free(%{{.*}}: !llvm.ptr)
// CHECK-NOT: builtin.unrealized_conversion_cast
// CHECK-NOT: memrefCopy
module attributes {aic.model_name = "conv"} {
  func.func @main(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32> attributes {aic.input_names = ["x"], aic.output_names = ["y"]} {
    %zero = arith.constant 0.0 : f32
    %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
    } : tensor<1x1x4x4xf32> to tensor<1x1x6x6xf32>
    return %padded : tensor<1x1x6x6xf32>
  }
}
