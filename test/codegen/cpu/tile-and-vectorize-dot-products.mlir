// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-tile-and-vectorize{int8-dot-products=1}),canonicalize,cse)' | FileCheck %s
// RUN: aic-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aic-cpu-tile-and-vectorize{bf16-dot-products=1}),canonicalize,cse)' | FileCheck %s --check-prefix=BF16

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that an 8-bit matmul (unsigned activations by signed constant
// weights into i32) is packed for dot products: A viewed as M x K/4 x 4,
// B packed at compile time as K/4 x N x 4; its K loop counts groups of 4
// bytes, and each k's register tile is one vector.contract per row and
// vector of columns, of the row's 4 zero-extended bytes and the 16
// columns' sign-extended ones, whose accumulators stay in registers across
// K. They start from the zero fill's vector itself, not from a read of the
// tile it was written to.
// CHECK-LABEL: func.func @matmul_u8_s8
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0> : vector<16xi32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[PACKED:.*]] = arith.constant dense_resource<packed> : tensor<2x16x4xi8>
// CHECK: %[[A:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [8, 2, 4] : tensor<8x8xi8> into tensor<8x2x4xi8>
// CHECK-NOT: vector.transfer_read %{{.*}} : tensor<8x16xi32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C2]] step %[[C1]] iter_args(%{{.*}} = %[[ZERO]]
// CHECK-COUNT-8: arith.extui %{{.*}} : vector<4xi8> to vector<4xi32>
// CHECK: arith.extsi %{{.*}} : vector<16x4xi8> to vector<16x4xi32>
// CHECK-COUNT-8: vector.contract {{.*}}kind = #vector.kind<add>{{.*}} : vector<4xi32>, vector<16x4xi32> into vector<16xi32>
// CHECK: scf.yield
// CHECK: vector.transfer_write
func.func @matmul_u8_s8(%a: tensor<8x8xi8>) -> tensor<8x16xi32> {
  %w = arith.constant dense<[[-128, -91, -54, -17, 20, 57, 94, -125, -88, -51, -14, 23, 60, 97, -122, -85], [-48, -11, 26, 63, 100, -119, -82, -45, -8, 29, 66, 103, -116, -79, -42, -5], [32, 69, 106, -113, -76, -39, -2, 35, 72, 109, -110, -73, -36, 1, 38, 75], [112, -107, -70, -33, 4, 41, 78, 115, -104, -67, -30, 7, 44, 81, 118, -101], [-64, -27, 10, 47, 84, 121, -98, -61, -24, 13, 50, 87, 124, -95, -58, -21], [16, 53, 90, 127, -92, -55, -18, 19, 56, 93, -126, -89, -52, -15, 22, 59], [96, -123, -86, -49, -12, 25, 62, 99, -120, -83, -46, -9, 28, 65, 102, -117], [-80, -43, -6, 31, 68, 105, -114, -77, -40, -3, 34, 71, 108, -111, -74, -37]]> : tensor<8x16xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<8x16xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<8x16xi32>) -> tensor<8x16xi32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %w : tensor<8x8xi8>, tensor<8x16xi8>) outs(%init : tensor<8x16xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xi = arith.extui %x : i8 to i32
    %yi = arith.extsi %y : i8 to i32
    %p = arith.muli %xi, %yi : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<8x16xi32>
  return %r : tensor<8x16xi32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that signed activations, which vpdpbusd does not multiply, are
// flipped to unsigned bytes a + 128 (xor 0x80, vectorized) and the
// accumulator starts 128 times each weight column's sum lower: column 0
// sums to -64 (-128 - 48 + 32 + 112 - 64 + 16 + 96 - 80), so 8192.
// CHECK-LABEL: func.func @matmul_s8_s8
// CHECK-DAG: arith.constant dense<[8192, {{.*}}]> : tensor<16xi32>
// CHECK-DAG: %[[FLIP:.*]] = arith.constant dense<-128> : vector<1x8xi8>
// CHECK: arith.xori %{{.*}}, %[[FLIP]] : vector<1x8xi8>
// CHECK: scf.for
// CHECK: arith.extui %{{.*}} : vector<4xi8> to vector<4xi32>
// CHECK: arith.extsi %{{.*}} : vector<16x4xi8> to vector<16x4xi32>
// CHECK: vector.contract
func.func @matmul_s8_s8(%a: tensor<8x8xi8>) -> tensor<8x16xi32> {
  %w = arith.constant dense<[[-128, -91, -54, -17, 20, 57, 94, -125, -88, -51, -14, 23, 60, 97, -122, -85], [-48, -11, 26, 63, 100, -119, -82, -45, -8, 29, 66, 103, -116, -79, -42, -5], [32, 69, 106, -113, -76, -39, -2, 35, 72, 109, -110, -73, -36, 1, 38, 75], [112, -107, -70, -33, 4, 41, 78, 115, -104, -67, -30, 7, 44, 81, 118, -101], [-64, -27, 10, 47, 84, 121, -98, -61, -24, 13, 50, 87, 124, -95, -58, -21], [16, 53, 90, 127, -92, -55, -18, 19, 56, 93, -126, -89, -52, -15, 22, 59], [96, -123, -86, -49, -12, 25, 62, 99, -120, -83, -46, -9, 28, 65, 102, -117], [-80, -43, -6, 31, 68, 105, -114, -77, -40, -3, 34, 71, 108, -111, -74, -37]]> : tensor<8x16xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<8x16xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<8x16xi32>) -> tensor<8x16xi32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %w : tensor<8x8xi8>, tensor<8x16xi8>) outs(%init : tensor<8x16xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xi = arith.extsi %x : i8 to i32
    %yi = arith.extsi %y : i8 to i32
    %p = arith.muli %xi, %yi : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<8x16xi32>
  return %r : tensor<8x16xi32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Tests that with bf16 dot products an f32 matmul by constant weights
// rounds A to bf16 (an elementwise op), packs B at compile time as
// K/2 x N x 2 bf16, and makes each k of the register tile one contraction
// of 2 widened bf16 per row and vector of columns, accumulating in f32;
// without the option it stays an f32 kernel.
// BF16-LABEL: func.func @matmul_bf16
// BF16-DAG: arith.constant dense_resource<packed> : tensor<2x16x2xbf16>
// BF16: arith.truncf %{{.*}} : vector<{{.*}}xf32> to vector<{{.*}}xbf16>
// BF16: tensor.expand_shape %{{.*}} output_shape [8, 2, 2] : tensor<8x4xbf16> into tensor<8x2x2xbf16>
// BF16: scf.for
// BF16: arith.extf %{{.*}} : vector<2xbf16> to vector<2xf32>
// BF16: vector.contract {{.*}} : vector<2xf32>, vector<16x2xf32> into vector<16xf32>
// CHECK-LABEL: func.func @matmul_bf16
// CHECK-NOT: bf16
// CHECK: vector.contract
func.func @matmul_bf16(%a: tensor<8x4xf32>) -> tensor<8x16xf32> {
  %w = arith.constant dense<[[-1.5, 0.25, -1.25, 0.5, -1.0, 0.75, -0.75, 1.0, -0.5, 1.25, -0.25, 1.5, 0.0, -1.5, 0.25, -1.25], [0.5, -1.0, 0.75, -0.75, 1.0, -0.5, 1.25, -0.25, 1.5, 0.0, -1.5, 0.25, -1.25, 0.5, -1.0, 0.75], [-0.75, 1.0, -0.5, 1.25, -0.25, 1.5, 0.0, -1.5, 0.25, -1.25, 0.5, -1.0, 0.75, -0.75, 1.0, -0.5], [1.25, -0.25, 1.5, 0.0, -1.5, 0.25, -1.25, 0.5, -1.0, 0.75, -0.75, 1.0, -0.5, 1.25, -0.25, 1.5]]> : tensor<4x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %w : tensor<8x4xf32>, tensor<4x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#in = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// Tests that an 8-bit convolution (unsigned input by signed filters, a
// generic of the named 2-D convolution's loops) becomes an im2col copy
// (36 x 16 bytes) packed at run time for dot products: each group of 4
// rows read as 4 vectors of 16 bytes and interleaved into one row of 64
// (16 columns' 4 consecutive k); then the kernel, each k's filter bytes
// (sign-extended, broadcast) by the packed columns (zero-extended), whose
// lowering makes vpdpbusd with the operands' roles swapped.
// CHECK-LABEL: func.func @conv_u8_s8
// CHECK: %[[COL:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3], [4, 5]] : tensor<1x4x3x3x4x4xi8> into tensor<36x16xi8>
// CHECK: %[[PACKED:.*]] = scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<9x64xi8>)
// CHECK-COUNT-4: vector.transfer_read %[[COL]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<36x16xi8>, vector<16xi8>
// CHECK: vector.interleave %{{.*}}, %{{.*}} : vector<16xi8> -> vector<32xi8>
// CHECK: vector.interleave %{{.*}}, %{{.*}} : vector<16xi8> -> vector<32xi8>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 32, 33, 2, 3, 34, 35, {{.*}}] : vector<32xi8>, vector<32xi8>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%[[G]], %{{.*}}] {in_bounds = [true]} : vector<64xi8>, tensor<9x64xi8>
// CHECK: tensor.expand_shape %[[PACKED]] {{\[\[}}0], [1, 2]] output_shape [9, 16, 4] : tensor<9x64xi8> into tensor<9x16x4xi8>
// CHECK: scf.for
// CHECK-COUNT-8: arith.extsi %{{.*}} : vector<4xi8> to vector<4xi32>
// CHECK: arith.extui %{{.*}} : vector<16x4xi8> to vector<16x4xi32>
// CHECK-COUNT-8: vector.contract {{.*}} : vector<4xi32>, vector<16x4xi32> into vector<16xi32>
func.func @conv_u8_s8(%x: tensor<1x4x6x6xi8>) -> tensor<1x8x4x4xi32> {
  %w = arith.constant dense<3> : tensor<8x4x3x3xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x8x4x4xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<1x8x4x4xi32>) -> tensor<1x8x4x4xi32>
  %r = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x4x6x6xi8>, tensor<8x4x3x3xi8>) outs(%init : tensor<1x8x4x4xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %ai = arith.extui %a : i8 to i32
    %bi = arith.extsi %b : i8 to i32
    %p = arith.muli %ai, %bi : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x8x4x4xi32>
  return %r : tensor<1x8x4x4xi32>
}

// -----

// Tests that with bf16 an f32 convolution's im2col copy (36 x 16) is
// packed at run time in bf16 pairs: two rows read, rounded to bf16 and
// interleaved into one row of 32 (16 columns' 2 consecutive k); the
// filters are rounded to bf16 (8 x 36, as 8 x 18 x 2), and the kernel
// contracts each k's pair of filter values with the columns' pairs.
// BF16-LABEL: func.func @conv_bf16
// BF16: %[[COL:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x4x3x3x4x4xf32> into tensor<36x16xf32>
// BF16: %[[PACKED:.*]] = scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<18x32xbf16>)
// BF16: %[[R0:.*]] = vector.transfer_read %[[COL]]{{.*}} : tensor<36x16xf32>, vector<16xf32>
// BF16: %[[B0:.*]] = arith.truncf %[[R0]] : vector<16xf32> to vector<16xbf16>
// BF16: %[[R1:.*]] = vector.transfer_read %[[COL]]{{.*}} : tensor<36x16xf32>, vector<16xf32>
// BF16: %[[B1:.*]] = arith.truncf %[[R1]] : vector<16xf32> to vector<16xbf16>
// BF16: %[[PAIRS:.*]] = vector.interleave %[[B0]], %[[B1]] : vector<16xbf16> -> vector<32xbf16>
// BF16: vector.transfer_write %[[PAIRS]], %{{.*}}[%[[G]], %{{.*}}] {in_bounds = [true]} : vector<32xbf16>, tensor<18x32xbf16>
// BF16: tensor.expand_shape %[[PACKED]] {{\[\[}}0], [1, 2]] output_shape [18, 16, 2]
// BF16: arith.truncf %{{.*}} : vector<1x36xf32> to vector<1x36xbf16>
// BF16: tensor.expand_shape %{{.*}} output_shape [8, 18, 2] : tensor<8x36xbf16> into tensor<8x18x2xbf16>
// BF16: scf.for
// BF16-COUNT-8: arith.extf %{{.*}} : vector<2xbf16> to vector<2xf32>
// BF16: arith.extf %{{.*}} : vector<16x2xbf16> to vector<16x2xf32>
// BF16-COUNT-8: vector.contract {{.*}} : vector<2xf32>, vector<16x2xf32> into vector<16xf32>
func.func @conv_bf16(%x: tensor<1x4x6x6xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %r : tensor<1x8x4x4xf32>
}

// -----

#in = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// Tests that a convolution of signed input bytes has them flipped to
// unsigned b + 128 (xor 0x80) as the im2col copy is packed, and the
// accumulator start 128 times each filter's sum lower: -128 * (36 * 3) =
// -13824 per filter, read as the kernel's initial accumulators; the
// kernel then zero-extends the packed columns.
// CHECK-LABEL: func.func @conv_s8_s8
// CHECK-DAG: %[[FLIP:.*]] = arith.constant dense<-128> : vector<16xi8>
// CHECK-DAG: %[[SHIFT:.*]] = arith.constant dense<-13824> : tensor<8xi32>
// CHECK: vector.transfer_read %[[SHIFT]]
// CHECK-COUNT-4: arith.xori %{{.*}}, %[[FLIP]] : vector<16xi8>
// CHECK: scf.for
// CHECK: arith.extui %{{.*}} : vector<16x4xi8> to vector<16x4xi32>
// CHECK: vector.contract
func.func @conv_s8_s8(%x: tensor<1x4x6x6xi8>) -> tensor<1x8x4x4xi32> {
  %w = arith.constant dense<3> : tensor<8x4x3x3xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x8x4x4xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<1x8x4x4xi32>) -> tensor<1x8x4x4xi32>
  %r = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x4x6x6xi8>, tensor<8x4x3x3xi8>) outs(%init : tensor<1x8x4x4xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %ai = arith.extsi %a : i8 to i32
    %bi = arith.extsi %b : i8 to i32
    %p = arith.muli %ai, %bi : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x8x4x4xi32>
  return %r : tensor<1x8x4x4xi32>
}
