//===- TrackRunAllocations.cpp - the aic-cpu-track-run-allocations pass ---===//
//
// A run whose allocation fails ends with a status: each allocation of a run
// is linked into the run's list, and a failed malloc longjmps back to the
// run's entry, which frees the list and returns 1 with the message "out of
// memory". The functions are written in the LLVM dialect below and parsed
// into the module; see Passes.td for the whole contract.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/ModelInterface.h"
#include "codegen/cpu/Passes.h"
#include "dialects/aic/IR/AicDialect.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_TRACKRUNALLOCATIONSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;

namespace {
// A run's state, on the stack of its entry point: the head of the list of
// its allocations ({prev, next}, as each allocation's header) and the
// buffer `_setjmp` fills (1 KiB: glibc's jmp_buf is 200 bytes on x86-64,
// 312 on AArch64). Every list is circular through its run's state.
// `@RUN` and `@BODY` are the entry point and the former entry point.
constexpr llvm::StringLiteral kRunAllocator = R"mlir(
!state = !llvm.struct<(ptr, ptr, array<128 x i64>)>

llvm.mlir.global internal thread_local @__aic_run_state() : !llvm.ptr {
  %0 = llvm.mlir.zero : !llvm.ptr
  llvm.return %0 : !llvm.ptr
}
llvm.mlir.global internal constant @__aic_out_of_memory("out of memory\00")
llvm.mlir.global internal constant @__aic_parallel_out_of_memory(
    "aic: out of memory in a parallel loop; aborting\0A")

llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @free(!llvm.ptr)
llvm.func @_setjmp(!llvm.ptr) -> i32 attributes {passthrough = ["returns_twice"]}
llvm.func @longjmp(!llvm.ptr, i32) attributes {passthrough = ["noreturn"]}
llvm.func @write(i32, !llvm.ptr, i64) -> i64
llvm.func @abort() attributes {passthrough = ["noreturn"]}

// size bytes after a 16-byte header {prev, next}: linked after the current
// run's state, or {null, null} outside a run.
llvm.func internal @_mlir_memref_to_llvm_alloc(%size: i64) -> !llvm.ptr {
  %header = llvm.mlir.constant(16 : i64) : i64
  %total = llvm.add %size, %header : i64
  %wrapped = llvm.icmp "ult" %total, %size : i64
  %all = llvm.mlir.constant(-1 : i64) : i64
  %request = llvm.select %wrapped, %all, %total : i1, i64
  %raw = llvm.call @malloc(%request) : (i64) -> !llvm.ptr
  %null = llvm.mlir.zero : !llvm.ptr
  %slot = llvm.mlir.addressof @__aic_run_state : !llvm.ptr
  %state = llvm.load %slot : !llvm.ptr -> !llvm.ptr
  %tracked = llvm.icmp "ne" %state, %null : !llvm.ptr
  %failed = llvm.icmp "eq" %raw, %null : !llvm.ptr
  llvm.cond_br %failed, ^failed, ^allocated
^allocated:
  %user = llvm.getelementptr %raw[16] : (!llvm.ptr) -> !llvm.ptr, i8
  %rawNext = llvm.getelementptr %raw[8] : (!llvm.ptr) -> !llvm.ptr, i8
  llvm.cond_br %tracked, ^link, ^untracked
^link:
  %stateNext = llvm.getelementptr %state[8] : (!llvm.ptr) -> !llvm.ptr, i8
  %next = llvm.load %stateNext : !llvm.ptr -> !llvm.ptr
  llvm.store %state, %raw : !llvm.ptr, !llvm.ptr
  llvm.store %next, %rawNext : !llvm.ptr, !llvm.ptr
  llvm.store %raw, %next : !llvm.ptr, !llvm.ptr
  llvm.store %raw, %stateNext : !llvm.ptr, !llvm.ptr
  llvm.return %user : !llvm.ptr
^untracked:
  llvm.store %null, %raw : !llvm.ptr, !llvm.ptr
  llvm.store %null, %rawNext : !llvm.ptr, !llvm.ptr
  llvm.return %user : !llvm.ptr
^failed:
  llvm.cond_br %tracked, ^unwind, ^abort
^unwind:
  %buffer = llvm.getelementptr %state[16] : (!llvm.ptr) -> !llvm.ptr, i8
  %one = llvm.mlir.constant(1 : i32) : i32
  llvm.call @longjmp(%buffer, %one) : (!llvm.ptr, i32) -> ()
  llvm.unreachable
^abort:
  %stderr = llvm.mlir.constant(2 : i32) : i32
  %message = llvm.mlir.addressof @__aic_parallel_out_of_memory : !llvm.ptr
  %length = llvm.mlir.constant(48 : i64) : i64
  %ignored = llvm.call @write(%stderr, %message, %length)
      : (i32, !llvm.ptr, i64) -> i64
  llvm.call @abort() : () -> ()
  llvm.unreachable
}

llvm.func internal @_mlir_memref_to_llvm_free(%user: !llvm.ptr) {
  %null = llvm.mlir.zero : !llvm.ptr
  %none = llvm.icmp "eq" %user, %null : !llvm.ptr
  llvm.cond_br %none, ^done, ^some
^some:
  %raw = llvm.getelementptr %user[-16] : (!llvm.ptr) -> !llvm.ptr, i8
  %rawNext = llvm.getelementptr %raw[8] : (!llvm.ptr) -> !llvm.ptr, i8
  %prev = llvm.load %raw : !llvm.ptr -> !llvm.ptr
  %next = llvm.load %rawNext : !llvm.ptr -> !llvm.ptr
  %linked = llvm.icmp "ne" %prev, %null : !llvm.ptr
  llvm.cond_br %linked, ^unlink, ^release
^unlink:
  %prevNext = llvm.getelementptr %prev[8] : (!llvm.ptr) -> !llvm.ptr, i8
  llvm.store %next, %prevNext : !llvm.ptr, !llvm.ptr
  llvm.store %prev, %next : !llvm.ptr, !llvm.ptr
  llvm.br ^release
^release:
  llvm.call @free(%raw) : (!llvm.ptr) -> ()
  llvm.br ^done
^done:
  llvm.return
}

// The allocations left in a run's list: freed (a failed run) or unlinked
// (the outputs of a finished one, which aic_model_v1_free frees).
llvm.func internal @__aic_run_release(%state: !llvm.ptr, %free: i1) {
  %stateNext = llvm.getelementptr %state[8] : (!llvm.ptr) -> !llvm.ptr, i8
  %first = llvm.load %stateNext : !llvm.ptr -> !llvm.ptr
  llvm.br ^loop(%first : !llvm.ptr)
^loop(%node: !llvm.ptr):
  %end = llvm.icmp "eq" %node, %state : !llvm.ptr
  llvm.cond_br %end, ^done, ^body
^body:
  %nodeNext = llvm.getelementptr %node[8] : (!llvm.ptr) -> !llvm.ptr, i8
  %next = llvm.load %nodeNext : !llvm.ptr -> !llvm.ptr
  llvm.cond_br %free, ^free, ^unlink
^free:
  llvm.call @free(%node) : (!llvm.ptr) -> ()
  llvm.br ^loop(%next : !llvm.ptr)
^unlink:
  %null = llvm.mlir.zero : !llvm.ptr
  llvm.store %null, %node : !llvm.ptr, !llvm.ptr
  llvm.store %null, %nodeNext : !llvm.ptr, !llvm.ptr
  llvm.br ^loop(%next : !llvm.ptr)
^done:
  llvm.store %state, %state : !llvm.ptr, !llvm.ptr
  llvm.store %state, %stateNext : !llvm.ptr, !llvm.ptr
  llvm.return
}

llvm.func @RUN(%inputs: !llvm.ptr, %outputs: !llvm.ptr) -> i32 {
  %one = llvm.mlir.constant(1 : i64) : i64
  %state = llvm.alloca %one x !state {alignment = 16 : i64}
      : (i64) -> !llvm.ptr
  %stateNext = llvm.getelementptr %state[8] : (!llvm.ptr) -> !llvm.ptr, i8
  llvm.store %state, %state : !llvm.ptr, !llvm.ptr
  llvm.store %state, %stateNext : !llvm.ptr, !llvm.ptr
  %slot = llvm.mlir.addressof @__aic_run_state : !llvm.ptr
  %outer = llvm.load %slot : !llvm.ptr -> !llvm.ptr
  llvm.store %state, %slot : !llvm.ptr, !llvm.ptr
  %buffer = llvm.getelementptr %state[16] : (!llvm.ptr) -> !llvm.ptr, i8
  %jumped = llvm.call @_setjmp(%buffer) : (!llvm.ptr) -> i32
  %zero = llvm.mlir.constant(0 : i32) : i32
  %first = llvm.icmp "eq" %jumped, %zero : i32
  %true = llvm.mlir.constant(true) : i1
  %false = llvm.mlir.constant(false) : i1
  llvm.cond_br %first, ^run, ^outOfMemory
^run:
  %code = llvm.call @BODY(%inputs, %outputs)
      : (!llvm.ptr, !llvm.ptr) -> i32
  llvm.call @__aic_run_release(%state, %false) : (!llvm.ptr, i1) -> ()
  llvm.store %outer, %slot : !llvm.ptr, !llvm.ptr
  llvm.return %code : i32
^outOfMemory:
  llvm.call @__aic_run_release(%state, %true) : (!llvm.ptr, i1) -> ()
  llvm.store %outer, %slot : !llvm.ptr, !llvm.ptr
  // The run's first message stays.
  %errorSlot = llvm.mlir.addressof @ERROR_SLOT : !llvm.ptr
  %error = llvm.load %errorSlot : !llvm.ptr -> !llvm.ptr
  %null = llvm.mlir.zero : !llvm.ptr
  %noError = llvm.icmp "eq" %error, %null : !llvm.ptr
  %message = llvm.mlir.addressof @__aic_out_of_memory : !llvm.ptr
  %kept = llvm.select %noError, %message, %error : i1, !llvm.ptr
  llvm.store %kept, %errorSlot : !llvm.ptr, !llvm.ptr
  %failure = llvm.mlir.constant(1 : i32) : i32
  llvm.return %failure : i32
}
)mlir";

constexpr llvm::StringLiteral kRunBody = "__aic_run_body";

struct TrackRunAllocationsPass
    : aic::cpu::impl::TrackRunAllocationsPassBase<TrackRunAllocationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    std::string runName = (aic::cpu::kAbiPrefix + "_run").str();
    auto run = module.lookupSymbol<LLVM::LLVMFuncOp>(runName);
    if (!run || run.isExternal()) {
      module.emitError() << "expects the model's run function '" << runName
                         << "' in the LLVM dialect";
      return signalPassFailure();
    }
    OpBuilder b(ctx);
    LLVM::GlobalOp errorSlot = aic::getOrCreateRunErrorSlot(b, module);

    std::string source = kRunAllocator.str();
    auto replace = [&](StringRef from, StringRef to) {
      for (size_t at = source.find(from.str()); at != std::string::npos;
           at = source.find(from.str(), at + to.size()))
        source.replace(at, from.size(), to.str());
    };
    replace("@RUN(", "@" + runName + "(");
    replace("@BODY(", ("@" + kRunBody + "(").str());
    replace("@ERROR_SLOT ", ("@" + errorSlot.getSymName() + " ").str());
    // Verified with the module they join, once they have joined it.
    ParserConfig config(ctx, /*verifyAfterParse=*/false);
    OwningOpRef<ModuleOp> library =
        parseSourceString<ModuleOp>(source, config, "run allocator");
    if (!library)
      return signalPassFailure();

    // The former entry point stays out of line: the wrapper calls
    // _setjmp, after which LLVM keeps values out of registers.
    run.setSymName(kRunBody);
    run.setLinkage(LLVM::Linkage::Internal);
    run.setNoInline(true);

    b.setInsertionPointToEnd(module.getBody());
    for (Operation &op :
         llvm::make_early_inc_range(library->getBody()->getOperations())) {
      auto symbol = cast<SymbolOpInterface>(op);
      Operation *existing = module.lookupSymbol(symbol.getName());
      auto fn = dyn_cast<LLVM::LLVMFuncOp>(op);
      if (existing) {
        // The memref lowering's declarations give way to the definitions;
        // libc's declarations are shared.
        auto declared = dyn_cast<LLVM::LLVMFuncOp>(existing);
        if (!fn || !declared || !declared.isExternal()) {
          module.emitError()
              << "'" << symbol.getName() << "' is already defined";
          return signalPassFailure();
        }
        if (fn.isExternal())
          continue;
        declared.erase();
      }
      op.remove();
      b.insert(&op);
    }

    // A team's threads cannot unwind the run's thread: no run is current
    // while a parallel region runs.
    auto stateSlot = module.lookupSymbol<LLVM::GlobalOp>("__aic_run_state");
    Type ptrType = LLVM::LLVMPointerType::get(ctx);
    SmallVector<omp::ParallelOp> outermost;
    module.walk<WalkOrder::PreOrder>([&](omp::ParallelOp parallel) {
      outermost.push_back(parallel);
      return WalkResult::skip();
    });
    for (omp::ParallelOp parallel : outermost) {
      Location loc = parallel.getLoc();
      b.setInsertionPoint(parallel);
      Value slot = LLVM::AddressOfOp::create(b, loc, stateSlot);
      Value current = LLVM::LoadOp::create(b, loc, ptrType, slot);
      LLVM::StoreOp::create(b, loc, LLVM::ZeroOp::create(b, loc, ptrType),
                            slot);
      b.setInsertionPointAfter(parallel);
      LLVM::StoreOp::create(b, loc, current, slot);
    }
  }
};
} // namespace
