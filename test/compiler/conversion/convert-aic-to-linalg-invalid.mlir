// RUN: aic-opt %s --split-input-file --aic-convert-aic-to-linalg --verify-diagnostics

// Tests that an op no pattern lowers (here a conv with dynamic spatial
// dims) is reported at the op with the reason, not left behind.
func.func @conv_dynamic_spatial(%x: tensor<1x3x?x?xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x?x?xf32> {
  // expected-error @+2 {{'aic.conv' op cannot be lowered yet: dynamic channel or spatial dims}}
  // expected-error @+1 {{failed to legalize operation 'aic.conv' that was explicitly marked illegal}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x?x?xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x?x?xf32>
  return %0 : tensor<1x6x?x?xf32>
}
