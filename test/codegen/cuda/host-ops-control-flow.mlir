// RUN: aic-opt %s --split-input-file --aic-cuda-host-ops-to-kernels | FileCheck %s

// Control flow around kernels stays on the host, and its blocks are the
// host's: a loop that launches a kernel each iteration keeps its other
// device work in one-thread kernels of its own.
// CHECK-LABEL: func.func @main
// CHECK: scf.for
// CHECK: gpu.launch blocks
// CHECK-NEXT: memref.store
// CHECK: gpu.launch blocks
// CHECK: gpu.terminator
// CHECK: }
func.func @main(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %cst = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<8xf32>
  scf.for %k = %c0 to %c3 step %c1 {
    memref.store %cst, %buf[%c0] : memref<8xf32>
    gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
      %r = memref.load %buf[%tx] : memref<8xf32>
      memref.store %r, %a[%tx] : memref<8xf32>
      gpu.terminator
    }
  }
  memref.dealloc %buf : memref<8xf32>
  return
}

// -----

// The host writes the shape it reads itself (host-visible memory), the
// run-error slot of a failed check (an LLVM global) stays the host's, and
// buffers the deallocation's helper takes are host-visible.
// CHECK-LABEL: func.func @main
// CHECK: %[[SHAPE:.*]] = memref.alloc() {aic.cuda.host_visible} : memref<1xi64>
// CHECK: %[[LIST:.*]] = memref.alloc() {aic.cuda.host_visible} : memref<2xindex>
// CHECK-NOT: gpu.launch
// CHECK: memref.store %{{.*}}, %[[SHAPE]]
// CHECK: memref.reshape
// CHECK: scf.if
// CHECK-NOT: gpu.launch
// CHECK: llvm.store
// CHECK: memref.store %{{.*}}, %[[LIST]]
// CHECK: call @helper(%[[LIST]])
func.func private @helper(memref<2xindex>)
llvm.mlir.global internal thread_local @__aic_run_error() : !llvm.ptr {
  %0 = llvm.mlir.zero : !llvm.ptr
  llvm.return %0 : !llvm.ptr
}
func.func @main(%x: memref<4xf32>, %n: i64, %bad: i1) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %shape = memref.alloc() : memref<1xi64>
  %list = memref.alloc() : memref<2xindex>
  memref.store %n, %shape[%c0] : memref<1xi64>
  %y = memref.reshape %x(%shape) : (memref<4xf32>, memref<1xi64>) -> memref<?xf32>
  scf.if %bad {
    %slot = llvm.mlir.addressof @__aic_run_error : !llvm.ptr
    %null = llvm.mlir.zero : !llvm.ptr
    llvm.store %null, %slot : !llvm.ptr, !llvm.ptr
  }
  memref.store %c0, %list[%c0] : memref<2xindex>
  call @helper(%list) : (memref<2xindex>) -> ()
  return %y : memref<?xf32>
}
