// RUN: aic-opt %s --split-input-file --aic-cuda-device-memory | FileCheck %s

// Inputs reach the kernels as device copies (the host reads the shape
// input where it is), weights as device copies made on first use, buffers
// live on the device (managed where the host reads them), results come back
// to host memory, and the host waits for the stream only before it reads
// what a kernel wrote, and at the end.
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[X:.*]]: memref<4xf32>, %[[SHAPE:.*]]: memref<1xi64>)
// CHECK-NEXT: %[[S:.*]] = gpu.wait async
// CHECK-NEXT: %[[XD:.*]], %{{.*}} = gpu.alloc async [%[[S]]] () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy async [%[[S]]] %[[XD]], %[[X]]
// CHECK: %[[W:.*]] = memref.get_global @w
// CHECK: %[[WADDR:.*]] = memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @__aic_device_w
// CHECK: %[[WPTR:.*]] = llvm.call @aic_cuda_resident(%{{.*}}, %{{.*}}, %[[SLOT]])
// CHECK: %[[WD:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<{{.*}}> to memref<4xf32>
// The constant only the host reads, and the shape input, stay host memory.
// CHECK: %[[DIMS:.*]] = memref.get_global @dims
// CHECK-NEXT: memref.load %[[DIMS]]
// CHECK-NEXT: memref.load %[[SHAPE]]
// CHECK-NEXT: %[[Y:.*]], %{{.*}} = gpu.alloc async [%[[S]]] () : memref<4xf32>
// CHECK-NEXT: gpu.launch_func async [%[[S]]] @aic_kernels::@scale {{.*}} args(%[[XD]] : memref<4xf32>, %[[WD]] : memref<4xf32>, %[[Y]] : memref<4xf32>)
// CHECK-NEXT: %[[N:.*]] = gpu.alloc host_shared () : memref<1xi64>
// CHECK-NEXT: gpu.launch_func async [%[[S]]] @aic_kernels::@count
// CHECK-NEXT: llvm.call @aic_cuda_synchronize()
// CHECK-NEXT: memref.load %[[N]]
// CHECK: %[[Z:.*]], %{{.*}} = gpu.alloc async [%[[S]]] (%{{.*}}) : memref<?xf32>
// CHECK-NEXT: gpu.launch_func async [%[[S]]] @aic_kernels::@fill
// CHECK-NEXT: gpu.dealloc async [%[[S]]] %[[N]]
// CHECK-NEXT: %[[YH:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK-NEXT: gpu.memcpy async [%[[S]]] %[[YH]], %[[Y]]
// CHECK-NEXT: gpu.dealloc async [%[[S]]] %[[Y]]
// CHECK: %[[ZH:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?xf32>
// CHECK-NEXT: gpu.memcpy async [%[[S]]] %[[ZH]], %[[Z]]
// CHECK-NEXT: gpu.dealloc async [%[[S]]] %[[Z]]
// CHECK-NEXT: gpu.dealloc async [%[[S]]] %[[XD]]
// CHECK-NEXT: llvm.call @aic_cuda_synchronize()
// CHECK-NEXT: return %[[YH]], %[[ZH]]
// CHECK: llvm.mlir.global internal @__aic_device_w()
// CHECK: llvm.func @aic_cuda_resident(!llvm.ptr, i64, !llvm.ptr) -> !llvm.ptr
module attributes {gpu.container_module} {
  memref.global "private" constant @w : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  memref.global "private" constant @dims : memref<1xi64> = dense<4>
  gpu.module @aic_kernels {
    gpu.func @scale(%x: memref<4xf32>, %w: memref<4xf32>, %y: memref<4xf32>) kernel { gpu.return }
    gpu.func @count(%y: memref<4xf32>, %n: memref<1xi64>) kernel { gpu.return }
    gpu.func @fill(%z: memref<?xf32>) kernel { gpu.return }
  }
  func.func @main(%x: memref<4xf32>, %shape: memref<1xi64>) -> (memref<4xf32>, memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %w = memref.get_global @w : memref<4xf32>
    %dims = memref.get_global @dims : memref<1xi64>
    %k = memref.load %dims[%c0] : memref<1xi64>
    %s = memref.load %shape[%c0] : memref<1xi64>
    %y = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
    gpu.launch_func @aic_kernels::@scale blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>, %w : memref<4xf32>, %y : memref<4xf32>)
    %n = memref.alloc() {aic.cuda.host_visible} : memref<1xi64>
    gpu.launch_func @aic_kernels::@count blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%y : memref<4xf32>, %n : memref<1xi64>)
    %n0 = memref.load %n[%c0] : memref<1xi64>
    %len = arith.index_cast %n0 : i64 to index
    %z = memref.alloc(%len) : memref<?xf32>
    gpu.launch_func @aic_kernels::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%z : memref<?xf32>)
    memref.dealloc %n : memref<1xi64>
    return %y, %z : memref<4xf32>, memref<?xf32>
  }
}

// -----

// The host's control flow: a branch yields the input or a buffer of its
// own (both device memory now), and a view of the input that both the host
// and a kernel read is made twice. In a loop, the host waits before reading
// what the kernel of the same (or last) iteration wrote.
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[X:.*]]: memref<4xi64>, %[[C:.*]]: i1)
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK: %[[XD:.*]], %{{.*}} = gpu.alloc async [%[[S]]] () : memref<4xi64>
// CHECK: %[[V:.*]] = memref.subview %[[X]][0] [2] [1]
// CHECK: %[[VD:.*]] = memref.subview %[[XD]][0] [2] [1]
// CHECK: memref.load %[[V]]
// CHECK: gpu.launch_func async [%[[S]]] @aic_kernels::@read2 {{.*}} args(%[[VD]] :
// CHECK: scf.if %[[C]] -> (memref<4xi64>) {
// CHECK: gpu.alloc async [%[[S]]]
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[XD]]
// CHECK: %[[T:.*]] = gpu.alloc host_shared
// CHECK: scf.for
// CHECK-NEXT: gpu.launch_func async [%[[S]]] @aic_kernels::@read4
// CHECK-NEXT: llvm.call @aic_cuda_synchronize()
// CHECK-NEXT: memref.load %[[T]]
module attributes {gpu.container_module} {
  gpu.module @aic_kernels {
    gpu.func @read2(%v: memref<2xi64, strided<[1]>>) kernel { gpu.return }
    gpu.func @read4(%v: memref<4xi64>, %t: memref<1xi64>) kernel { gpu.return }
  }
  func.func @main(%x: memref<4xi64>, %c: i1) -> memref<4xi64> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %v = memref.subview %x[0] [2] [1] : memref<4xi64> to memref<2xi64, strided<[1]>>
    %first = memref.load %v[%c0] : memref<2xi64, strided<[1]>>
    gpu.launch_func @aic_kernels::@read2 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%v : memref<2xi64, strided<[1]>>)
    %b = scf.if %c -> (memref<4xi64>) {
      %own = memref.alloc() : memref<4xi64>
      scf.yield %own : memref<4xi64>
    } else {
      scf.yield %x : memref<4xi64>
    }
    %t = memref.alloc() {aic.cuda.host_visible} : memref<1xi64>
    scf.for %i = %c0 to %c3 step %c1 {
      gpu.launch_func @aic_kernels::@read4 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%b : memref<4xi64>, %t : memref<1xi64>)
      %r = memref.load %t[%c0] : memref<1xi64>
    }
    memref.dealloc %t : memref<1xi64>
    %out = memref.alloc() : memref<4xi64>
    return %out : memref<4xi64>
  }
}

// -----

// A branch's result that the host only measures or compares (memref.dim,
// its address for the deallocation's ownership checks) and a kernel reads
// is the device's: the branch yields the input's device copy, so the kernel
// reads no host memory (a reduction over run-time axes that skips a dim
// yields its input so).
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[X:.*]]: memref<3x2xf32>, %[[C:.*]]: i1)
// CHECK: %[[XD:.*]], %{{.*}} = gpu.alloc async [%{{.*}}] () : memref<3x2xf32>
// CHECK: %[[B:.*]] = scf.if %[[C]]
// CHECK: } else {
// CHECK-NEXT: %[[CAST:.*]] = memref.cast %[[XD]]
// CHECK-NEXT: scf.yield %[[CAST]]
// CHECK: memref.dim %[[B]]
// CHECK: memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: gpu.launch_func async [%{{.*}}] @aic_kernels::@read {{.*}} args(%[[B]] :
module attributes {gpu.container_module} {
  gpu.module @aic_kernels {
    gpu.func @read(%v: memref<?x2xf32>) kernel { gpu.return }
  }
  func.func @main(%x: memref<3x2xf32>, %c: i1) -> (index, index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %b = scf.if %c -> (memref<?x2xf32>) {
      %own = memref.alloc() : memref<1x2xf32>
      %oc = memref.cast %own : memref<1x2xf32> to memref<?x2xf32>
      scf.yield %oc : memref<?x2xf32>
    } else {
      %xc = memref.cast %x : memref<3x2xf32> to memref<?x2xf32>
      scf.yield %xc : memref<?x2xf32>
    }
    %n = memref.dim %b, %c0 : memref<?x2xf32>
    %p = memref.extract_aligned_pointer_as_index %b : memref<?x2xf32> -> index
    gpu.launch_func @aic_kernels::@read blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%b : memref<?x2xf32>)
    return %n, %p : index, index
  }
}
