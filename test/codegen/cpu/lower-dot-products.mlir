// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-lower-dot-products{vector-bits=512}))' | FileCheck %s
// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-lower-dot-products{vector-bits=512 bf16=1}))' | FileCheck %s --check-prefix=BF16

#shared = affine_map<(l, b) -> (b)>
#rows = affine_map<(l, b) -> (l, b)>
#lanes = affine_map<(l, b) -> (l)>

// Tests that a contraction of 4 zero-extended bytes (shared by the lanes)
// and 16 lanes' 4 sign-extended bytes into i32 lanes becomes vpdpbusd: the
// shared bytes broadcast as one i32 to every lane, the rows' bytes as one
// vector of 64.
// CHECK-LABEL: func.func @dot_product
// CHECK-SAME: (%[[A:.*]]: vector<4xi8>, %[[B:.*]]: vector<16x4xi8>, %[[ACC:.*]]: vector<16xi32>)
// CHECK: %[[WORD:.*]] = vector.bitcast %[[A]] : vector<4xi8> to vector<1xi32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[WORD]] : vector<1xi32> to vector<16xi32>
// CHECK: %[[SHARED:.*]] = vector.bitcast %[[SPLAT]] : vector<16xi32> to vector<64xi8>
// CHECK: %[[ROWS:.*]] = vector.shape_cast %[[B]] : vector<16x4xi8> to vector<64xi8>
// CHECK: %[[SUM:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[SHARED]], %[[ROWS]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK: return %[[SUM]]
func.func @dot_product(%a: vector<4xi8>, %b: vector<16x4xi8>, %acc: vector<16xi32>) -> vector<16xi32> {
  %x = arith.extui %a : vector<4xi8> to vector<4xi32>
  %y = arith.extsi %b : vector<16x4xi8> to vector<16x4xi32>
  %r = vector.contract {indexing_maps = [#shared, #rows, #lanes], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %acc : vector<4xi32>, vector<16x4xi32> into vector<16xi32>
  return %r : vector<16xi32>
}

// -----

#shared = affine_map<(l, b) -> (b)>
#rows = affine_map<(l, b) -> (l, b)>
#lanes = affine_map<(l, b) -> (l)>

// Tests that signed shared bytes (a convolution's filters) by the lanes'
// unsigned bytes (its input) make vpdpbusd too, the rows its unsigned
// source and the broadcast its signed one.
// CHECK-LABEL: func.func @signed_shared_unsigned_rows
// CHECK-SAME: (%[[A:.*]]: vector<4xi8>, %[[B:.*]]: vector<16x4xi8>, %[[ACC:.*]]: vector<16xi32>)
// CHECK: %[[WORD:.*]] = vector.bitcast %[[A]] : vector<4xi8> to vector<1xi32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[WORD]]
// CHECK: %[[SHARED:.*]] = vector.bitcast %[[SPLAT]] : vector<16xi32> to vector<64xi8>
// CHECK: %[[ROWS:.*]] = vector.shape_cast %[[B]] : vector<16x4xi8> to vector<64xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[ROWS]], %[[SHARED]])
func.func @signed_shared_unsigned_rows(%a: vector<4xi8>, %b: vector<16x4xi8>, %acc: vector<16xi32>) -> vector<16xi32> {
  %x = arith.extsi %a : vector<4xi8> to vector<4xi32>
  %y = arith.extui %b : vector<16x4xi8> to vector<16x4xi32>
  %r = vector.contract {indexing_maps = [#shared, #rows, #lanes], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %acc : vector<4xi32>, vector<16x4xi32> into vector<16xi32>
  return %r : vector<16xi32>
}

// -----

#shared = affine_map<(l, b) -> (b)>
#rows = affine_map<(l, b) -> (l, b)>
#lanes = affine_map<(l, b) -> (l)>

// Tests that signed bytes on both sides, which vpdpbusd does not take,
// stay a contraction.
// CHECK-LABEL: func.func @signed_shared_bytes
// CHECK-NOT: llvm.call_intrinsic
// CHECK: vector.contract
func.func @signed_shared_bytes(%a: vector<4xi8>, %b: vector<16x4xi8>, %acc: vector<16xi32>) -> vector<16xi32> {
  %x = arith.extsi %a : vector<4xi8> to vector<4xi32>
  %y = arith.extsi %b : vector<16x4xi8> to vector<16x4xi32>
  %r = vector.contract {indexing_maps = [#shared, #rows, #lanes], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %acc : vector<4xi32>, vector<16x4xi32> into vector<16xi32>
  return %r : vector<16xi32>
}

// -----

#shared = affine_map<(l, k) -> (k)>
#rows = affine_map<(l, k) -> (l, k)>
#lanes = affine_map<(l, k) -> (l)>

// Tests that with bf16, a contraction of 2 bf16 shared by the lanes and 16
// lanes' 2 bf16 (widened to f32) into f32 lanes becomes vdpbf16ps; without
// it, it stays a contraction.
// BF16-LABEL: func.func @bf16_dot_product
// BF16-SAME: (%[[A:.*]]: vector<2xbf16>, %[[B:.*]]: vector<16x2xbf16>, %[[ACC:.*]]: vector<16xf32>)
// BF16: %[[WORD:.*]] = vector.bitcast %[[A]] : vector<2xbf16> to vector<1xi32>
// BF16: %[[SPLAT:.*]] = vector.broadcast %[[WORD]] : vector<1xi32> to vector<16xi32>
// BF16: %[[SHARED:.*]] = vector.bitcast %[[SPLAT]] : vector<16xi32> to vector<32xbf16>
// BF16: %[[ROWS:.*]] = vector.shape_cast %[[B]] : vector<16x2xbf16> to vector<32xbf16>
// BF16: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"(%[[ACC]], %[[SHARED]], %[[ROWS]]) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
// CHECK-LABEL: func.func @bf16_dot_product
// CHECK: vector.contract
func.func @bf16_dot_product(%a: vector<2xbf16>, %b: vector<16x2xbf16>, %acc: vector<16xf32>) -> vector<16xf32> {
  %x = arith.extf %a : vector<2xbf16> to vector<2xf32>
  %y = arith.extf %b : vector<16x2xbf16> to vector<16x2xf32>
  %r = vector.contract {indexing_maps = [#shared, #rows, #lanes], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %acc : vector<2xf32>, vector<16x2xf32> into vector<16xf32>
  return %r : vector<16xf32>
}
