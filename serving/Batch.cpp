//===- Batch.cpp - running a model on tensors, one request or many --------===//

#include "serving/Batch.h"

#include <algorithm>
#include <cstring>

namespace aic_serve {

bool hasBatchDim(const aic_model_info &info) {
  auto dynamicFirst = [](const aic_tensor_info *tensors, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i)
      if (tensors[i].rank == 0 || tensors[i].shape[0] != -1)
        return false;
    return true;
  };
  return info.num_inputs > 0 && dynamicFirst(info.inputs, info.num_inputs) &&
         dynamicFirst(info.outputs, info.num_outputs);
}

bool parseThreadCount(const std::string &text, int &threads) {
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(text) > 4096)
    return false;
  threads = std::stoi(text);
  return true;
}

RunResult runModel(aic_model *model, const std::vector<Tensor> &inputs) {
  const aic_model_info *info = aic_model_describe(model);
  std::vector<aic_tensor> in(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    in[i] = {const_cast<char *>(inputs[i].data), inputs[i].shape.data(),
             static_cast<int32_t>(inputs[i].shape.size()), inputs[i].elemType,
             nullptr};
  std::vector<aic_tensor> out(info->num_outputs);
  RunResult result;
  aic_status status =
      aic_model_run(model, in.data(), in.size(), out.data(), out.size());
  if (status != AIC_OK) {
    result.error = aic_last_error();
    // Wrong inputs and failed run-time checks are the request's; running
    // out of memory is the server's.
    bool server = status == AIC_ERROR_RUN && result.error == "out of memory";
    bool request = status == AIC_ERROR_RUN ||
                   status == AIC_ERROR_SHAPE_MISMATCH ||
                   status == AIC_ERROR_TYPE_MISMATCH;
    result.httpStatus = server ? 503 : request ? 400 : 500;
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

int64_t rowsOf(const std::vector<Tensor> &inputs) {
  if (inputs.empty() || inputs[0].shape.empty())
    return -1;
  int64_t rows = inputs[0].shape[0];
  for (const Tensor &t : inputs)
    if (t.shape.empty() || t.shape[0] != rows)
      return -1;
  return rows;
}

bool sameRows(const std::vector<Tensor> &a, const std::vector<Tensor> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].shape.empty() || b[i].shape.empty() ||
        !std::equal(a[i].shape.begin() + 1, a[i].shape.end(),
                    b[i].shape.begin() + 1, b[i].shape.end()))
      return false;
  return true;
}

std::vector<Tensor>
concatRows(const std::vector<const std::vector<Tensor> *> &requests) {
  std::vector<Tensor> inputs;
  const std::vector<Tensor> &first = *requests[0];
  for (size_t i = 0; i < first.size(); ++i) {
    Tensor t;
    t.elemType = first[i].elemType;
    t.shape = first[i].shape;
    t.shape[0] = 0;
    for (const std::vector<Tensor> *request : requests) {
      t.shape[0] += (*request)[i].shape[0];
      t.bytes += (*request)[i].bytes;
    }
    auto buffer = std::shared_ptr<char[]>(new char[t.bytes ? t.bytes : 1]);
    size_t offset = 0;
    for (const std::vector<Tensor> *request : requests) {
      const Tensor &part = (*request)[i];
      if (part.bytes)
        std::memcpy(buffer.get() + offset, part.data, part.bytes);
      offset += part.bytes;
    }
    t.data = buffer.get();
    t.owner = buffer;
    inputs.push_back(std::move(t));
  }
  return inputs;
}

bool splitRows(const std::vector<Tensor> &outputs,
               const std::vector<int64_t> &rows,
               std::vector<std::vector<Tensor>> &parts) {
  int64_t total = 0;
  for (int64_t r : rows)
    total += r;
  for (const Tensor &out : outputs)
    if (out.shape.empty() || out.shape[0] != total)
      return false;
  parts.assign(rows.size(), {});
  for (const Tensor &out : outputs) {
    size_t rowBytes = total ? out.bytes / static_cast<size_t>(total) : 0;
    size_t offset = 0;
    for (size_t p = 0; p < rows.size(); ++p) {
      Tensor view = out;
      view.shape[0] = rows[p];
      view.data = out.data + offset;
      view.bytes = rowBytes * static_cast<size_t>(rows[p]);
      offset += view.bytes;
      parts[p].push_back(std::move(view));
    }
  }
  return true;
}

} // namespace aic_serve
