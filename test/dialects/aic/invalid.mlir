// RUN: aic-opt %s --split-input-file --verify-diagnostics

// Tests that operands that do not broadcast are rejected.
func.func @add_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands do not broadcast: [2, 3] vs [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that a declared result type that contradicts inference is rejected.
func.func @add_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Tests that mixed element types are rejected.
func.func @add_mixed_types(%a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{requires the same element type for all operands and results}}
  %0 = aic.add %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that matmul checks its contraction dimension.
func.func @matmul_k(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) -> tensor<3x6xf32> {
  // expected-error @+2 {{contraction dimensions differ: [3, 4] vs [5, 6]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

// Tests that matmul rejects scalars.
func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<5x6xf32>) -> tensor<6xf32> {
  // expected-error @+2 {{expects operands of rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.matmul %a, %b : (tensor<f32>, tensor<5x6xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Tests that gemm needs 2-D operands.
func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+2 {{expects 2-D A and B, got [2, 3, 4] and [4, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Tests that gemm checks that C broadcasts to the result.
func.func @gemm_c(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<3xf32>) -> tensor<3x5xf32> {
  // expected-error @+2 {{C of shape [3] does not broadcast to [3, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Tests that gemm checks its contraction dimension after transposes.
func.func @gemm_k(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{contraction dimensions differ: 4 vs 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.gemm %a, %b {trans_b = true} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that conv checks channels against weight and group.
func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{input has 3 channels but weight expects 2 x group 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Tests that conv_transpose checks channels against the weight's first dim.
func.func @conv_transpose_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{input has 3 channels but weight expects 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv_transpose %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that conv_transpose rejects pads that leave no output.
func.func @conv_transpose_pads(%x: tensor<1x1x2xf32>, %w: tensor<1x1x2xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+2 {{pads leave no output along spatial dim 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv_transpose %x, %w {dilations = array<i64: 1>, pads = array<i64: 2, 1>, strides = array<i64: 1>} : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

// Tests that rotary_embedding checks its tables against the rotated half.
func.func @rotary_tables(%x: tensor<2x4x3x8xf32>, %t: tensor<2x3x4xf32>) -> tensor<2x4x3x8xf32> {
  // expected-error @+1 {{expects cos and sin of shape [2, 3, 2], got [2, 3, 4]}}
  %0 = aic.rotary_embedding %x, %t, %t {heads_first = true, interleaved = true, rotary_dim = 4 : i64} : tensor<2x4x3x8xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
  return %0 : tensor<2x4x3x8xf32>
}

// -----

// Tests that pad checks the count of pads known only at run time.
func.func @pad_runtime_count(%x: tensor<3x4xf32>, %p: tensor<4xi64>) -> tensor<3x?xf32> {
  // expected-error @+2 {{expects 2 pads_input entries, got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.pad %x pads_input %p {axes = array<i64: 1>, mode = "edge", pads = array<i64: 0, 0, 0, 0>} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// Tests that lstm checks its weights against the hidden size.
func.func @lstm_weights(%x: tensor<3x2x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x16x4xf32>) -> tensor<3x1x2x4xf32> {
  // expected-error @+1 {{expects W [1, 16, 5] and R [1, 16, 4]}}
  %y, %h, %c = aic.lstm %x, %w, %r {activations = ["Sigmoid", "Tanh", "Tanh"], direction = "forward", hidden_size = 4 : i64} : (tensor<3x2x5xf32>, tensor<1x12x5xf32>, tensor<1x16x4xf32>) -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %y : tensor<3x1x2x4xf32>
}

// -----

// Tests that gru checks its bias against the hidden size.
func.func @gru_bias(%x: tensor<3x2x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x12xf32>) -> tensor<3x1x2x4xf32> {
  // expected-error @+1 {{expects B of shape [1, 24]}}
  %y, %h = aic.gru %x, %w, %r bias %b {activations = ["Sigmoid", "Tanh"], direction = "forward", hidden_size = 4 : i64} : (tensor<3x2x5xf32>, tensor<1x12x5xf32>, tensor<1x12x4xf32>, tensor<1x12xf32>) -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y : tensor<3x1x2x4xf32>
}

// -----

// Tests that scatter checks updates against indices and data (ND).
func.func @scatter_nd_updates(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{expects updates to end with data's trailing dims}}
  %0 = aic.scatter %d, %i, %u {nd = true, reduction = "none"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that top_k checks a constant k against the axis.
func.func @top_k_too_many(%x: tensor<3x4xf32>) -> (tensor<3x5xf32>, tensor<3x5xi64>) {
  %k = aic.constant dense<5> : tensor<1xi64>
  // expected-error @+1 {{expects k in [0, 4], got 5}}
  %v, %i = aic.top_k %x, %k {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
  return %v, %i : tensor<3x5xf32>, tensor<3x5xi64>
}

// -----

// Tests that conv checks the count of its spatial attributes.
func.func @conv_attrs(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{expects 2 strides and dilations and 4 pads, got 1, 2 and 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Tests that conv rejects a group that does not divide the filters.
func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32> {
  // expected-error @+2 {{expects output channels 3 divisible by group 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return %0 : tensor<1x3x6x6xf32>
}

// -----

// Tests that conv rejects a kernel larger than the padded input.
func.func @conv_kernel(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+2 {{kernel of extent 3 does not fit the padded input of extent 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

// Tests that conv rejects zero strides.
func.func @conv_stride(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+2 {{expects positive strides and dilations and non-negative pads}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Tests that conv checks the bias length.
func.func @conv_bias(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+2 {{expects bias of shape [2], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<3xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Tests that reshape checks element counts.
func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  %s = aic.constant dense<[7]> : tensor<1xi64>
  // expected-error @+2 {{cannot reshape [2, 3] (6 elements) to [7] (7 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.reshape %x, %s : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Tests that reshape allows one -1 only.
func.func @reshape_two_inferred(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  %s = aic.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+2 {{expects at most one -1 in the target shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that reshape rejects a non-i64 shape operand.
func.func @reshape_shape_type(%x: tensor<2x3xf32>, %s: tensor<2xi32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{operand #1 must be 1D tensor of 64-bit signless integer values}}
  %0 = aic.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that transpose needs a permutation.
func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+2 {{perm [0, 0] is not a permutation}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Tests that transpose needs one entry per dim.
func.func @transpose_rank(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{expects a permutation of 2 dims, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that flatten checks its axis.
func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  // expected-error @+2 {{expects axis in [0, 2], got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return %0 : tensor<6x1xf32>
}

// -----

// Tests that relu keeps its operand's type.
func.func @relu_type(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "aic.relu"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that a constant's type matches its value.
func.func @constant_type() -> tensor<3xf32> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "aic.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that unranked tensors are rejected.
func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor}}
  %0 = "aic.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that reduction axes must be sorted and in range.
func.func @reduce_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{expects sorted, distinct axes in [0, 2), got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.reduce_sum %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that concatenated inputs agree outside the axis.
func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{inputs differ outside the axis: [2, 4] vs [2, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that only size-1 dims squeeze.
func.func @squeeze_not_one(%a: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{cannot squeeze dim 0 of size 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.squeeze %a {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that a slice stays inside its input.
func.func @slice_out_of_range(%a: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{slice of dim 0 leaves [0, 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.slice %a {starts = array<i64: 2>, sizes = array<i64: 3>, steps = array<i64: 1>} : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that clip bounds are scalars.
func.func @clip_bound(%a: tensor<4xf32>, %lo: tensor<1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects scalar (rank-0) bounds, got 'tensor<1xf32>'}}
  %0 = aic.clip %a min %lo : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that softmax's axis is in range.
func.func @softmax_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects axis in [0, 2), got 2}}
  %0 = aic.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that batch norm's vectors have one entry per channel.
func.func @batch_norm_channels(%x: tensor<1x3x2x2xf32>, %c: tensor<4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{expects per-channel vectors of size 3, got 'tensor<4xf32>'}}
  %0 = aic.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32} : (tensor<1x3x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

// Tests that pooling windows fit the padded input.
func.func @pool_window(%x: tensor<1x1x2xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+2 {{the window does not fit the padded input [1, 1, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.max_pool %x {kernel = array<i64: 3>, strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<1x1x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

// Tests that gather's axis is in range.
func.func @gather_axis(%x: tensor<2x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  // expected-error @+2 {{expects axis in [0, 2), got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.gather %x, %i {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that layer norm's statistics keep the normalized dims as 1.
func.func @layer_norm_stats(%x: tensor<2x4xf32>, %g: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects statistics of shape [2, 1], got 'tensor<2x4xf32>'}}
  %y, %m, %r = aic.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
  return %y : tensor<2x4xf32>
}

// -----

// Tests that RMS norm's scale broadcasts to the normalized dims.
func.func @rms_norm_scale(%x: tensor<2x4xf32>, %g: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects scale and bias to broadcast to the normalized dims, got 'tensor<3xf32>'}}
  %y = aic.rms_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Tests that pad needs two pads per dim and a known mode.
func.func @pad_mode(%x: tensor<3xf32>) -> tensor<5xf32> {
  // expected-error @+2 {{unknown pad mode 'mirror'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = aic.pad %x {mode = "mirror", pads = array<i64: 1, 1>} : (tensor<3xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Tests that query heads must be a multiple of the key/value heads.
func.func @attention_heads(%q: tensor<1x5x4x8xf32>, %k: tensor<1x2x6x8xf32>) -> tensor<1x5x4x8xf32> {
  // expected-error @+2 {{expects the 5 query heads to be a multiple of the 2 key/value heads}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %s = aic.attention %q, %k, %k {scale = 1.0 : f32} : (tensor<1x5x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) -> (tensor<1x5x4x8xf32>, tensor<1x5x4x6xf32>)
  return %y : tensor<1x5x4x8xf32>
}

// -----

// Tests that the bias must broadcast to the scores.
func.func @attention_bias(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %m: tensor<4x5xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+2 {{operands do not broadcast: [1, 2, 4, 6] vs [4, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %s = aic.attention %q, %k, %k bias %m {scale = 1.0 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>, tensor<4x5xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>)
  return %y : tensor<1x2x4x8xf32>
}

// -----

// Tests that there is one kv length per batch.
func.func @attention_lengths(%q: tensor<2x2x4x8xf32>, %k: tensor<2x2x6x8xf32>, %n: tensor<3xi64>) -> tensor<2x2x4x8xf32> {
  // expected-error @+1 {{expects one kv length per batch, got 3 for a batch of 2}}
  %y, %s = aic.attention %q, %k, %k kv_lengths %n {scale = 1.0 : f32} : (tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>, tensor<3xi64>) -> (tensor<2x2x4x8xf32>, tensor<2x2x4x6xf32>)
  return %y : tensor<2x2x4x8xf32>
}

// -----

// Tests that the bias may not grow the scores.
func.func @attention_bias_grows(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %m: tensor<3x1x4x6xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+2 {{bias [3, 1, 4, 6] does not broadcast to the scores [1, 2, 4, 6]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %s = aic.attention %q, %k, %k bias %m {scale = 1.0 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>, tensor<3x1x4x6xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>)
  return %y : tensor<1x2x4x8xf32>
}

// -----

// Tests that quantization produces integers or 8-bit floats.
func.func @quantize_to_float(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf16> {
  // expected-error @+1 {{quantizes to integers or 8-bit floats, not 'f16'}}
  %0 = aic.quantize %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Tests that a blocked scale has one value per block along the axis.
func.func @quantize_blocks(%x: tensor<2x6xf32>, %s: tensor<2x2xf32>) -> tensor<2x6xi8> {
  // expected-error @+1 {{expects scale dim 1 to be 3, got 2}}
  %0 = aic.quantize %x, %s {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x6xf32>, tensor<2x2xf32>) -> tensor<2x6xi8>
  return %0 : tensor<2x6xi8>
}

// -----

// Tests that a per-axis scale has one value per element of the axis.
func.func @dequantize_axis(%x: tensor<2x6xi8>, %s: tensor<2xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expects a scale of one value per element of axis 1}}
  %0 = aic.dequantize %x, %s {axis = 1 : i64} : (tensor<2x6xi8>, tensor<2xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Tests that a cast names a rounding mode ONNX defines.
func.func @cast_round_mode(%x: tensor<2xf32>) -> tensor<2xf8E8M0FNU> {
  // expected-error @+1 {{unknown round_mode 'sideways'}}
  %0 = aic.cast %x {to = f8E8M0FNU, round_mode = "sideways"} : (tensor<2xf32>) -> tensor<2xf8E8M0FNU>
  return %0 : tensor<2xf8E8M0FNU>
}

// -----

// Tests that an integer matmul takes 8-bit integers.
func.func @matmul_integer_wide(%a: tensor<2x4xi32>, %b: tensor<4x3xi8>) -> tensor<2x3xi32> {
  // expected-error @+1 {{expects 8-bit integers as lhs, not 'i32'}}
  %0 = aic.matmul_integer %a, %b : (tensor<2x4xi32>, tensor<4x3xi8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Tests that a zero point of the rhs is per tensor or per column.
func.func @matmul_integer_zero_point(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %zb: tensor<4xi8>) -> tensor<2x3xi32> {
  // expected-error @+1 {{expects the zero point of rhs per tensor or per column}}
  %0 = aic.matmul_integer %a, %b rhs_zero_point %zb : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<4xi8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Tests that a zero point has its operand's element type.
func.func @matmul_integer_zero_point_type(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %za: tensor<i8>) -> tensor<2x3xi32> {
  // expected-error @+1 {{expects the zero point of lhs of its element type}}
  %0 = aic.matmul_integer %a, %b lhs_zero_point %za : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<i8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Tests that an integer convolution takes 8-bit integers.
func.func @conv_integer_wide(%x: tensor<1x4x8x8xi32>, %w: tensor<2x4x3x3xi8>) -> tensor<1x2x6x6xi32> {
  // expected-error @+1 {{expects 8-bit integers as input, not 'i32'}}
  %0 = aic.conv_integer %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xi32>, tensor<2x4x3x3xi8>) -> tensor<1x2x6x6xi32>
  return %0 : tensor<1x2x6x6xi32>
}

// -----

// Tests that the input's zero point is per tensor.
func.func @conv_integer_input_zero_point(%x: tensor<1x4x8x8xui8>, %w: tensor<2x4x3x3xi8>, %zx: tensor<4xui8>) -> tensor<1x2x6x6xi32> {
  // expected-error @+1 {{expects the zero point of input per tensor}}
  %0 = aic.conv_integer %x, %w input_zero_point %zx {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xui8>, tensor<2x4x3x3xi8>, tensor<4xui8>) -> tensor<1x2x6x6xi32>
  return %0 : tensor<1x2x6x6xi32>
}

// -----

// Tests that the weight's zero point is per tensor or per output channel.
func.func @conv_integer_weight_zero_point(%x: tensor<1x4x8x8xui8>, %w: tensor<2x4x3x3xi8>, %zw: tensor<4xi8>) -> tensor<1x2x6x6xi32> {
  // expected-error @+1 {{expects the zero point of weight per tensor or per channel}}
  %0 = aic.conv_integer %x, %w weight_zero_point %zw {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xui8>, tensor<2x4x3x3xi8>, tensor<4xi8>) -> tensor<1x2x6x6xi32>
  return %0 : tensor<1x2x6x6xi32>
}

// -----

// Tests that a zero point has its operand's element type.
func.func @conv_integer_zero_point_type(%x: tensor<1x4x8x8xui8>, %w: tensor<2x4x3x3xi8>, %zx: tensor<i8>) -> tensor<1x2x6x6xi32> {
  // expected-error @+1 {{expects the zero point of input of its element type}}
  %0 = aic.conv_integer %x, %w input_zero_point %zx {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xui8>, tensor<2x4x3x3xi8>, tensor<i8>) -> tensor<1x2x6x6xi32>
  return %0 : tensor<1x2x6x6xi32>
}
