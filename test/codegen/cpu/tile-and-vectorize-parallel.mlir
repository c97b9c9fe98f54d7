// RUN: aic-opt %s --pass-pipeline='builtin.module(func.func(aic-cpu-tile-and-vectorize{parallel=true}),canonicalize,cse)' | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(i, j, k) -> (i, j, k)>

// Tests that a big matmul (2^26 multiply-adds) is split over threads by its
// N cache tiles (512 / 256: two pieces) and, for at least 8 pieces, its M
// rows (128 / 32), with the cache tiling (K by 512) and the kernel inside
// each piece.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (128, 512) step (32, 256) shared_outs(
// CHECK: scf.for %{{.*}} step %c512
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
func.func @matmul(%a: tensor<128x1024xf32>, %b: tensor<1024x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<128x1024xf32>, tensor<1024x512xf32>) outs(%c : tensor<128x512xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}


// Tests that a matmul whose N is one cache tile is split by its M cache
// tiles instead (512 rows / 64).
// CHECK-LABEL: func.func @tall
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (64) shared_outs(
// CHECK: vector.contract
func.func @tall(%a: tensor<512x1024xf32>, %b: tensor<1024x64xf32>, %c: tensor<512x64xf32>) -> tensor<512x64xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<512x1024xf32>, tensor<1024x64xf32>) outs(%c : tensor<512x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<512x64xf32>
  return %0 : tensor<512x64xf32>
}


// Tests that a matrix-vector product (one row: 2^19 multiply-adds, each
// streaming an element of B) is split over threads too, by its columns in
// multiples of its register tile: 8 vectors of one row (8 independent
// accumulators), 128 of the 512 columns.
// CHECK-LABEL: func.func @vector_matrix
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (128) shared_outs(
// CHECK: vector.contract {{.*}} into vector<1x128xf32>
func.func @vector_matrix(%a: tensor<1x1024xf32>, %b: tensor<1024x512xf32>, %c: tensor<1x512xf32>) -> tensor<1x512xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<1x1024xf32>, tensor<1024x512xf32>) outs(%c : tensor<1x512xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}


// Tests that a big im2col copy (4 channels x 9 taps x 56 x 56) is one
// scf.forall over the 56 output rows, each copying every tap's row into its
// slice of col (the taps at column offsets 0 and 2 checked): one team for
// the copy, not one per tap.
// CHECK-LABEL: func.func @conv
// CHECK: scf.forall (%[[ROW:.*]]) in (56) shared_outs(%[[COL:.*]] = %{{.*}}) -> (tensor<1x4x3x3x56x56xf32>)
// CHECK: tensor.extract_slice %[[COL]][0, 0, 0, 0, %[[ROW]], 0] [1, 4, 3, 3, 1, 56]
// CHECK: tensor.extract_slice %arg0[0, 0, %[[ROW]], 0] [1, 4, 1, 56] [1, 1, 1, 1]
// CHECK-NOT: scf.forall (
// CHECK: tensor.extract_slice %arg0[0, 0, %[[ROW]], 2] [1, 4, 1, 56] [1, 1, 1, 1]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[COL]][0, 0, 0, 0, %[[ROW]], 0] [1, 4, 3, 3, 1, 56]
func.func @conv(%x: tensor<1x4x58x58xf32>, %w: tensor<16x4x3x3xf32>, %o: tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x58x58xf32>, tensor<16x4x3x3xf32>) outs(%o : tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  return %0 : tensor<1x16x56x56xf32>
}


// Tests that a big padding (96 channels of 114 x 114) is one scf.forall
// over its channels, each iteration filling its channel's borders and
// copying its middle: one team, and no serial border fills.
// CHECK-LABEL: func.func @pad
// CHECK: scf.forall (%[[C:.*]]) in (96) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x96x114x114xf32>)
// CHECK: tensor.extract_slice %[[OUT]][0, %[[C]], 0, 0] [1, 1, 114, 114]
// CHECK: tensor.extract_slice %arg0[0, %[[C]], 0, 0] [1, 1, 112, 112]
// CHECK-NOT: scf.forall (
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[C]], 0, 0] [1, 1, 114, 114]
func.func @pad(%x: tensor<1x96x112x112xf32>) -> tensor<1x96x114x114xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x96x112x112xf32> to tensor<1x96x114x114xf32>
  return %0 : tensor<1x96x114x114xf32>
}


// Tests that a big depthwise convolution (16 channels of 56 x 56, 9 taps)
// pads its input a channel at a time, in its threads' pieces: one
// scf.forall over the channels, each padding its channel into a 58 x 58
// buffer on the stack (no tensor.pad, no padded tensor) and reading its
// taps from there, 2 rows of 28 at a time (its taps unit-strided), with
// its activation fused.
// CHECK-LABEL: func.func @depthwise_padded
// CHECK-NOT: tensor.pad
// CHECK: scf.forall (%[[G:.*]]) in (16) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x16x56x56xf32>)
// CHECK: %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<1x1x58x58xf32>
// CHECK: %[[PLANE:.*]] = bufferization.to_tensor %[[BUF]] restrict writable
// CHECK: tensor.extract_slice %arg0[0, %[[G]], 0, 0] [1, 1, 56, 56]
// CHECK: tensor.insert_slice %{{.*}} into %[[PLANE]][0, 0, 1, 1] [1, 1, 56, 56]
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x2x28xf32>, vector<1x1x2x28xf32>
// CHECK-COUNT-9: arith.mulf {{.*}} fastmath<contract> : vector<1x1x2x28xf32>
// CHECK: arith.minimumf {{.*}} : vector<1x1x2x28xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[G]], 0, 0] [1, 1, 56, 56]
func.func @depthwise_padded(%x: tensor<1x16x56x56xf32>, %w: tensor<16x1x1x3x3xf32>, %bias: tensor<16xf32>) -> tensor<1x16x1x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x16x56x56xf32> to tensor<1x16x58x58xf32>
  %x5 = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [1, 16, 1, 58, 58] : tensor<1x16x58x58xf32> into tensor<1x16x1x58x58xf32>
  %e = tensor.empty() : tensor<1x16x56x56xf32>
  %b = linalg.broadcast ins(%bias : tensor<16xf32>) outs(%e : tensor<1x16x56x56xf32>) dimensions = [0, 2, 3]
  %b5 = tensor.expand_shape %b [[0], [1, 2], [3], [4]] output_shape [1, 16, 1, 56, 56] : tensor<1x16x56x56xf32> into tensor<1x16x1x56x56xf32>
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x5, %w : tensor<1x16x1x58x58xf32>, tensor<16x1x1x3x3xf32>) outs(%b5 : tensor<1x16x1x56x56xf32>) -> tensor<1x16x1x56x56xf32>
  %1 = tensor.collapse_shape %0 [[0], [1, 2], [3], [4]] : tensor<1x16x1x56x56xf32> into tensor<1x16x56x56xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1 : tensor<1x16x56x56xf32>) outs(%e : tensor<1x16x56x56xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    %s = arith.minimumf %r, %six : f32
    linalg.yield %s : f32
  } -> tensor<1x16x56x56xf32>
  %3 = tensor.expand_shape %2 [[0], [1, 2], [3], [4]] output_shape [1, 16, 1, 56, 56] : tensor<1x16x56x56xf32> into tensor<1x16x1x56x56xf32>
  return %3 : tensor<1x16x1x56x56xf32>
}


// Tests that a big depthwise convolution of stride 2 keeps its padded
// plane as 2 phases (the even padded columns, then the odd: 2 x 58 x 29):
// the copy into each reads a source row contiguously (55 elements from
// column 1 for phase 0, from column 0 for phase 1) and keeps every other
// one, and the taps then read whole rows of one phase (tap (0, 1) phase 1
// from column 0, tap (0, 2) phase 0 from column 1), row-strided, with no
// shuffles.
// CHECK-LABEL: func.func @depthwise_strided
// CHECK: scf.forall (%[[G:.*]]) in (16)
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<1x2x58x29xf32>
// CHECK: vector.transfer_read %arg0[%c0, %[[G]], %{{.*}}, %c1]{{.*}} : tensor<1x16x56x56xf32>, vector<1x1x1x55xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [1, 1, 58, 29] [1, 1, 1, 1] : tensor<1x1x58x29xf32> into tensor<1x2x58x29xf32>
// CHECK: vector.transfer_read %arg0[%c0, %[[G]], %{{.*}}, %c0]{{.*}} : tensor<1x16x56x56xf32>, vector<1x1x1x55xf32>
// CHECK: %[[PHASES:.*]] = tensor.insert_slice %{{.*}}[0, 1, 0, 0] [1, 1, 58, 29] [1, 1, 1, 1] : tensor<1x1x58x29xf32> into tensor<1x2x58x29xf32>
// CHECK: tensor.extract_slice %[[PHASES]][0, 1, 0, 0] [1, 1, 28, 28] [1, 1, 2, 1]
// CHECK: tensor.extract_slice %[[PHASES]][0, 0, 0, 1] [1, 1, 28, 28] [1, 1, 2, 1]
// CHECK-NOT: vector.shuffle
// CHECK: tensor.parallel_insert_slice
func.func @depthwise_strided(%x: tensor<1x16x56x56xf32>, %w: tensor<16x1x1x3x3xf32>, %bias: tensor<16xf32>) -> tensor<1x16x1x28x28xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x16x56x56xf32> to tensor<1x16x58x58xf32>
  %x5 = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [1, 16, 1, 58, 58] : tensor<1x16x58x58xf32> into tensor<1x16x1x58x58xf32>
  %e = tensor.empty() : tensor<1x16x28x28xf32>
  %b = linalg.broadcast ins(%bias : tensor<16xf32>) outs(%e : tensor<1x16x28x28xf32>) dimensions = [0, 2, 3]
  %b5 = tensor.expand_shape %b [[0], [1, 2], [3], [4]] output_shape [1, 16, 1, 28, 28] : tensor<1x16x28x28xf32> into tensor<1x16x1x28x28xf32>
  %0 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x5, %w : tensor<1x16x1x58x58xf32>, tensor<16x1x1x3x3xf32>) outs(%b5 : tensor<1x16x1x28x28xf32>) -> tensor<1x16x1x28x28xf32>
  return %0 : tensor<1x16x1x28x28xf32>
}


// Tests that a small matmul (2^15 multiply-adds) stays on one thread.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall (
// CHECK: vector.contract
func.func @small(%a: tensor<32x32xf32>, %b: tensor<32x32xf32>, %c: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<32x32xf32>, tensor<32x32xf32>) outs(%c : tensor<32x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<32x32xf32>
  return %0 : tensor<32x32xf32>
}


// Tests that a big elementwise op (2^18 elements) is split over its
// outermost loop of more than one iteration (the 64 channels; the batch
// of 1 is not one), then tiled to vectorized rows; a small one is not.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%{{.*}}) in (64) shared_outs(
// CHECK: vector.transfer_read
// CHECK: arith.maximumf %{{.*}} : vector<1x1x64xf32>
// CHECK-LABEL: func.func @small_elementwise
// CHECK-NOT: scf.forall (
// An op of 3 channels (and 2^17 elements) is split by its 224 rows, for
// enough pieces.
// CHECK-LABEL: func.func @few_channels
// CHECK: scf.forall (%{{.*}}) in (224) shared_outs(
func.func @elementwise(%x: tensor<1x64x4096xf32>) -> tensor<1x64x4096xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x4096xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x64x4096xf32>) outs(%e : tensor<1x64x4096xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x64x4096xf32>
  return %0 : tensor<1x64x4096xf32>
}

func.func @small_elementwise(%x: tensor<1x4x64xf32>) -> tensor<1x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x64xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x64xf32>) outs(%e : tensor<1x4x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x64xf32>
  return %0 : tensor<1x4x64xf32>
}

func.func @few_channels(%x: tensor<3x224x224xf32>) -> tensor<3x224x224xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x224x224xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<3x224x224xf32>) outs(%e : tensor<3x224x224xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<3x224x224xf32>
  return %0 : tensor<3x224x224xf32>
}
