//===- Metrics.h - Prometheus metrics of aic-serve --------------*- C++ -*-===//
//
// Counters and histograms in Prometheus' text exposition format (GET
// /metrics): requests by model, version and outcome, their latency, the
// model's runs and the batch sizes they ran, and HTTP responses by status.
// Updates are lock-free (atomics); rendering reads them without a lock.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_SERVING_METRICS_H
#define AIC_SERVING_METRICS_H

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace aic_serve {

/// A histogram with fixed upper bounds (and +Inf).
class Histogram {
public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  /// Appends NAME_bucket{LABELS,le=...}, NAME_sum and NAME_count lines.
  void render(std::string &out, const std::string &name,
              const std::string &labels) const;

private:
  std::vector<double> bounds;
  std::vector<std::atomic<uint64_t>> counts; // one more than bounds
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sumMicros{0}; // the sum, in millionths
};

struct ModelMetrics {
  ModelMetrics();
  std::atomic<uint64_t> success{0}, failure{0};
  /// Model runs, and the requests they ran (more than runs when batched).
  std::atomic<uint64_t> executions{0}, inferences{0};
  /// Requests queued or running now.
  std::atomic<int64_t> pending{0};
  Histogram requestSeconds; ///< from the request's arrival to its answer
  Histogram queueSeconds;   ///< waiting for an instance (and a batch)
  Histogram batchSize;      ///< requests per run
};

class Metrics {
public:
  /// Counts an HTTP response with `status`.
  void countResponse(int status);
  /// The text of GET /metrics, with `models` as name, version and metrics.
  struct Entry {
    std::string name, version;
    const ModelMetrics *metrics;
  };
  std::string render(const std::vector<Entry> &models) const;

private:
  mutable std::mutex mutex; // guards responses' map (not its counts)
  std::map<int, std::atomic<uint64_t>> responses;
};

} // namespace aic_serve

#endif // AIC_SERVING_METRICS_H
