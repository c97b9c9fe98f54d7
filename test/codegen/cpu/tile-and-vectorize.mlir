// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-tile-and-vectorize),canonicalize,cse)' | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that a matmul is tiled for the caches (N by 256, then K by 512,
// then M by 64) and registers (8 rows by 32 columns, K by 1 innermost),
// becomes one vector.contract per k, and keeps its C tile in registers
// across K: read before the K loop, carried, written after it.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
// CHECK: scf.for %{{.*}} step %[[C256]]
// CHECK: scf.for %{{.*}} step %[[C512]]
// CHECK: scf.for %{{.*}} step %[[C64]]
// CHECK: scf.for %{{.*}} step %[[C8]]
// CHECK: scf.for %{{.*}} step %[[C32]]
// CHECK: %[[TILE:.*]] = vector.transfer_read %{{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: %[[SUM:.*]] = scf.for %{{.*}} step %[[C1]] iter_args(%[[ACC:.*]] = %[[TILE]]) -> (vector<8x32xf32>)
// CHECK: %[[A:.*]] = vector.transfer_read {{.*}} : tensor<8x1xf32>, vector<8x1xf32>
// CHECK: %[[B:.*]] = vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK: %[[NEXT:.*]] = vector.contract {{.*}} %[[A]], %[[B]], %[[ACC]]
// CHECK: scf.yield %[[NEXT]]
// CHECK: vector.transfer_write %[[SUM]]
func.func @matmul(%a: tensor<128x1024xf32>, %b: tensor<1024x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<128x1024xf32>, tensor<1024x512xf32>) outs(%c : tensor<128x512xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(i, j) -> (i, j)>

// Tests that a matmul's bias (the broadcast accumulator) and activation
// (its elementwise consumer) run in its kernel: the tiles are of the
// activation, with the matmul and the broadcast fused into them and K (256)
// whole, so the register tile starts from the bias read as a vector, and
// the activation takes the accumulators and writes the tile once. Nothing
// else writes a C.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK-NOT: linalg.
// CHECK: scf.for %{{.*}} step %c8
// CHECK: scf.for %{{.*}} step %c32
// CHECK: %[[BIAS:.*]] = vector.transfer_read %{{.*}} : tensor<32xf32>, vector<8x32xf32>
// CHECK: %[[SUM:.*]] = scf.for %{{.*}} iter_args(%[[ACC:.*]] = %[[BIAS]]) -> (vector<8x32xf32>)
// CHECK: vector.contract
// CHECK: %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<8x32xf32>
// CHECK: vector.transfer_write %[[RELU]]
// CHECK-NOT: vector.transfer_write
// CHECK: return
func.func @matmul_epilogue(%a: tensor<64x256xf32>, %b: tensor<256x128xf32>, %bias: tensor<128xf32>) -> tensor<64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x128xf32>
  %init = linalg.broadcast ins(%bias : tensor<128xf32>) outs(%e : tensor<64x128xf32>) dimensions = [0]
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x256xf32>, tensor<256x128xf32>) outs(%init : tensor<64x128xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x128xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<64x128xf32>) outs(%e : tensor<64x128xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<64x128xf32>
  return %1 : tensor<64x128xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that tile sizes divide the extents (10 = 5 rows, 10 columns; K 784
// in cache tiles of 392), and that a B stored N by K (Gemm's transB) is
// transposed once before the loops, so that the kernel reads its rows.
// CHECK-LABEL: func.func @ragged_transposed
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C392:.*]] = arith.constant 392 : index
// CHECK: %[[BT:.*]] = scf.for {{.*}} -> (tensor<784x10xf32>)
// CHECK: vector.transfer_read {{.*}}permutation_map{{.*}} : tensor<10x1xf32>, vector<1x10xf32>
// CHECK: scf.for %{{.*}} step %[[C392]]
// CHECK: tensor.extract_slice %[[BT]]
// CHECK: scf.for %{{.*}} step %[[C5]]
// CHECK: vector.transfer_read {{.*}} : tensor<1x10xf32>, vector<1x10xf32>
// CHECK: vector.contract {{.*}} : vector<5x1xf32>, vector<1x10xf32> into vector<5x10xf32>
func.func @ragged_transposed(%a: tensor<10x784xf32>, %b: tensor<10x784xf32>, %c: tensor<10x10xf32>) -> tensor<10x10xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<10x784xf32>, tensor<10x784xf32>) outs(%c : tensor<10x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<10x10xf32>
  return %0 : tensor<10x10xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that contractions over dynamic shapes or integers keep their
// scalar form.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.contract
// CHECK-COUNT-2: linalg.generic
func.func @left_alone(%a: tensor<?x16xf32>, %b: tensor<16x16xf32>, %c: tensor<?x16xf32>, %ia: tensor<16x16xi32>, %ib: tensor<16x16xi32>, %ic: tensor<16x16xi32>) -> (tensor<?x16xf32>, tensor<16x16xi32>) {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x16xf32>, tensor<16x16xf32>) outs(%c : tensor<?x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x16xf32>
  %1 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ia, %ib : tensor<16x16xi32>, tensor<16x16xi32>) outs(%ic : tensor<16x16xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<16x16xi32>
  return %0, %1 : tensor<?x16xf32>, tensor<16x16xi32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that a constant B stored N by K (weights) is transposed at compile
// time: [[1, 2, 3], [4, 5, 6]] becomes [[1, 4], [2, 5], [3, 6]] (f32 bytes
// 0000803F 00008040 00000040 0000A040 00004040 0000C040).
// CHECK-LABEL: func.func @constant_transposed
// CHECK-NOT: linalg.transpose
// CHECK: arith.constant dense_resource<transposed> : tensor<3x2xf32>
// CHECK: vector.contract {{.*}} : vector<4x1xf32>, vector<1x2xf32> into vector<4x2xf32>
// CHECK: transposed: "0x{{[0-9A-F]*}}0000803F00008040000000400000A040000040400000C040"
func.func @constant_transposed(%a: tensor<4x3xf32>, %c: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x3xf32>, tensor<2x3xf32>) outs(%c : tensor<4x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Tests that a 2-D convolution becomes an im2col copy ((C Kh Kw) x (Ho Wo)
// = 36 x 3136), one copy per tap of the input shifted to it (the first and
// the last checked), and a matrix multiplication of the filters (16 x 36)
// by it, which is tiled and vectorized like any other (32 columns of the
// 3136, a multiple of them per cache tile).
// CHECK-LABEL: func.func @conv
// CHECK: tensor.empty() : tensor<1x4x3x3x56x56xf32>
// CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 56, 56] [1, 1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0, 0, 0] [1, 4, 1, 1, 56, 56] [1, 1, 1, 1, 1, 1] : tensor<1x4x56x56xf32> into tensor<1x4x3x3x56x56xf32>
// CHECK: tensor.extract_slice %arg0[0, 0, 2, 2] [1, 4, 56, 56] [1, 1, 1, 1]
// CHECK: %[[COL:.*]] = tensor.insert_slice %{{.*}}[0, 0, 2, 2, 0, 0] [1, 4, 1, 1, 56, 56] [1, 1, 1, 1, 1, 1]
// CHECK: tensor.collapse_shape %[[COL]] {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x4x3x3x56x56xf32> into tensor<1x36x3136xf32>
// CHECK: tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]] : tensor<16x4x3x3xf32> into tensor<16x36xf32>
// CHECK: scf.for
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x1x32xf32> into vector<1x8x32xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x16x56x56xf32>
func.func @conv(%x: tensor<1x4x58x58xf32>, %w: tensor<16x4x3x3xf32>, %o: tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x58x58xf32>, tensor<16x4x3x3xf32>) outs(%o : tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  return %0 : tensor<1x16x56x56xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>

// Tests that elementwise ops are tiled to rows of their innermost loop (a
// divisor of it up to 4 vectors: 48 of 96) and vectorized, broadcasts
// included, while those on bools (bit-packed as vectors) stay scalar, as do
// those whose body converts through a 4-bit float.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.for
// CHECK: scf.for %{{.*}} step %c48
// CHECK: %[[X:.*]] = vector.transfer_read {{.*}} : tensor<1x48xf32>, vector<1x48xf32>
// CHECK: %[[B:.*]] = vector.transfer_read {{.*}} : tensor<48xf32>, vector<1x48xf32>
// CHECK: arith.addf %[[X]], %[[B]] : vector<1x48xf32>
// CHECK: linalg.generic
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic
// CHECK: arith.truncf %{{.*}} : f32 to f4E2M1FN
func.func @elementwise(%x: tensor<4x96xf32>, %b: tensor<96xf32>) -> (tensor<4x96xf32>, tensor<4x96xi1>, tensor<4x96xi8>) {
  %e = tensor.empty() : tensor<4x96xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x96xf32>, tensor<96xf32>) outs(%e : tensor<4x96xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %s = arith.addf %v, %w : f32
    linalg.yield %s : f32
  } -> tensor<4x96xf32>
  %eb = tensor.empty() : tensor<4x96xi1>
  %less = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x96xf32>, tensor<96xf32>) outs(%eb : tensor<4x96xi1>) {
  ^bb0(%v: f32, %w: f32, %o: i1):
    %l = arith.cmpf olt, %v, %w : f32
    linalg.yield %l : i1
  } -> tensor<4x96xi1>
  %e8 = tensor.empty() : tensor<4x96xi8>
  %f4 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x96xf32>) outs(%e8 : tensor<4x96xi8>) {
  ^bb0(%v: f32, %o: i8):
    %t = arith.truncf %v : f32 to f4E2M1FN
    %i = arith.bitcast %t : f4E2M1FN to i4
    %w = arith.extui %i : i4 to i8
    linalg.yield %w : i8
  } -> tensor<4x96xi8>
  return %sum, %less, %f4 : tensor<4x96xf32>, tensor<4x96xi1>, tensor<4x96xi8>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that an N that is not a multiple of the vector length (49, a 7 x 7
// feature map) is split into two kernels of whole vectors: columns 0 to 48,
// and the last 16 (33 to 49, overlapping the first), each inserted into the
// result, with no padded copies (A, 16 x 8, costs less to read twice).
// CHECK-LABEL: func.func @ragged_columns
// CHECK-NOT: tensor.pad
// CHECK: tensor.extract_slice %arg1[0, 0] [8, 48] [1, 1] : tensor<8x49xf32> to tensor<8x48xf32>
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK: %[[FIRST:.*]] = tensor.insert_slice %{{.*}} into %arg2[0, 0] [16, 48] [1, 1] : tensor<16x48xf32> into tensor<16x49xf32>
// CHECK: tensor.extract_slice %arg1[0, 33] [8, 16] [1, 1] : tensor<8x49xf32> to tensor<8x16xf32>
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[FIRST]][0, 33] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<16x49xf32>
func.func @ragged_columns(%a: tensor<16x8xf32>, %b: tensor<8x49xf32>, %c: tensor<16x49xf32>) -> tensor<16x49xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<16x8xf32>, tensor<8x49xf32>) outs(%c : tensor<16x49xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x49xf32>
  return %0 : tensor<16x49xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that a ragged N whose split would cost more than padding (the
// split reads A, 256 x 512, twice; padding copies B, 512 x 49, and C) is
// padded with zero columns of B to 64, by fills and a copy (no
// tensor.pad), the bias broadcast made at 64 columns, and the result
// sliced back.
// CHECK-LABEL: func.func @ragged_padded
// CHECK-NOT: tensor.pad
// CHECK: tensor.insert_slice %{{.*}}[0, 0] [512, 49] [1, 1] : tensor<512x49xf32> into tensor<512x64xf32>
// CHECK: tensor.insert_slice %{{.*}}[0, 49] [512, 15] [1, 1] : tensor<512x15xf32> into tensor<512x64xf32>
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [256, 49] [1, 1] : tensor<256x64xf32> to tensor<256x49xf32>
func.func @ragged_padded(%a: tensor<256x512xf32>, %b: tensor<512x49xf32>, %bias: tensor<256xf32>) -> tensor<256x49xf32> {
  %e = tensor.empty() : tensor<256x49xf32>
  %init = linalg.broadcast ins(%bias : tensor<256xf32>) outs(%e : tensor<256x49xf32>) dimensions = [1]
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<256x512xf32>, tensor<512x49xf32>) outs(%init : tensor<256x49xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<256x49xf32>
  return %0 : tensor<256x49xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(i, j) -> (i, j)>

// Tests that a ragged split keeps an epilogue's column indices (a causal
// mask's): the second part, columns 2 to 18, adds 2 to its own.
// CHECK-LABEL: func.func @ragged_indexed_epilogue
// CHECK: %[[TWO:.*]] = arith.constant dense<2> : vector<16xindex>
// CHECK: %[[FIRST:.*]] = vector.step : vector<16xindex>
// CHECK: arith.index_cast %[[FIRST]]
// CHECK: tensor.insert_slice {{.*}}[0, 0] [8, 16] [1, 1] : tensor<8x16xf32> into tensor<8x18xf32>
// CHECK: %[[SECOND:.*]] = arith.addi %[[FIRST]], %[[TWO]] : vector<16xindex>
// CHECK: arith.index_cast %[[SECOND]]
// CHECK: tensor.insert_slice {{.*}}[0, 2] [8, 16] [1, 1] : tensor<8x16xf32> into tensor<8x18xf32>
func.func @ragged_indexed_epilogue(%a: tensor<8x8xf32>, %b: tensor<8x18xf32>) -> tensor<8x18xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x18xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x18xf32>) -> tensor<8x18xf32>
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x8xf32>, tensor<8x18xf32>) outs(%init : tensor<8x18xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x18xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<8x18xf32>) outs(%e : tensor<8x18xf32>) {
  ^bb0(%v: f32, %o: f32):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i32
    %jf = arith.sitofp %ji : i32 to f32
    %r = arith.addf %v, %jf : f32
    linalg.yield %r : f32
  } -> tensor<8x18xf32>
  return %1 : tensor<8x18xf32>
}

// -----

// Tests that a 1 x 1 convolution of stride 1 is a matrix multiplication of
// the filters by the input viewed as C x (H W), with no im2col copy.
// CHECK-LABEL: func.func @pointwise
// CHECK-DAG: tensor.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : tensor<1x8x16x16xf32> into tensor<1x8x256xf32>
// CHECK-DAG: tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]] : tensor<32x8x1x1xf32> into tensor<32x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x1x32xf32> into vector<1x8x32xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x32x16x16xf32>
func.func @pointwise(%x: tensor<1x8x16x16xf32>, %w: tensor<32x8x1x1xf32>, %o: tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x8x16x16xf32>, tensor<32x8x1x1xf32>) outs(%o : tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32>
  return %0 : tensor<1x32x16x16xf32>
}

// -----

// Tests that a depthwise convolution (one channel and one filter per group;
// stride 2) becomes one elementwise generic over the output as N x G x H x W:
// its per-group bias (the broadcast accumulator) plus the sum over its 9
// taps of the input shifted and strided to each tap times the tap's
// per-group weight, as fused multiply-adds; its activation is fused into it
// (one generic, no broadcast), and it is vectorized along the output's
// rows: each tap's row of 8 a contiguous read of 15 and a shuffle of every
// other lane.
// CHECK-LABEL: func.func @depthwise
// CHECK: tensor.extract_slice %arg1[0, 0, 0, 2, 2] [4, 1, 1, 1, 1] [1, 1, 1, 1, 1]
// CHECK-NOT: linalg.
// CHECK: vector.transfer_read {{.*}} : tensor<1x4x17x17xf32>, vector<1x1x1x15xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14] : vector<15xf32>, vector<15xf32>
// CHECK-COUNT-9: arith.mulf {{.*}} fastmath<contract> : vector<1x1x1x8xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x1x1x8xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x4x1x8x8xf32>
func.func @depthwise(%x: tensor<1x4x17x17xf32>, %w: tensor<4x1x1x3x3xf32>, %bias: tensor<4xf32>) -> tensor<1x4x1x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %x5 = tensor.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 17, 17] : tensor<1x4x17x17xf32> into tensor<1x4x1x17x17xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %b = linalg.broadcast ins(%bias : tensor<4xf32>) outs(%e : tensor<1x4x8x8xf32>) dimensions = [0, 2, 3]
  %b5 = tensor.expand_shape %b [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 8, 8] : tensor<1x4x8x8xf32> into tensor<1x4x1x8x8xf32>
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x5, %w : tensor<1x4x1x17x17xf32>, tensor<4x1x1x3x3xf32>) outs(%b5 : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  %1 = tensor.collapse_shape %0 [[0], [1, 2], [3], [4]] : tensor<1x4x1x8x8xf32> into tensor<1x4x8x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1 : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %3 = tensor.expand_shape %2 [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 8, 8] : tensor<1x4x8x8xf32> into tensor<1x4x1x8x8xf32>
  return %3 : tensor<1x4x1x8x8xf32>
}

// -----

// Tests that a depthwise convolution's activation is fused into it where
// the activation reads operands made after the convolution (a per-channel
// scale collapsed, an output allocated, as a QuantizeLinear's): the fused
// op stands where the activation did, after them. Its taps are unit-strided,
// so a tile is 4 rows of 8 (up to 7 vectors, a divisor of the 8 rows),
// whose taps read the same input rows.
// CHECK-LABEL: func.func @depthwise_scaled
// CHECK: %[[SCALE:.*]] = tensor.collapse_shape %arg2
// CHECK-NOT: linalg.
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x4x8xf32>, vector<1x1x4x8xf32>
// CHECK-COUNT-9: arith.mulf {{.*}} fastmath<contract> : vector<1x1x4x8xf32>
// CHECK: arith.mulf
// CHECK: tensor.expand_shape {{.*}} into tensor<1x4x1x8x8xf32>
func.func @depthwise_scaled(%x: tensor<1x4x10x10xf32>, %w: tensor<4x1x1x3x3xf32>, %scale: tensor<1x4x1x1xf32>) -> tensor<1x4x1x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %x5 = tensor.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 10, 10] : tensor<1x4x10x10xf32> into tensor<1x4x1x10x10xf32>
  %e = tensor.empty() : tensor<1x4x1x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x5, %w : tensor<1x4x1x10x10xf32>, tensor<4x1x1x3x3xf32>) outs(%init : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  %1 = tensor.collapse_shape %0 [[0], [1, 2], [3], [4]] : tensor<1x4x1x8x8xf32> into tensor<1x4x8x8xf32>
  %s = tensor.collapse_shape %scale [[0], [1, 2, 3]] : tensor<1x4x1x1xf32> into tensor<1x4xf32>
  %out = tensor.empty() : tensor<1x4x8x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1, %s : tensor<1x4x8x8xf32>, tensor<1x4xf32>) outs(%out : tensor<1x4x8x8xf32>) {
  ^bb0(%v: f32, %k: f32, %o: f32):
    %r = arith.mulf %v, %k : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %3 = tensor.expand_shape %2 [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 8, 8] : tensor<1x4x8x8xf32> into tensor<1x4x1x8x8xf32>
  return %3 : tensor<1x4x1x8x8xf32>
}

// -----

// Tests that a padding becomes a copy of the source into its middle, tiled
// to rows: the 64 x 64 source row by row (a vector read and write that
// canonicalize into a row copy) at offset (1, 1), then fills of its borders
// (rows 0 and 65 by vector writes of 33, columns 0 and 65 element by
// element). The middle is written once, not filled first.
// CHECK-LABEL: func.func @pad
// CHECK-NOT: tensor.pad
// CHECK: %[[MIDDLE:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1] [2, 64, 64] [1, 1, 1] : tensor<2x66x66xf32> to tensor<2x64x64xf32>
// CHECK: tensor.extract_slice %arg0[%{{.*}}, %{{.*}}, 0] [1, 1, 64] [1, 1, 1] : tensor<2x64x64xf32> to tensor<1x1x64xf32>
// CHECK: tensor.insert_slice %{{.*}}[0, 1, 1] [2, 64, 64] [1, 1, 1] : tensor<2x64x64xf32> into tensor<2x66x66xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 1, 66] [1, 1, 1]
// CHECK: vector.transfer_write %{{.*}} : vector<1x1x33xf32>, tensor<1x1x33xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 65, 0] [2, 1, 66] [1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 66, 1] [1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 65] [2, 66, 1] [1, 1, 1]
func.func @pad(%x: tensor<2x64x64xf32>) -> tensor<2x66x66xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = tensor.pad %x low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<2x64x64xf32> to tensor<2x66x66xf32>
  return %0 : tensor<2x66x66xf32>
}

// -----

// Tests that a row reduction (a softmax's sum over the last loop, 4 x 128)
// is tiled to single rows, each reduced as one vector of 128.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %arg0[%{{.*}}, 0] [1, 128] [1, 1] : tensor<4x128xf32> to tensor<1x128xf32>
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[SLICE]]{{.*}} : tensor<1x128xf32>, vector<1x128xf32>
// CHECK: vector.multi_reduction <add>, %[[ROW]], %{{.*}} [1] : vector<1x128xf32> to vector<1xf32>
func.func @row_sum(%x: tensor<4x128xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x128xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a reduction over a dim that is not innermost in its input
// (a column sum) is left alone.
// CHECK-LABEL: func.func @column_sum
// CHECK-NOT: vector.multi_reduction
// CHECK: linalg.generic
func.func @column_sum(%x: tensor<128x4xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<128x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a row read with a stride of 2 (a strided convolution's tap)
// becomes a contiguous read of the 2 n - 1 elements it spans and, for each
// vector of the result, a shuffle of every other lane of the two vectors it
// spans (the last of them one short).
// CHECK-LABEL: func.func @strided_rows
// CHECK: %[[WIDE:.*]] = vector.transfer_read %arg0{{.*}} : tensor<4x64xf32>, vector<1x63xf32>
// CHECK: %[[FLAT:.*]] = vector.shape_cast %[[WIDE]] : vector<1x63xf32> to vector<63xf32>
// CHECK: %[[LOW:.*]] = vector.extract_strided_slice %[[FLAT]] {offsets = [0], sizes = [32], strides = [1]} : vector<63xf32> to vector<32xf32>
// CHECK: vector.shuffle %[[LOW]], %[[LOW]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK: %[[HIGH:.*]] = vector.extract_strided_slice %[[FLAT]] {offsets = [32], sizes = [31], strides = [1]} : vector<63xf32> to vector<31xf32>
// CHECK: vector.shuffle %[[HIGH]], %[[HIGH]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<31xf32>, vector<31xf32>
func.func @strided_rows(%x: tensor<4x64xf32>) -> tensor<4x32xf32> {
  %half = tensor.extract_slice %x[0, 0] [4, 32] [1, 2] : tensor<4x64xf32> to tensor<4x32xf32>
  %e = tensor.empty() : tensor<4x32xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%half : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

// Tests that a max pooling (3 x 3 window, stride 2, as the importer writes
// it: reduction loops over a window tensor) becomes one elementwise generic
// that takes the maximum of its 9 taps in turn, vectorized along the output
// rows, each tap read as a contiguous row and shuffled.
// CHECK-LABEL: func.func @max_pool
// CHECK-NOT: linalg.generic
// CHECK: vector.shuffle
// CHECK-COUNT-9: arith.maximumf {{.*}} : vector<1x1x1x8xf32>
func.func @max_pool(%x: tensor<1x4x17x17xf32>) -> tensor<1x4x8x8xf32> {
  %lowest = arith.constant 0xFF800000 : f32
  %window = tensor.empty() : tensor<3x3xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.fill ins(%lowest : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w, kh, kw) -> (n, c, h * 2 + kh, w * 2 + kw)>, affine_map<(n, c, h, w, kh, kw) -> (kh, kw)>, affine_map<(n, c, h, w, kh, kw) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %window : tensor<1x4x17x17xf32>, tensor<3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %unused: f32, %out: f32):
    %m = arith.maximumf %out, %in : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Tests that a reduction over a whole tensor of more than 4,096 elements
// runs in pieces of at most that many (4 rows of 784), each reduced as one
// vector, in a loop that carries the accumulator.
// CHECK-LABEL: func.func @whole_tensor_reduction
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C64]] step %[[C4]] iter_args
// CHECK: vector.transfer_read {{.*}} : tensor<4x784xf32>, vector<4x784xf32>
// CHECK: vector.multi_reduction <minnumf>
func.func @whole_tensor_reduction(%x: tensor<64x784xf32>) -> tensor<f32> {
  %inf = arith.constant 0x7F800000 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%inf : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<64x784xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.minnumf %in, %acc : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
