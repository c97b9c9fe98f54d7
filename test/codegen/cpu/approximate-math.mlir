// RUN: aic-opt %s --pass-pipeline='builtin.module(func.func(aic-cpu-approximate-math))' | FileCheck %s

// Tests that f32 exp, erf and tanh, vector or scalar, become polynomial
// arithmetic (fused multiply-adds on the same vectors), while other math
// functions and other element types are left to the LLVM lowering.
// CHECK-LABEL: func.func @activations
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: math.log %{{.*}} : vector<16xf32>
// CHECK: math.exp %{{.*}} : f64
func.func @activations(%x: vector<16xf32>, %s: f32, %d: f64) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, f32, vector<16xf32>, f64) {
  %e = math.exp %x : vector<16xf32>
  %g = math.erf %x : vector<16xf32>
  %t = math.tanh %x : vector<16xf32>
  %es = math.exp %s : f32
  %l = math.log %x : vector<16xf32>
  %ed = math.exp %d : f64
  return %e, %g, %t, %es, %l, %ed : vector<16xf32>, vector<16xf32>, vector<16xf32>, f32, vector<16xf32>, f64
}
