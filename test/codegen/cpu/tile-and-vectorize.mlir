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
// feature map) is padded with zero columns of B and C to 64, so that the
// kernel's vectors are whole, and the result sliced back.
// CHECK-LABEL: func.func @ragged_columns
// CHECK: %[[B:.*]] = tensor.pad %arg1 low[0, 0] high[0, 15]
// CHECK: : tensor<8x49xf32> to tensor<8x64xf32>
// CHECK: %[[C:.*]] = tensor.pad %arg2 low[0, 0] high[0, 15]
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [16, 49] [1, 1] : tensor<16x64xf32> to tensor<16x49xf32>
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
// stride 2) becomes one elementwise sum over its 9 taps of the input
// shifted and strided to each tap times the tap's per-group weight, then
// vectorized along the output's rows: each tap's row of 8 a contiguous
// read of 15 and a shuffle of every other lane.
// CHECK-LABEL: func.func @depthwise
// CHECK: tensor.extract_slice %arg1[0, 0, 0, 2, 2] [4, 1, 1, 1, 1] [1, 1, 1, 1, 1]
// CHECK: vector.transfer_read %arg0[%c0, %{{.*}}, %c0, %{{.*}}, %c0]{{.*}} : tensor<1x4x1x17x17xf32>, vector<1x1x1x1x15xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14] : vector<15xf32>, vector<15xf32>
// CHECK: vector.transfer_read %arg0[%c0, %{{.*}}, %c0, %{{.*}}, %c2]{{.*}} : tensor<1x4x1x17x17xf32>, vector<1x1x1x1x15xf32>
// CHECK-NOT: linalg.
// CHECK-COUNT-9: arith.mulf {{.*}} : vector<1x1x1x1x8xf32>
func.func @depthwise(%x: tensor<1x4x1x17x17xf32>, %w: tensor<4x1x1x3x3xf32>, %o: tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32> {
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x4x1x17x17xf32>, tensor<4x1x1x3x3xf32>) outs(%o : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  return %0 : tensor<1x4x1x8x8xf32>
}

// -----

// Tests that a padding becomes a fill of the result and a copy into its
// middle, both tiled to rows: the 66 x 66 fill by vector writes of 33, the
// 64 x 64 source row by row (a vector read and write that canonicalize into
// a row copy) at offset (1, 1).
// CHECK-LABEL: func.func @pad
// CHECK-NOT: tensor.pad
// CHECK: vector.transfer_write %{{.*}} : vector<1x1x33xf32>, tensor<1x1x33xf32>
// CHECK: %[[MIDDLE:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1] [2, 64, 64] [1, 1, 1] : tensor<2x66x66xf32> to tensor<2x64x64xf32>
// CHECK: tensor.extract_slice %arg0[%{{.*}}, %{{.*}}, 0] [1, 1, 64] [1, 1, 1] : tensor<2x64x64xf32> to tensor<1x1x64xf32>
// CHECK: tensor.insert_slice %{{.*}}[0, 1, 1] [2, 64, 64] [1, 1, 1] : tensor<2x64x64xf32> into tensor<2x66x66xf32>
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
// becomes a contiguous read of the 2 n - 1 elements it spans and a shuffle
// of every other lane.
// CHECK-LABEL: func.func @strided_rows
// CHECK: %[[WIDE:.*]] = vector.transfer_read %arg0{{.*}} : tensor<4x64xf32>, vector<1x63xf32>
// CHECK: %[[FLAT:.*]] = vector.shape_cast %[[WIDE]] : vector<1x63xf32> to vector<63xf32>
// CHECK: vector.shuffle %[[FLAT]], %[[FLAT]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 62] : vector<63xf32>, vector<63xf32>
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
