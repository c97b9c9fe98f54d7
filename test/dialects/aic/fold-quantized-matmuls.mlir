// RUN: aic-opt %s --split-input-file --aic-fold-quantized-matmuls | FileCheck %s

// Tests that a matmul of dequantized 8-bit tensors (activations per
// tensor, weights per column) becomes an integer matmul of the 8-bit
// values with their zero points, cast to f32 and scaled by the product of
// the scales, folded at compile time: 0.5 * [0.25, 2.0].
// CHECK-LABEL: func.func @per_column
func.func @per_column(%x: tensor<2x4xui8>) -> tensor<2x2xf32> {
  // CHECK-DAG: %[[W:.*]] = aic.constant dense<{{.*}}> : tensor<4x2xi8>
  // CHECK-DAG: %[[ZX:.*]] = aic.constant dense<3> : tensor<ui8>
  // CHECK-DAG: %[[ZW:.*]] = aic.constant dense<0> : tensor<2xi8>
  // CHECK-DAG: %[[S:.*]] = aic.constant dense<[1.250000e-01, 1.000000e+00]> : tensor<2xf32>
  // CHECK: %[[ACC:.*]] = aic.matmul_integer %{{.*}}, %[[W]] lhs_zero_point %[[ZX]] rhs_zero_point %[[ZW]] : (tensor<2x4xui8>, tensor<4x2xi8>, tensor<ui8>, tensor<2xi8>) -> tensor<2x2xi32>
  // CHECK: %[[F:.*]] = aic.cast %[[ACC]] {to = f32}
  // CHECK: %[[Y:.*]] = aic.mul %[[F]], %[[S]]
  // CHECK-NOT: aic.matmul %
  // CHECK: return %[[Y]]
  %sx = aic.constant dense<0.5> : tensor<f32>
  %zx = aic.constant dense<3> : tensor<ui8>
  %w = aic.constant dense<[[1, -2], [3, 4], [5, 6], [-7, 8]]> : tensor<4x2xi8>
  %sw = aic.constant dense<[0.25, 2.0]> : tensor<2xf32>
  %zw = aic.constant dense<0> : tensor<2xi8>
  %0 = aic.dequantize %x, %sx zero_point %zx : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %1 = aic.dequantize %w, %sw zero_point %zw {axis = 1 : i64} : (tensor<4x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<4x2xf32>
  %2 = aic.matmul %0, %1 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// Tests that scales known only at run time are multiplied by an aic.mul.
// CHECK-LABEL: func.func @runtime_scales
func.func @runtime_scales(%x: tensor<2x4xi8>, %w: tensor<4x2xi8>, %sx: tensor<f32>, %sw: tensor<f32>) -> tensor<2x2xf32> {
  // CHECK: %[[ACC:.*]] = aic.matmul_integer %{{.*}}, %{{.*}} : (tensor<2x4xi8>, tensor<4x2xi8>) -> tensor<2x2xi32>
  // CHECK-DAG: %[[F:.*]] = aic.cast %[[ACC]] {to = f32}
  // CHECK-DAG: %[[S:.*]] = aic.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: aic.mul %[[F]], %[[S]]
  %0 = aic.dequantize %x, %sx : (tensor<2x4xi8>, tensor<f32>) -> tensor<2x4xf32>
  %1 = aic.dequantize %w, %sw : (tensor<4x2xi8>, tensor<f32>) -> tensor<4x2xf32>
  %2 = aic.matmul %0, %1 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// Tests that activations dequantized per row, not per tensor, stay a
// float matmul.
// CHECK-LABEL: func.func @per_row_activations
func.func @per_row_activations(%x: tensor<2x4xi8>, %w: tensor<4x2xi8>, %sx: tensor<2xf32>, %sw: tensor<f32>) -> tensor<2x2xf32> {
  // CHECK-NOT: aic.matmul_integer
  // CHECK: aic.matmul
  %0 = aic.dequantize %x, %sx {axis = 0 : i64} : (tensor<2x4xi8>, tensor<2xf32>) -> tensor<2x4xf32>
  %1 = aic.dequantize %w, %sw : (tensor<4x2xi8>, tensor<f32>) -> tensor<4x2xf32>
  %2 = aic.matmul %0, %1 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// Tests that 16-bit integers stay a float matmul.
// CHECK-LABEL: func.func @wide_integers
func.func @wide_integers(%x: tensor<2x4xi16>, %w: tensor<4x2xi8>, %sx: tensor<f32>, %sw: tensor<f32>) -> tensor<2x2xf32> {
  // CHECK-NOT: aic.matmul_integer
  // CHECK: aic.matmul
  %0 = aic.dequantize %x, %sx : (tensor<2x4xi16>, tensor<f32>) -> tensor<2x4xf32>
  %1 = aic.dequantize %w, %sw : (tensor<4x2xi8>, tensor<f32>) -> tensor<4x2xf32>
  %2 = aic.matmul %0, %1 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// Tests that a convolution of dequantized uint8 activations (per tensor)
// by int8 filters (per filter, zero points of zero) becomes an integer
// convolution with the input's zero point, cast to f32, scaled per filter
// by the product of the scales (0.5 * [0.25, 2.0], as [2, 1, 1]) and plus
// its bias (as [2, 1, 1]).
// CHECK-LABEL: func.func @conv_per_filter
func.func @conv_per_filter(%x: tensor<1x4x5x5xui8>) -> tensor<1x2x5x5xf32> {
  // CHECK-DAG: %[[ZX:.*]] = aic.constant dense<3> : tensor<ui8>
  // CHECK-DAG: %[[S:.*]] = aic.constant dense<{{\[}}{{\[}}[1.250000e-01]], {{\[}}[1.000000e+00]]]> : tensor<2x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = aic.constant dense<{{\[}}{{\[}}[1.000000e+00]], {{\[}}[-2.000000e+00]]]> : tensor<2x1x1xf32>
  // CHECK: %[[ACC:.*]] = aic.conv_integer %{{.*}}, %{{.*}} input_zero_point %[[ZX]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xui8>, tensor<2x4x3x3xi8>, tensor<ui8>) -> tensor<1x2x5x5xi32>
  // CHECK: %[[F:.*]] = aic.cast %[[ACC]] {to = f32}
  // CHECK: %[[M:.*]] = aic.mul %[[F]], %[[S]]
  // CHECK: %[[Y:.*]] = aic.add %[[M]], %[[B]]
  // CHECK-NOT: aic.conv %
  // CHECK: return %[[Y]]
  %sx = aic.constant dense<0.5> : tensor<f32>
  %zx = aic.constant dense<3> : tensor<ui8>
  %w = aic.constant dense<1> : tensor<2x4x3x3xi8>
  %sw = aic.constant dense<[0.25, 2.0]> : tensor<2xf32>
  %zw = aic.constant dense<0> : tensor<2xi8>
  %b = aic.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %0 = aic.dequantize %x, %sx zero_point %zx : (tensor<1x4x5x5xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x5x5xf32>
  %1 = aic.dequantize %w, %sw zero_point %zw {axis = 0 : i64} : (tensor<2x4x3x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x4x3x3xf32>
  %2 = aic.conv %0, %1, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  return %2 : tensor<1x2x5x5xf32>
}

// -----

// Tests that a convolution of signed 8-bit activations becomes an integer
// one too (the kernels flip them to unsigned bytes), and that unsigned
// weights (which they do not take) keep a float convolution.
// CHECK-LABEL: func.func @conv_signed_activations
func.func @conv_signed_activations(%x: tensor<1x4x5x5xi8>) -> tensor<1x2x3x3xf32> {
  // CHECK: aic.conv_integer %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x5x5xi8>, tensor<2x4x3x3xi8>) -> tensor<1x2x3x3xi32>
  // CHECK-NOT: aic.conv %
  %sx = aic.constant dense<0.5> : tensor<f32>
  %w = aic.constant dense<1> : tensor<2x4x3x3xi8>
  %sw = aic.constant dense<0.25> : tensor<f32>
  %0 = aic.dequantize %x, %sx : (tensor<1x4x5x5xi8>, tensor<f32>) -> tensor<1x4x5x5xf32>
  %1 = aic.dequantize %w, %sw : (tensor<2x4x3x3xi8>, tensor<f32>) -> tensor<2x4x3x3xf32>
  %2 = aic.conv %0, %1 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// -----

// Tests that a grouped convolution stays a float one.
// CHECK-LABEL: func.func @conv_grouped
func.func @conv_grouped(%x: tensor<1x4x5x5xui8>) -> tensor<1x4x3x3xf32> {
  // CHECK-NOT: aic.conv_integer
  // CHECK: aic.conv
  %sx = aic.constant dense<0.5> : tensor<f32>
  %w = aic.constant dense<1> : tensor<4x1x3x3xi8>
  %sw = aic.constant dense<0.25> : tensor<f32>
  %0 = aic.dequantize %x, %sx : (tensor<1x4x5x5xui8>, tensor<f32>) -> tensor<1x4x5x5xf32>
  %1 = aic.dequantize %w, %sw : (tensor<4x1x3x3xi8>, tensor<f32>) -> tensor<4x1x3x3xf32>
  %2 = aic.conv %0, %1 {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %2 : tensor<1x4x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @conv_unsigned_weights
func.func @conv_unsigned_weights(%x: tensor<1x4x5x5xui8>) -> tensor<1x2x3x3xf32> {
  // CHECK-NOT: aic.conv_integer
  // CHECK: aic.conv
  %sx = aic.constant dense<0.5> : tensor<f32>
  %w = aic.constant dense<1> : tensor<2x4x3x3xui8>
  %sw = aic.constant dense<0.25> : tensor<f32>
  %0 = aic.dequantize %x, %sx : (tensor<1x4x5x5xui8>, tensor<f32>) -> tensor<1x4x5x5xf32>
  %1 = aic.dequantize %w, %sw : (tensor<2x4x3x3xui8>, tensor<f32>) -> tensor<2x4x3x3xf32>
  %2 = aic.conv %0, %1 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}
