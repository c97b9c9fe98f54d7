// RUN: aic-opt %s --aic-cuda-copies-to-linalg | FileCheck %s

// A copy becomes linalg.copy, which becomes a parallel loop the GPU's
// threads run (memref.copy would call a host runtime function).
// CHECK-LABEL: func.func @main
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<2x3xf32, strided<[6, 1]>>) outs(%arg1 : memref<2x3xf32>)
func.func @main(%a: memref<2x3xf32, strided<[6, 1]>>, %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32, strided<[6, 1]>> to memref<2x3xf32>
  return
}
