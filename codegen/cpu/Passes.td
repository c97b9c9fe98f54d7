//===- Passes.td - aic CPU codegen passes ------------------*- tablegen -*-===//
//
// Passes of the CPU code generation pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_CODEGEN_CPU_PASSES_TD
#define AIC_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ApproximateMathPass
    : Pass<"aic-cpu-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Replaces f32 exp, erf and tanh with polynomial approximations";
  let description = [{
    Upstream's polynomial approximations (the math dialect's
    PolynomialApproximation patterns) of f32 `math.exp`, `math.erf` and
    `math.tanh`, scalar or vector: arithmetic, selects and fused
    multiply-adds that stay vectors, where the LLVM lowering would call
    libm's expf, erff or tanhf once per element.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def TileDynamicRowsPass
    : Pass<"aic-cpu-tile-dynamic-rows", "::mlir::func::FuncOp"> {
  let summary = "Strip-mines ops whose only dynamic loop is their first, so "
                "that their tiles have static shapes";
  let description = [{
    For a model compiled with a dynamic first dim (a batch). A row op is a
    linalg op on tensors whose first loop is parallel, dynamic and the
    first dim of its results, and whose other loops are static (and not
    empty). Each chain
    of row ops (a row op and the row ops and fills that feed only it) is
    tiled along the rows by 8 from its last op, fusing the rest in
    (upstream's tileConsumerAndFuseProducersUsingSCF); the loop is peeled,
    so that its main part has static 8-row tiles, and the rest is tiled by
    1 row. aic-cpu-tile-and-vectorize then makes kernels of the tiles as of
    any static op.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def DescribeKernelsPass : Pass<"aic-cpu-describe-kernels", "ModuleOp"> {
  let summary = "Records the kernels of each function, their ONNX nodes and "
                "float operations";
  let description = [{
    On tensors, after tiling and vectorization. Each loop nest or linalg op
    in a function's block is a kernel: the ops of the ONNX nodes fused into
    it (the names of the locations inside it, in order) and the float
    operations its code executes: each float arithmetic or math op's
    elements (2 per multiply-add of a `vector.contract` or `vector.fma`, a
    reduction's source elements), times the trip counts of the loops around
    it (a linalg op: its body's per iteration, times its iterations); and
    the bytes it moves: those of the tensors it reads (defined outside it)
    and of those it makes. Recorded as the module's `aic.kernels`
    attribute: an array of dictionaries {nodes, flops, bytes, parallel},
    `flops` left out where a trip count is dynamic, `bytes` where a dim is,
    and `parallel` true where the kernel has an `scf.forall`.
    aic-compile --report writes it out.
  }];
}

def EmitModelAbiPass : Pass<"aic-cpu-emit-model-abi", "ModuleOp"> {
  let summary = "Emits the model library's C ABI around the bufferized graph";
  let description = [{
    Expects `func.func @main` after bufferization and buffer deallocation
    (its arguments and results identity-layout memrefs, its results owned by
    the caller) and the `aic.input_names` / `aic.output_names` attributes
    the importer sets. Makes `@main` internal and adds, with LLVM dialect
    ops:

    - `aic_model_v1_info()`: returns a constant `aic_model_info` (ABI
      version, name, each tensor's name, element type and shape);
    - `aic_model_v1_run(inputs, outputs)`: builds memref descriptors from
      the caller's `aic_tensor_ref` array, calls the graph, and stores each
      result's data, allocation and dims into the `aic_output_ref` array;
    - `aic_model_v1_free(allocation)`: frees an output.

    See runtime/include/aic/model_abi.h for the C side.

    With `cuda`, the graph runs on an NVIDIA GPU through the host code of
    CUDA model libraries (runtime/cuda/ModelHost.c): the info's `device` is
    AIC_DEVICE_CUDA, and each run calls `aic_cuda_run_begin()` before the
    graph and `aic_cuda_run_end()` after it, whose message (the run's first
    CUDA failure) fails the run as a failed check does.
  }];
  let options = [
    Option<"cuda", "cuda", "bool", "false",
           "The graph runs on an NVIDIA GPU (CUDA host code)">,
  ];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::func::FuncDialect",
  ];
}

def HoistThreadBuffersPass
    : Pass<"aic-cpu-hoist-thread-buffers", "::mlir::func::FuncOp"> {
  let summary = "Moves a parallel loop's stack buffers to its threads' "
                "region";
  let description = [{
    After the OpenMP conversion. A `memref.alloca` of static shape in the
    `memref.alloca_scope` of an `omp.loop_nest` (an iteration's scratch
    buffer: a depthwise convolution's padded plane) moves to the start of
    its `omp.parallel` region: each thread makes it once and reuses it in
    every iteration it runs. (Upstream's canonicalization does not hoist
    allocations out of a worksharing loop, and an alloca_scope cannot hold
    the iteration's loops once they become blocks.) An alloca's contents
    are undefined when it is made, so sharing it between the iterations of
    one thread changes nothing.
  }];
}

def LowerStridedCopiesPass
    : Pass<"aic-cpu-lower-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy between strided memrefs as linalg.copy";
  let description = [{
    The LLVM lowering turns a `memref.copy` of contiguous memrefs into a
    memcpy, but one involving a strided view (as the bufferization of
    `tensor.pad` makes) into a call to `memrefCopy` from MLIR's runner
    utilities, which a model library does not link. This pass rewrites those
    copies as `linalg.copy`, so they become generated loops like any other
    linalg op. Views of contiguous memory (a row of a larger buffer: the
    other dims 1) count as contiguous and stay memcpys.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ExpandSmallFloatsPass : Pass<"aic-expand-small-floats", "ModuleOp"> {
  let summary = "Rewrites conversions to and from 8-bit floats as integer code";
  let description = [{
    LLVM has no 8-bit float types (the LLVM lowering stores them as i8).
    `arith.extf` from f8E4M3FN, f8E4M3FNUZ, f8E5M2 or f8E5M2FNUZ becomes a
    load from a module-level table of the 256 values; `arith.truncf` to them
    becomes round-to-nearest-even on the f32 bits, with values beyond the
    largest finite one becoming infinity (where the type has one) or NaN.
    f8E8M0FNU and f4E2M1FN use upstream's arith expansions. Runs on scalar
    code, after linalg became loops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def FuseElementwisePass
    : Pass<"aic-cpu-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuses elementwise linalg ops, but not into contractions";
  let description = [{
    Upstream's elementwise fusion (each elementwise producer with one use
    fused into its consumer), except into contractions and convolutions:
    there it would run once per reduction step, and the matrix
    multiplication would no longer be one aic-cpu-tile-and-vectorize
    recognizes. Their elementwise consumers (bias, activation) fuse with
    each other instead.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def PlanBuffersPass : Pass<"aic-cpu-plan-buffers", "::mlir::func::FuncOp"> {
  let summary = "Places a function's temporaries in one arena by liveness";
  let description = [{
    After bufferization and buffer deallocation. Each `memref.alloc` in the
    function's block with a static shape and one `memref.dealloc` in the
    same block is a buffer live from the one to the other. The buffers are
    placed in one 64-byte aligned arena allocated at the function's start
    and freed at its end, largest first, each at the lowest offset that no
    buffer live at the same time occupies; each allocation becomes a
    `memref.view` of the arena and its deallocation goes (one buffer or
    none needs no arena). The arena's size (the one buffer's, or 0), the
    peak bytes of the temporaries, is recorded as the function's
    `aic.arena_bytes` attribute where no temporary of a dynamic shape is
    left out, with `aic.temporaries` and `aic.temporary_bytes`, their count
    and bytes without reuse. Functions that free an alias of an allocation are left as
    they are.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def TileAndVectorizePass
    : Pass<"aic-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tiles matrix multiplications for caches and registers and "
                "vectorizes them";
  let description = [{
    On tensors, before bufferization. 2-D convolutions first become matrix
    multiplications (1x1 stride-1 ones directly, others through an im2col
    copy) and depthwise ones elementwise sums of shifted inputs. Each
    linalg contraction with one M, N and K loop (and any batch loops) over
    static float shapes is then tiled twice with the TilingInterface: a
    cache tile (N, then K, then M; about 64 x 256 x 512) and inside it a
    register tile (8 rows by two vectors, K of 1 innermost), each size the
    largest divisor of its loop's extent not above the target. The register
    tile vectorizes to a `vector.contract`, and the K loop's read and write
    of the C tile are hoisted out of it, so the accumulators stay in
    registers: a BLIS-style kernel, generated. With `int8-dot-products`,
    an 8-bit contraction into i32 (8-bit activations by signed constant
    weights, K a multiple of 4: what aic.matmul_integer lowers to) is first
    packed: signed activations flipped to unsigned (a + 128, the
    accumulator lowered by 128 times the weights' column sums), A viewed as
    K/4 groups of 4 bytes, B copied at compile time
    into K/4 x N x 4 (N padded to whole vectors), so that its register tile
    is one `vector.contract` per row and vector of columns of 4 bytes each,
    which aic-cpu-lower-dot-products makes vpdpbusd. An 8-bit
    convolution (unsigned input by signed filters, the lowering's generic
    of the named convolution's loops) takes the same im2col rewrite; its B
    (the im2col copy) is packed at run time, 4 rows' vectors interleaved by
    shuffles, and its kernel broadcasts the signed filter bytes. With
    `bf16-dot-products`, an f32 matmul by constant weights (K even) is
    packed the same way in bf16 (A rounded at run time, B at compile time,
    K/2 x N x 2), accumulating in f32: vdpbf16ps; a convolution's im2col
    copy is rounded and packed in pairs at run time. Other integer
    contractions keep their scalar loops. Static pads become a fill and a copy, and window
    reductions (pooling) an elementwise combination of their taps.
    Elementwise ops over static shapes are tiled to rows and vectorized, row
    reductions (reduction loops innermost, up to 4,096 elements) tiled to
    single rows each reduced as one vector, and rows read with a stride s
    become contiguous reads and shuffles of every s-th lane.

    With `parallel`, a contraction of at least 2^20 multiply-adds is first
    split by an `scf.forall` over its batch loops and N cache tiles (or its
    M cache tiles where N makes one), and an elementwise op of at least
    2^16 elements over its outermost loop of more than one iteration; the
    pipeline runs those loops on OpenMP threads. Smaller ops stay on the
    calling thread.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "The target's vector register width in bits">,
    Option<"parallel", "parallel", "bool", "false",
           "Split big ops over threads with scf.forall">,
    Option<"int8DotProducts", "int8-dot-products", "bool", "false",
           "The target has 8-bit dot products (vpdpbusd) at vector-bits">,
    Option<"bf16DotProducts", "bf16-dot-products", "bool", "false",
           "f32 matmuls by constant weights and convolutions as bf16 dot "
           "products (vdpbf16ps), accumulated in f32">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def LowerDotProductsPass
    : Pass<"aic-cpu-lower-dot-products", "::mlir::func::FuncOp"> {
  let summary = "8-bit and bf16 dot-product contractions become vpdpbusd "
                "and vdpbf16ps";
  let description = [{
    Each `vector.contract` that sums, per lane of an i32 accumulator
    vector as wide as the target's registers, the products of 4 bytes
    shared by the lanes and 4 bytes of the lane's row, one side
    zero-extended and the other sign-extended, as
    aic-cpu-tile-and-vectorize makes them for 8-bit matrix multiplications
    and convolutions, becomes a call of the vpdpbusd intrinsic
    (AVX512-VNNI at 512 bits, AVX-VNNI at 256): the shared bytes broadcast
    to every lane, the rows' bytes as one vector, the unsigned ones its
    first source. With `bf16`, one of 2 bf16 (widened to f32) into
    16 f32 lanes becomes vdpbf16ps (AVX512-BF16) the same way. Run after
    bufferization (the intrinsic call has no declared memory effects) and
    before the vector lowering, on targets that have the instructions;
    other contractions are left alone.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "The target's vector register width in bits">,
    Option<"int8", "int8", "bool", "true",
           "The target has vpdpbusd at vector-bits">,
    Option<"bf16", "bf16", "bool", "false",
           "The target has vdpbf16ps (512 bits)">,
  ];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def TrackRunAllocationsPass
    : Pass<"aic-cpu-track-run-allocations", "ModuleOp"> {
  let summary = "Ends a run whose allocation fails with a status instead of "
                "a crash";
  let description = [{
    Run last, on the LLVM dialect, after aic-cpu-emit-model-abi and the
    memref lowering with `use-generic-functions`. Defines the allocation
    functions that lowering calls (`_mlir_memref_to_llvm_alloc` and
    `_mlir_memref_to_llvm_free`) in the library: each allocation carries a
    16-byte header that links it into a list of the calling thread's
    current run, kept in a thread-local. `aic_model_v1_run` becomes a
    wrapper that makes that list and a `_setjmp` buffer on its stack and
    calls the former run function (kept out of line, so that
    `returns_twice` costs the graph's code nothing). Where `malloc` returns
    null, the allocation `longjmp`s back to the wrapper, which frees every
    allocation still in the list, sets the run's message to "out of
    memory" and returns 1; the thread's next run starts afresh. A run that
    ends normally unlinks what is left (its outputs, which the caller frees
    with `aic_model_v1_free`).

    The current run is cleared around each outermost `omp.parallel`: a
    failure there (on a thread of the team, which cannot unwind another
    thread's stack) writes a message to stderr and aborts. The models
    aic compiles allocate nothing inside parallel loops.
  }];
}

#endif // AIC_CODEGEN_CPU_PASSES_TD
