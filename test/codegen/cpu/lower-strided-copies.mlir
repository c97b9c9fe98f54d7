// RUN: aic-opt %s --aic-cpu-lower-strided-copies | FileCheck %s

// Tests that a copy into a strided view becomes linalg.copy, while copies
// between contiguous memory stay memref.copy (a memcpy): whole buffers, and
// one row of a larger buffer (a view whose other dims are 1).
// CHECK-LABEL: func.func @copies
func.func @copies(%a: memref<2x2xf32>, %b: memref<4x4xf32>, %c: memref<2x2xf32>, %r: memref<1x2xf32>) {
  %view = memref.subview %b[1, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  // CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32>) outs(%{{.*}} : memref<2x2xf32, strided<[4, 1], offset: 5>>)
  memref.copy %a, %view : memref<2x2xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  // CHECK: memref.copy %{{.*}}, %{{.*}} : memref<2x2xf32> to memref<2x2xf32>
  memref.copy %a, %c : memref<2x2xf32> to memref<2x2xf32>
  %row = memref.subview %b[1, 1] [1, 2] [1, 1] : memref<4x4xf32> to memref<1x2xf32, strided<[4, 1], offset: 5>>
  // CHECK: memref.copy %{{.*}}, %{{.*}} : memref<1x2xf32> to memref<1x2xf32, strided<[4, 1], offset: 5>>
  memref.copy %r, %row : memref<1x2xf32> to memref<1x2xf32, strided<[4, 1], offset: 5>>
  return
}
