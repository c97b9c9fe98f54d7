//===- aic-stress.cpp - libaic_runtime under load -------------------------===//
//
//   aic-stress MODEL.so [--threads N] [--runs N] [--cycles N]
//                       [--repeat N] [--omp-threads N] [--max-drift PCT]
//                       [--dynamic-dim N]
//
// Runs a compiled model the ways a server does, with inputs made from its
// description (dynamic dims as --dynamic-dim, 2), and fails (exit 1) on any
// difference:
//   threads:     N threads run the model at once, --runs times each; every
//                output must equal, bit for bit, a single-threaded run's.
//   determinism: --repeat runs at a fixed team size (--omp-threads) give
//                bit-identical outputs.
//   cycles:      --cycles load / run / unload cycles; resident memory after
//                them may exceed that after the first tenth by less than
//                --max-drift percent (1; sanitizers' own memory, such as
//                ASan's quarantine, needs more).
//   allocation failures: malloc fails at the k-th allocation a run makes
//                on its thread (the runtime's and the model's), for each k
//                of a run: the run returns AIC_ERROR_RUN "out of memory",
//                the bytes in use are those before it (glibc's mallinfo2),
//                and the next run succeeds with the reference's outputs.
//                Not in sanitizer builds, whose malloc is their own.
// Leaks and races are for the sanitizer builds to find (scripts/stress.sh
// runs this under LeakSanitizer and ThreadSanitizer).
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AIC_STRESS_SANITIZED 1
#endif
#endif

#if defined(__GLIBC__) && !defined(AIC_STRESS_SANITIZED)
#define AIC_STRESS_INJECTS 1
// malloc, interposed: on the thread that armed it, the failAt-th call
// after arming fails. calloc, realloc and free stay glibc's, which frees
// what __libc_malloc made. libomp's calls (Debian's makes two per parallel
// loop) are neither counted nor failed: libomp aborts where one fails.
extern "C" void *__libc_malloc(size_t size);
namespace {
thread_local long failAt = 0;  // 0: off
thread_local long mallocs = 0; // since arming
} // namespace
extern "C" void *malloc(size_t size) {
  if (failAt != 0) {
    long armed = failAt;
    failAt = 0; // dladdr's own allocations
    Dl_info caller;
    bool omp = dladdr(__builtin_return_address(0), &caller) &&
               caller.dli_fname && std::strstr(caller.dli_fname, "libomp");
    failAt = armed;
    if (!omp && ++mallocs == failAt)
      return nullptr;
  }
  return __libc_malloc(size);
}
#endif

namespace {

struct Options {
  const char *model = nullptr;
  int threads = 8, runs = 1000, cycles = 10000, repeat = 100, ompThreads = 2;
  int maxDrift = 1, dynamicDim = 2;
};

/// One run's outputs, as bytes.
using Outputs = std::vector<std::vector<char>>;

/// Inputs made from a model's description, and the tensors that point
/// into them.
struct Inputs {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<std::vector<char>> data;
  std::vector<aic_tensor> tensors;

  Inputs(const aic_model_info *info, int64_t dynamicDim) {
    shapes.resize(info->num_inputs);
    data.resize(info->num_inputs);
    for (uint32_t i = 0; i < info->num_inputs; ++i) {
      const aic_tensor_info &in = info->inputs[i];
      size_t elements = 1;
      for (int32_t d = 0; d < in.rank; ++d) {
        shapes[i].push_back(in.shape[d] < 0 ? dynamicDim : in.shape[d]);
        elements *= shapes[i].back();
      }
      size_t bytes = elements * aic_element_size(in.elem_type);
      data[i].resize(bytes);
      // Small values of any type: floats in [-1, 1), integers 0 and 1.
      for (size_t e = 0; e < elements; ++e) {
        if (in.elem_type == AIC_FLOAT32) {
          float v = static_cast<float>((e * 37 + i * 11) % 17) / 8.0f - 1.0f;
          std::memcpy(&data[i][e * 4], &v, 4);
        } else {
          data[i][e * aic_element_size(in.elem_type)] = (e + i) % 2;
        }
      }
    }
    for (uint32_t i = 0; i < info->num_inputs; ++i)
      tensors.push_back({data[i].data(), shapes[i].data(), info->inputs[i].rank,
                         info->inputs[i].elem_type, nullptr});
  }
};

/// Runs `model` once; false (with the runtime's message) on failure. With
/// `failAtMalloc` (where malloc is interposed), the run's malloc of that
/// number fails (-1: none, but count them into `mallocsMade`).
bool runOnce(aic_model *model, Inputs &inputs, Outputs &outputs,
             std::string &error, long failAtMalloc = 0,
             long *mallocsMade = nullptr) {
  const aic_model_info *info = aic_model_describe(model);
  std::vector<aic_tensor> results(info->num_outputs);
#ifdef AIC_STRESS_INJECTS
  mallocs = 0;
  failAt = failAtMalloc;
#endif
  aic_status status =
      aic_model_run(model, inputs.tensors.data(), inputs.tensors.size(),
                    results.data(), results.size());
#ifdef AIC_STRESS_INJECTS
  failAt = 0;
  if (mallocsMade)
    *mallocsMade = mallocs;
#endif
  if (status != AIC_OK) {
    error = aic_last_error();
    return false;
  }
  outputs.assign(results.size(), {});
  for (size_t o = 0; o < results.size(); ++o) {
    size_t bytes = aic_element_size(results[o].elem_type);
    for (int32_t d = 0; d < results[o].rank; ++d)
      bytes *= results[o].shape[d];
    const char *begin = static_cast<const char *>(results[o].data);
    outputs[o].assign(begin, begin + bytes);
    aic_tensor_release(&results[o]);
  }
  return true;
}

long residentKiB() {
  long pages = 0, resident = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int fail(const std::string &message) {
  std::fprintf(stderr, "aic-stress: %s\n", message.c_str());
  return 1;
}

/// Fails each malloc of a run in turn; false where a run did not fail
/// cleanly or the next did not recover.
bool injectFailures(aic_model *model, Inputs &inputs,
                    const Outputs &reference) {
#ifdef AIC_STRESS_INJECTS
  Outputs outputs;
  std::string error;
  long count = 0;
  if (!runOnce(model, inputs, outputs, error, -1, &count))
    return fail("the counting run failed: " + error), false;
  int clean = 0, unclean = 0, leaked = 0, unrecovered = 0;
  for (long k = 1; k <= count; ++k) {
    // Each failure twice: the first may make what a process makes once
    // (the unwinder's caches for a first exception), the second is
    // measured.
    Outputs failed;
    runOnce(model, inputs, failed, error, k);
    size_t before = mallinfo2().uordblks;
    if (runOnce(model, inputs, failed, error, k) || error != "out of memory") {
      ++unclean;
      std::fprintf(stderr, "aic-stress: malloc %ld of %ld failed: %s\n", k,
                   count, error.c_str());
    } else {
      ++clean;
    }
    if (size_t after = mallinfo2().uordblks; after != before) {
      ++leaked;
      std::fprintf(stderr,
                   "aic-stress: malloc %ld of %ld failed: %zd bytes more in "
                   "use after the run\n",
                   k, count, static_cast<ssize_t>(after - before));
    }
    unrecovered +=
        !runOnce(model, inputs, outputs, error) || outputs != reference;
  }
  std::printf("allocation failures: each of a run's %ld mallocs failed in "
              "turn: %d runs failed with \"out of memory\", %d otherwise; "
              "%d leaked; %d next runs failed or differed\n",
              count, clean, unclean, leaked, unrecovered);
  return count > 0 && unclean == 0 && leaked == 0 && unrecovered == 0;
#else
  (void)model, (void)inputs, (void)reference;
  std::printf("allocation failures: not injected (a sanitizer's malloc)\n");
  return true;
#endif
}

int stress(const Options &o) {
  aic_model *model = nullptr;
  if (aic_model_load(o.model, &model) != AIC_OK)
    return fail(aic_last_error());
  Inputs inputs(aic_model_describe(model), o.dynamicDim);
  std::string error;

  // The reference: one run on this thread, at the fixed team size.
  aic_model_set_num_threads(model, o.ompThreads);
  Outputs reference;
  if (!runOnce(model, inputs, reference, error))
    return fail("the reference run failed: " + error);

  // Determinism.
  int differing = 0;
  for (int r = 0; r < o.repeat; ++r) {
    Outputs outputs;
    if (!runOnce(model, inputs, outputs, error))
      return fail("run " + std::to_string(r) + " failed: " + error);
    differing += outputs != reference;
  }
  std::printf("determinism: %d runs at %d OpenMP threads, %d differ from the "
              "first\n",
              o.repeat, o.ompThreads, differing);

  bool injected = injectFailures(model, inputs, reference);

  // Threads: each run with one OpenMP thread, so the model's threads are
  // the callers'.
  aic_model_set_num_threads(model, 1);
  Outputs single;
  if (!runOnce(model, inputs, single, error))
    return fail("the single-threaded run failed: " + error);
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t)
    threads.emplace_back([&] {
      Inputs mine(aic_model_describe(model), o.dynamicDim);
      std::string why;
      for (int r = 0; r < o.runs; ++r) {
        Outputs outputs;
        if (!runOnce(model, mine, outputs, why))
          ++failures;
        else if (outputs != single)
          ++mismatches;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  std::printf("threads: %d threads x %d runs, %d outputs differ from a "
              "single-threaded run, %d runs failed\n",
              o.threads, o.runs, mismatches.load(), failures.load());
  aic_model_unload(model);

  // Load / run / unload cycles.
  long warm = 0;
  int cycleFailures = 0;
  for (int c = 0; c < o.cycles; ++c) {
    aic_model *m = nullptr;
    if (aic_model_load(o.model, &m) != AIC_OK)
      return fail("cycle " + std::to_string(c) + ": " + aic_last_error());
    Outputs outputs;
    aic_model_set_num_threads(m, o.ompThreads);
    cycleFailures +=
        !runOnce(m, inputs, outputs, error) || outputs != reference;
    aic_model_unload(m);
    if (c + 1 == o.cycles / 10)
      warm = residentKiB();
  }
  long end = residentKiB();
  double drift = warm ? 100.0 * (end - warm) / warm : 0;
  std::printf("cycles: %d load/run/unload cycles, %d failed or differed; "
              "resident %ld KiB after %d, %ld KiB after all (%+.2f%%)\n",
              o.cycles, cycleFailures, warm, o.cycles / 10, end, drift);

  bool ok = differing == 0 && injected && mismatches == 0 && failures == 0 &&
            cycleFailures == 0 && drift < o.maxDrift;
  std::printf("%s\n", ok ? "aic-stress: passed" : "aic-stress: FAILED");
  return ok ? 0 : 1;
}
} // namespace

int main(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto number = [&](int &field) {
      if (i + 1 >= argc || std::atoi(argv[i + 1]) < 0)
        return false;
      field = std::atoi(argv[++i]);
      return true;
    };
    bool ok = true;
    if (arg == "--threads")
      ok = number(o.threads);
    else if (arg == "--runs")
      ok = number(o.runs);
    else if (arg == "--cycles")
      ok = number(o.cycles);
    else if (arg == "--repeat")
      ok = number(o.repeat);
    else if (arg == "--omp-threads")
      ok = number(o.ompThreads);
    else if (arg == "--max-drift")
      ok = number(o.maxDrift);
    else if (arg == "--dynamic-dim")
      ok = number(o.dynamicDim);
    else if (!o.model && arg[0] != '-')
      o.model = argv[i];
    else
      ok = false;
    if (!ok)
      return fail("usage: aic-stress MODEL.so [--threads N] [--runs N] "
                  "[--cycles N] [--repeat N] [--omp-threads N] "
                  "[--max-drift PCT] [--dynamic-dim N]");
  }
  if (!o.model)
    return fail("usage: aic-stress MODEL.so [options]");
  return stress(o);
}
