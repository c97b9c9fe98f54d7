//===- Repository.cpp - the models aic-serve serves -----------------------===//

#include "serving/Repository.h"

#include "serving/Batch.h"
#include "serving/Metrics.h"
#include "serving/ModelConfig.pb.h"
#include "serving/Protocol.h"
#include "serving/Scheduler.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace aic_serve {
namespace {
bool isDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool isFile(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// The entries of folder `dir` (not . and ..), sorted; false where it
/// cannot be read.
bool listFolder(const std::string &dir, std::vector<std::string> &entries) {
  DIR *d = opendir(dir.c_str());
  if (!d)
    return false;
  while (dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..")
      entries.push_back(name);
  }
  closedir(d);
  std::sort(entries.begin(), entries.end());
  return true;
}

/// A version folder's name: digits only, no leading zero.
bool parseVersion(const std::string &name, int64_t &version) {
  if (name.empty() || name.size() > 18 || (name.size() > 1 && name[0] == '0') ||
      !std::all_of(name.begin(), name.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  version = std::stoll(name);
  return true;
}

/// Reports the first parse error with its line and column; skips and
/// remembers fields aic-serve does not read.
class ConfigErrors : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, int column, const std::string &message) override {
    if (first.empty())
      first = std::to_string(line + 1) + ":" + std::to_string(column + 1) +
              ": " + message;
  }
  void AddWarning(int, int, const std::string &) override {}
  std::string first;
};

bool readConfig(const std::string &path, aic::serving::ModelConfig &config,
                std::string &error) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  if (!file) {
    error = path + ": cannot be read";
    return false;
  }
  google::protobuf::TextFormat::Parser parser;
  ConfigErrors errors;
  parser.RecordErrorsTo(&errors);
  // Triton's other settings (optimization, warmup, ...) are its own.
  parser.AllowUnknownField(true);
  if (!parser.ParseFromString(text.str(), &config)) {
    error = path + ":" + errors.first;
    return false;
  }
  return true;
}

std::string configTypeName(aic::serving::DataType type) {
  return aic::serving::DataType_Name(type);
}

/// The aic element type of a config's data_type, or 0.
int32_t elementTypeOf(aic::serving::DataType type) {
  std::string name = aic::serving::DataType_Name(type);
  // TYPE_FP32 is the protocol's FP32.
  return name.rfind("TYPE_", 0) == 0 ? datatypeFromName(name.substr(5)) : 0;
}

/// Checks the config's inputs or outputs (those it lists) against the
/// library's; with a batch size, their dims leave out the first.
bool checkTensors(
    const std::string &where, const char *what,
    const google::protobuf::RepeatedPtrField<aic::serving::ModelTensor> &listed,
    const aic_tensor_info *tensors, uint32_t count, bool batched,
    std::string &error) {
  for (const aic::serving::ModelTensor &t : listed) {
    uint32_t k = 0;
    while (k < count && t.name() != tensors[k].name)
      ++k;
    if (k == count) {
      error = where + ": " + what + " '" + t.name() +
              "' is not one of the library's";
      return false;
    }
    const aic_tensor_info &have = tensors[k];
    if (elementTypeOf(t.data_type()) != have.elem_type) {
      const char *datatype = datatypeName(have.elem_type);
      error = where + ": " + what + " '" + t.name() + "' has data_type " +
              configTypeName(t.data_type()) + ", but the library's is TYPE_" +
              (datatype ? datatype : "?");
      return false;
    }
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    if (batched)
      dims.insert(dims.begin(), -1);
    bool same = dims.size() == static_cast<size_t>(have.rank);
    for (size_t d = 0; same && d < dims.size(); ++d)
      same = dims[d] == have.shape[d] || (dims[d] == -1 && have.shape[d] == -1);
    if (!same) {
      error = where + ": " + what + " '" + t.name() + "' has dims " +
              shapeString(dims) + (batched ? " (with the batch dim)" : "") +
              ", but the library's are " + shapeString(have.shape, have.rank);
      return false;
    }
  }
  return true;
}

/// Loads version `number` of model `name` from `path`, set up by `config`
/// and `defaults`.
std::unique_ptr<ModelVersion>
loadVersion(const std::string &name, int64_t number, const std::string &path,
            const aic::serving::ModelConfig &config, const std::string &where,
            const ServeDefaults &defaults, std::string &error) {
  auto v = std::make_unique<ModelVersion>();
  v->name = name;
  v->version = std::to_string(number);
  v->path = path;
  if (aic_model_load(path.c_str(), &v->model) != AIC_OK) {
    error = aic_last_error();
    return nullptr;
  }
  v->info = aic_model_describe(v->model);
  const aic_model_info &info = *v->info;
  auto check = [&](const aic_tensor_info *tensors, uint32_t count,
                   const char *what) {
    for (uint32_t i = 0; i < count; ++i)
      if (!datatypeName(tensors[i].elem_type)) {
        error = path + ": " + what + " '" + tensors[i].name + "' is " +
                aic_element_type_name(tensors[i].elem_type) +
                ", which the Open Inference Protocol has no datatype for";
        return false;
      }
    return true;
  };
  if (!check(info.inputs, info.num_inputs, "input") ||
      !check(info.outputs, info.num_outputs, "output"))
    return nullptr;
  bool batched = config.max_batch_size() > 0;
  if (batched && !hasBatchDim(info)) {
    error = where + ": max_batch_size is " +
            std::to_string(config.max_batch_size()) + ", but " + path +
            " has inputs or outputs whose first dim is not dynamic (compile "
            "it with --shape NAME=?x...)";
    return nullptr;
  }
  if (!checkTensors(where, "input", config.input(), info.inputs,
                    info.num_inputs, batched, error) ||
      !checkTensors(where, "output", config.output(), info.outputs,
                    info.num_outputs, batched, error))
    return nullptr;
  // Batching: as the config says where it has dynamic_batching, else as
  // aic-serve's options say for models with a batch dim.
  if (config.has_dynamic_batching()) {
    if (!batched) {
      error = where + ": dynamic_batching needs a max_batch_size above 0";
      return nullptr;
    }
    v->maxBatchSize = config.max_batch_size();
    v->batchTimeoutUs = static_cast<int64_t>(std::min<uint64_t>(
        config.dynamic_batching().max_queue_delay_microseconds(), 60000000));
  } else if (!batched && hasBatchDim(info)) {
    v->maxBatchSize = defaults.maxBatchSize;
    v->batchTimeoutUs = defaults.batchTimeoutUs;
  }
  v->instances = defaults.instances;
  if (config.instance_group_size() > 0) {
    v->instances = 0;
    for (const auto &group : config.instance_group())
      v->instances += std::max(group.count(), 1);
  }
  v->threads = defaults.threads;
  auto threads = config.parameters().find("threads");
  if (threads != config.parameters().end() &&
      !parseThreadCount(threads->second.string_value(), v->threads)) {
    error = where + ": parameter threads is '" +
            threads->second.string_value() + "', not a thread count";
    return nullptr;
  }
  aic_model_set_num_threads(v->model, v->threads);
  v->metrics = std::make_unique<ModelMetrics>();
  v->executor = std::make_unique<Executor>(
      v->model, v->instances, v->maxBatchSize, v->batchTimeoutUs, *v->metrics);
  return v;
}

std::unique_ptr<Model> loadModel(const std::string &dir,
                                 const std::string &name,
                                 const ServeDefaults &defaults,
                                 std::string &error) {
  std::string folder = dir + "/" + name;
  std::string where = folder + "/config.pbtxt";
  aic::serving::ModelConfig config;
  if (isFile(where)) {
    if (!readConfig(where, config, error))
      return nullptr;
  } else {
    where = folder;
  }
  if (!config.name().empty() && config.name() != name) {
    error = where + ": name is '" + config.name() +
            "', but the model's folder is '" + name + "'";
    return nullptr;
  }
  const std::string &backend =
      config.backend().empty() ? config.platform() : config.backend();
  if (!backend.empty() && backend != "aic") {
    error = where + ": backend '" + backend + "' is not aic";
    return nullptr;
  }
  std::vector<std::string> entries;
  listFolder(folder, entries);
  std::vector<int64_t> found;
  for (const std::string &entry : entries) {
    int64_t version;
    if (isDirectory(folder + "/" + entry) && parseVersion(entry, version))
      found.push_back(version);
  }
  std::sort(found.begin(), found.end());
  if (found.empty()) {
    error = folder + ": no version folders (such as " + folder + "/1/model.so)";
    return nullptr;
  }
  // Which versions to serve: version_policy, by default the latest.
  std::vector<int64_t> serve;
  const aic::serving::ModelVersionPolicy &policy = config.version_policy();
  if (policy.has_all()) {
    serve = found;
  } else if (policy.has_specific()) {
    for (int64_t v : policy.specific().versions()) {
      if (!std::binary_search(found.begin(), found.end(), v)) {
        error = where + ": version_policy names version " + std::to_string(v) +
                ", which has no folder";
        return nullptr;
      }
      serve.push_back(v);
    }
  } else {
    size_t n = policy.has_latest()
                   ? std::max<size_t>(policy.latest().num_versions(), 1)
                   : 1;
    serve.assign(found.end() - std::min(n, found.size()), found.end());
  }
  std::string file = config.default_model_filename().empty()
                         ? "model.so"
                         : config.default_model_filename();
  auto model = std::make_unique<Model>();
  model->name = name;
  for (int64_t number : serve) {
    std::string path = folder + "/" + std::to_string(number) + "/" + file;
    if (!isFile(path)) {
      error = folder + "/" + std::to_string(number) + ": no " + file;
      return nullptr;
    }
    std::unique_ptr<ModelVersion> v =
        loadVersion(name, number, path, config, where, defaults, error);
    if (!v)
      return nullptr;
    model->versions[number] = std::move(v);
  }
  return model;
}
} // namespace

ModelVersion::ModelVersion() = default;

ModelVersion::~ModelVersion() {
  executor.reset(); // Its runs first, then the library they run.
  aic_model_unload(model);
}

Repository::~Repository() = default;

std::unique_ptr<Repository> Repository::open(const std::string &dir,
                                             const ServeDefaults &defaults,
                                             std::string &error) {
  std::vector<std::string> entries;
  if (!isDirectory(dir) || !listFolder(dir, entries)) {
    error = "model repository '" + dir + "' is not a folder";
    return nullptr;
  }
  auto repository = std::unique_ptr<Repository>(new Repository());
  for (const std::string &name : entries) {
    // Hidden entries and files beside the models are not models.
    if (name[0] == '.' || !isDirectory(dir + "/" + name))
      continue;
    std::unique_ptr<Model> model = loadModel(dir, name, defaults, error);
    if (!model)
      return nullptr;
    repository->byName[name] = std::move(model);
  }
  if (repository->byName.empty()) {
    error = "model repository '" + dir +
            "' has no models (one folder each: NAME/1/model.so)";
    return nullptr;
  }
  return repository;
}

const Model *Repository::find(const std::string &name) const {
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : it->second.get();
}

ModelVersion *Repository::find(const std::string &name,
                               const std::string &version,
                               std::string &error) const {
  const Model *model = find(name);
  if (!model) {
    error = "unknown model '" + name + "'";
    return nullptr;
  }
  if (version.empty())
    return model->versions.rbegin()->second.get();
  int64_t number;
  auto it = parseVersion(version, number) ? model->versions.find(number)
                                          : model->versions.end();
  if (it == model->versions.end()) {
    error = "model '" + name + "' has no version '" + version + "'";
    return nullptr;
  }
  return it->second.get();
}

void Repository::drain() {
  for (auto &entry : byName)
    for (auto &version : entry.second->versions)
      version.second->executor->stop();
}

} // namespace aic_serve
