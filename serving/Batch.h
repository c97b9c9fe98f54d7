//===- Batch.h - running a model on tensors, one request or many -*- C++
//-*-===//
//
// What aic-serve's scheduler and the Triton backend share: a run of a model
// on Tensors whose outputs are views that keep the run's allocations
// alive, and the concatenation of several requests' rows (along the first
// dim) into one batch and the split of its outputs back into each
// request's rows.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_SERVING_BATCH_H
#define AIC_SERVING_BATCH_H

#include "serving/Tensor.h"

#include "aic/runtime.h"

#include <string>
#include <vector>

namespace aic_serve {

/// What a run gives a request: its outputs (in the model's order), or an
/// error with the HTTP status it calls for.
struct RunResult {
  std::vector<Tensor> outputs;
  std::string error;
  int httpStatus = 200;
};

/// Whether every input and output of `info` has a dynamic first dim: a
/// batch dim, along which requests can be concatenated.
bool hasBatchDim(const aic_model_info &info);

/// The `threads` parameter of a model's config ("0" to "4096": threads
/// per run, 0 for all the cores); false where it is not one.
bool parseThreadCount(const std::string &text, int &threads);

/// Runs `model` on `inputs` (in its input order).
RunResult runModel(aic_model *model, const std::vector<Tensor> &inputs);

/// The first dim of every tensor in `inputs` where they all have one and
/// agree, else -1.
int64_t rowsOf(const std::vector<Tensor> &inputs);

/// Whether `a` and `b` have the same dims but the first in each input.
bool sameRows(const std::vector<Tensor> &a, const std::vector<Tensor> &b);

/// The requests' inputs, concatenated input by input along the first dim
/// (they must agree in the other dims: sameRows).
std::vector<Tensor>
concatRows(const std::vector<const std::vector<Tensor> *> &requests);

/// Splits a batch's `outputs` into each request's `rows` (views of them);
/// false where an output does not have one row per input row.
bool splitRows(const std::vector<Tensor> &outputs,
               const std::vector<int64_t> &rows,
               std::vector<std::vector<Tensor>> &parts);

} // namespace aic_serve

#endif // AIC_SERVING_BATCH_H
