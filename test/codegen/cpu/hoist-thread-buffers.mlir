// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-hoist-thread-buffers),canonicalize)' | FileCheck %s

// Tests that a worksharing loop's stack buffer (a static memref.alloca in
// its iteration's alloca_scope) moves to the start of the omp.parallel
// region: made once per thread, and the alloca_scope, then without
// allocations, canonicalizes away (where it stayed, the iteration's loops
// would become blocks inside it, which it cannot hold).
// CHECK-LABEL: func.func @plane
// CHECK: omp.parallel {
// CHECK-NEXT: %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<58x58xf32>
// CHECK-NEXT: omp.wsloop {
// CHECK-NEXT: omp.loop_nest
// CHECK-NOT: memref.alloca_scope
// CHECK: memref.store %{{.*}}, %[[BUF]]
func.func @plane(%n: index, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.alloca_scope {
          %buf = memref.alloca() {alignment = 64 : i64} : memref<58x58xf32>
          memref.store %one, %buf[%c0, %c0] : memref<58x58xf32>
          %v = memref.load %buf[%c0, %c0] : memref<58x58xf32>
          memref.store %v, %out[%i] : memref<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Tests that a buffer of a size known only in the iteration stays in it.
// CHECK-LABEL: func.func @dynamic
// CHECK: omp.loop_nest
// CHECK-NEXT: memref.alloca_scope
// CHECK-NEXT: memref.alloca(%{{.*}}) : memref<?xf32>
func.func @dynamic(%n: index, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.alloca_scope {
          %buf = memref.alloca(%i) : memref<?xf32>
          %v = memref.load %buf[%c0] : memref<?xf32>
          memref.store %v, %out[%i] : memref<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
