// RUN: aic-opt %s --split-input-file --aic-cpu-track-run-allocations --verify-diagnostics | FileCheck %s

// Tests that the run entry becomes a wrapper that _setjmp's into a run
// state on its stack and calls the former entry out of line; that the
// memref lowering's allocation declarations become definitions that link
// each allocation into the run's list and longjmp where malloc fails; and
// that no run is current while an outermost parallel region runs.
// CHECK-LABEL: module
// CHECK:     llvm.mlir.global internal thread_local @__aic_run_error()
// CHECK:     llvm.func internal @__aic_run_body(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32 attributes {no_inline}
// CHECK:       llvm.call @_mlir_memref_to_llvm_alloc
// CHECK:       llvm.call @_mlir_memref_to_llvm_free
// CHECK:     llvm.func @parallel()
// CHECK:       %[[SLOT:.*]] = llvm.mlir.addressof @__aic_run_state
// CHECK-NEXT:  %[[CURRENT:.*]] = llvm.load %[[SLOT]]
// CHECK-NEXT:  %[[NULL:.*]] = llvm.mlir.zero
// CHECK-NEXT:  llvm.store %[[NULL]], %[[SLOT]]
// CHECK-NEXT:  omp.parallel {
// CHECK:         omp.parallel {
// CHECK-NOT:   llvm.store
// CHECK:         omp.terminator
// CHECK:         omp.terminator
// CHECK-NEXT:  }
// CHECK-NEXT:  llvm.store %[[CURRENT]], %[[SLOT]]
// CHECK:     llvm.mlir.global internal thread_local @__aic_run_state()
// CHECK:     llvm.mlir.global internal constant @__aic_out_of_memory("out of memory\00")
// CHECK:     llvm.func @_setjmp(!llvm.ptr) -> i32 attributes {passthrough = ["returns_twice"]}
// CHECK-NOT: llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// CHECK:     llvm.func internal @_mlir_memref_to_llvm_alloc(%{{.*}}: i64) -> !llvm.ptr {
// CHECK:       llvm.call @malloc
// CHECK:       llvm.call @longjmp
// CHECK:       llvm.call @abort
// CHECK:     llvm.func internal @_mlir_memref_to_llvm_free(
// CHECK:     llvm.func internal @__aic_run_release(
// CHECK:     llvm.func @aic_model_v1_run(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr) -> i32 {
// CHECK:       %[[STATE:.*]] = llvm.alloca
// CHECK:       %[[JUMPED:.*]] = llvm.call @_setjmp
// CHECK:       llvm.cond_br %{{.*}}, ^[[BODY:.*]], ^[[OOM:.*]]
// CHECK:     ^[[BODY]]:
// CHECK-NEXT:  %[[CODE:.*]] = llvm.call @__aic_run_body(%[[IN]], %[[OUT]])
// CHECK-NEXT:  llvm.call @__aic_run_release(%[[STATE]], %{{.*}})
// CHECK:       llvm.return %[[CODE]]
// CHECK:     ^[[OOM]]:
// CHECK-NEXT:  llvm.call @__aic_run_release(%[[STATE]], %{{.*}})
// CHECK:       llvm.mlir.addressof @__aic_out_of_memory
module {
  llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
  llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
  llvm.func @aic_model_v1_run(%in: !llvm.ptr, %out: !llvm.ptr) -> i32 {
    %size = llvm.mlir.constant(64 : i64) : i64
    %p = llvm.call @_mlir_memref_to_llvm_alloc(%size) : (i64) -> !llvm.ptr
    llvm.call @_mlir_memref_to_llvm_free(%p) : (!llvm.ptr) -> ()
    %zero = llvm.mlir.constant(0 : i32) : i32
    llvm.return %zero : i32
  }
  llvm.func @parallel() {
    omp.parallel {
      omp.parallel {
        omp.terminator
      }
      omp.terminator
    }
    llvm.return
  }
}

// -----

// expected-error @+1 {{expects the model's run function 'aic_model_v1_run' in the LLVM dialect}}
module {
  func.func @aic_model_v1_run() {
    return
  }
}

// -----

// expected-error @+1 {{'_mlir_memref_to_llvm_alloc' is already defined}}
module {
  llvm.func @_mlir_memref_to_llvm_alloc(%size: i64) -> !llvm.ptr {
    %0 = llvm.mlir.zero : !llvm.ptr
    llvm.return %0 : !llvm.ptr
  }
  llvm.func @aic_model_v1_run(%in: !llvm.ptr, %out: !llvm.ptr) -> i32 {
    %zero = llvm.mlir.constant(0 : i32) : i32
    llvm.return %zero : i32
  }
}
