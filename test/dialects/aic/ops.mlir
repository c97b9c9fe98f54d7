// RUN: aic-opt %s --split-input-file | aic-opt --split-input-file | FileCheck %s
// RUN: aic-opt %s --split-input-file --mlir-print-op-generic | aic-opt --split-input-file | FileCheck %s

// Tests that elementwise ops round-trip with broadcasting operand types.
// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: aic.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = aic.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: aic.sub
  %1 = aic.sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: aic.mul
  %2 = aic.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: aic.div
  %3 = aic.div %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: aic.relu %{{.*}} : tensor<2x3xf32>
  %4 = aic.relu %3 : tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}

// -----

// Tests that contractions round-trip with their attributes.
// CHECK-LABEL: func.func @contractions
func.func @contractions(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>,
                        %x: tensor<1x3x8x8xf32>, %w: tensor<6x1x3x3xf32>,
                        %bias: tensor<6xf32>) -> (tensor<2x3x5xf32>, tensor<5x3xf32>, tensor<1x6x4x4xf32>) {
  // CHECK: aic.matmul {{.*}} -> tensor<2x3x5xf32>
  %0 = aic.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %m = aic.constant dense<1.0> : tensor<4x3xf32>
  // CHECK: aic.gemm {{.*}} {alpha = 5.000000e-01 : f32, trans_a = true}
  %1 = aic.gemm %b, %m {alpha = 0.5 : f32, trans_a = true} : (tensor<4x5xf32>, tensor<4x3xf32>) -> tensor<5x3xf32>
  // CHECK: aic.conv {{.*}} {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>}
  %2 = aic.conv %x, %w, %bias {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return %0, %1, %2 : tensor<2x3x5xf32>, tensor<5x3xf32>, tensor<1x6x4x4xf32>
}

// -----

// Tests that rotary_embedding round-trips.
// CHECK-LABEL: func.func @rotary_embedding
func.func @rotary_embedding(%x: tensor<2x4x3x8xf32>, %t: tensor<2x3x4xf32>) -> tensor<2x4x3x8xf32> {
  // CHECK: aic.rotary_embedding %{{.*}}, %{{.*}}, %{{.*}} {heads_first = true, interleaved = true, rotary_dim = 0 : i64} : tensor<2x4x3x8xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
  %0 = aic.rotary_embedding %x, %t, %t {heads_first = true, interleaved = true, rotary_dim = 0 : i64} : tensor<2x4x3x8xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
  return %0 : tensor<2x4x3x8xf32>
}

// -----

// Tests that pad round-trips with pads known only at run time.
// CHECK-LABEL: func.func @pad_runtime
func.func @pad_runtime(%x: tensor<3x4xf32>, %p: tensor<2xi64>) -> tensor<3x?xf32> {
  // CHECK: aic.pad %{{.*}} pads_input %{{.*}} {axes = array<i64: 1>, mode = "edge", pads = array<i64: 0, 0, 0, 0>} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  %0 = aic.pad %x pads_input %p {axes = array<i64: 1>, mode = "edge", pads = array<i64: 0, 0, 0, 0>} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// Tests that bit_shift and cumprod round-trip.
// CHECK-LABEL: func.func @bit_shift_cumprod
func.func @bit_shift_cumprod(%a: tensor<4xui8>, %x: tensor<2x3xf32>) -> (tensor<4xui8>, tensor<2x3xf32>) {
  // CHECK: aic.bit_shift %{{.*}}, %{{.*}} {left = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %0 = aic.bit_shift %a, %a {left = true} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: aic.cumprod %{{.*}} {axis = 1 : i64, reverse = true} : tensor<2x3xf32>
  %1 = aic.cumprod %x {axis = 1 : i64, reverse = true} : tensor<2x3xf32>
  return %0, %1 : tensor<4xui8>, tensor<2x3xf32>
}

// -----

// Tests that lstm round-trips with its optional operands.
// CHECK-LABEL: func.func @lstm
func.func @lstm(%x: tensor<3x2x5xf32>, %w: tensor<1x16x5xf32>, %r: tensor<1x16x4xf32>, %l: tensor<2xi32>, %p: tensor<1x12xf32>) -> tensor<3x1x2x4xf32> {
  // CHECK: aic.lstm %{{.*}}, %{{.*}}, %{{.*}} sequence_lens %{{.*}} peepholes %{{.*}} {activations = ["Sigmoid", "Tanh", "Tanh"], clip = 3.000000e+00 : f32, direction = "reverse", hidden_size = 4 : i64}
  %y, %h, %c = aic.lstm %x, %w, %r sequence_lens %l peepholes %p {activations = ["Sigmoid", "Tanh", "Tanh"], clip = 3.0 : f32, direction = "reverse", hidden_size = 4 : i64} : (tensor<3x2x5xf32>, tensor<1x16x5xf32>, tensor<1x16x4xf32>, tensor<2xi32>, tensor<1x12xf32>) -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %y : tensor<3x1x2x4xf32>
}

// -----

// Tests that max_pool_indices round-trips and infers i64 indices.
// CHECK-LABEL: func.func @max_pool_indices
func.func @max_pool_indices(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64> {
  // CHECK: aic.max_pool_indices %{{.*}} {column_major = true, {{.*}}} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  %0 = aic.max_pool_indices %x {column_major = true, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

// Tests that scatter round-trips.
// CHECK-LABEL: func.func @scatter
func.func @scatter(%d: tensor<3x3xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) -> tensor<3x3xf32> {
  // CHECK: aic.scatter %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, nd = false, reduction = "max"}
  %0 = aic.scatter %d, %i, %u {axis = 1 : i64, nd = false, reduction = "max"} : (tensor<3x3xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Tests that check round-trips.
// CHECK-LABEL: func.func @check
func.func @check(%ok: tensor<i1>) {
  // CHECK: aic.check %{{.*}}, "shapes differ" : tensor<i1>
  aic.check %ok, "shapes differ" : tensor<i1>
  return
}

// -----

// Tests that top_k round-trips with a k known only at run time.
// CHECK-LABEL: func.func @top_k
func.func @top_k(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<?x4xf32>, tensor<?x4xi64>) {
  // CHECK: aic.top_k %{{.*}}, %{{.*}} {axis = 0 : i64, largest = false} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<?x4xf32>, tensor<?x4xi64>)
  %v, %i = aic.top_k %x, %k {axis = 0 : i64, largest = false} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<?x4xf32>, tensor<?x4xi64>)
  return %v, %i : tensor<?x4xf32>, tensor<?x4xi64>
}

// -----

// Tests that conv_transpose round-trips and infers stride * (in - 1) +
// dilation * (k - 1) + 1 - pads, negative pads growing the output.
// CHECK-LABEL: func.func @conv_transpose
func.func @conv_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x6x10x5xf32> {
  // CHECK: aic.conv_transpose {{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 1, -1, 1>, strides = array<i64: 3, 2>}
  %0 = aic.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 1, -1, 1>, strides = array<i64: 3, 2>} : (tensor<1x4x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x10x5xf32>
  return %0 : tensor<1x6x10x5xf32>
}

// -----

// Tests that shape ops round-trip, including a reshape whose target is
// only known at run time.
// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> (tensor<2x12xf32>, tensor<?x?xf32>, tensor<4x2x3xf32>, tensor<6x4xf32>) {
  %c = aic.constant dense<[0, -1]> : tensor<2xi64>
  // CHECK: aic.reshape {{.*}} -> tensor<2x12xf32>
  %0 = aic.reshape %x, %c : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  // CHECK: aic.reshape {{.*}} -> tensor<?x?xf32>
  %1 = aic.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: aic.transpose {{.*}} {perm = array<i64: 2, 0, 1>}
  %2 = aic.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: aic.flatten {{.*}} {axis = 2 : i64}
  %3 = aic.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0, %1, %2, %3 : tensor<2x12xf32>, tensor<?x?xf32>, tensor<4x2x3xf32>, tensor<6x4xf32>
}

// -----

// Tests that the elementwise, comparison and activation ops round-trip.
// CHECK-LABEL: func.func @elementwise_more
func.func @elementwise_more(%a: tensor<3xf32>, %b: tensor<3xf32>, %n: tensor<3xi64>, %lo: tensor<f32>) -> (tensor<3xf32>, tensor<3xi1>, tensor<3xi64>) {
  // CHECK: aic.pow {{.*}} : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  %0 = aic.pow %a, %n : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  // CHECK: aic.greater_or_equal {{.*}} -> tensor<3xi1>
  %1 = aic.greater_or_equal %0, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  // CHECK: aic.where
  %2 = aic.where %1, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // CHECK: aic.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<3xf32>
  %3 = aic.leaky_relu %2 {alpha = 0.1 : f32} : tensor<3xf32>
  // CHECK: aic.clip %{{.*}} min %{{.*}} : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %4 = aic.clip %3 min %lo : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  // CHECK: aic.cast %{{.*}} {to = i64} : (tensor<3xf32>) -> tensor<3xi64>
  %5 = aic.cast %4 {to = i64} : (tensor<3xf32>) -> tensor<3xi64>
  // CHECK: aic.mod {{.*}} {fmod = true}
  %6 = aic.mod %4, %b {fmod = true} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %6, %1, %5 : tensor<3xf32>, tensor<3xi1>, tensor<3xi64>
}

// -----

// Tests that reductions, normalizations and pooling round-trip.
// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<1x3x4x4xf32>, %c: tensor<3xf32>, %g: tensor<4xf32>) -> (tensor<1x3xf32>, tensor<1x1x4x4xi64>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x2x2xf32>) {
  // CHECK: aic.reduce_sum {{.*}} {axes = array<i64: 2, 3>, keepdims = false}
  %0 = aic.reduce_sum %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x3x4x4xf32>) -> tensor<1x3xf32>
  // CHECK: aic.argmax {{.*}} {axis = 1 : i64}
  %1 = aic.argmax %x {axis = 1 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x1x4x4xi64>
  // CHECK: aic.batch_norm
  %2 = aic.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: aic.layer_norm
  %3, %mean, %inv = aic.layer_norm %2, %g {axis = 3 : i64, epsilon = 1.0e-05 : f32} : (tensor<1x3x4x4xf32>, tensor<4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x1xf32>, tensor<1x3x4x1xf32>)
  // CHECK: aic.rms_norm
  %r = aic.rms_norm %3, %g {axis = 3 : i64, epsilon = 1.0e-05 : f32} : (tensor<1x3x4x4xf32>, tensor<4xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: aic.trilu %{{.*}} {k = 1 : i64, upper = false}
  %t = aic.trilu %r {k = 1 : i64, upper = false} : tensor<1x3x4x4xf32>
  // CHECK: aic.max_pool
  %4 = aic.max_pool %t {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %0, %1, %2, %3, %4 : tensor<1x3xf32>, tensor<1x1x4x4xi64>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<2x8x4x16xf32>, %k: tensor<2x2x6x16xf32>, %v: tensor<2x2x6x16xf32>, %m: tensor<4x6xf32>, %n: tensor<2xi64>) -> (tensor<2x8x4x16xf32>, tensor<2x8x4x6xf32>) {
  // CHECK: aic.attention %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} kv_lengths %{{.*}} {is_causal = true, scale = 2.500000e-01 : f32}
  %y, %s = aic.attention %q, %k, %v bias %m kv_lengths %n {scale = 0.25 : f32, is_causal = true} : (tensor<2x8x4x16xf32>, tensor<2x2x6x16xf32>, tensor<2x2x6x16xf32>, tensor<4x6xf32>, tensor<2xi64>) -> (tensor<2x8x4x16xf32>, tensor<2x8x4x6xf32>)
  return %y, %s : tensor<2x8x4x16xf32>, tensor<2x8x4x6xf32>
}

// -----

// CHECK-LABEL: func.func @unsigned
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xi32> {
  // CHECK: aic.div {{.*}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %0 = aic.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  // CHECK: aic.cast {{.*}} {to = i32}
  %1 = aic.cast %0 {to = i32} : (tensor<4xui8>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %z: tensor<4xui8>, %b: tensor<2x2xf32>) -> (tensor<2x4xf32>, tensor<2x4xi4>) {
  // CHECK: aic.quantize %{{.*}}, %{{.*}} zero_point %{{.*}} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<2x4xui8>
  %q = aic.quantize %x, %s zero_point %z {axis = 1 : i64} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<2x4xui8>
  // CHECK: aic.dequantize
  %d = aic.dequantize %q, %s zero_point %z {axis = 1 : i64} : (tensor<2x4xui8>, tensor<4xf32>, tensor<4xui8>) -> tensor<2x4xf32>
  // CHECK: aic.quantize {{.*}} {block_size = 2 : i64}
  %i = aic.quantize %d, %b {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x4xf32>, tensor<2x2xf32>) -> tensor<2x4xi4>
  return %d, %i : tensor<2x4xf32>, tensor<2x4xi4>
}
