// RUN: aic-opt %s --pass-pipeline='builtin.module(func.func(aic-cpu-tile-dynamic-rows))' | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
#t = affine_map<(i, j) -> (j, i)>

// Tests that a chain over a dynamic batch (fill, matmul, bias + ReLU)
// runs in whole static tiles of 8 rows, then the rest a row at a time,
// each tile fusing the whole chain, with no batch-sized temporaries.
// CHECK-LABEL: func.func @mlp
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[DIM]]) : tensor<?x16xf32>
// CHECK-NOT: tensor.empty(%
// CHECK: %[[WHOLE:.*]] = affine.apply #{{.*}}()[%[[DIM]]]
// CHECK: %[[MAIN:.*]] = scf.for %[[I:.*]] = %c0 to %[[WHOLE]] step %c8
// CHECK: tensor.extract_slice %arg0[%[[I]], 0] [8, 8] [1, 1] : tensor<?x8xf32> to tensor<8x8xf32>
// CHECK: linalg.fill {{.*}} -> tensor<8x16xf32>
// CHECK: linalg.generic {{.*}}ins(%{{.*}} : tensor<8x8xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.insert_slice {{.*}} into %{{.*}}[%[[I]], 0] [8, 16] [1, 1]
// CHECK: scf.for %{{.*}} = %[[WHOLE]] to %[[DIM]] step %c8 iter_args(%{{.*}} = %[[MAIN]])
// CHECK: scf.for %{{.*}} step %c1
// CHECK: tensor.extract_slice {{.*}} [1, 8] [1, 1] : tensor<?x8xf32> to tensor<1x8xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x16xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: tensor.empty(%
func.func @mlp(%x: tensor<?x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<?x16xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<?x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<?x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x16xf32>
  %e2 = tensor.empty(%n) : tensor<?x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<?x16xf32>, tensor<16xf32>) outs(%e2 : tensor<?x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// Tests that ops whose dynamic loop is not their results' first dim (a
// transpose), or that have a second dynamic loop, are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<16x?xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?xf32>)
// CHECK-NOT: scf.for
func.func @left_alone(%x: tensor<?x16xf32>, %z: tensor<?x?xf32>) -> (tensor<16x?xf32>, tensor<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%n) : tensor<16x?xf32>
  %t = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x16xf32>) outs(%e : tensor<16x?xf32>) {
  ^bb0(%p: f32, %o: f32):
    linalg.yield %p : f32
  } -> tensor<16x?xf32>
  %r = tensor.dim %z, %c0 : tensor<?x?xf32>
  %c = tensor.dim %z, %c1 : tensor<?x?xf32>
  %e2 = tensor.empty(%r, %c) : tensor<?x?xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%z : tensor<?x?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.negf %p : f32
    linalg.yield %m : f32
  } -> tensor<?x?xf32>
  return %t, %neg : tensor<16x?xf32>, tensor<?x?xf32>
}

// Tests that an op with a loop of no iterations (a reduction over an empty
// dim, ONNX's empty-set tests) is left whole: it does no work.
// CHECK-LABEL: func.func @empty_loop
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<?x0x4xf32>) outs(%{{.*}} : tensor<?x4xf32>)
#in3 = affine_map<(i, j, k) -> (i, j, k)>
#out2 = affine_map<(i, j, k) -> (i, k)>
func.func @empty_loop(%x: tensor<?x0x4xf32>) -> tensor<?x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x0x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %sum = linalg.generic {indexing_maps = [#in3, #out2], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<?x0x4xf32>) outs(%acc : tensor<?x4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %sum : tensor<?x4xf32>
}
