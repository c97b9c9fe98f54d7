// RUN: aic-opt %s --aic-cuda-merge-kernel-modules | FileCheck %s

// The outlined kernels go into one module, which compiles into one PTX
// module; launches refer to them there, a clashing name renamed.
// CHECK: gpu.launch_func @aic_kernels::@k
// CHECK: gpu.launch_func @aic_kernels::@k_0
// CHECK: gpu.module @aic_kernels
// CHECK: gpu.func @k()
// CHECK: gpu.func @k_0()
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @main() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @first::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @second::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @first {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @second {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}
