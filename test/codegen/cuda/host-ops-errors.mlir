// RUN: aic-opt %s --aic-cuda-host-ops-to-kernels -verify-diagnostics

// An op whose result the host needs but that touches device memory in a
// way the host cannot (an atomic update, not a load or store) has nowhere
// to run: an error, not a host access of device memory.
func.func @main(%x: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %buf = memref.alloc() : memref<4xf32>
  // expected-error @below {{the host needs this op's results, but it touches memory only the GPU has}}
  %old = memref.atomic_rmw addf %x, %buf[%c0] : (f32, memref<4xf32>) -> f32
  memref.dealloc %buf : memref<4xf32>
  return %old : f32
}
