// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-fuse-elementwise,aic-cpu-tile-and-vectorize{int8-dot-products=1}),canonicalize,cse)' | FileCheck %s

// Tests that a row read from a tile a whole vector was written to is that
// vector's row (an extract), and that a read past a write that misses it
// reads what was there before.
// CHECK-LABEL: func.func @rows_of_written_tile
// CHECK-SAME: (%[[TILE:.*]]: vector<1x4x32xi32>, %[[T:.*]]: tensor<1x4x32xi32>, %[[ROW:.*]]: vector<16xi32>)
// CHECK: %[[R:.*]] = vector.extract %[[TILE]][0, 2] : vector<32xi32> from vector<1x4x32xi32>
// CHECK: %[[S:.*]] = vector.extract_strided_slice %[[R]] {offsets = [16], sizes = [16], strides = [1]}
// CHECK: %[[OLD:.*]] = vector.transfer_read %[[T]][%{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: return %[[S]], %[[OLD]]
func.func @rows_of_written_tile(%tile: vector<1x4x32xi32>, %t: tensor<1x4x32xi32>, %row: vector<16xi32>) -> (vector<16xi32>, vector<16xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %p = ub.poison : i32
  %w = vector.transfer_write %tile, %t[%c0, %c0, %c0] {in_bounds = [true, true, true]} : vector<1x4x32xi32>, tensor<1x4x32xi32>
  %r = vector.transfer_read %w[%c0, %c2, %c16], %p {in_bounds = [true]} : tensor<1x4x32xi32>, vector<16xi32>
  // Row 1 written, row 3 read: the read looks through the write.
  %w2 = vector.transfer_write %row, %t[%c0, %c1, %c0] {in_bounds = [true]} : vector<16xi32>, tensor<1x4x32xi32>
  %c3 = arith.constant 3 : index
  %r2 = vector.transfer_read %w2[%c0, %c3, %c0], %p {in_bounds = [true]} : tensor<1x4x32xi32>, vector<16xi32>
  return %r, %r2 : vector<16xi32>, vector<16xi32>
}

// -----

// Tests that a whole temporary tile (a slice of a tensor.empty) read after
// its rows were all written is those rows put together, and that one with
// a row left unwritten, or one that is not a temporary, is still read.
// CHECK-LABEL: func.func @assembled_tile
// CHECK-SAME: (%[[A:.*]]: vector<16xi32>, %[[B:.*]]: vector<16xi32>, %[[T:.*]]: tensor<1x2x16xi32>, %{{.*}}: index)
// CHECK: %[[T0:.*]] = vector.insert_strided_slice %[[A]], %{{.*}} {offsets = [0, 0, 0], strides = [1]} : vector<16xi32> into vector<1x2x16xi32>
// CHECK: %[[T1:.*]] = vector.insert_strided_slice %[[B]], %[[T0]] {offsets = [0, 1, 0], strides = [1]} : vector<16xi32> into vector<1x2x16xi32>
// CHECK: %[[HALF:.*]] = vector.transfer_read %{{.*}} : tensor<1x2x16xi32>, vector<1x2x16xi32>
// CHECK: %[[NOTEMP:.*]] = vector.transfer_read %{{.*}} : tensor<1x2x16xi32>, vector<1x2x16xi32>
// CHECK: return %[[T1]], %[[HALF]], %[[NOTEMP]]
func.func @assembled_tile(%a: vector<16xi32>, %b: vector<16xi32>, %t: tensor<1x2x16xi32>, %i: index) -> (vector<1x2x16xi32>, vector<1x2x16xi32>, vector<1x2x16xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %p = ub.poison : i32
  %e = tensor.empty() : tensor<1x8x16xi32>
  %s = tensor.extract_slice %e[0, %i, 0] [1, 2, 16] [1, 1, 1] : tensor<1x8x16xi32> to tensor<1x2x16xi32>
  %w0 = vector.transfer_write %a, %s[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xi32>, tensor<1x2x16xi32>
  %w1 = vector.transfer_write %b, %w0[%c0, %c1, %c0] {in_bounds = [true]} : vector<16xi32>, tensor<1x2x16xi32>
  %whole = vector.transfer_read %w1[%c0, %c0, %c0], %p {in_bounds = [true, true, true]} : tensor<1x2x16xi32>, vector<1x2x16xi32>
  %half = vector.transfer_read %w0[%c0, %c0, %c0], %p {in_bounds = [true, true, true]} : tensor<1x2x16xi32>, vector<1x2x16xi32>
  %x0 = vector.transfer_write %a, %t[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xi32>, tensor<1x2x16xi32>
  %x1 = vector.transfer_write %b, %x0[%c0, %c1, %c0] {in_bounds = [true]} : vector<16xi32>, tensor<1x2x16xi32>
  %notemp = vector.transfer_read %x1[%c0, %c0, %c0], %p {in_bounds = [true, true, true]} : tensor<1x2x16xi32>, vector<1x2x16xi32>
  return %whole, %half, %notemp : vector<1x2x16xi32>, vector<1x2x16xi32>, vector<1x2x16xi32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#e = affine_map<(m, n) -> (m, n)>

// Tests that an 8-bit matmul whose accumulator starts from a broadcast row
// (a zero-point correction) and whose epilogue converts it to float keeps
// its tile in registers: the rows start as the broadcast's rows, the
// epilogue reads them put together, and no i32 temporary is left to be
// allocated for each tile.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK-NOT: tensor.empty() : tensor<8x16xi32>
// CHECK: %[[INIT:.*]] = vector.transfer_read %{{.*}} : tensor<16xi32>, vector<8x16xi32>
// CHECK: %[[ROW:.*]] = vector.extract %[[INIT]][0] : vector<16xi32> from vector<8x16xi32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ROW]]
// CHECK-COUNT-8: vector.insert_strided_slice
// CHECK: arith.sitofp %{{.*}} : vector<8x16xi32> to vector<8x16xf32>
// CHECK-NOT: tensor.empty() : tensor<8x16xi32>
func.func @matmul_epilogue(%a: tensor<8x8xi8>) -> tensor<8x16xf32> {
  %w = arith.constant dense<[[-128, -91, -54, -17, 20, 57, 94, -125, -88, -51, -14, 23, 60, 97, -122, -85], [-48, -11, 26, 63, 100, -119, -82, -45, -8, 29, 66, 103, -116, -79, -42, -5], [32, 69, 106, -113, -76, -39, -2, 35, 72, 109, -110, -73, -36, 1, 38, 75], [112, -107, -70, -33, 4, 41, 78, 115, -104, -67, -30, 7, 44, 81, 118, -101], [-64, -27, 10, 47, 84, 121, -98, -61, -24, 13, 50, 87, 124, -95, -58, -21], [16, 53, 90, 127, -92, -55, -18, 19, 56, 93, -126, -89, -52, -15, 22, 59], [96, -123, -86, -49, -12, 25, 62, 99, -120, -83, -46, -9, 28, 65, 102, -117], [-80, -43, -6, 31, 68, 105, -114, -77, -40, -3, 34, 71, 108, -111, -74, -37]]> : tensor<8x16xi8>
  %zp = arith.constant dense<[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]> : tensor<16xi32>
  %e = tensor.empty() : tensor<8x16xi32>
  %init = linalg.broadcast ins(%zp : tensor<16xi32>) outs(%e : tensor<8x16xi32>) dimensions = [0]
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %w : tensor<8x8xi8>, tensor<8x16xi8>) outs(%init : tensor<8x16xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xi = arith.extui %x : i8 to i32
    %yi = arith.extsi %y : i8 to i32
    %p = arith.muli %xi, %yi : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<8x16xi32>
  %ef = tensor.empty() : tensor<8x16xf32>
  %f = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<8x16xi32>) outs(%ef : tensor<8x16xf32>) {
  ^bb0(%x: i32, %o: f32):
    %half = arith.constant 0.5 : f32
    %xf = arith.sitofp %x : i32 to f32
    %y = arith.mulf %xf, %half : f32
    linalg.yield %y : f32
  } -> tensor<8x16xf32>
  return %f : tensor<8x16xf32>
}
