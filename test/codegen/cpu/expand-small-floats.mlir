// RUN: aic-opt %s --aic-expand-small-floats | FileCheck %s

// Tests that extf from an 8-bit float loads from a table of its 256 values
// (0x7E of E4M3FN is 448, the largest; 0x7F is NaN) made once per type.
// (codes 0x7E, 0x7F and 0x80: 448, NaN and -0 as little-endian f32 hex)
// CHECK-DAG: memref.global "private" constant @__aic_f8E4M3FN_values : memref<256xf32> = dense<"0x{{.*}}0000E043{{[0-9A-F]+}}7F00000080{{.*}}">
// CHECK-DAG: memref.global "private" constant @__aic_f4E2M1FN_values : memref<16xf32>
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @extend
func.func @extend(%x: f8E4M3FN, %y: f8E4M3FN) -> (f32, f16) {
  // CHECK: %[[BITS:.*]] = arith.bitcast %{{.*}} : f8E4M3FN to i8
  // CHECK: %[[I:.*]] = arith.extui %[[BITS]] : i8 to i32
  // CHECK: %[[INDEX:.*]] = arith.index_castui %[[I]] : i32 to index
  // CHECK: memref.load %{{.*}}[%[[INDEX]]] : memref<256xf32>
  %0 = arith.extf %x : f8E4M3FN to f32
  // CHECK: memref.load
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %1 = arith.extf %y : f8E4M3FN to f16
  return %0, %1 : f32, f16
}

// Tests that truncf rounds the f32 bits to 2 mantissa bits (ties to even:
// + 0x7FFFF + the kept lsb), rebiases (127 - 15 = 112, << 2 = 448), and maps
// values past 0x7B (57344) to E5M2's infinity 0x7C.
// CHECK-LABEL: func.func @truncate
func.func @truncate(%x: f32) -> f8E5M2 {
  // CHECK-DAG: %[[SHIFT:.*]] = arith.constant 21 : i32
  // CHECK-DAG: %[[HALF:.*]] = arith.constant 1048575 : i32
  // CHECK-DAG: %[[REBIAS:.*]] = arith.constant 448 : i32
  // CHECK-DAG: %[[LARGEST:.*]] = arith.constant 123 : i32
  // CHECK-DAG: %[[INF:.*]] = arith.constant 124 : i32
  // CHECK: arith.bitcast %{{.*}} : f32 to i32
  // CHECK: arith.addi %{{.*}}, %[[HALF]]
  // CHECK: arith.shrui %{{.*}}, %[[SHIFT]]
  // CHECK: arith.subi %{{.*}}, %[[REBIAS]]
  // CHECK: math.roundeven
  // CHECK: %[[OVER:.*]] = arith.cmpi sgt, %{{.*}}, %[[LARGEST]]
  // CHECK: arith.select %[[OVER]], %[[INF]]
  // CHECK: arith.trunci %{{.*}} : i32 to i8
  // CHECK: arith.bitcast %{{.*}} : i8 to f8E5M2
  %0 = arith.truncf %x : f32 to f8E5M2
  return %0 : f8E5M2
}

// Tests that a 4-bit float has a 16-entry table (above), and that truncf
// to it saturates at 6.0 (code 7): it has neither infinity nor NaN.
// CHECK-LABEL: func.func @four_bits
func.func @four_bits(%x: f4E2M1FN, %y: f32) -> (f32, f4E2M1FN) {
  // CHECK-DAG: %[[LARGEST:.*]] = arith.constant 7 : i32
  // CHECK: arith.bitcast %{{.*}} : f4E2M1FN to i4
  // CHECK: memref.load %{{.*}} : memref<16xf32>
  %0 = arith.extf %x : f4E2M1FN to f32
  // CHECK: %[[OVER:.*]] = arith.cmpi sgt, %{{.*}}, %[[LARGEST]]
  // CHECK: arith.select %[[OVER]], %[[LARGEST]]
  // CHECK: arith.trunci %{{.*}} : i32 to i4
  %1 = arith.truncf %y : f32 to f4E2M1FN
  return %0, %1 : f32, f4E2M1FN
}
