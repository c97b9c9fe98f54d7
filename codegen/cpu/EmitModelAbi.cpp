//===- EmitModelAbi.cpp - the aic-cpu-emit-model-abi pass -----------------===//
//
// Wraps the bufferized graph function in the versioned C ABI of model
// libraries (runtime/include/aic/model_abi.h): constant metadata globals and
// a run entry point that turns the caller's (data, shape) pairs into memref
// descriptors. The descriptors meet the lowered graph through
// unrealized_conversion_casts that reconcile away after LLVM lowering.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/ModelInterface.h"
#include "codegen/cpu/Passes.h"
#include "dialects/aic/IR/AicDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::aic::cpu {
#define GEN_PASS_DEF_EMITMODELABIPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace mlir::aic::cpu

using namespace mlir;
using namespace mlir::aic;

namespace {
class AbiBuilder {
public:
  AbiBuilder(ModuleOp module)
      : module(module), ctx(module.getContext()), b(ctx), loc(module.getLoc()),
        ptrType(LLVM::LLVMPointerType::get(ctx)), i32Type(b.getI32Type()),
        i64Type(b.getI64Type()),
        tensorInfoType(LLVM::LLVMStructType::getLiteral(
            ctx, {ptrType, ptrType, i32Type, i32Type})),
        tensorRefType(
            LLVM::LLVMStructType::getLiteral(ctx, {ptrType, ptrType})),
        outputRefType(LLVM::LLVMStructType::getLiteral(
            ctx, {ptrType, ptrType, ptrType})) {
    b.setInsertionPointToEnd(module.getBody());
  }

  LogicalResult emit(func::FuncOp graph, const cpu::ModelInterface &model,
                     bool cuda);

private:
  LLVM::GlobalOp addString(StringRef value);
  LLVM::GlobalOp addShape(ArrayRef<int64_t> shape);
  LLVM::GlobalOp addTensorInfos(StringRef name,
                                ArrayRef<cpu::TensorInterface> tensors);
  LLVM::GlobalOp addModelInfo(StringRef modelName, LLVM::GlobalOp inputs,
                              LLVM::GlobalOp outputs, unsigned numInputs,
                              unsigned numOutputs, unsigned device);
  Value addressOrNull(OpBuilder &ib, LLVM::GlobalOp global);
  Value buildDescriptor(OpBuilder &ib, Value refs, int64_t index,
                        MemRefType type);
  void storeOutput(OpBuilder &ib, Value result, Value refs, int64_t index);
  LLVM::LLVMFuncOp declareFunction(StringRef name, Type result,
                                   ArrayRef<Type> params);
  void emitSetNumThreads();
  std::string uniqueName(StringRef base) {
    return ("__aic_" + base + "_" + Twine(counter++)).str();
  }

  ModuleOp module;
  MLIRContext *ctx;
  OpBuilder b;
  Location loc;
  Type ptrType, i32Type, i64Type;
  LLVM::LLVMStructType tensorInfoType, tensorRefType, outputRefType;
  unsigned counter = 0;
};
} // namespace

LLVM::GlobalOp AbiBuilder::addString(StringRef value) {
  std::string bytes = value.str();
  bytes.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes.size());
  return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                LLVM::Linkage::Private, uniqueName("str"),
                                b.getStringAttr(bytes));
}

LLVM::GlobalOp AbiBuilder::addShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return nullptr;
  SmallVector<int64_t> dims;
  for (int64_t d : shape)
    dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
  auto arrayType = LLVM::LLVMArrayType::get(i64Type, dims.size());
  auto value = DenseIntElementsAttr::get(
      RankedTensorType::get({(int64_t)dims.size()}, i64Type), dims);
  return LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                LLVM::Linkage::Private, uniqueName("shape"),
                                value);
}

Value AbiBuilder::addressOrNull(OpBuilder &ib, LLVM::GlobalOp global) {
  if (!global)
    return LLVM::ZeroOp::create(ib, loc, ptrType);
  return LLVM::AddressOfOp::create(ib, loc, global);
}

LLVM::GlobalOp
AbiBuilder::addTensorInfos(StringRef name,
                           ArrayRef<cpu::TensorInterface> tensors) {
  if (tensors.empty())
    return nullptr;
  SmallVector<LLVM::GlobalOp> nameGlobals, shapeGlobals;
  for (const cpu::TensorInterface &tensor : tensors) {
    nameGlobals.push_back(addString(tensor.name));
    shapeGlobals.push_back(addShape(tensor.shape));
  }
  auto arrayType = LLVM::LLVMArrayType::get(tensorInfoType, tensors.size());
  auto global = LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                       LLVM::Linkage::Private, uniqueName(name),
                                       Attribute());
  OpBuilder ib(ctx);
  ib.setInsertionPointToStart(&global.getInitializerRegion().emplaceBlock());
  Value array = LLVM::UndefOp::create(ib, loc, arrayType);
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    Value info = LLVM::UndefOp::create(ib, loc, tensorInfoType);
    Value fields[] = {
        addressOrNull(ib, nameGlobals[i]), addressOrNull(ib, shapeGlobals[i]),
        LLVM::ConstantOp::create(ib, loc, i32Type, tensor.dataType),
        LLVM::ConstantOp::create(ib, loc, i32Type, tensor.shape.size())};
    for (auto [f, field] : llvm::enumerate(fields))
      info = LLVM::InsertValueOp::create(ib, loc, info, field,
                                         ArrayRef<int64_t>{(int64_t)f});
    array = LLVM::InsertValueOp::create(ib, loc, array, info,
                                        ArrayRef<int64_t>{(int64_t)i});
  }
  LLVM::ReturnOp::create(ib, loc, array);
  return global;
}

LLVM::GlobalOp AbiBuilder::addModelInfo(StringRef modelName,
                                        LLVM::GlobalOp inputs,
                                        LLVM::GlobalOp outputs,
                                        unsigned numInputs, unsigned numOutputs,
                                        unsigned device) {
  LLVM::GlobalOp nameGlobal = addString(modelName);
  auto infoType = LLVM::LLVMStructType::getLiteral(
      ctx, {i32Type, i32Type, i32Type, i32Type, ptrType, ptrType, ptrType});
  auto global = LLVM::GlobalOp::create(b, loc, infoType, /*isConstant=*/true,
                                       LLVM::Linkage::Private,
                                       "__aic_model_info", Attribute());
  OpBuilder ib(ctx);
  ib.setInsertionPointToStart(&global.getInitializerRegion().emplaceBlock());
  Value info = LLVM::UndefOp::create(ib, loc, infoType);
  Value fields[] = {
      LLVM::ConstantOp::create(ib, loc, i32Type, /*abi_version=*/1),
      LLVM::ConstantOp::create(ib, loc, i32Type, numInputs),
      LLVM::ConstantOp::create(ib, loc, i32Type, numOutputs),
      LLVM::ConstantOp::create(ib, loc, i32Type, device),
      addressOrNull(ib, nameGlobal),
      addressOrNull(ib, inputs),
      addressOrNull(ib, outputs)};
  for (auto [f, field] : llvm::enumerate(fields))
    info = LLVM::InsertValueOp::create(ib, loc, info, field,
                                       ArrayRef<int64_t>{(int64_t)f});
  LLVM::ReturnOp::create(ib, loc, info);
  return global;
}

Value AbiBuilder::buildDescriptor(OpBuilder &ib, Value refs, int64_t index,
                                  MemRefType type) {
  // refs[index] is {data, shape}.
  Value ref = LLVM::GEPOp::create(ib, loc, ptrType, tensorRefType, refs,
                                  ArrayRef<LLVM::GEPArg>{index});
  Value data = LLVM::LoadOp::create(ib, loc, ptrType, ref);
  Value shapeSlot = LLVM::GEPOp::create(ib, loc, ptrType, tensorRefType, ref,
                                        ArrayRef<LLVM::GEPArg>{0, 1});
  Value shape = LLVM::LoadOp::create(ib, loc, ptrType, shapeSlot);
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d)) {
      sizes.push_back(nullptr);
      continue;
    }
    Value slot = LLVM::GEPOp::create(ib, loc, ptrType, i64Type, shape,
                                     ArrayRef<LLVM::GEPArg>{d});
    sizes.push_back(LLVM::LoadOp::create(ib, loc, i64Type, slot));
  }
  return cpu::buildMemRefFromPointer(ib, loc, data, sizes, type);
}

Value mlir::aic::cpu::buildMemRefFromPointer(OpBuilder &b, Location loc,
                                             Value data,
                                             ArrayRef<Value> dynamicSizes,
                                             MemRefType type) {
  Type i64Type = b.getI64Type();
  int64_t rank = type.getRank();
  SmallVector<Value> sizes(rank), strides(rank);
  for (int64_t d = 0; d < rank; ++d)
    sizes[d] =
        type.isDynamicDim(d)
            ? dynamicSizes[d]
            : LLVM::ConstantOp::create(b, loc, i64Type, type.getDimSize(d))
                  .getResult();
  for (int64_t d = rank - 1; d >= 0; --d) {
    strides[d] = d == rank - 1
                     ? LLVM::ConstantOp::create(b, loc, i64Type, 1).getResult()
                     : LLVM::MulOp::create(b, loc, strides[d + 1], sizes[d + 1])
                           .getResult();
  }
  Value desc =
      LLVM::UndefOp::create(b, loc, descriptorType(b.getContext(), rank));
  desc = LLVM::InsertValueOp::create(b, loc, desc, data, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, data, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(
      b, loc, desc, LLVM::ConstantOp::create(b, loc, i64Type, 0),
      ArrayRef<int64_t>{2});
  for (int64_t d = 0; d < rank; ++d) {
    desc = LLVM::InsertValueOp::create(b, loc, desc, sizes[d],
                                       ArrayRef<int64_t>{3, d});
    desc = LLVM::InsertValueOp::create(b, loc, desc, strides[d],
                                       ArrayRef<int64_t>{4, d});
  }
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

LLVM::LLVMStructType mlir::aic::cpu::descriptorType(MLIRContext *ctx,
                                                    int64_t rank) {
  // The memref descriptor of the LLVM lowering: allocated and aligned
  // pointers, offset, sizes, strides.
  Type ptrType = LLVM::LLVMPointerType::get(ctx);
  Type i64Type = IntegerType::get(ctx, 64);
  SmallVector<Type> fieldTypes = {ptrType, ptrType, i64Type};
  if (rank > 0) {
    auto arrayType = LLVM::LLVMArrayType::get(i64Type, rank);
    fieldTypes.append({arrayType, arrayType});
  }
  return LLVM::LLVMStructType::getLiteral(ctx, fieldTypes);
}

void AbiBuilder::storeOutput(OpBuilder &ib, Value result, Value refs,
                             int64_t index) {
  auto type = cast<MemRefType>(result.getType());
  Value desc = UnrealizedConversionCastOp::create(
                   ib, loc, cpu::descriptorType(ctx, type.getRank()), result)
                   .getResult(0);
  auto field = [&](ArrayRef<int64_t> position) -> Value {
    return LLVM::ExtractValueOp::create(ib, loc, desc, position);
  };
  Value allocated = field(0);
  // Elements LLVM has no type for (8-bit floats) are stored as integers.
  Type elementType = type.getElementType();
  if (!LLVM::isCompatibleType(elementType))
    elementType = ib.getIntegerType(elementType.getIntOrFloatBitWidth());
  Value data = LLVM::GEPOp::create(ib, loc, ptrType, elementType, field(1),
                                   ValueRange{field(2)});
  // refs[index] is {data, allocation, shape}.
  Value ref = LLVM::GEPOp::create(ib, loc, ptrType, outputRefType, refs,
                                  ArrayRef<LLVM::GEPArg>{index});
  LLVM::StoreOp::create(ib, loc, data, ref);
  Value allocationSlot = LLVM::GEPOp::create(ib, loc, ptrType, outputRefType,
                                             ref, ArrayRef<LLVM::GEPArg>{0, 1});
  LLVM::StoreOp::create(ib, loc, allocated, allocationSlot);
  if (type.getRank() == 0)
    return;
  Value shapeSlot = LLVM::GEPOp::create(ib, loc, ptrType, outputRefType, ref,
                                        ArrayRef<LLVM::GEPArg>{0, 2});
  Value shape = LLVM::LoadOp::create(ib, loc, ptrType, shapeSlot);
  for (int64_t d = 0; d < type.getRank(); ++d) {
    Value slot = LLVM::GEPOp::create(ib, loc, ptrType, i64Type, shape,
                                     ArrayRef<LLVM::GEPArg>{d});
    LLVM::StoreOp::create(ib, loc, field({3, d}), slot);
  }
}

LogicalResult AbiBuilder::emit(func::FuncOp graph,
                               const cpu::ModelInterface &model, bool cuda) {
  LLVM::GlobalOp inputs = addTensorInfos("inputs", model.inputs);
  LLVM::GlobalOp outputs = addTensorInfos("outputs", model.outputs);
  // aic_device: AIC_DEVICE_CPU (0) or AIC_DEVICE_CUDA (1).
  LLVM::GlobalOp info =
      addModelInfo(model.name, inputs, outputs, model.inputs.size(),
                   model.outputs.size(), cuda ? 1 : 0);

  // The graph becomes an internal function of the library.
  graph.setName("__aic_graph");
  graph->setAttr("llvm.linkage",
                 LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));

  auto infoFn = func::FuncOp::create(b, loc, (cpu::kAbiPrefix + "_info").str(),
                                     b.getFunctionType({}, {ptrType}));
  {
    OpBuilder ib = OpBuilder::atBlockBegin(infoFn.addEntryBlock());
    func::ReturnOp::create(
        ib, loc, ValueRange{LLVM::AddressOfOp::create(ib, loc, info)});
  }

  auto runFn =
      func::FuncOp::create(b, loc, (cpu::kAbiPrefix + "_run").str(),
                           b.getFunctionType({ptrType, ptrType}, {i32Type}));
  Block *entry = runFn.addEntryBlock();
  OpBuilder ib = OpBuilder::atBlockBegin(entry);
  SmallVector<Value> args;
  for (auto [i, type] : llvm::enumerate(graph.getArgumentTypes()))
    args.push_back(
        buildDescriptor(ib, entry->getArgument(0), i, cast<MemRefType>(type)));
  // A run reports its first failure through the thread-local slot: cleared
  // here, returned as code 1 and by aic_model_v1_error. A failure is a
  // run-time check (aic.check), a CUDA failure, or on CPUs memory running
  // out (aic-cpu-track-run-allocations).
  auto slot = getOrCreateRunErrorSlot(b, module);
  Value null = LLVM::ZeroOp::create(ib, loc, ptrType);
  LLVM::StoreOp::create(ib, loc, null,
                        LLVM::AddressOfOp::create(ib, loc, slot));
  auto voidType = LLVM::LLVMVoidType::get(ctx);
  if (cuda)
    LLVM::CallOp::create(ib, loc,
                         declareFunction("aic_cuda_run_begin", voidType, {}),
                         ValueRange{});
  auto call = func::CallOp::create(ib, loc, graph, args);
  if (cuda) {
    Value failure =
        LLVM::CallOp::create(ib, loc,
                             declareFunction("aic_cuda_run_end", ptrType, {}),
                             ValueRange{})
            .getResult();
    Value slotAddress = LLVM::AddressOfOp::create(ib, loc, slot);
    Value first = LLVM::LoadOp::create(ib, loc, ptrType, slotAddress);
    Value none =
        LLVM::ICmpOp::create(ib, loc, LLVM::ICmpPredicate::eq, first, null);
    LLVM::StoreOp::create(ib, loc,
                          LLVM::SelectOp::create(ib, loc, none, failure, first),
                          slotAddress);
  }
  for (auto [i, result] : llvm::enumerate(call.getResults()))
    storeOutput(ib, result, entry->getArgument(1), i);
  Value message = LLVM::LoadOp::create(
      ib, loc, ptrType, LLVM::AddressOfOp::create(ib, loc, slot));
  Value failed =
      LLVM::ICmpOp::create(ib, loc, LLVM::ICmpPredicate::ne, message, null);
  Value code = LLVM::ZExtOp::create(ib, loc, i32Type, failed);
  func::ReturnOp::create(ib, loc, ValueRange{code});

  auto errorFn =
      func::FuncOp::create(b, loc, (cpu::kAbiPrefix + "_error").str(),
                           b.getFunctionType({}, {ptrType}));
  {
    OpBuilder eb = OpBuilder::atBlockBegin(errorFn.addEntryBlock());
    Value message = LLVM::LoadOp::create(
        eb, loc, ptrType, LLVM::AddressOfOp::create(eb, loc, slot));
    func::ReturnOp::create(eb, loc, ValueRange{message});
  }

  // Outputs are allocated by the graph; the library frees them with the
  // same allocator as it made them with: malloc on CUDA hosts, and on CPUs
  // the memref lowering's generic functions, which
  // aic-cpu-track-run-allocations defines.
  auto freeDecl = declareFunction(cuda ? "free" : "_mlir_memref_to_llvm_free",
                                  LLVM::LLVMVoidType::get(ctx), {ptrType});
  auto freeFn = func::FuncOp::create(b, loc, (cpu::kAbiPrefix + "_free").str(),
                                     b.getFunctionType({ptrType}, {}));
  Block *freeEntry = freeFn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(freeEntry);
  LLVM::CallOp::create(fb, loc, freeDecl, freeEntry->getArguments());
  func::ReturnOp::create(fb, loc);

  // A graph with parallel loops (OpenMP) lets its caller choose how many
  // threads they use: the calling thread's team size (0: all cores).
  if (!cuda &&
      graph.walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    emitSetNumThreads();
  return success();
}

LLVM::LLVMFuncOp AbiBuilder::declareFunction(StringRef name, Type result,
                                             ArrayRef<Type> params) {
  auto decl = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
  if (!decl)
    decl = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(result, params));
  return decl;
}

void AbiBuilder::emitSetNumThreads() {
  auto numProcs = declareFunction("omp_get_num_procs", i32Type, {});
  auto setNumThreads = declareFunction("omp_set_num_threads",
                                       LLVM::LLVMVoidType::get(ctx), {i32Type});
  auto fn =
      func::FuncOp::create(b, loc, (cpu::kAbiPrefix + "_set_num_threads").str(),
                           b.getFunctionType({i32Type}, {}));
  Block *entry = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(entry);
  Value requested = entry->getArgument(0);
  Value positive =
      LLVM::ICmpOp::create(fb, loc, LLVM::ICmpPredicate::sgt, requested,
                           LLVM::ConstantOp::create(fb, loc, i32Type, 0));
  Value all = LLVM::CallOp::create(fb, loc, numProcs, ValueRange{}).getResult();
  Value count = LLVM::SelectOp::create(fb, loc, positive, requested, all);
  LLVM::CallOp::create(fb, loc, setNumThreads, ValueRange{count});
  func::ReturnOp::create(fb, loc);
}

namespace {
struct EmitModelAbiPass
    : aic::cpu::impl::EmitModelAbiPassBase<EmitModelAbiPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<cpu::ModelInterface> model = cpu::describeModelInterface(module);
    if (failed(model))
      return signalPassFailure();
    func::FuncOp graph = cpu::lookupGraph(module);
    SmallVector<Type> types(graph.getArgumentTypes());
    llvm::append_range(types, graph.getResultTypes());
    for (auto [i, type] : llvm::enumerate(types)) {
      auto memref = dyn_cast<MemRefType>(type);
      if (!memref || !memref.getLayout().isIdentity()) {
        graph.emitError("input or output ")
            << i << " has type " << type
            << "; the model ABI needs identity-layout memrefs";
        return signalPassFailure();
      }
    }
    AbiBuilder builder(module);
    if (failed(builder.emit(graph, *model, cuda)))
      return signalPassFailure();
  }
};
} // namespace
