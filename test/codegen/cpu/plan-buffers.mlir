// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-plan-buffers))' | FileCheck %s

// Tests a chain of three temporaries: %a dies when %c is made, so %c takes
// its place at offset 0, while %b, live alongside both, gets its own. The
// arena is freed at the end; the results the caller owns stay allocations.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: aic.arena_bytes = 128
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<128xi8> to memref<4x4xf32>
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[C64]]][] : memref<128xi8> to memref<4x4xf32>
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[C0B]]][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return %[[OUT]]
func.func @chain(%x: memref<4x4xf32>) -> memref<16xf32> {
  %a = memref.alloc() : memref<4x4xf32>
  memref.copy %x, %a : memref<4x4xf32> to memref<4x4xf32>
  %b = memref.alloc() : memref<4x4xf32>
  memref.copy %a, %b : memref<4x4xf32> to memref<4x4xf32>
  %c = memref.alloc() : memref<16xf32>
  %bflat = memref.collapse_shape %b [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  memref.copy %bflat, %c : memref<16xf32> to memref<16xf32>
  %out = memref.alloc() : memref<16xf32>
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %a : memref<4x4xf32>
  memref.dealloc %b : memref<4x4xf32>
  memref.dealloc %c : memref<16xf32>
  return %out : memref<16xf32>
}

// -----

// Tests that a use through an alias inside a loop keeps the buffer live:
// %a is read through a subview in the loop after %b is made, so the two
// cannot share memory.
// CHECK-LABEL: func.func @alias_in_loop
// CHECK-SAME: aic.arena_bytes = 128
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<128xi8> to memref<8xf32>
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<128xi8> to memref<8xf32>
func.func @alias_in_loop(%x: memref<8xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  %view = memref.subview %a[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  %b = memref.alloc() : memref<8xf32>
  memref.copy %x, %b : memref<8xf32> to memref<8xf32>
  scf.for %i = %c0 to %c2 step %c1 {
    memref.copy %view, %y : memref<4xf32, strided<[1], offset: 4>> to memref<4xf32>
  }
  memref.dealloc %a : memref<8xf32>
  memref.dealloc %b : memref<8xf32>
  return
}

// -----

// Tests that one temporary needs no arena, but its size is still the
// peak: 8 floats, 64-byte aligned.
// CHECK-LABEL: func.func @one
// CHECK-SAME: aic.arena_bytes = 64
// CHECK: memref.alloc() : memref<8xf32>
// CHECK-NOT: memref.view
func.func @one(%x: memref<8xf32>) {
  %a = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  memref.copy %a, %x : memref<8xf32> to memref<8xf32>
  memref.dealloc %a : memref<8xf32>
  return
}

// -----

// Tests what is left alone: a dynamic shape, a buffer that is never freed
// (it escapes), and any function that frees an alias.
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT: aic.arena_bytes
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
func.func @dynamic(%n: index) {
  %a = memref.alloc(%n) : memref<?xf32>
  %b = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  memref.dealloc %b : memref<?xf32>
  return
}

// CHECK-LABEL: func.func @frees_alias
// CHECK-NOT: memref.view
func.func @frees_alias(%x: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %cast = memref.cast %b : memref<4xf32> to memref<?xf32>
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %cast : memref<?xf32>
  return
}
