//===- Quantization.cpp - aic-compile --quantize --------------------------===//

#include "tools/aic-compile/Quantization.h"

#include "aic/runtime.h"
#include "codegen/cpu/Target.h"
#include "dialects/aic/Transforms/Quantize.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using aic_run::HostTensor;

LogicalResult aic_compile::readDataSets(const std::string &dir,
                                        size_t numInputs,
                                        std::vector<DataSet> &sets,
                                        std::string &error) {
  if (!llvm::sys::fs::is_directory(dir)) {
    error = "--calibrate: '" + dir + "' is not a directory";
    return failure();
  }
  std::vector<std::string> dirs;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_") &&
        llvm::sys::fs::is_directory(it->path()))
      dirs.push_back(it->path());
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty())
    dirs.push_back(dir);
  for (const std::string &d : dirs) {
    DataSet set{d, std::vector<HostTensor>(numInputs)};
    for (size_t i = 0; i < numInputs; ++i) {
      std::string path = d + "/input_" + std::to_string(i) + ".pb";
      if (!aic_run::readTensorFile(path, set.inputs[i], error)) {
        error = "--calibrate: " + error;
        return failure();
      }
    }
    sets.push_back(std::move(set));
  }
  return success();
}

LogicalResult aic_compile::runLibrary(
    const std::string &path, const std::vector<DataSet> &sets,
    std::vector<std::vector<HostTensor>> &outputs, std::string &error) {
  aic_model *model = nullptr;
  if (aic_model_load(path.c_str(), &model) != AIC_OK) {
    error = aic_last_error();
    return failure();
  }
  const aic_model_info *info = aic_model_describe(model);
  LogicalResult result = success();
  for (const DataSet &set : sets) {
    if (set.inputs.size() != info->num_inputs) {
      error = "the model has " + std::to_string(info->num_inputs) +
              " inputs, " + set.dir + " " + std::to_string(set.inputs.size());
      result = failure();
      break;
    }
    std::vector<aic_tensor> in;
    for (const HostTensor &t : set.inputs)
      in.push_back({const_cast<char *>(t.data.data()), t.shape.data(),
                    static_cast<int32_t>(t.shape.size()), t.elemType, nullptr});
    std::vector<aic_tensor> out(info->num_outputs);
    if (aic_model_run(model, in.data(), in.size(), out.data(), out.size()) !=
        AIC_OK) {
      error = set.dir + ": " + aic_last_error();
      result = failure();
      break;
    }
    std::vector<HostTensor> &results = outputs.emplace_back();
    for (uint32_t i = 0; i < info->num_outputs; ++i) {
      HostTensor &h = results.emplace_back();
      h.name = info->outputs[i].name;
      h.elemType = out[i].elem_type;
      h.shape.assign(out[i].shape, out[i].shape + out[i].rank);
      size_t count = 1;
      for (int64_t d : h.shape)
        count *= d;
      const char *data = static_cast<const char *>(out[i].data);
      h.data.assign(data, data + count * aic_element_size(h.elemType));
      aic_tensor_release(&out[i]);
    }
  }
  aic_model_unload(model);
  return result;
}

/// The f32 elements of `t`; none where it holds another type.
static std::optional<ArrayRef<float>> floats(const HostTensor &t) {
  if (t.elemType != AIC_FLOAT32)
    return std::nullopt;
  return ArrayRef<float>(reinterpret_cast<const float *>(t.data.data()),
                         t.data.size() / sizeof(float));
}

LogicalResult
aic_compile::compileAndRun(ModuleOp module, const CompileLibrary &compile,
                           const std::vector<DataSet> &sets,
                           std::vector<std::vector<HostTensor>> &outputs,
                           std::string &error) {
  SmallString<128> library;
  if (failed(mlir::aic::cpu::createTemporaryFile("aic-model", "so", library,
                                                 error)))
    return failure();
  llvm::FileRemover removeLibrary(library);
  if (failed(compile(module, library.str().str(), error)))
    return failure();
  return runLibrary(library.str().str(), sets, outputs, error);
}

LogicalResult
aic_compile::calibrate(ModuleOp module, const std::vector<DataSet> &sets,
                       const CalibrationOptions &options,
                       const CompileLibrary &compile,
                       std::vector<std::vector<HostTensor>> &floatOutputs,
                       std::vector<double> &sqnr, std::string &error) {
  SmallVector<Operation *> candidates =
      mlir::aic::quantizationCandidates(module, options.exclude);
  sqnr.assign(candidates.size(), std::nan(""));
  // A copy that also returns the candidates' activations (those the
  // graph's function can return: not inside its loops or branches).
  OwningOpRef<ModuleOp> copy(module.clone());
  SmallVector<Operation *> copied =
      mlir::aic::quantizationCandidates(*copy, options.exclude);
  auto main = copy->lookupSymbol<func::FuncOp>("main");
  if (!main || copied.size() != candidates.size()) {
    error = "--quantize: cannot find the graph's function";
    return failure();
  }
  auto ret = cast<func::ReturnOp>(main.getBody().front().getTerminator());
  unsigned numOutputs = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  SmallVector<Attribute> names(
      main->getAttrOfType<ArrayAttr>("aic.output_names").getValue());
  // Per candidate, the extra output that holds its activations (one per
  // value: Q, K and V projections read one).
  SmallVector<std::pair<unsigned, unsigned>> observed;
  DenseMap<Value, unsigned> outputOf;
  for (auto [i, op] : llvm::enumerate(copied)) {
    if (op->getParentOp() != main)
      continue;
    Value activations = op->getOperand(0);
    auto [it, added] = outputOf.try_emplace(activations, results.size());
    if (added) {
      results.push_back(activations);
      names.push_back(StringAttr::get(copy->getContext(),
                                      "__aic_observed_" + std::to_string(i)));
    }
    observed.push_back({i, it->second});
  }
  ret->setOperands(results);
  main.setFunctionType(FunctionType::get(copy->getContext(),
                                         main.getArgumentTypes(),
                                         ValueRange(results).getTypes()));
  main->setAttr("aic.output_names", ArrayAttr::get(copy->getContext(), names));

  std::vector<std::vector<HostTensor>> outputs;
  if (failed(compileAndRun(*copy, compile, sets, outputs, error)))
    return failure();

  for (auto [index, output] : observed) {
    std::vector<float> values;
    float lo = INFINITY, hi = -INFINITY;
    for (const std::vector<HostTensor> &set : outputs) {
      std::optional<ArrayRef<float>> data = floats(set[output]);
      if (!data)
        continue;
      for (float v : *data) {
        if (std::isnan(v))
          continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        if (options.method == "percentile")
          values.push_back(v);
      }
    }
    if (lo > hi)
      continue;
    if (options.method == "percentile" && !values.empty()) {
      auto at = [&](double percent) {
        size_t n = std::min(values.size() - 1,
                            (size_t)(percent / 100.0 * (values.size() - 1)));
        std::nth_element(values.begin(), values.begin() + n, values.end());
        return values[n];
      };
      hi = at(options.percentile);
      lo = at(100.0 - options.percentile);
    }
    candidates[index]->setAttr(
        "aic.input_range",
        DenseF32ArrayAttr::get(module.getContext(), {lo, hi}));
    // The noise that quantizing in that range adds, against the signal.
    mlir::aic::ActivationQuantization rule(lo, hi);
    double signal = 0, noise = 0;
    for (const std::vector<HostTensor> &set : outputs)
      if (std::optional<ArrayRef<float>> data = floats(set[output]))
        for (float v : *data)
          if (!std::isnan(v)) {
            double e = v - rule.roundTrip(v);
            signal += double(v) * v;
            noise += e * e;
          }
    sqnr[index] = noise > 0 ? 10 * std::log10(signal / noise) : INFINITY;
  }
  for (std::vector<HostTensor> &set : outputs) {
    set.resize(numOutputs);
    floatOutputs.push_back(std::move(set));
  }
  return success();
}

FailureOr<std::vector<std::string>> aic_compile::keepInFloatForAccuracy(
    ModuleOp module, const std::vector<std::string> &exclude,
    const std::vector<double> &sqnr, double minCosine,
    const QuantizedCosine &cosine, std::string &error) {
  SmallVector<Operation *> candidates =
      mlir::aic::quantizationCandidates(module, exclude);
  // The calibrated candidates, least accurate (lowest SQNR) first.
  SmallVector<size_t> order;
  for (auto [i, op] : llvm::enumerate(candidates))
    if (op->hasAttr("aic.input_range") && i < sqnr.size() &&
        !std::isnan(sqnr[i]))
      order.push_back(i);
  llvm::stable_sort(order,
                    [&](size_t a, size_t b) { return sqnr[a] < sqnr[b]; });
  // The cosine with the first `count` of them kept in float.
  auto keeping = [&](size_t count) -> FailureOr<double> {
    OwningOpRef<ModuleOp> copy(module.clone());
    SmallVector<Operation *> copied =
        mlir::aic::quantizationCandidates(*copy, exclude);
    for (size_t i = 0; i < count; ++i)
      copied[order[i]]->removeAttr("aic.input_range");
    return cosine(*copy, error);
  };
  // Bisection: keeping `fewest` in float falls short, `enough` does not
  // (all of them: the float model).
  size_t fewest = 0, enough = order.size();
  FailureOr<double> all = keeping(0);
  if (failed(all))
    return failure();
  if (*all >= minCosine)
    enough = 0;
  while (enough - fewest > 1) {
    size_t middle = fewest + (enough - fewest) / 2;
    FailureOr<double> c = keeping(middle);
    if (failed(c))
      return failure();
    (*c >= minCosine ? enough : fewest) = middle;
  }
  std::vector<std::string> kept;
  for (size_t i = 0; i < enough; ++i) {
    Operation *op = candidates[order[i]];
    op->removeAttr("aic.input_range");
    auto name = dyn_cast<NameLoc>(op->getLoc());
    kept.push_back(name ? name.getName().str()
                        : op->getName().getStringRef().str());
  }
  return kept;
}

llvm::json::Array aic_compile::compareOutputs(
    const std::vector<std::vector<HostTensor>> &reference,
    const std::vector<std::vector<HostTensor>> &quantized) {
  llvm::json::Array result;
  if (reference.empty() || reference.size() != quantized.size())
    return result;
  for (size_t o = 0; o < reference.front().size(); ++o) {
    double maxError = 0, dot = 0, refNorm = 0, quantNorm = 0;
    bool comparable = true;
    for (size_t s = 0; s < reference.size() && comparable; ++s) {
      std::optional<ArrayRef<float>> r = floats(reference[s][o]),
                                     q = floats(quantized[s][o]);
      if (!r || !q || r->size() != q->size()) {
        comparable = false;
        break;
      }
      for (size_t i = 0; i < r->size(); ++i) {
        double a = (*r)[i], b = (*q)[i];
        maxError = std::max(maxError, std::fabs(a - b));
        dot += a * b;
        refNorm += a * a;
        quantNorm += b * b;
      }
    }
    if (!comparable)
      continue;
    double cosine = refNorm > 0 && quantNorm > 0
                        ? dot / std::sqrt(refNorm * quantNorm)
                        : (refNorm == quantNorm ? 1.0 : 0.0);
    result.push_back(llvm::json::Object{{"name", reference.front()[o].name},
                                        {"max_abs_error", maxError},
                                        {"cosine_similarity", cosine}});
  }
  return result;
}
