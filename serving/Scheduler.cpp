//===- Scheduler.cpp - runs of one model version, batched or not ----------===//

#include "serving/Scheduler.h"

#include "serving/Metrics.h"

#include <future>

namespace aic_serve {

using Clock = std::chrono::steady_clock;

struct Executor::Job {
  std::vector<Tensor> inputs;
  /// Rows (the first dim, the same in every input), or 0 where the request
  /// cannot join a batch.
  int64_t rows = 0;
  Clock::time_point enqueued = Clock::now();
  std::promise<RunResult> done;
};

Executor::Executor(aic_model *model, int instances, int64_t maxBatchSize,
                   int64_t batchTimeoutUs, ModelMetrics &metrics)
    : model(model), maxBatchSize(maxBatchSize), batchTimeout(batchTimeoutUs),
      metrics(metrics) {
  for (int i = 0; i < instances; ++i)
    threads.emplace_back([this] { instance(); });
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &thread : threads)
    thread.join();
  threads.clear();
}

bool Executor::batchable(const Job &job) const {
  int64_t rows = rowsOf(job.inputs);
  return maxBatchSize > 1 && rows > 0 && rows < maxBatchSize;
}

RunResult Executor::run(std::vector<Tensor> inputs) {
  Job job;
  job.inputs = std::move(inputs);
  if (batchable(job))
    job.rows = job.inputs[0].shape[0];
  std::future<RunResult> result = job.done.get_future();
  metrics.pending.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex);
    queue.push_back(&job);
  }
  wake.notify_all();
  RunResult answer = result.get();
  metrics.pending.fetch_sub(1, std::memory_order_relaxed);
  return answer;
}

std::vector<Executor::Job *>
Executor::takeBatch(std::unique_lock<std::mutex> &lock) {
  wake.wait(lock, [&] { return (!queue.empty() && !gathering) || stopping; });
  if (queue.empty())
    return {};
  std::vector<Job *> batch{queue.front()};
  queue.pop_front();
  Job &first = *batch[0];
  if (!first.rows)
    return batch;
  int64_t rows = first.rows;
  // Gathers alone: requests that arrive meanwhile join this batch rather
  // than start one on another instance.
  gathering = true;
  Clock::time_point deadline = first.enqueued + batchTimeout;
  while (true) {
    for (auto it = queue.begin(); it != queue.end() && rows < maxBatchSize;) {
      Job &job = **it;
      if (job.rows && rows + job.rows <= maxBatchSize &&
          sameRows(first.inputs, job.inputs)) {
        rows += job.rows;
        batch.push_back(&job);
        it = queue.erase(it);
      } else {
        ++it;
      }
    }
    if (rows >= maxBatchSize || stopping || Clock::now() >= deadline)
      break;
    wake.wait_until(lock, deadline);
  }
  gathering = false;
  wake.notify_all();
  return batch;
}

void Executor::instance() {
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    std::vector<Job *> batch = takeBatch(lock);
    if (batch.empty())
      return;
    lock.unlock();
    try {
      execute(batch);
    } catch (const std::bad_alloc &) {
      // Out of memory for a batch's copies: what has no answer gets one.
      for (Job *job : batch) {
        try {
          job->done.set_value({{}, "out of memory", 503});
        } catch (const std::future_error &) {
        }
      }
    }
    lock.lock();
  }
}

RunResult Executor::runAlone(const std::vector<Tensor> &inputs) {
  metrics.executions.fetch_add(1, std::memory_order_relaxed);
  return runModel(model, inputs);
}

void Executor::execute(const std::vector<Job *> &jobs) {
  Clock::time_point start = Clock::now();
  for (Job *job : jobs)
    metrics.queueSeconds.observe(
        std::chrono::duration<double>(start - job->enqueued).count());
  metrics.inferences.fetch_add(jobs.size(), std::memory_order_relaxed);
  if (jobs.size() == 1) {
    metrics.batchSize.observe(1);
    jobs[0]->done.set_value(runAlone(jobs[0]->inputs));
    return;
  }
  // One run over the requests' rows, concatenated.
  std::vector<const std::vector<Tensor> *> requests;
  std::vector<int64_t> rows;
  for (Job *job : jobs) {
    requests.push_back(&job->inputs);
    rows.push_back(job->rows);
  }
  RunResult batched = runAlone(concatRows(requests));
  std::vector<std::vector<Tensor>> parts;
  if (!batched.error.empty() || !splitRows(batched.outputs, rows, parts)) {
    // Each alone: its own error, or outputs that are its own.
    for (Job *job : jobs) {
      metrics.batchSize.observe(1);
      job->done.set_value(runAlone(job->inputs));
    }
    return;
  }
  metrics.batchSize.observe(static_cast<double>(jobs.size()));
  for (size_t j = 0; j < jobs.size(); ++j)
    jobs[j]->done.set_value({std::move(parts[j]), "", 200});
}

} // namespace aic_serve
