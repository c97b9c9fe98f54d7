//===- Scheduler.h - runs of one model version, batched or not --*- C++ -*-===//
//
// An Executor owns a model version's instances: that many threads, each
// running one request (or one batch) at a time, so that concurrent
// requests run in parallel on the one loaded model (its run entry point is
// reentrant) without more runs than cores.
//
// With batching, a free instance takes the first queued request and every
// queued request whose inputs match it but for the first dim, up to the
// batch size in rows, waiting up to the batch timeout for more; it runs
// them as one, with their inputs concatenated along the first dim, and
// hands each request its rows of the outputs (views, not copies). Where a
// batch fails, or its outputs do not have one row per input row, each of
// its requests runs alone, so one request's error is its own.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_SERVING_SCHEDULER_H
#define AIC_SERVING_SCHEDULER_H

#include "serving/Batch.h"

#include "aic/runtime.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace aic_serve {

struct ModelMetrics;

class Executor {
public:
  /// Starts `instances` threads for `model`. Batching is on where
  /// `maxBatchSize` is above 1.
  Executor(aic_model *model, int instances, int64_t maxBatchSize,
           int64_t batchTimeoutUs, ModelMetrics &metrics);
  /// Finishes every queued request, then stops.
  ~Executor();
  Executor(const Executor &) = delete;
  Executor &operator=(const Executor &) = delete;

  /// Runs the model on `inputs` (checked against its description by the
  /// caller) and waits for the result.
  RunResult run(std::vector<Tensor> inputs);
  /// Finishes every queued request and stops the instances; run() must
  /// not be called after.
  void stop();

private:
  struct Job;
  void instance();
  /// Takes the next batch off the queue (the lock held); empty once
  /// stopped and drained.
  std::vector<Job *> takeBatch(std::unique_lock<std::mutex> &lock);
  void execute(const std::vector<Job *> &jobs);
  RunResult runAlone(const std::vector<Tensor> &inputs);
  bool batchable(const Job &job) const;

  aic_model *model;
  int64_t maxBatchSize;
  std::chrono::microseconds batchTimeout;
  ModelMetrics &metrics;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job *> queue;
  /// Whether an instance is gathering a batch: the others wait, so that
  /// requests arriving meanwhile join it.
  bool gathering = false;
  bool stopping = false;
  std::vector<std::thread> threads;
};

} // namespace aic_serve

#endif // AIC_SERVING_SCHEDULER_H
