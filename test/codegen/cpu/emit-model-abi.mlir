// RUN: aic-opt %s --split-input-file --aic-cpu-emit-model-abi --verify-diagnostics | FileCheck %s

// Tests that the ABI wraps a bufferized graph: metadata globals, an info
// function, a run function that builds descriptors and stores outputs, and
// a free function; the graph becomes internal.
// CHECK-LABEL: module attributes {aic.model_name = "m"}
// CHECK: func.func @__aic_graph(%{{.*}}: memref<?x4xf32>) -> memref<?x4xf32> attributes {{{.*}}llvm.linkage = #llvm.linkage<internal>}
// CHECK: llvm.mlir.global private constant @__aic_str_0("x\00")
// CHECK: llvm.mlir.global private constant @__aic_shape_1(dense<[-1, 4]> : tensor<2xi64>) {addr_space = 0 : i32} : !llvm.array<2 x i64>
// CHECK: llvm.mlir.global private constant @__aic_inputs_2() {{.*}} : !llvm.array<1 x struct<(ptr, ptr, i32, i32)>>
// CHECK:   llvm.mlir.constant(1 : i32) : i32
// CHECK:   llvm.mlir.constant(2 : i32) : i32
// CHECK: llvm.mlir.global private constant @__aic_model_info()
// CHECK: func.func @aic_model_v1_info() -> !llvm.ptr
// CHECK:   llvm.mlir.addressof @__aic_model_info
// CHECK: func.func @aic_model_v1_run(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr) -> i32
// CHECK:   llvm.getelementptr %[[IN]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr)>
// CHECK:   %[[MEMREF:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<?x4xf32>
// CHECK:   %[[R:.*]] = call @__aic_graph(%[[MEMREF]])
// CHECK:   builtin.unrealized_conversion_cast %[[R]] : memref<?x4xf32> to !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:   llvm.getelementptr %[[OUT]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr, ptr)>
// CHECK:   llvm.store
// CHECK: func.func @aic_model_v1_free(%[[P:.*]]: !llvm.ptr)
// CHECK:   llvm.call @_mlir_memref_to_llvm_free(%[[P]])
// CHECK-NOT: aic_model_v1_set_num_threads
module attributes {aic.model_name = "m"} {
  func.func @main(%x: memref<?x4xf32>) -> memref<?x4xf32> attributes {aic.input_names = ["x"], aic.output_names = ["y"]} {
    %c0 = arith.constant 0 : index
    %d = memref.dim %x, %c0 : memref<?x4xf32>
    %y = memref.alloc(%d) : memref<?x4xf32>
    memref.copy %x, %y : memref<?x4xf32> to memref<?x4xf32>
    return %y : memref<?x4xf32>
  }
}

// -----

// Tests that a graph with a parallel loop gets aic_model_v1_set_num_threads:
// the count given, or all the cores for 0, as the OpenMP team size.
// CHECK-LABEL: module attributes {aic.model_name = "parallel"}
// CHECK: func.func @aic_model_v1_set_num_threads(%[[N:.*]]: i32)
// CHECK:   %[[ZERO:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK:   %[[POSITIVE:.*]] = llvm.icmp "sgt" %[[N]], %[[ZERO]] : i32
// CHECK:   %[[ALL:.*]] = llvm.call @omp_get_num_procs() : () -> i32
// CHECK:   %[[COUNT:.*]] = llvm.select %[[POSITIVE]], %[[N]], %[[ALL]] : i1, i32
// CHECK:   llvm.call @omp_set_num_threads(%[[COUNT]]) : (i32) -> ()
module attributes {aic.model_name = "parallel"} {
  func.func @main(%x: memref<4xf32>) -> memref<4xf32> attributes {aic.input_names = ["x"], aic.output_names = ["y"]} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %y = memref.alloc() : memref<4xf32>
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %x[%i] : memref<4xf32>
      memref.store %v, %y[%i] : memref<4xf32>
    }
    return %y : memref<4xf32>
  }
}

// -----

// Tests that a graph without names is rejected.
module {
  // expected-error @+1 {{expects aic.input_names and aic.output_names naming every argument and result}}
  func.func @main(%x: memref<4xf32>) -> memref<4xf32> {
    return %x : memref<4xf32>
  }
}

// -----

// Tests that non-identity layouts are rejected.
module {
  // expected-error @+1 {{input or output 0 has type 'memref<4xf32, strided<[2]>>'}}
  func.func @main(%x: memref<4xf32, strided<[2]>>) -> memref<4xf32> attributes {aic.input_names = ["x"], aic.output_names = ["y"]} {
    %y = memref.alloc() : memref<4xf32>
    return %y : memref<4xf32>
  }
}

// -----

// expected-error @+1 {{expects a func.func @main with a body}}
module {
  func.func private @main(memref<4xf32>) -> memref<4xf32>
}
