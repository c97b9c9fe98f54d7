//===- Scheduler.cpp - runs of one model version, batched or not ----------===//

#include "serving/Scheduler.h"

#include "serving/Metrics.h"

#include <cstring>
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
    : model(model), info(aic_model_describe(model)), maxBatchSize(maxBatchSize),
      batchTimeout(batchTimeoutUs), metrics(metrics) {
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
  if (maxBatchSize <= 1 || job.inputs.empty())
    return false;
  int64_t rows = job.inputs[0].shape.empty() ? -1 : job.inputs[0].shape[0];
  for (const Tensor &t : job.inputs)
    if (t.shape.empty() || t.shape[0] != rows)
      return false;
  return rows > 0 && rows < maxBatchSize;
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

namespace {
/// Whether `a` and `b` have the same dims but the first in each input.
bool sameRows(const std::vector<Tensor> &a, const std::vector<Tensor> &b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (!std::equal(a[i].shape.begin() + 1, a[i].shape.end(),
                    b[i].shape.begin() + 1, b[i].shape.end()))
      return false;
  return true;
}
} // namespace

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
  std::vector<aic_tensor> in(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    in[i] = {const_cast<char *>(inputs[i].data), inputs[i].shape.data(),
             static_cast<int32_t>(inputs[i].shape.size()), inputs[i].elemType,
             nullptr};
  std::vector<aic_tensor> out(info->num_outputs);
  RunResult result;
  aic_status status =
      aic_model_run(model, in.data(), in.size(), out.data(), out.size());
  metrics.executions.fetch_add(1, std::memory_order_relaxed);
  if (status != AIC_OK) {
    result.error = aic_last_error();
    // Wrong inputs and failed run-time checks are the request's; running
    // out of memory is the server's.
    bool server = status == AIC_ERROR_RUN && result.error == "out of memory";
    result.httpStatus = server ? 503
                        : status == AIC_ERROR_RUN ||
                                status == AIC_ERROR_SHAPE_MISMATCH ||
                                status == AIC_ERROR_TYPE_MISMATCH
                            ? 400
                            : 500;
    return result;
  }
  for (aic_tensor &t : out) {
    auto owned = std::shared_ptr<aic_tensor>(new aic_tensor(t), [](auto *p) {
      aic_tensor_release(p);
      delete p;
    });
    Tensor view;
    view.elemType = t.elem_type;
    view.shape.assign(t.shape, t.shape + t.rank);
    view.data = static_cast<const char *>(t.data);
    view.bytes = elementCount(view.shape) *
                 aic_element_size(static_cast<int>(t.elem_type));
    view.owner = owned;
    result.outputs.push_back(std::move(view));
  }
  return result;
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
  int64_t rows = 0;
  for (Job *job : jobs)
    rows += job->rows;
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < jobs[0]->inputs.size(); ++i) {
    Tensor t;
    t.elemType = jobs[0]->inputs[i].elemType;
    t.shape = jobs[0]->inputs[i].shape;
    t.shape[0] = rows;
    for (Job *job : jobs)
      t.bytes += job->inputs[i].bytes;
    auto buffer = std::shared_ptr<char[]>(new char[t.bytes ? t.bytes : 1]);
    size_t offset = 0;
    for (Job *job : jobs) {
      if (job->inputs[i].bytes)
        std::memcpy(buffer.get() + offset, job->inputs[i].data,
                    job->inputs[i].bytes);
      offset += job->inputs[i].bytes;
    }
    t.data = buffer.get();
    t.owner = buffer;
    inputs.push_back(std::move(t));
  }
  RunResult batched = runAlone(inputs);
  bool split = batched.error.empty();
  for (const Tensor &out : batched.outputs)
    split = split && !out.shape.empty() && out.shape[0] == rows;
  if (!split) {
    // Each alone: its own error, or outputs that are its own.
    for (Job *job : jobs) {
      metrics.batchSize.observe(1);
      job->done.set_value(runAlone(job->inputs));
    }
    return;
  }
  metrics.batchSize.observe(static_cast<double>(jobs.size()));
  int64_t row = 0;
  for (Job *job : jobs) {
    RunResult mine;
    for (const Tensor &out : batched.outputs) {
      size_t rowBytes = out.bytes / static_cast<size_t>(rows);
      Tensor view = out;
      view.shape[0] = job->rows;
      view.data = out.data + rowBytes * row;
      view.bytes = rowBytes * job->rows;
      mine.outputs.push_back(std::move(view));
    }
    row += job->rows;
    job->done.set_value(std::move(mine));
  }
}

} // namespace aic_serve
