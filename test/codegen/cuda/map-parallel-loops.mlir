// RUN: aic-opt %s --split-input-file --aic-cuda-map-parallel-loops="threads-per-block=16" | FileCheck %s

// A 4 x 8 parallel loop becomes one dim of 32 iterations, tiled by the
// block: the tile loop maps to blocks, the loop in it to threads, which
// skip the iterations past the end and recover both indices.
// CHECK-LABEL: func.func @main
// CHECK: scf.parallel (%[[BLOCK:.*]]) =
// CHECK:   scf.parallel (%[[THREAD:.*]]) =
// CHECK:     %[[I:.*]] = arith.addi %[[THREAD]], %[[BLOCK]]
// CHECK:     %[[IN:.*]] = arith.cmpi ult
// CHECK:     scf.if
// CHECK:       arith.remsi %[[I]], %{{.*}}
// CHECK:       arith.divsi %[[I]], %{{.*}}
// CHECK:       memref.load
// CHECK:       memref.store
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
func.func @main(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x8xf32>
    memref.store %v, %b[%i, %j] : memref<4x8xf32>
  }
  return
}

// Functions other than the graph (the deallocation's helpers, which the
// host calls) are left alone.
// CHECK-LABEL: func.func @helper
// CHECK: scf.parallel
// CHECK-NOT: mapping
// CHECK: return
func.func @helper(%a: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %a[%i] : memref<4xf32>
    memref.store %v, %a[%i] : memref<4xf32>
  }
  return
}

// -----

// A parallel loop in a sequential one (a reduction over a leading dim) is
// mapped too: the host launches it once per iteration.
// CHECK-LABEL: func.func @main
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @main(%a: memref<3x8xf32>, %sum: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  scf.for %k = %c0 to %c3 step %c1 {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      %v = memref.load %a[%k, %j] : memref<3x8xf32>
      %s = memref.load %sum[%j] : memref<8xf32>
      %t = arith.addf %s, %v : f32
      memref.store %t, %sum[%j] : memref<8xf32>
    }
  }
  return
}
