// RUN: aic-opt %s --split-input-file --aic-convert-aic-to-linalg | FileCheck %s

// Tests that a broadcasting add becomes a generic op whose maps broadcast
// the smaller operand; an operand's broadcast dims of 1 are collapsed
// away, so that it is read along its other dims (maps that are projected
// permutations).
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @add_broadcast
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]]
  // CHECK: arith.addf
  %0 = aic.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x1xf32> into tensor<2xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$COL]], #[[$ID]]]{{.*}}ins(%{{.*}}, %[[C]] :
  // CHECK: arith.divf
  %1 = aic.div %0, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// Tests that integer ops pick integer arith ops (division truncates).
// CHECK-LABEL: func.func @integer
func.func @integer(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: arith.divsi
  %0 = aic.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.maxsi
  %1 = aic.relu %0 : tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// Tests that relu is a NaN-propagating maximum with zero.
// CHECK-LABEL: func.func @relu
func.func @relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: arith.maximumf %{{.*}}, %[[ZERO]] : f32
  %0 = aic.relu %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a batched matmul broadcasts batch dims through its maps and
// accumulates into a zero-filled tensor.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_batched
func.func @matmul_batched(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> {
  // CHECK: linalg.fill
  // CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = aic.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  return %0 : tensor<2x5x3x6xf32>
}

// -----

// Tests that matmul of a vector drops the promoted dimension again.
// CHECK-LABEL: func.func @matmul_vector
func.func @matmul_vector(%a: tensor<4xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 4] : tensor<4xf32> into tensor<1x4xf32>
  // CHECK: linalg.generic
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
  %0 = aic.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Tests that gemm transposes through its maps and scales in an epilogue.
// CHECK-DAG: #[[$AT:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm
func.func @gemm(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$AT]], #[[$BT]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: linalg.generic
  // CHECK: arith.constant 2.500000e-01 : f32
  // CHECK: arith.mulf
  // CHECK: arith.constant 2.000000e+00 : f32
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = aic.gemm %a, %b, %c {alpha = 0.25 : f32, beta = 2.0 : f32, trans_a = true, trans_b = true} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Tests that a padded, strided conv with bias pads with tensor.pad and
// starts from the broadcast bias.
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: linalg.broadcast ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>) dimensions = [0, 2, 3]
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
  %0 = aic.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Tests that a grouped conv splits channels into groups.
// CHECK-LABEL: func.func @conv_grouped
func.func @conv_grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  // CHECK: tensor.expand_shape %{{.*}} : tensor<1x4x5x5xf32> into tensor<1x2x2x5x5xf32>
  // CHECK: tensor.expand_shape %{{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
  // CHECK: linalg.conv_2d_ngchw_gfchw
  // CHECK: tensor.collapse_shape %{{.*}} : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// Tests that static reshapes and flattens are views, transposes
// linalg.transpose, and constants arith constants.
// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<1x24xf32>, tensor<4x2x3xf32>) {
  // CHECK: arith.constant dense<[4, -1]> : tensor<2xi64>
  %s = aic.constant dense<[4, -1]> : tensor<2xi64>
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
  %0 = aic.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  // CHECK: tensor.expand_shape %{{.*}} output_shape [1, 24] : tensor<24xf32> into tensor<1x24xf32>
  %1 = aic.flatten %x {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %2 = aic.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0, %1, %2 : tensor<4x6xf32>, tensor<1x24xf32>, tensor<4x2x3xf32>
}

// -----

// Tests that a reshape to a run-time shape computes the 0 and -1 entries.
// CHECK-LABEL: func.func @reshape_dynamic
func.func @reshape_dynamic(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  // CHECK: tensor.extract
  // CHECK: arith.select
  // CHECK: arith.divsi
  // CHECK: %[[SHAPE:.*]] = tensor.from_elements
  // CHECK: tensor.reshape %{{.*}}(%[[SHAPE]]) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %0 = aic.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that a grouped 1-D conv becomes a generic op over NGC... layouts
// with strided, dilated input indexing.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 3)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[$O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv1d_grouped
func.func @conv1d_grouped(%x: tensor<1x4x11xf32>, %w: tensor<6x2x2xf32>) -> tensor<1x6x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$W]], #[[$O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<1x2x3x4xf32> into tensor<1x6x4xf32>
  %0 = aic.conv %x, %w {dilations = array<i64: 3>, group = 2 : i64, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x4x11xf32>, tensor<6x2x2xf32>) -> tensor<1x6x4xf32>
  return %0 : tensor<1x6x4xf32>
}

// -----

// Tests that comparisons yield i1, where selects, and 16-bit floats are
// computed in f32 and rounded once.
// CHECK-LABEL: func.func @compare_where_f16
func.func @compare_where_f16(%a: tensor<4xf16>, %b: tensor<4xf16>) -> tensor<4xf16> {
  // CHECK: arith.extf %{{.*}} : f16 to f32
  // CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
  // CHECK: -> tensor<4xi1>
  %c = aic.less %a, %b : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xi1>
  // CHECK: arith.select
  %w = aic.where %c, %a, %b : (tensor<4xi1>, tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  // CHECK: math.exp %{{.*}} : f32
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %e = aic.exp %w : tensor<4xf16>
  return %e : tensor<4xf16>
}

// -----

// Tests that a keepdims reduction reduces, then expands the unit dim back.
// CHECK-LABEL: func.func @reduce_mean
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  // CHECK: linalg.fill
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
  // CHECK: arith.addf
  // CHECK: arith.divf
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
  %0 = aic.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Tests that argmax carries the best value and its index.
// CHECK-LABEL: func.func @argmax
func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
  // CHECK: linalg.index 1 : index
  // CHECK: arith.cmpf ogt
  %0 = aic.argmax %x {axis = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Tests that softmax subtracts the max before exponentiating.
// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: arith.maximumf
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: arith.addf
  // CHECK: arith.divf
  %0 = aic.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that an average pool with padding excluded from the count divides
// by per-position counts: 2 at the border, 3 inside, for kernel 3, pad 1.
// CHECK-LABEL: func.func @average_pool
func.func @average_pool(%x: tensor<1x1x4xf32>) -> tensor<1x1x4xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 1]
  // CHECK: arith.constant dense<[2.000000e+00, 3.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<4xf32>
  // CHECK: arith.divf
  %0 = aic.average_pool %x {kernel = array<i64: 3>, strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 1, 1>} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

// Tests that ceil_mode pads the end for the last window with -inf.
// CHECK-LABEL: func.func @max_pool_ceil
func.func @max_pool_ceil(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, 0, 1]
  // CHECK: arith.maximumf
  %0 = aic.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, ceil_mode = true} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// Tests the shape-shuffling ops: concat as insert_slices, squeeze and
// unsqueeze as reshapes, gather and slice as extracting generics.
// CHECK-LABEL: func.func @shuffles
func.func @shuffles(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>, %i: tensor<2xi64>) -> (tensor<3x3xf32>, tensor<3xf32>, tensor<1x2x3xf32>, tensor<2x3xf32>, tensor<1x3xf32>) {
  // CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 3] [1, 1]
  // CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[2, 0] [1, 3] [1, 1]
  %0 = aic.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x3xf32> into tensor<3xf32>
  %1 = aic.squeeze %b {axes = array<i64: 0>} : (tensor<1x3xf32>) -> tensor<3xf32>
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [1, 2, 3] : tensor<2x3xf32> into tensor<1x2x3xf32>
  %2 = aic.unsqueeze %a {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<1x2x3xf32>
  // CHECK: linalg.generic
  // CHECK: arith.index_cast
  // CHECK: tensor.extract
  %3 = aic.gather %a, %i {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  // CHECK: linalg.generic
  // CHECK: tensor.extract
  %4 = aic.slice %a {starts = array<i64: 1, 2>, sizes = array<i64: 1, 3>, steps = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0, %1, %2, %3, %4 : tensor<3x3xf32>, tensor<3xf32>, tensor<1x2x3xf32>, tensor<2x3xf32>, tensor<1x3xf32>
}

// -----

// Tests that f16 matmuls accumulate in f32 and round once.
// CHECK-LABEL: func.func @matmul_f16
func.func @matmul_f16(%a: tensor<2x3xf16>, %b: tensor<3x4xf16>) -> tensor<2x4xf16> {
  // CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4xf32>)
  // CHECK: arith.extf %{{.*}} : f16 to f32
  // CHECK: arith.mulf %{{.*}} : f32
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %0 = aic.matmul %a, %b : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// Tests that reflect padding mirrors indices and constant padding selects
// the value outside the input.
// CHECK-LABEL: func.func @pads
func.func @pads(%x: tensor<3xf32>, %v: tensor<f32>) -> (tensor<6xf32>, tensor<5xf32>) {
  // CHECK: linalg.generic
  // CHECK: arith.remsi
  // CHECK: tensor.extract
  %0 = aic.pad %x {mode = "reflect", pads = array<i64: 2, 1>} : (tensor<3xf32>) -> tensor<6xf32>
  // CHECK: linalg.generic
  // CHECK: arith.andi
  // CHECK: tensor.extract %{{.*}}[] : tensor<f32>
  // CHECK: arith.select
  %1 = aic.pad %x value %v {mode = "constant", pads = array<i64: 1, 1>} : (tensor<3xf32>, tensor<f32>) -> tensor<5xf32>
  return %0, %1 : tensor<6xf32>, tensor<5xf32>
}

// -----

// Tests that LRN sums squares over a zero-padded channel window.
// CHECK-LABEL: func.func @lrn
func.func @lrn(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 1, 0, 0] high[0, 1, 0, 0]
  // CHECK: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
  // CHECK: math.powf
  %0 = aic.lrn %x {alpha = 1.0e-04 : f32, beta = 7.5e-01 : f32, bias = 1.0 : f32, size = 3 : i64} : tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// Tests that a linear resize maps each output index back through the
// half_pixel transform (x / 2 - 0.25 for scale 2) and blends two taps.
// CHECK-LABEL: func.func @resize_linear
func.func @resize_linear(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // CHECK-DAG: arith.constant 5.000000e-01 : f64
  // CHECK-DAG: %[[B:.*]] = arith.constant -2.500000e-01 : f64
  // CHECK: linalg.generic
  // CHECK: %[[AX:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
  // CHECK: arith.addf %[[AX]], %[[B]] : f64
  // CHECK: math.floor
  // CHECK-COUNT-2: tensor.extract
  %0 = aic.resize %x {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 2.0>, roi = array<f32>, cubic_coeff_a = -7.5e-01 : f32, exclude_outside = false, extrapolation_value = 0.0 : f32} : (tensor<1x4xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// Tests that a conv over dynamic spatial dims computes its output extent at
// run time: (H + 2 - 3) / 1 + 1.
// CHECK-LABEL: func.func @conv_dynamic_spatial
func.func @conv_dynamic_spatial(%x: tensor<1x3x?x?xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x?x?xf32> {
  // CHECK: %[[H:.*]] = tensor.dim %{{.*}}, %c2
  // CHECK: arith.addi %[[H]], %c-1
  // CHECK: arith.divsi
  // CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<1x6x?x?xf32>
  // CHECK: linalg.conv_2d_nchw_fchw
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x?x?xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x?x?xf32>
  return %0 : tensor<1x6x?x?xf32>
}

// -----

// Tests that a conv whose filters and kernel are known only at run time
// reads them from the weight: F for the result, and the kernel's extent
// in the output's (checked to fit the input).
// CHECK-LABEL: func.func @conv_dynamic_filters
func.func @conv_dynamic_filters(%x: tensor<1x3x?x8xf32>, %w: tensor<?x3x?x3xf32>) -> tensor<1x?x?x6xf32> {
  // CHECK: %[[F:.*]] = tensor.dim %arg1, %c0
  // CHECK: %[[K:.*]] = tensor.dim %arg1, %c2
  // CHECK: %[[SPAN:.*]] = arith.muli %c1{{.*}}, %[[K]]
  // CHECK: %[[ROOM:.*]] = arith.subi %{{.*}}, %[[SPAN]]
  // CHECK: arith.cmpi sge, %[[ROOM]]
  // CHECK: tensor.empty(%[[F]], %{{.*}}) : tensor<1x?x?x6xf32>
  // CHECK: linalg.conv_2d_nchw_fchw
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x?x8xf32>, tensor<?x3x?x3xf32>) -> tensor<1x?x?x6xf32>
  return %0 : tensor<1x?x?x6xf32>
}

// -----

// Tests that grouped-query attention reads key/value head h floordiv 4
// through the contraction's map (no repeated copies of K and V), that the
// causal mask compares key and query indices, and that a fully masked row
// is selected to zero.
// CHECK-DAG: #[[$KV:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-LABEL: func.func @attention_gqa_causal
func.func @attention_gqa_causal(%q: tensor<1x8x4x16xf32>, %k: tensor<1x2x6x16xf32>) -> tensor<1x8x4x16xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$KV]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
  // CHECK: linalg.index 3
  // CHECK: arith.cmpi sgt
  // CHECK: arith.maximumf
  // CHECK: math.exp
  // CHECK: arith.cmpf oeq
  // CHECK: arith.select
  %y, %s = aic.attention %q, %k, %k {scale = 0.25 : f32, is_causal = true} : (tensor<1x8x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32>) -> (tensor<1x8x4x16xf32>, tensor<1x8x4x6xf32>)
  return %y : tensor<1x8x4x16xf32>
}

// -----

// Tests that unsigned integers become signless with unsigned arithmetic,
// and that the signature keeps their type as an attribute.
// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8> {aic.element_type = ui8}, %{{.*}}: tensor<4xi8> {aic.element_type = ui8})
// CHECK-SAME: -> (tensor<4xi8> {aic.element_type = ui8}, tensor<4xf32>)
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xf32>) {
  // CHECK: arith.divui
  %0 = aic.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: arith.uitofp
  %1 = aic.cast %0 {to = f32} : (tensor<4xui8>) -> tensor<4xf32>
  return %0, %1 : tensor<4xui8>, tensor<4xf32>
}

// -----

// Tests that quantization reads a blocked scale through d1 floordiv 2,
// rounds half to even, adds the unsigned zero point and clamps to [0, 255]
// (maxnum and minnum: a NaN clamps to 0 rather than converting to poison).
// CHECK-DAG: #[[$BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func.func @quantize_blocked
func.func @quantize_blocked(%x: tensor<2x4xf32>, %s: tensor<2x2xf32>, %z: tensor<2x2xui8>) -> tensor<2x4xui8> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$BLOCK]], #[[$BLOCK]], #{{.*}}]
  // CHECK: arith.divf %{{[^ ]*}}, %{{[^ ]*}} : f32
  // CHECK: math.roundeven
  // CHECK: arith.uitofp
  // CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: arith.maxnumf %{{.*}}, %[[LO]]
  // CHECK: %[[HI:.*]] = arith.constant 2.550000e+02 : f32
  // CHECK: arith.minnumf %{{.*}}, %[[HI]]
  // CHECK: arith.fptoui
  %0 = aic.quantize %x, %s zero_point %z {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x4xf32>, tensor<2x2xf32>, tensor<2x2xui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Tests that a quantization by the reciprocal of its scale (aic-quantize's)
// divides with arcp, which lets LLVM multiply by the reciprocal instead.
// CHECK-LABEL: func.func @quantize_reciprocal
func.func @quantize_reciprocal(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xui8> {
  // CHECK: arith.divf %{{.*}}, %{{.*}} fastmath<arcp> : f32
  // CHECK: math.roundeven
  %0 = aic.quantize %x, %s zero_point %z {reciprocal = true} : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Tests that a k known only at run time is read once, outside the generic,
// and compared with j - i inside it.
// CHECK-LABEL: func.func @trilu_runtime_k
func.func @trilu_runtime_k(%x: tensor<3x4xf32>, %k: tensor<i64>) -> tensor<3x4xf32> {
  // CHECK: %[[K:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
  // CHECK: %[[KI:.*]] = arith.index_cast %[[K]] : i64 to index
  // CHECK: linalg.generic
  // CHECK: arith.cmpi sle, %{{.*}}, %[[KI]] : index
  %0 = aic.trilu %x k_input %k {upper = false} : tensor<3x4xf32>, tensor<i64>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that a reduction over axes known only at run time reduces one dim
// at a time under an scf.if on whether the axes name it (dims already 1
// are skipped), and drops the reduced dims with a reshape to the kept ones.
// CHECK-LABEL: func.func @reduce_runtime_axes
func.func @reduce_runtime_axes(%x: tensor<3x1x4xf32>, %axes: tensor<1xi64>) -> tensor<?x?xf32> {
  // CHECK: tensor.extract %{{.*}}[%{{.*}}] : tensor<1xi64>
  // CHECK: %[[R0:.*]] = scf.if %{{.*}} -> (tensor<?x1x4xf32>)
  // CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel"]
  // CHECK: } else {
  // CHECK-NOT: scf.if {{.*}}x1x
  // CHECK: scf.if %{{.*}} -> (tensor<?x1x?xf32>)
  // CHECK: tensor.from_elements %{{.*}}, %{{.*}} : tensor<2xindex>
  // CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<?x1x?xf32>, tensor<2xindex>) -> tensor<?x?xf32>
  %0 = aic.reduce_sum %x axes %axes {axes = array<i64>, keepdims = false} : (tensor<3x1x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that scales known only at run time are read once, outside the
// generic: the output size is floor(size * scale) and the source
// coordinate x / scale + (0.5 / scale - 0.5) (half_pixel).
// CHECK-LABEL: func.func @resize_runtime_scales
func.func @resize_runtime_scales(%x: tensor<1x4xf32>, %s: tensor<1xf32>) -> tensor<1x?xf32> {
  // CHECK: %[[S32:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<1xf32>
  // CHECK: %[[S:.*]] = arith.extf %[[S32]] : f32 to f64
  // CHECK: %[[N:.*]] = arith.mulf %[[S]], %{{.*}} : f64
  // CHECK: math.floor %[[N]] : f64
  // CHECK: %[[SIZE:.*]] = arith.index_cast
  // CHECK: tensor.empty(%[[SIZE]]) : tensor<1x?xf32>
  // CHECK: linalg.generic
  // CHECK: math.floor
  %0 = aic.resize %x scales %s {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 1.0>, roi = array<f32>, cubic_coeff_a = -7.5e-01 : f32, exclude_outside = false, extrapolation_value = 0.0 : f32, axes = array<i64: 1>} : (tensor<1x4xf32>, tensor<1xf32>) -> tensor<1x?xf32>
  return %0 : tensor<1x?xf32>
}

// -----

// Tests that a reverse exclusive cumulative sum adds the elements after
// each position (k > i along the axis) in an extra reduction loop.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @cumsum
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$IN]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: %[[K:.*]] = linalg.index 2
  // CHECK: %[[I:.*]] = linalg.index 1
  // CHECK: arith.cmpi ugt, %[[K]], %[[I]]
  %0 = aic.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that an axis known only at run time picks one generic per axis.
// CHECK-LABEL: func.func @cumsum_runtime_axis
func.func @cumsum_runtime_axis(%x: tensor<2x3xf32>, %a: tensor<i32>) -> tensor<2x3xf32> {
  // CHECK: tensor.extract %{{.*}}[] : tensor<i32>
  // CHECK: scf.if %{{.*}} -> (tensor<2x3xf32>)
  // CHECK-COUNT-2: linalg.generic
  %0 = aic.cumsum %x axis %a : tensor<2x3xf32>, tensor<i32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that unsqueezing at axes known only at run time reshapes to a shape
// computed from them: 1 where they name a result dim, else the next input
// dim.
// CHECK-LABEL: func.func @unsqueeze_runtime_axes
func.func @unsqueeze_runtime_axes(%x: tensor<3x4xf32>, %axes: tensor<1xi64>) -> tensor<?x?x?xf32> {
  // CHECK: tensor.extract %{{.*}} : tensor<1xi64>
  // CHECK: tensor.from_elements %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xindex>
  // CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<3x4xf32>, tensor<3xindex>) -> tensor<?x?x?xf32>
  %0 = aic.unsqueeze %x axes %axes {axes = array<i64>} : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Tests that an einsum is one generic: result letters parallel, summed
// letters reductions, and a repeated letter reading the diagonal.
// CHECK-DAG: #[[$DIAG:.*]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @einsum_trace
func.func @einsum_trace(%x: tensor<2x3x3xf32>) -> tensor<2xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$DIAG]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]}
  %0 = aic.einsum %x {equation = "Zii->Z"} : (tensor<2x3x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that a slice with run-time starts, ends and axes computes each
// dim's clamped start and size before one generic reading start + i * step.
// CHECK-LABEL: func.func @dynamic_slice
func.func @dynamic_slice(%x: tensor<5x3xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  // CHECK-COUNT-3: tensor.extract %{{.*}} : tensor<1xi64>
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xf32>
  // CHECK: linalg.generic
  // CHECK: arith.muli
  // CHECK: tensor.extract %{{.*}} : tensor<5x3xf32>
  %0 = aic.dynamic_slice %x, %s, %e axes %a : (tensor<5x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that an expand to a shape known only at run time takes the
// result's dims from it where the input's dim is a static 1 (read through
// index 0) and from the input elsewhere.
// CHECK-DAG: #[[$BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @expand_runtime_shape
func.func @expand_runtime_shape(%x: tensor<1x3xf32>, %shape: tensor<2xi64>) -> tensor<?x?xf32> {
  // CHECK: %[[ROWS:.*]] = tensor.extract %{{.*}} : tensor<2xi64>
  // CHECK: %[[R:.*]] = arith.index_cast %[[ROWS]]
  // CHECK: tensor.empty(%[[R]], %{{.*}}) : tensor<?x?xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[$BCAST]], #{{.*}}]
  %0 = aic.expand %x shape %shape {shape = array<i64>} : (tensor<1x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that a range with run-time bounds counts ceil((limit - start) /
// delta) elements (at least 0) and writes start + i * delta.
// CHECK-LABEL: func.func @range_runtime
func.func @range_runtime(%s: tensor<i32>, %l: tensor<i32>, %d: tensor<i32>) -> tensor<?xi32> {
  // CHECK: arith.ceildivsi
  // CHECK: arith.maxsi
  // CHECK: tensor.empty(%{{.*}}) : tensor<?xi32>
  // CHECK: linalg.generic
  // CHECK: arith.muli
  // CHECK: arith.addi
  %0 = aic.range %s, %l, %d : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// Tests that a strided, grouped ConvTranspose upsamples its input with a
// strided insert into zeros and convolves it with the weight flipped and
// regrouped to [M, C/g, k...] (a generic reading group f floordiv M/g), padded
// by dilation * (k - 1).
// CHECK-DAG: #[[$FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> ((d0 floordiv 3) * 2 + d1, d0 mod 3, -d2 + 2, -d3 + 1)>
// CHECK-LABEL: func.func @conv_transpose_grouped
func.func @conv_transpose_grouped(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<1x6x6x5xf32> {
  // CHECK: %[[ZEROS:.*]] = linalg.fill {{.*}} -> tensor<1x4x5x5xf32>
  // CHECK: tensor.insert_slice %{{.*}} into %[[ZEROS]][0, 0, 0, 0] [1, 4, 3, 3] [1, 1, 2, 2]
  // CHECK: linalg.generic {indexing_maps = [#[[$FLIP]], {{.*}}]} ins(%{{.*}} : tensor<4x3x3x2xf32>) outs(%{{.*}} : tensor<6x2x3x2xf32>)
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 0]
  // CHECK: linalg.conv_2d_ngchw_gfchw
  // CHECK: into tensor<1x6x6x5xf32>
  %0 = aic.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>, tensor<4x3x3x2xf32>) -> tensor<1x6x6x5xf32>
  return %0 : tensor<1x6x6x5xf32>
}

// -----

// Tests that a constant ConvTranspose weight is flipped and transposed at
// compile time, and that pads beyond dilation * (k - 1) crop the input
// while a negative end pad (output_padding) pads it.
// CHECK-LABEL: func.func @conv_transpose_constant
func.func @conv_transpose_constant(%x: tensor<1x2x4xf32>) -> tensor<1x1x4xf32> {
  %w = aic.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 1] [1, 2, 3] [1, 1, 1]
  // CHECK: arith.constant dense<{{\[\[\[}}2.000000e+00, 1.000000e+00], [4.000000e+00, 3.000000e+00]]]> : tensor<1x2x2xf32>
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, 0, 2]
  // CHECK: linalg.conv_1d_ncw_fcw
  %0 = aic.conv_transpose %x, %w {dilations = array<i64: 1>, pads = array<i64: 2, -1>, strides = array<i64: 1>} : (tensor<1x2x4xf32>, tensor<2x1x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

// Tests that ConvTranspose over spatial dims known only at run time
// computes the upsampled extent stride * (size - 1) + 1.
// CHECK-LABEL: func.func @conv_transpose_dynamic
func.func @conv_transpose_dynamic(%x: tensor<?x1x?xf32>, %w: tensor<1x1x3xf32>) -> tensor<?x1x?xf32> {
  // CHECK: %[[SIZE:.*]] = tensor.dim %{{.*}}, %c2
  // CHECK: %[[SCALED:.*]] = arith.muli %[[SIZE]], %c3
  // CHECK: arith.addi %[[SCALED]], %c-2
  // CHECK: linalg.conv_1d_ncw_fcw
  %0 = aic.conv_transpose %x, %w {dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 3>} : (tensor<?x1x?xf32>, tensor<1x1x3xf32>) -> tensor<?x1x?xf32>
  return %0 : tensor<?x1x?xf32>
}

// -----

// Tests that TopK is a sequential selection per slice on fresh buffers: a
// loop nest over the other dims, a loop along the axis, a while loop that
// walks past the kept elements the new one beats (unsigned compare for
// unsigned elements), and the buffers handed back as tensors.
// CHECK-LABEL: func.func @top_k
func.func @top_k(%x: tensor<3x5xui64>) -> (tensor<2x5xui64>, tensor<2x5xi64>) {
  %k = aic.constant dense<2> : tensor<1xi64>
  // CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<3x5xi64> to memref<3x5xi64, strided<[?, ?], offset: ?>>
  // CHECK: %[[VALUES:.*]] = memref.alloc() : memref<2x5xi64>
  // CHECK: %[[INDICES:.*]] = memref.alloc() : memref<2x5xi64>
  // CHECK: scf.for
  // CHECK: scf.for
  // CHECK: scf.while
  // CHECK: arith.cmpi ugt
  // CHECK: scf.condition
  // CHECK: bufferization.to_tensor %[[VALUES]] restrict writable
  // CHECK: bufferization.to_tensor %[[INDICES]] restrict writable
  %v, %i = aic.top_k %x, %k {axis = 0 : i64, largest = true} : (tensor<3x5xui64>, tensor<1xi64>) -> (tensor<2x5xui64>, tensor<2x5xi64>)
  return %v, %i : tensor<2x5xui64>, tensor<2x5xi64>
}

// -----

// Tests that RotaryEmbedding is one generic over the output that reads each
// feature's partner and its pair's cos and sin through tensor.extract, and
// passes features from rotary_dim on through.
// CHECK-LABEL: func.func @rotary_embedding
func.func @rotary_embedding(%x: tensor<2x3x4x8xf16>, %cos: tensor<2x3x2xf16>, %sin: tensor<2x3x2xf16>) -> tensor<2x3x4x8xf16> {
  // CHECK: linalg.generic
  // CHECK: arith.cmpi ult, %{{.*}}, %c2
  // CHECK: arith.cmpi ult, %{{.*}}, %c4
  // CHECK: tensor.extract %{{.*}} : tensor<2x3x4x8xf16>
  // CHECK: tensor.extract %{{.*}} : tensor<2x3x2xf16>
  // CHECK: arith.extf %{{.*}} : f16 to f32
  // CHECK-DAG: arith.subf
  // CHECK-DAG: arith.addf
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %0 = aic.rotary_embedding %x, %cos, %sin {heads_first = false, interleaved = false, rotary_dim = 4 : i64} : tensor<2x3x4x8xf16>, tensor<2x3x2xf16>, tensor<2x3x2xf16>
  return %0 : tensor<2x3x4x8xf16>
}

// -----

// Tests that pads known only at run time are read from their tensor and
// size the result, and that an input whose dims are known only at run time
// is read only inside (an empty one has nothing to clamp onto).
// CHECK-LABEL: func.func @pad_runtime
func.func @pad_runtime(%x: tensor<?x4xf32>, %p: tensor<2xi64>) -> tensor<?x?xf32> {
  // CHECK: %[[BEGIN:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<2xi64>
  // CHECK: arith.index_cast %[[BEGIN]] : i64 to index
  // CHECK: %[[END:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<2xi64>
  // CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xf32>
  // CHECK: linalg.generic
  // CHECK: scf.if
  // CHECK: tensor.extract %{{.*}} : tensor<?x4xf32>
  %0 = aic.pad %x pads_input %p {axes = array<i64: 1>, mode = "constant", pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that bit shifts shift by the amount unless it reaches the width
// (then 0), that not on integers flips all bits, and that cumulative
// products multiply from 1.
// CHECK-LABEL: func.func @bits_and_products
func.func @bits_and_products(%a: tensor<4xui8>, %b: tensor<4xui8>, %c: tensor<4xi32>, %x: tensor<2x3xf32>) -> (tensor<4xui8>, tensor<4xi32>, tensor<2x3xf32>) {
  // CHECK: arith.shrui
  // CHECK: arith.cmpi uge, %{{.*}}, %c8_i8
  // CHECK: arith.select
  %0 = aic.bit_shift %a, %b {left = false} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: arith.xori %{{.*}}, %c-1_i32
  %1 = aic.not %c : tensor<4xi32>
  // CHECK: linalg.fill ins(%cst{{.*}} : f32)
  // CHECK: arith.mulf
  %2 = aic.cumprod %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0, %1, %2 : tensor<4xui8>, tensor<4xi32>, tensor<2x3xf32>
}

// -----

// Tests that a check stores its message into the thread-local run-error
// slot where its condition is false (keeping the first message).
// CHECK-DAG: llvm.mlir.global internal thread_local @__aic_run_error() {{.*}} : !llvm.ptr
// CHECK-DAG: llvm.mlir.global internal constant @__aic_check_message_0("shapes differ\00")
// CHECK-LABEL: func.func @check
func.func @check(%ok: tensor<i1>) {
  // CHECK: %[[OK:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
  // CHECK: %[[FAILED:.*]] = arith.xori %[[OK]], %true
  // CHECK: scf.if %[[FAILED]] {
  // CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @__aic_run_error
  // CHECK: %[[CURRENT:.*]] = llvm.load %[[SLOT]]
  // CHECK: llvm.select %{{.*}}, %{{.*}}, %[[CURRENT]]
  // CHECK: llvm.store %{{.*}}, %[[SLOT]]
  aic.check %ok, "shapes differ" : tensor<i1>
  return
}

// -----

// Tests that MaxPool's indices come from a reduction carrying the maximum
// and its flat index ((n * C + c) * H + h) * W + w, h and w the window
// position in the unpadded input, taken where a value beats the maximum.
// CHECK-LABEL: func.func @max_pool_indices
func.func @max_pool_indices(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64> {
  // CHECK: tensor.pad
  // CHECK: %{{.*}}:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
  // CHECK: arith.cmpf ogt
  // CHECK: arith.index_cast %{{.*}} : index to i64
  // CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i64
  %0 = aic.max_pool_indices %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

// Tests that an elementwise op over dims known only at run time sizes its
// result by the largest input dim, checks that each is 1 or that size, and
// runs the plain generic where all are equal, else one that reads the
// inputs at indices clamped to their extents (broadcasting a 1).
// CHECK-LABEL: func.func @add_runtime_broadcast
func.func @add_runtime_broadcast(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK: %[[SIZE:.*]] = arith.maxui
  // CHECK: llvm.store
  // CHECK: scf.if %{{.*}} -> (tensor<?xf32>) {
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32>)
  // CHECK: } else {
  // CHECK: arith.minui
  // CHECK: tensor.extract
  %0 = aic.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Tests that ScatterND copies data into a fresh buffer, then walks the
// updates in order, reading each update's destination from the last dim of
// the indices (wrapped when negative) and combining with what is there.
// CHECK-LABEL: func.func @scatter_nd
func.func @scatter_nd(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[OUT:.*]] = memref.alloc() : memref<4x3xf32>
  // CHECK: memref.copy
  // CHECK: scf.for
  // CHECK: scf.for
  // CHECK: arith.cmpi slt
  // CHECK: arith.addf
  // CHECK: memref.store %{{.*}}, %[[OUT]]
  // CHECK: bufferization.to_tensor %[[OUT]] restrict writable
  %0 = aic.scatter %d, %i, %u {nd = true, reduction = "add"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that an integer matmul by constant weights with a zero point of
// zero contracts the 8-bit values (unsigned lhs, signed rhs) into an
// accumulator that starts from -za * the weights' column sums:
// -3 * (1 + 3) = -12 and -3 * (-2 + 4) = -6.
// CHECK-LABEL: func.func @matmul_integer_constant_weights
func.func @matmul_integer_constant_weights(%a: tensor<5x2xui8>) -> tensor<5x2xi32> {
  // CHECK: %[[CORR:.*]] = arith.constant dense<[-12, -6]> : tensor<2xi32>
  // CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[CORR]] : tensor<2xi32>) outs(%{{.*}} : tensor<5x2xi32>) dimensions = [0]
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<5x2xi8>, tensor<2x2xi8>) outs(%[[INIT]] : tensor<5x2xi32>)
  // CHECK-DAG: %[[A:.*]] = arith.extui %[[IN:.*]] : i8 to i32
  // CHECK-DAG: %[[W:.*]] = arith.extsi %[[IN2:.*]] : i8 to i32
  // CHECK: %[[P:.*]] = arith.muli %[[A]], %[[W]]
  // CHECK-NEXT: arith.addi %{{.*}}, %[[P]]
  // CHECK-NOT: arith.subi
  %w = aic.constant dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>
  %za = aic.constant dense<3> : tensor<ui8>
  %zb = aic.constant dense<0> : tensor<i8>
  %0 = aic.matmul_integer %a, %w lhs_zero_point %za rhs_zero_point %zb : (tensor<5x2xui8>, tensor<2x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<5x2xi32>
  return %0 : tensor<5x2xi32>
}

// -----

// Tests that zero points of inputs (per row of the lhs, per column of the
// rhs) are subtracted inside the contraction.
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[$COLS:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @matmul_integer_zero_points
func.func @matmul_integer_zero_points(%a: tensor<5x4xi8>, %b: tensor<4x3xui8>, %za: tensor<5xi8>, %zb: tensor<3xui8>) -> tensor<5x3xi32> {
  // CHECK: linalg.fill
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[$ROWS]], #[[$COLS]], #{{.*}}]
  // CHECK-DAG: %[[A:.*]] = arith.extsi %[[IN0:[^ ]*]] : i8 to i32
  // CHECK-DAG: %[[B:.*]] = arith.extui %[[IN1:[^ ]*]] : i8 to i32
  // CHECK-DAG: %[[AZ:.*]] = arith.subi %[[A]]
  // CHECK-DAG: %[[BZ:.*]] = arith.subi %[[B]]
  // CHECK: arith.muli %[[AZ]], %[[BZ]]
  %0 = aic.matmul_integer %a, %b lhs_zero_point %za rhs_zero_point %zb : (tensor<5x4xi8>, tensor<4x3xui8>, tensor<5xi8>, tensor<3xui8>) -> tensor<5x3xi32>
  return %0 : tensor<5x3xi32>
}

// -----

// Tests that an integer convolution by constant filters with no weight
// zero point contracts the 8-bit values (unsigned input, signed filters)
// in a generic of the 2-D convolution's loops: the padding reads the
// input's zero point (so that it adds nothing), and the accumulator starts
// from -zx * each filter's sum: -3 * (36 * 1) = -108 and -3 * (36 * -1) =
// 108.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-LABEL: func.func @conv_integer_constant_weights
func.func @conv_integer_constant_weights(%x: tensor<1x4x5x5xui8>) -> tensor<1x2x5x5xi32> {
  // CHECK: %[[ZX:.*]] = arith.constant 3 : i8
  // CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[ZX]] : i8
  // CHECK: %[[CORR:.*]] = arith.constant dense<[-108, 108]> : tensor<2xi32>
  // CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[CORR]] : tensor<2xi32>) outs(%{{.*}} : tensor<1x2x5x5xi32>) dimensions = [0, 2, 3]
  // CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %{{.*}} : tensor<1x4x7x7xi8>, tensor<2x4x3x3xi8>) outs(%[[INIT]] : tensor<1x2x5x5xi32>)
  // CHECK-DAG: %[[A:.*]] = arith.extui %{{.*}} : i8 to i32
  // CHECK-DAG: %[[B:.*]] = arith.extsi %{{.*}} : i8 to i32
  // CHECK: %[[P:.*]] = arith.muli %[[A]], %[[B]]
  // CHECK-NEXT: arith.addi %{{.*}}, %[[P]]
  %w = aic.constant dense<[[[[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]], [[[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]], [[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]], [[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]], [[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]]]]> : tensor<2x4x3x3xi8>
  %zx = aic.constant dense<3> : tensor<ui8>
  %0 = aic.conv_integer %x, %w input_zero_point %zx {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xui8>, tensor<2x4x3x3xi8>, tensor<ui8>) -> tensor<1x2x5x5xi32>
  return %0 : tensor<1x2x5x5xi32>
}

// -----

// Tests that constant unsigned filters with a zero point of 128 per filter
// (as older quantizers write them) are folded into signed bytes w - 128
// with no zero point, so that the 8-bit values themselves are contracted:
// [[130, 126, 128, 255]] and [[0, 128, 129, 200]] hold 2, -2, 0, 127 and
// -128, 0, 1, 72; the blob is its alignment (8, as 4 bytes), then those.
// CHECK-LABEL: func.func @conv_integer_unsigned_weights
func.func @conv_integer_unsigned_weights(%x: tensor<1x4x3x3xui8>) -> tensor<1x2x3x3xi32> {
  // CHECK: %[[W:.*]] = arith.constant dense_resource<weights> : tensor<2x4x1x1xi8>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<1x4x3x3xi8>, tensor<2x4x1x1xi8>)
  // CHECK-DAG: arith.extui %{{.*}} : i8 to i32
  // CHECK-DAG: arith.extsi %{{.*}} : i8 to i32
  // CHECK-NOT: arith.subi
  // CHECK: weights: "0x0800000002FE007F80000148"
  %w = aic.constant dense<[[[[130]], [[126]], [[128]], [[255]]], [[[0]], [[128]], [[129]], [[200]]]]> : tensor<2x4x1x1xui8>
  %zw = aic.constant dense<128> : tensor<2xui8>
  %0 = aic.conv_integer %x, %w weight_zero_point %zw {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xui8>, tensor<2x4x1x1xui8>, tensor<2xui8>) -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}

// -----

// Tests that constant unsigned matmul weights whose zero point (per
// column) leaves differences that do not fit signed bytes (255 - 0) keep
// their zero point, subtracted inside, while ones that fit are folded.
// CHECK-LABEL: func.func @matmul_integer_weight_zero_points
func.func @matmul_integer_weight_zero_points(%a: tensor<3x2xui8>) -> (tensor<3x2xi32>, tensor<3x2xi32>) {
  // CHECK: linalg.generic
  // CHECK: arith.subi
  // CHECK: %[[W:.*]] = arith.constant dense_resource<weights> : tensor<2x2xi8>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<3x2xi8>, tensor<2x2xi8>)
  // CHECK-NOT: arith.subi
  // CHECK: return
  %w = aic.constant dense<[[255, 10], [0, 20]]> : tensor<2x2xui8>
  %zw = aic.constant dense<[0, 10]> : tensor<2xui8>
  %0 = aic.matmul_integer %a, %w rhs_zero_point %zw : (tensor<3x2xui8>, tensor<2x2xui8>, tensor<2xui8>) -> tensor<3x2xi32>
  %v = aic.constant dense<[[129, 10], [100, 20]]> : tensor<2x2xui8>
  %zv = aic.constant dense<[100, 10]> : tensor<2xui8>
  %1 = aic.matmul_integer %a, %v rhs_zero_point %zv : (tensor<3x2xui8>, tensor<2x2xui8>, tensor<2xui8>) -> tensor<3x2xi32>
  return %0, %1 : tensor<3x2xi32>, tensor<3x2xi32>
}

// -----

// Tests that an integer convolution of filters known only at run time,
// with a zero point per filter, widens both operands to i32 less their
// zero points (the input's per tensor, the filters' along dim 0) and
// convolves those.
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-DAG: #[[$FILTER:.*]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @conv_integer_zero_points
func.func @conv_integer_zero_points(%x: tensor<1x4x5x5xi8>, %w: tensor<2x4x3x3xui8>, %zx: tensor<i8>, %zw: tensor<2xui8>) -> tensor<1x2x3x3xi32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SCALAR]], #{{.*}}]
  // CHECK: arith.extsi
  // CHECK: arith.subi
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$FILTER]], #{{.*}}]
  // CHECK: arith.extui
  // CHECK: arith.subi
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x5x5xi32>, tensor<2x4x3x3xi32>)
  %0 = aic.conv_integer %x, %w input_zero_point %zx weight_zero_point %zw {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xi8>, tensor<2x4x3x3xui8>, tensor<i8>, tensor<2xui8>) -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}

// -----

// Tests that a graph returning one tensor twice returns a copy for the
// repeat, so that each output is a buffer of its own (freed once each).
// CHECK-LABEL: func.func @repeated_result
// CHECK: %[[Y:.*]] = linalg.generic
// CHECK: %[[C:.*]] = bufferization.alloc_tensor() copy(%[[Y]]) : tensor<2x3xf32>
// CHECK: return %[[Y]], %[[C]]
func.func @repeated_result(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %y = aic.relu %x : tensor<2x3xf32>
  return %y, %y : tensor<2x3xf32>, tensor<2x3xf32>
}
