// RUN: aic-opt %s --aic-cpu-describe-kernels | FileCheck %s

// Tests the kernels recorded for aic-compile --report: each loop nest,
// linalg op or group of vector ops that pass vectors (not tensors) to one
// another, with the ONNX nodes in its ops' locations and the float
// operations its code executes: a loop's body times its trip count (4 x 8
// adds), a vector group's arithmetic (8 multiplies; the read and write
// count none), a linalg op's body per iteration (4 x 8 maxima); none
// counted under a loop of dynamic trip count, which is parallel. The bytes
// each moves: the tensors it reads that are defined outside it (the 4 x 8
// floats of %a: 128; not the empty tensors results start from) and those it
// makes (128 for 4 x 8 floats, 32 for 8); none where a dim is dynamic.
// CHECK: aic.kernels = [
// CHECK-SAME: {bytes = 256 : i64, flops = 32 : i64, nodes = ["add"], parallel = false},
// CHECK-SAME: {bytes = 160 : i64, flops = 8 : i64, nodes = ["x", "mul"], parallel = false},
// CHECK-SAME: {bytes = 256 : i64, flops = 32 : i64, nodes = ["relu"], parallel = false},
// CHECK-SAME: {nodes = ["dynamic"], parallel = true}]
module {
  func.func @main(%a: tensor<4x8xf32>, %n: index) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %zero = arith.constant 0.0 : f32
    %sums = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %a) -> (tensor<4x8xf32>) {
      %row = vector.transfer_read %acc[%i, %c0], %zero : tensor<4x8xf32>, vector<8xf32>
      %twice = arith.addf %row, %row : vector<8xf32>
      %next = vector.transfer_write %twice, %acc[%i, %c0] : vector<8xf32>, tensor<4x8xf32>
      scf.yield %next : tensor<4x8xf32>
    } loc("add")
    %e = tensor.empty() : tensor<8xf32>
    %x = vector.transfer_read %a[%c0, %c0], %zero : tensor<4x8xf32>, vector<8xf32> loc("x")
    %squared = arith.mulf %x, %x : vector<8xf32> loc("mul")
    %written = vector.transfer_write %squared, %e[%c0] : vector<8xf32>, tensor<8xf32> loc("mul")
    %e2 = tensor.empty() : tensor<4x8xf32>
    %relu = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
    ^bb0(%v: f32, %o: f32):
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    } -> tensor<4x8xf32> loc("relu")
    %d = tensor.empty(%n) : tensor<?xf32>
    %dyn = scf.forall (%i) in (%n) shared_outs(%out = %d) -> (tensor<?xf32>) {
      %one = tensor.empty() : tensor<1xf32>
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %one into %out[%i] [1] [1] : tensor<1xf32> into tensor<?xf32>
      }
    } loc("dynamic")
    return %sums, %written, %relu, %dyn : tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<?xf32>
  }
}
