//===- module.cpp - aic._aic: load and run compiled models from Python ----===//
//
// The compiled part of the aic Python package, over libaic_runtime
// (aic/runtime.h): aic.load(path) -> Model, whose run() takes numpy arrays
// (used in place where they are C-contiguous and of the input's type) and
// returns numpy arrays over the model's own output buffers (no copy; each
// keeps its Model alive). Failures raise aic.Error with the runtime's
// one-line message.
//
//===----------------------------------------------------------------------===//

#include "aic/runtime.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/// aic.Error: what every failure of the runtime raises.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void raise(const std::string &message) { throw Error(message); }

void check(aic_status status) {
  if (status != AIC_OK)
    raise(aic_last_error());
}

/// The numpy dtype that holds an element type: its own where numpy has one,
/// else the unsigned integer of its size (the bits: bfloat16, float8, ...).
py::dtype dtypeOf(int32_t elemType) {
  std::string name = aic_element_type_name(elemType);
  static const char *numpyNames[] = {"float32", "float64", "float16", "int8",
                                     "int16",   "int32",   "int64",   "uint8",
                                     "uint16",  "uint32",  "uint64",  "bool"};
  for (const char *n : numpyNames)
    if (name == n)
      return py::dtype(name);
  size_t bytes = aic_element_size(elemType);
  if (bytes == 0)
    raise("element type " + std::to_string(elemType) + " is unknown");
  return py::dtype("uint" + std::to_string(8 * bytes));
}

/// One input or output as Python sees it.
struct TensorInfo {
  std::string name;
  py::dtype dtype;
  std::string elemType;
  py::tuple shape; // None for a dim known only at run time
};

TensorInfo describe(const aic_tensor_info &info) {
  py::tuple shape(info.rank);
  for (int32_t d = 0; d < info.rank; ++d)
    shape[d] = info.shape[d] < 0 ? py::object(py::none())
                                 : py::object(py::int_(info.shape[d]));
  return {info.name, dtypeOf(info.elem_type),
          aic_element_type_name(info.elem_type), shape};
}

class Model : public std::enable_shared_from_this<Model> {
public:
  explicit Model(const std::string &path) : path(path) {
    check(aic_model_load(path.c_str(), &model));
    info = aic_model_describe(model);
  }
  ~Model() { aic_model_unload(model); }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  std::vector<TensorInfo> inputs() const {
    std::vector<TensorInfo> list;
    for (uint32_t i = 0; i < info->num_inputs; ++i)
      list.push_back(describe(info->inputs[i]));
    return list;
  }
  std::vector<TensorInfo> outputs() const {
    std::vector<TensorInfo> list;
    for (uint32_t i = 0; i < info->num_outputs; ++i)
      list.push_back(describe(info->outputs[i]));
    return list;
  }

  void setNumThreads(int32_t n) { check(aic_model_set_num_threads(model, n)); }

  py::dict run(py::object feeds);

  std::string path;
  aic_model *model = nullptr;
  const aic_model_info *info = nullptr;
};

/// The array for input `i` from `value`: the caller's where it is
/// C-contiguous and of the input's dtype, else a converted copy.
py::array inputArray(const aic_tensor_info &in, py::handle value) {
  py::dtype want = dtypeOf(in.elem_type);
  py::module_ numpy = py::module_::import("numpy");
  if (!py::isinstance<py::array>(value))
    return numpy.attr("ascontiguousarray")(value, want);
  auto array = py::reinterpret_borrow<py::array>(value);
  if (!array.dtype().is(want) && !array.dtype().equal(want))
    raise(std::string("input '") + in.name + "' has dtype " +
          py::str(array.dtype()).cast<std::string>() + ", expected " +
          py::str(want).cast<std::string>() + " (" +
          aic_element_type_name(in.elem_type) + ")");
  if (!(array.flags() & py::array::c_style))
    return numpy.attr("ascontiguousarray")(array);
  return array;
}

/// What keeps an output array's buffer: the runtime's tensor, released
/// with it, and the model whose library allocated it.
struct OutputOwner {
  aic_tensor tensor;
  std::shared_ptr<Model> model;
};

py::dict Model::run(py::object feeds) {
  uint32_t n = info->num_inputs;
  std::vector<py::object> values(n);
  if (py::isinstance<py::dict>(feeds)) {
    auto dict = feeds.cast<py::dict>();
    size_t used = 0;
    for (uint32_t i = 0; i < n; ++i) {
      py::str key(info->inputs[i].name);
      if (!dict.contains(key))
        raise(std::string("missing input '") + info->inputs[i].name + "'");
      values[i] = dict[key];
      ++used;
    }
    if (used != dict.size())
      for (auto item : dict)
        if (!std::any_of(info->inputs, info->inputs + n, [&](auto &in) {
              return py::str(item.first).cast<std::string>() == in.name;
            }))
          raise("the model has no input '" +
                py::str(item.first).cast<std::string>() + "'");
  } else {
    auto list = feeds.cast<py::sequence>();
    if (list.size() != n)
      raise("the model takes " + std::to_string(n) + " inputs, got " +
            std::to_string(list.size()));
    for (uint32_t i = 0; i < n; ++i)
      values[i] = list[i];
  }

  std::vector<py::array> arrays;
  std::vector<std::vector<int64_t>> shapes(n);
  std::vector<aic_tensor> inputs(n);
  for (uint32_t i = 0; i < n; ++i) {
    arrays.push_back(inputArray(info->inputs[i], values[i]));
    py::array &a = arrays.back();
    shapes[i].assign(a.shape(), a.shape() + a.ndim());
    // Inputs are only read (read-only arrays are fine).
    inputs[i] = aic_tensor{const_cast<void *>(a.data()), shapes[i].data(),
                           static_cast<int32_t>(a.ndim()),
                           info->inputs[i].elem_type, nullptr};
  }
  std::vector<aic_tensor> outputs(info->num_outputs);
  aic_status status;
  {
    py::gil_scoped_release unlocked;
    status =
        aic_model_run(model, inputs.data(), n, outputs.data(), outputs.size());
  }
  check(status);

  py::dict result;
  auto self = shared_from_this();
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    auto owner = std::make_unique<OutputOwner>(OutputOwner{outputs[i], self});
    const aic_tensor &t = owner->tensor;
    std::vector<py::ssize_t> shape(t.shape, t.shape + t.rank);
    py::capsule base(owner.get(), [](void *p) {
      auto *o = static_cast<OutputOwner *>(p);
      aic_tensor_release(&o->tensor);
      delete o;
    });
    void *data = t.data;
    owner.release();
    result[py::str(info->outputs[i].name)] =
        py::array(dtypeOf(t.elem_type), shape, data, base);
  }
  return result;
}

} // namespace

PYBIND11_MODULE(_aic, m) {
  m.doc() = "Load and run models compiled by aic-compile";
  m.attr("ABI_VERSION") = AIC_MODEL_ABI_VERSION;
  m.attr("__version__") = AIC_VERSION;
  static py::exception<Error> error(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const Error &e) {
      error(e.what());
    }
  });

  py::class_<TensorInfo>(m, "TensorInfo",
                         "An input or output: name, dtype, shape")
      .def_readonly("name", &TensorInfo::name)
      .def_readonly("dtype", &TensorInfo::dtype,
                    "numpy dtype of the elements (the bits for types numpy "
                    "lacks, such as bfloat16)")
      .def_readonly("elem_type", &TensorInfo::elemType,
                    "the ONNX element type's name")
      .def_readonly("shape", &TensorInfo::shape,
                    "dims; None where known only at run time")
      .def("__repr__", [](const TensorInfo &t) {
        return "TensorInfo(name=" +
               py::repr(py::str(t.name)).cast<std::string>() + ", elem_type='" +
               t.elemType +
               "', shape=" + py::repr(t.shape).cast<std::string>() + ")";
      });

  py::class_<Model, std::shared_ptr<Model>>(m, "Model",
                                            "A loaded model library")
      .def_property_readonly(
          "name",
          [](const Model &model) { return std::string(model.info->name); })
      .def_readonly("path", &Model::path)
      .def_property_readonly(
          "device",
          [](const Model &model) {
            return std::string(model.info->device == AIC_DEVICE_CUDA ? "cuda"
                                                                     : "cpu");
          },
          "Where the model runs: 'cpu', or 'cuda' (an NVIDIA GPU)")
      .def_property_readonly("inputs", &Model::inputs)
      .def_property_readonly("outputs", &Model::outputs)
      .def("set_num_threads", &Model::setNumThreads, py::arg("num_threads"),
           "Threads the following runs use (0: all cores)")
      .def("run", &Model::run, py::arg("inputs"),
           "Runs the model on a dict {input name: array} (or a list in "
           "input order); returns {output name: numpy array}")
      .def("__repr__", [](const Model &model) {
        return "<aic.Model '" + std::string(model.info->name) + "' from '" +
               model.path + "'>";
      });

  m.def(
      "load",
      [](const std::string &path) { return std::make_shared<Model>(path); },
      py::arg("path"), "Loads a model library made by aic-compile");
}
