// RUN: aic-opt %s --split-input-file --aic-quantize | FileCheck %s --check-prefix=STATIC
// RUN: aic-opt %s --split-input-file --aic-quantize=mode=int8-dynamic | FileCheck %s --check-prefix=DYNAMIC
// RUN: aic-opt %s --split-input-file --aic-quantize=exclude=fc | FileCheck %s --check-prefix=EXCLUDE

// Tests that a matmul by constant weights gets per-column int8 weights
// (column 0: largest magnitude 2, scale 2/127; column 1: 0.5, 0.5/127)
// and uint8 activations: statically from the calibrated range [-1, 3]
// (scale 4/255, zero point 64, multiplying by its reciprocal), dynamically
// from their range at run time (dividing, as DynamicQuantizeLinear does).
// The weights round half to even: -1 / (2/127) = -63.5 -> -64; the blob
// is 4 bytes of alignment, then 127, -64, -64, 127.
// STATIC-LABEL: func.func @matmul
// STATIC-DAG: %[[SX:.*]] = aic.constant dense<0.0156862754> : tensor<f32>
// STATIC-DAG: %[[ZX:.*]] = aic.constant dense<64> : tensor<ui8>
// STATIC: %[[Q:.*]] = aic.quantize %arg0, %[[SX]] zero_point %[[ZX]] {reciprocal = true} : {{.*}} -> tensor<4x2xui8>
// STATIC: %[[X:.*]] = aic.dequantize %[[Q]], %[[SX]] zero_point %[[ZX]]
// STATIC-DAG: %[[W:.*]] = aic.constant dense_resource<quantized> : tensor<2x2xi8>
// STATIC-DAG: %[[SW:.*]] = aic.constant dense<[0.0157480314, 0.00393700786]> : tensor<2xf32>
// STATIC: %[[WF:.*]] = aic.dequantize %[[W]], %[[SW]] zero_point %{{.*}} : (tensor<2x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2xf32>
// STATIC: aic.matmul %[[X]], %[[WF]]
// STATIC-NOT: aic.input_range
// STATIC: quantized: "0x080000007FC0C07F"
// DYNAMIC-LABEL: func.func @matmul
// DYNAMIC: aic.reduce_min %arg0
// DYNAMIC: aic.reduce_max %arg0
// DYNAMIC: %[[Q:.*]] = aic.quantize %arg0, %{{.*}} zero_point %{{.*}} : (tensor<4x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x2xui8>
// DYNAMIC: %[[X:.*]] = aic.dequantize %[[Q]]
// DYNAMIC: aic.matmul %[[X]], %{{.*}}
// EXCLUDE-LABEL: func.func @matmul
// EXCLUDE-NOT: aic.quantize
// EXCLUDE: aic.matmul %arg0, %{{.*}} {aic.input_range
func.func @matmul(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = aic.constant dense<[[2.0, -0.25], [-1.0, 0.5]]> : tensor<2x2xf32>
  %y = aic.matmul %x, %w {aic.input_range = array<f32: -1.0, 3.0>} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> loc("fc")
  return %y : tensor<4x2xf32>
}

// -----

// Tests that a Gemm by transposed constant weights becomes a matmul by
// the weights transposed at compile time, quantized, plus its C; and that
// without a calibrated range the static mode leaves a matmul float.
// STATIC-LABEL: func.func @gemm
// STATIC: %[[Y:.*]] = aic.matmul %{{.*}}, %{{.*}} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
// STATIC: aic.add %[[Y]], %{{.*}} : (tensor<1x2xf32>, tensor<2xf32>)
// STATIC-NOT: aic.quantize
// STATIC-NOT: aic.gemm
// DYNAMIC-LABEL: func.func @gemm
// DYNAMIC: aic.quantize
// DYNAMIC: aic.matmul
// DYNAMIC: aic.add
func.func @gemm(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = aic.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = aic.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = aic.gemm %x, %w, %b {trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Tests that a 2-D convolution by constant filters gets int8 filters per
// filter (axis 0; filter 0's largest magnitude 2, scale 2/127; filter 1's
// 0.5, 0.5/127) and uint8 activations from the calibrated range [0, 2.55]
// (scale 0.01, zero point 0); dynamic quantization leaves it float. The
// blob is 4 bytes of alignment, then
// filter 0's 4 values (127, -64, 0, 0) and filter 1's (0, -127, 0, 0).
// STATIC-LABEL: func.func @conv
// STATIC-DAG: %[[ZX:.*]] = aic.constant dense<0> : tensor<ui8>
// STATIC: %[[Q:.*]] = aic.quantize %arg0, %{{.*}} zero_point %[[ZX]] {reciprocal = true} : {{.*}} -> tensor<1x4x3x3xui8>
// STATIC: %[[X:.*]] = aic.dequantize %[[Q]]
// STATIC-DAG: %[[W:.*]] = aic.constant dense_resource<quantized> : tensor<2x4x1x1xi8>
// STATIC-DAG: %[[SW:.*]] = aic.constant dense<[0.0157480314, 0.00393700786]> : tensor<2xf32>
// STATIC: %[[WF:.*]] = aic.dequantize %[[W]], %[[SW]] zero_point %{{.*}} {axis = 0 : i64} : (tensor<2x4x1x1xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x4x1x1xf32>
// STATIC: aic.conv %[[X]], %[[WF]]
// STATIC: quantized: "0x080000007FC0000000810000"
// DYNAMIC-LABEL: func.func @conv
// DYNAMIC-NOT: aic.quantize
// DYNAMIC: aic.conv %arg0
func.func @conv(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = aic.constant dense<[[[[2.0]], [[-1.0]], [[0.0]], [[0.0]]], [[[0.0]], [[-0.5]], [[0.0]], [[0.0]]]]> : tensor<2x4x1x1xf32>
  %y = aic.conv %x, %w {aic.input_range = array<f32: 0.0, 2.55>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Tests that a convolution whose C x Kh x Kw is not a multiple of 4 (3
// channels of 1 x 1: no whole dot products) stays float.
// STATIC-LABEL: func.func @conv_three_channels
// STATIC-NOT: aic.quantize
// STATIC: aic.conv %arg0
func.func @conv_three_channels(%x: tensor<1x3x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = aic.constant dense<1.0> : tensor<2x3x1x1xf32>
  %y = aic.conv %x, %w {aic.input_range = array<f32: 0.0, 2.55>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x3x3xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
