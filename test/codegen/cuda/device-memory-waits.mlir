// RUN: aic-opt %s --aic-cuda-device-memory --canonicalize | FileCheck %s

// Tests that the host's wait before it reads what a kernel wrote (a
// computed shape, in managed memory) survives canonicalization: a call to
// the model host code's aic_cuda_synchronize, where a gpu.wait on the
// stream's token (a gpu.wait without dependencies, whose token counts as
// complete) would be dropped and the host would read the value before the
// kernel wrote it.
// CHECK-LABEL: func.func @main(
// CHECK: gpu.launch_func async
// CHECK-NEXT: llvm.call @aic_cuda_synchronize() : () -> ()
// CHECK-NEXT: memref.load
// CHECK: llvm.func @aic_cuda_synchronize()
module attributes {gpu.container_module} {
  gpu.module @aic_kernels {
    gpu.func @count(%n: memref<1xi64>) kernel { gpu.return }
  }
  func.func @main() -> i64 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.alloc() {aic.cuda.host_visible} : memref<1xi64>
    gpu.launch_func @aic_kernels::@count blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%n : memref<1xi64>)
    %v = memref.load %n[%c0] : memref<1xi64>
    memref.dealloc %n : memref<1xi64>
    return %v : i64
  }
}
