// RUN: aic-opt %s --split-input-file --aic-convert-aic-to-linalg --verify-diagnostics

// Tests that an op no pattern lowers (here a conv with a dynamic number of
// filters) is reported at the op with the reason, not left behind.
func.func @conv_dynamic_filters(%x: tensor<1x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) -> tensor<1x?x6x6xf32> {
  // expected-error @+2 {{'aic.conv' op cannot be lowered yet: a dynamic number of filters}}
  // expected-error @+1 {{failed to legalize operation 'aic.conv' that was explicitly marked illegal}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<1x?x6x6xf32>
  return %0 : tensor<1x?x6x6xf32>
}
