// RUN: aic-opt %s --aic-cuda-host-ops-to-kernels | FileCheck %s

// What touches device buffers outside parallel loops runs in a one-thread
// kernel; reads of the inputs (host memory) stay, and so does an op whose
// result the host needs, whose buffer becomes host-visible.
// CHECK-LABEL: func.func @main
// CHECK: %[[TEMP:.*]] = memref.alloc() {aic.cuda.host_visible} : memref<4xi64>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[N:.*]] = memref.load %arg1[%{{.*}}] : memref<2xi64>
// CHECK: gpu.launch blocks(%{{.*}}) in (%{{.*}} = %[[ONE:.*]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]])
// CHECK-NEXT: scf.for
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK: %[[M64:.*]] = memref.load %[[TEMP]]
// CHECK: %[[M:.*]] = arith.index_cast %[[M64]]
// CHECK: memref.alloc(%[[M]])
func.func @main(%a: memref<4xf32>, %shape: memref<2xi64>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %temp = memref.alloc() : memref<4xi64>
  %out = memref.alloc() : memref<4xf32>
  %n = memref.load %shape[%c0] : memref<2xi64>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %a[%i] : memref<4xf32>
    memref.store %v, %out[%i] : memref<4xf32>
  }
  %m64 = memref.load %temp[%c1] : memref<4xi64>
  %m = arith.index_cast %m64 : i64 to index
  %dyn = memref.alloc(%m) : memref<?xf32>
  memref.dealloc %dyn : memref<?xf32>
  memref.dealloc %temp : memref<4xi64>
  return %out : memref<4xf32>
}

