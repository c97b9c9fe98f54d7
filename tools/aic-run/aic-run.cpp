//===- aic-run.cpp - run, check and benchmark a compiled model ------------===//
//
// aic-run MODEL.so [--inputs DIR] [--outputs DIR] [--compare DIR]
//         [--rtol R] [--atol A] [--min-cosine C] [--benchmark N] [--json]
//         [--threads N]
//
// Reads input_K.pb files (ONNX TensorProto), runs the model through
// libaic_runtime, and prints, writes or compares the outputs. Exit codes:
// 0 success, 1 an error (one line on stderr), 2 outputs differ from the
// reference. Links neither LLVM nor MLIR.
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"
#include "tools/aic-run/TensorFiles.h"
#include "tools/common/Elements.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using aic_run::HostTensor;
using aic_tools::elementToDouble;
using aic_tools::isNarrowInteger;
using aic_tools::load;

namespace {
struct Options {
  std::string model, inputs, outputs, compare;
  double rtol = 1e-3, atol = 1e-7;
  /// Where set (0 to 1), --compare passes an output whose cosine
  /// similarity to the reference is at least this, whatever the
  /// elementwise tolerances say: for reduced-precision builds.
  double minCosine = -1;
  long benchmark = 0;
  long threads = 0;
  bool json = false;
  /// What --device asserts the model runs on; "" where not given.
  std::string device;
};

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "aic-run: error: %s\n", message.c_str());
  std::exit(1);
}

const char *usage =
    "usage: aic-run MODEL.so [--inputs DIR] [--outputs DIR] [--compare DIR]\n"
    "               [--rtol R] [--atol A] [--min-cosine C] [--benchmark N]\n"
    "               [--json] [--threads N] [--device cpu|cuda]\n"
    "\n"
    "Runs a model library made by aic-compile and prints its outputs\n"
    "(unless --outputs, --compare or --benchmark say otherwise); exit code\n"
    "2 where --compare finds a difference, 1 on an error.\n"
    "\n"
    "options:\n"
    "  --inputs DIR     read input K from DIR/input_K.pb (ONNX TensorProto)\n"
    "  --outputs DIR    write output K to DIR/output_K.pb\n"
    "  --compare DIR    check the outputs against DIR/output_K.pb\n"
    "  --rtol R         relative tolerance of --compare (default 1e-3)\n"
    "  --atol A         absolute tolerance of --compare (default 1e-7)\n"
    "  --min-cosine C   compare by cosine similarity (at least C), not "
    "tolerances\n"
    "  --benchmark N    time N runs after a warm-up: min, median, max\n"
    "  --json           print --benchmark's timings as JSON\n"
    "  --threads N      threads per run (default 0: all cores)\n"
    "  --device D       check that the model runs on D: cpu or cuda\n"
    "  --version        print aic-run's version\n"
    "  -h, --help       print this help\n";

double parseNumber(const char *flag, const char *text) {
  char *end = nullptr;
  double value = std::strtod(text, &end);
  if (!*text || *end || !(value >= 0))
    die(std::string(flag) + " expects a non-negative number, got '" + text +
        "'");
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char * {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        static std::string rest;
        rest = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        return rest.c_str();
      }
      if (i + 1 >= argc)
        die(arg + " expects a value");
      return argv[++i];
    };
    if (arg == "--version") {
      std::printf("aic-run %s (model ABI %d)\n", AIC_VERSION,
                  AIC_MODEL_ABI_VERSION);
      std::exit(0);
    }
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) {
      if (!o.model.empty())
        die("more than one model given: '" + o.model + "' and '" + arg + "'");
      o.model = arg;
      continue;
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    std::string flag = arg.substr(0, arg.find('='));
    static const char *const withValue[] = {
        "--inputs",    "--outputs", "--compare", "--rtol",      "--atol",
        "--benchmark", "--threads", "--device",  "--min-cosine"};
    if (std::find(std::begin(withValue), std::end(withValue), flag) ==
        std::end(withValue))
      die("unknown option '" + flag + "'\n" + usage);
    const char *v = value();
    if (arg == "--inputs")
      o.inputs = v;
    else if (arg == "--outputs")
      o.outputs = v;
    else if (arg == "--compare")
      o.compare = v;
    else if (arg == "--rtol")
      o.rtol = parseNumber("--rtol", v);
    else if (arg == "--atol")
      o.atol = parseNumber("--atol", v);
    else if (arg == "--min-cosine") {
      o.minCosine = parseNumber("--min-cosine", v);
      if (!(o.minCosine >= 0 && o.minCosine <= 1))
        die("--min-cosine expects a similarity from 0 to 1");
    } else if (arg == "--device") {
      o.device = v;
      if (o.device != "cpu" && o.device != "cuda")
        die("--device expects cpu or cuda, got '" + o.device + "'");
    } else if (arg == "--threads") {
      double n = parseNumber("--threads", v);
      if (n != std::floor(n) || n > INT32_MAX)
        die("--threads expects a count (0: all cores)");
      o.threads = static_cast<long>(n);
    } else {
      double n = parseNumber("--benchmark", v);
      if (n < 1 || n != std::floor(n))
        die("--benchmark expects a positive count");
      o.benchmark = static_cast<long>(n);
    }
  }
  if (o.model.empty())
    die(std::string("no model given\n") + usage);
  return o;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// ONNX test data written before ONNX 1.13 stores bfloat16 tensors as
/// UINT16 (ONNX data type 4) with the same bits; read them as bfloat16.
void adoptLegacyBFloat16(HostTensor &t, int32_t expected) {
  if (t.elemType == 4 && expected == AIC_BFLOAT16)
    t.elemType = AIC_BFLOAT16;
}

/// Element `i` of `t` as a double (for printing and comparing).
double elementAt(const HostTensor &t, size_t i) {
  return elementToDouble(t.elemType, t.data.data(), i);
}

size_t elementCount(const std::vector<int64_t> &shape) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<size_t>(d);
  return n;
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// Compares `actual` with `expected` as numpy.allclose does; prints one line.
bool compareOutput(const HostTensor &actual, const HostTensor &expected,
                   const Options &o) {
  const char *name = actual.name.c_str();
  if (expected.elemType != actual.elemType) {
    std::printf("output '%s': element type %s, reference has %s: MISMATCH\n",
                name, aic_element_type_name(actual.elemType),
                aic_element_type_name(expected.elemType));
    return false;
  }
  if (expected.shape != actual.shape) {
    std::printf("output '%s': shape %s, reference has %s: MISMATCH\n", name,
                shapeString(actual.shape).c_str(),
                shapeString(expected.shape).c_str());
    return false;
  }
  double maxAbs = 0, maxRel = 0, dot = 0, actualNorm = 0, expectedNorm = 0;
  size_t bad = 0, firstBad = 0;
  size_t n = elementCount(actual.shape);
  for (size_t i = 0; i < n; ++i) {
    double a = elementAt(actual, i), e = elementAt(expected, i);
    dot += a * e;
    actualNorm += a * a;
    expectedNorm += e * e;
    if (std::isnan(a) && std::isnan(e))
      continue;
    if (a == e)
      continue; // Also equal infinities.
    double diff = std::fabs(a - e);
    if (std::isnan(diff))
      diff = INFINITY;
    maxAbs = std::max(maxAbs, diff);
    if (e != 0)
      maxRel = std::max(maxRel, diff / std::fabs(e));
    if (!(diff <= o.atol + o.rtol * std::fabs(e))) {
      if (bad++ == 0)
        firstBad = i;
    }
  }
  std::printf("output '%s' %s: max abs error %.3g, max rel error %.3g", name,
              shapeString(actual.shape).c_str(), maxAbs, maxRel);
  if (o.minCosine >= 0) {
    double norms = std::sqrt(actualNorm * expectedNorm);
    double cosine = norms > 0 ? dot / norms : (actualNorm == expectedNorm);
    std::printf(", cosine similarity %.6f", cosine);
    if (!(cosine >= o.minCosine)) {
      std::printf(": MISMATCH (below %g)\n", o.minCosine);
      return false;
    }
    std::printf(": ok\n");
    return true;
  }
  if (bad) {
    std::printf(": MISMATCH in %zu of %zu elements (first at %zu: %.9g vs "
                "%.9g; rtol %g, atol %g)\n",
                bad, n, firstBad, elementAt(actual, firstBad),
                elementAt(expected, firstBad), o.rtol, o.atol);
    return false;
  }
  std::printf(": ok\n");
  return true;
}

void printOutput(const HostTensor &t) {
  size_t n = elementCount(t.shape);
  std::printf("%s: %s %s = [", t.name.c_str(),
              aic_element_type_name(t.elemType), shapeString(t.shape).c_str());
  size_t shown = std::min<size_t>(n, 16);
  for (size_t i = 0; i < shown; ++i) {
    const char *sep = i ? ", " : "";
    // 64-bit integers exactly; the rest fit a double.
    if (t.elemType == AIC_INT64)
      std::printf("%s%lld", sep, (long long)load<int64_t>(t.data.data(), i));
    else if (t.elemType == AIC_UINT64)
      std::printf("%s%llu", sep,
                  (unsigned long long)load<uint64_t>(t.data.data(), i));
    else if (isNarrowInteger(t.elemType))
      std::printf("%s%.10g", sep, elementAt(t, i));
    else
      std::printf("%s%.6g", sep, elementAt(t, i));
  }
  std::printf("%s]\n", n > shown ? ", ..." : "");
}
} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);

  aic_model *model = nullptr;
  if (o.device == "cuda") {
    // The driver first: a machine without one gets that as the error.
    if (aic_cuda_init(nullptr) != AIC_OK)
      die(aic_last_error());
  }
  if (aic_model_load(o.model.c_str(), &model) != AIC_OK)
    die(aic_last_error());
  const aic_model_info *info = aic_model_describe(model);
  // The model runs where it was compiled for; --device checks that.
  const char *device = info->device == AIC_DEVICE_CUDA ? "cuda" : "cpu";
  if (!o.device.empty() && o.device != device)
    die("--device " + o.device + ": '" + o.model + "' was compiled for " +
        (info->device == AIC_DEVICE_CUDA
             ? "an NVIDIA GPU (--target=cuda)"
             : "the CPU; compile it with --target=cuda to run it on a GPU"));
  if (aic_model_set_num_threads(model, static_cast<int32_t>(o.threads)) !=
      AIC_OK)
    die(aic_last_error());

  // Inputs.
  std::vector<HostTensor> inputs(info->num_inputs);
  if (info->num_inputs && o.inputs.empty())
    die("the model has " + std::to_string(info->num_inputs) +
        " inputs; give their files with --inputs DIR");
  if (!o.inputs.empty() && !isDirectory(o.inputs))
    die("--inputs: '" + o.inputs + "' is not a directory");
  for (uint32_t i = 0; i < info->num_inputs; ++i) {
    std::string path = o.inputs + "/input_" + std::to_string(i) + ".pb";
    std::string error;
    if (!aic_run::readTensorFile(path, inputs[i], error))
      die("input '" + std::string(info->inputs[i].name) + "': " + error);
    adoptLegacyBFloat16(inputs[i], info->inputs[i].elem_type);
    if (aic_element_size(inputs[i].elemType) == 0)
      die("input '" + std::string(info->inputs[i].name) + "' in '" + path +
          "' has an unsupported element type");
  }

  std::vector<aic_tensor> in;
  for (HostTensor &t : inputs)
    in.push_back({t.data.data(), t.shape.data(),
                  static_cast<int32_t>(t.shape.size()), t.elemType, nullptr});
  std::vector<aic_tensor> out(info->num_outputs);
  auto run = [&] {
    if (aic_model_run(model, in.data(), in.size(), out.data(), out.size()) !=
        AIC_OK)
      die(aic_last_error());
  };
  auto release = [&] {
    for (aic_tensor &t : out)
      aic_tensor_release(&t);
  };

  // The first run's outputs are the ones printed, written or compared.
  run();
  std::vector<HostTensor> outputs(info->num_outputs);
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    HostTensor &h = outputs[i];
    h.name = info->outputs[i].name;
    h.elemType = out[i].elem_type;
    h.shape.assign(out[i].shape, out[i].shape + out[i].rank);
    const char *data = static_cast<const char *>(out[i].data);
    h.data.assign(data,
                  data + elementCount(h.shape) * aic_element_size(h.elemType));
  }
  release();

  if (o.benchmark) {
    for (long i = 0; i < std::min<long>(o.benchmark, 3); ++i) {
      run(); // Warm-up.
      release();
    }
    std::vector<double> ms;
    for (long i = 0; i < o.benchmark; ++i) {
      auto start = std::chrono::steady_clock::now();
      run();
      release();
      auto stop = std::chrono::steady_clock::now();
      ms.push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2
                        ? ms[ms.size() / 2]
                        : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    if (o.json)
      std::printf("{\"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, "
                  "\"runs\": %ld}\n",
                  median, ms.front(), ms.back(), o.benchmark);
    else
      std::printf("latency over %ld runs: min %.4f ms, median %.4f ms, max "
                  "%.4f ms\n",
                  o.benchmark, ms.front(), median, ms.back());
  }

  if (!o.outputs.empty()) {
    if (!isDirectory(o.outputs) && mkdir(o.outputs.c_str(), 0777) != 0)
      die("--outputs: cannot create directory '" + o.outputs + "'");
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string error;
      if (!aic_run::writeTensorFile(o.outputs + "/output_" + std::to_string(i) +
                                        ".pb",
                                    outputs[i], error))
        die(error);
    }
  }

  bool matches = true;
  if (!o.compare.empty()) {
    if (!isDirectory(o.compare))
      die("--compare: '" + o.compare + "' is not a directory");
    for (size_t i = 0; i < outputs.size(); ++i) {
      HostTensor expected;
      std::string error;
      std::string path = o.compare + "/output_" + std::to_string(i) + ".pb";
      if (!aic_run::readTensorFile(path, expected, error))
        die("reference for output '" + outputs[i].name + "': " + error);
      adoptLegacyBFloat16(expected, outputs[i].elemType);
      matches &= compareOutput(outputs[i], expected, o);
    }
  }
  if (o.outputs.empty() && o.compare.empty() && !o.benchmark)
    for (const HostTensor &t : outputs)
      printOutput(t);

  aic_model_unload(model);
  return matches ? 0 : 2;
}
