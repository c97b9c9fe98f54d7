// RUN: aic-opt %s --aic-cuda-host-ops-to-kernels | FileCheck %s

// An int4 scalar the host reads (an input's zero point) reaches the kernel
// as a byte: PTX has no 4-bit parameters.
// CHECK-LABEL: func.func @main
// CHECK: %[[NARROW:.*]] = arith.trunci %{{.*}} : i8 to i4
// CHECK: %[[BYTE:.*]] = arith.extui %[[NARROW]] : i4 to i8
// CHECK: gpu.launch
// CHECK-NEXT: %[[BACK:.*]] = arith.trunci %[[BYTE]] : i8 to i4
// CHECK-NEXT: memref.store %[[BACK]]
func.func @main(%zero: memref<1xi8>) -> memref<1xi4> {
  %c0 = arith.constant 0 : index
  %out = memref.alloc() : memref<1xi4>
  %byte = memref.load %zero[%c0] : memref<1xi8>
  %v = arith.trunci %byte : i8 to i4
  memref.store %v, %out[%c0] : memref<1xi4>
  return %out : memref<1xi4>
}
