// RUN: aic-opt %s --aic-cuda-host-ops-to-kernels | FileCheck %s

// The deallocation's conditional frees stay on the host (a free in a kernel
// would call the device's own allocator), and so does the bookkeeping on
// the stack they read; the copy into the output runs on the device.
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch
// CHECK: memref.store
// CHECK: gpu.terminator
// CHECK: %[[OWNED:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<1xi1>
// CHECK: scf.if %[[OWNED]] {
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: }
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @main(%a: memref<4xf32>, %cond: i1) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %temp = memref.alloc() : memref<4xf32>
  %flags = memref.alloca() : memref<1xi1>
  memref.store %cond, %flags[%c0] : memref<1xi1>
  %out = memref.alloc() : memref<4xf32>
  %v = memref.load %a[%c0] : memref<4xf32>
  memref.store %v, %out[%c0] : memref<4xf32>
  %owned = memref.load %flags[%c0] : memref<1xi1>
  scf.if %owned {
    memref.dealloc %temp : memref<4xf32>
  }
  return %out : memref<4xf32>
}
