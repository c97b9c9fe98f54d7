//===- Repository.h - the models aic-serve serves ---------------*- C++ -*-===//
//
// A model repository in Triton's layout, so that one repository serves
// both aic-serve and Triton with the aic backend:
//
//   DIR/NAME/config.pbtxt        optional (serving/ModelConfig.proto)
//   DIR/NAME/VERSION/model.so    a library made by aic-compile
//
// Each model's versions follow its version_policy (by default the latest
// one, as in Triton). Everything is checked when the repository opens: a
// folder that is not a model, a config that does not parse or disagrees
// with its library, a library that does not load.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_SERVING_REPOSITORY_H
#define AIC_SERVING_REPOSITORY_H

#include "aic/runtime.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aic_serve {

class Executor;
struct ModelMetrics;

/// How models run where their configs do not say (aic-serve's options).
struct ServeDefaults {
  /// Runs of one model version at once (its instances).
  int instances = 1;
  /// Threads each run uses (0: all the cores).
  int threads = 1;
  /// The most rows a batch of requests may have; 0 or 1 turns batching off.
  /// Only models whose inputs and outputs all have a dynamic first dim
  /// batch.
  int64_t maxBatchSize = 0;
  /// How long the first request of a batch waits for more.
  int64_t batchTimeoutUs = 0;
};

/// One loaded version of a model.
struct ModelVersion {
  std::string name, version, path;
  aic_model *model = nullptr;
  const aic_model_info *info = nullptr;
  /// Whether requests are batched (the rows of at most this many).
  int64_t maxBatchSize = 0;
  int64_t batchTimeoutUs = 0;
  int instances = 1;
  int threads = 1;
  std::unique_ptr<ModelMetrics> metrics;
  std::unique_ptr<Executor> executor;

  ModelVersion();
  ~ModelVersion();
};

struct Model {
  std::string name;
  /// By version number, ascending.
  std::map<int64_t, std::unique_ptr<ModelVersion>> versions;
};

class Repository {
public:
  /// Opens and loads every model in `dir`; null with `error` (one line,
  /// naming the file) where something is wrong.
  static std::unique_ptr<Repository> open(const std::string &dir,
                                          const ServeDefaults &defaults,
                                          std::string &error);
  ~Repository();

  /// The model named `name`, or null.
  const Model *find(const std::string &name) const;
  /// The version `version` of `name` ("" for the latest), or null with
  /// `error` saying which is unknown.
  ModelVersion *find(const std::string &name, const std::string &version,
                     std::string &error) const;
  const std::map<std::string, std::unique_ptr<Model>> &models() const {
    return byName;
  }
  /// Lets every queued run finish and stops the executors.
  void drain();

private:
  std::map<std::string, std::unique_ptr<Model>> byName;
};

} // namespace aic_serve

#endif // AIC_SERVING_REPOSITORY_H
