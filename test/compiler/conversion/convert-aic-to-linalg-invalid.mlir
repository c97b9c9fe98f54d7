// RUN: aic-opt %s --split-input-file --aic-convert-aic-to-linalg --verify-diagnostics

// Tests that an op no pattern lowers (here a grouped conv with a dynamic
// number of channels) is reported at the op with the reason, not left
// behind.
func.func @grouped_conv_dynamic_channels(%x: tensor<1x?x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'aic.conv' op cannot be lowered yet: grouped convolution with dynamic channels}}
  // expected-error @+1 {{failed to legalize operation 'aic.conv' that was explicitly marked illegal}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x?x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
