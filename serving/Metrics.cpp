//===- Metrics.cpp - Prometheus metrics of aic-serve ----------------------===//

#include "serving/Metrics.h"

#include <algorithm>
#include <cstdio>

namespace aic_serve {
namespace {
/// Latency bounds in seconds: 100 us to 10 s.
std::vector<double> secondsBounds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::vector<double> batchBounds() { return {1, 2, 4, 8, 16, 32, 64, 128, 256}; }

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", v);
  return text;
}

/// A label value with Prometheus' escapes.
std::string escape(const std::string &value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string &out, const char *name, const char *type,
            const char *help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " +
         type + "\n";
}
} // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds(std::move(bounds)), counts(this->bounds.size() + 1) {}

void Histogram::observe(double value) {
  size_t bucket =
      std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
  counts[bucket].fetch_add(1, std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
  sumMicros.fetch_add(static_cast<uint64_t>(std::max(value, 0.0) * 1e6 + 0.5),
                      std::memory_order_relaxed);
}

void Histogram::render(std::string &out, const std::string &name,
                       const std::string &labels) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += counts[i].load(std::memory_order_relaxed);
    std::string le = i < bounds.size() ? number(bounds[i]) : "+Inf";
    out += name + "_bucket{" + labels + ",le=\"" + le + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += name + "_sum{" + labels + "} " +
         number(sumMicros.load(std::memory_order_relaxed) / 1e6) + "\n";
  out += name + "_count{" + labels + "} " +
         std::to_string(count.load(std::memory_order_relaxed)) + "\n";
}

ModelMetrics::ModelMetrics()
    : requestSeconds(secondsBounds()), queueSeconds(secondsBounds()),
      batchSize(batchBounds()) {}

void Metrics::countResponse(int status) {
  std::atomic<uint64_t> *counter;
  {
    std::lock_guard<std::mutex> lock(mutex);
    counter = &responses[status];
  }
  counter->fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const std::vector<Entry> &models) const {
  std::string out;
  auto labelsOf = [](const Entry &e) {
    return "model=\"" + escape(e.name) + "\",version=\"" + escape(e.version) +
           "\"";
  };
  header(out, "aic_inference_requests_total", "counter",
         "Inference requests, by outcome (success: answered with outputs).");
  for (const Entry &e : models) {
    out += "aic_inference_requests_total{" + labelsOf(e) +
           ",outcome=\"success\"} " + std::to_string(e.metrics->success) + "\n";
    out += "aic_inference_requests_total{" + labelsOf(e) +
           ",outcome=\"failure\"} " + std::to_string(e.metrics->failure) + "\n";
  }
  // One value a model.
  auto each = [&](const char *name, const char *type, const char *help,
                  auto value) {
    header(out, name, type, help);
    for (const Entry &e : models)
      out += std::string(name) + "{" + labelsOf(e) + "} " +
             std::to_string(value(*e.metrics)) + "\n";
  };
  each("aic_inference_executions_total", "counter",
       "Model runs (a batch of requests is one run).",
       [](const ModelMetrics &m) { return m.executions.load(); });
  each("aic_inference_count_total", "counter", "Requests the model's runs ran.",
       [](const ModelMetrics &m) { return m.inferences.load(); });
  each("aic_inference_pending_requests", "gauge",
       "Requests queued for the model or running now.",
       [](const ModelMetrics &m) { return m.pending.load(); });
  header(out, "aic_inference_request_duration_seconds", "histogram",
         "From a request's arrival to its answer, for inference requests.");
  for (const Entry &e : models)
    e.metrics->requestSeconds.render(
        out, "aic_inference_request_duration_seconds", labelsOf(e));
  header(out, "aic_inference_queue_duration_seconds", "histogram",
         "How long requests waited for an instance (and a batch).");
  for (const Entry &e : models)
    e.metrics->queueSeconds.render(out, "aic_inference_queue_duration_seconds",
                                   labelsOf(e));
  header(out, "aic_inference_batch_size", "histogram",
         "Requests per model run.");
  for (const Entry &e : models)
    e.metrics->batchSize.render(out, "aic_inference_batch_size", labelsOf(e));
  header(out, "aic_http_responses_total", "counter",
         "HTTP responses, by status code.");
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto &[status, counter] : responses)
    out += "aic_http_responses_total{code=\"" + std::to_string(status) +
           "\"} " + std::to_string(counter.load()) + "\n";
  return out;
}

} // namespace aic_serve
