// fermap/layer.hpp — the contract every layer keeps, and the Param it exposes to optimisers.
//
// The contract (read this before writing a layer):
// - `build(input)` is called once with the shape of ONE sample ([H, W, C] or [F]). It creates the
//   parameters, initialises them from `rng` (Glorot-uniform kernels unless the options ask for
//   He, zero biases, as Keras) and returns the sample shape of the output. Shapes are never
//   repeated by hand: they are inferred.
// - `infer(x, y)` computes the inference-mode output ([N, ...] in, [N, ...] out). It is const and
//   touches nothing but `y`, so several threads may run it on one layer at once.
// - `forward(x, y)` is the training-mode output. It may cache what backward needs (a batch-norm's
//   normalised input, a pool's argmax, a dropout mask). The default is `infer`.
// - `backward(x, y, dy, dx)` receives the x and y of the last `forward` (the model keeps them, so a
//   layer never caches its own input or output) and the loss gradient dy = dL/dy. It ASSIGNS
//   dx = dL/dx, unless `dx` is null (the first layer needs no input gradient), and ACCUMULATES
//   (+=) every parameter gradient, so gradients of several backward calls add up until zeroed.
// - `update_statistics(x, y)` is the inference-mode output, except that a layer with moving
//   statistics (batch-norm) normalises with the batch's own and folds them into its moving ones.
//   It recomputes a trained network's statistics without training-time noise such as dropout's.
//   The default is `infer`.
// - Every learnable tensor is a Param with a grad; state that is saved but not learnt (batch-norm
//   moving statistics) is a Param with `trainable == false` and an empty grad.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fermap/rng.hpp"
#include "fermap/tensor.hpp"

namespace fermap {

struct Param {
  Param() = default;
  explicit Param(std::string param_name) : name(std::move(param_name)) {}

  std::string name;        // "kernel", "bias", "gamma", "moving_mean", ...
  Tensor value;
  Tensor grad;             // same shape as value when trainable; empty otherwise
  bool trainable = true;
  bool l2 = false;         // true for kernels: L2 regularisation applies
};

class Layer {
 public:
  virtual ~Layer() = default;

  // Keras-style type name, e.g. "Conv2D"; used in summaries and in saved architectures.
  virtual std::string type() const = 0;
  // The constructor options as JSON; `make_layer(type, config)` rebuilds an equal layer.
  virtual nlohmann::json config() const = 0;

  virtual Shape build(const Shape& input, Rng& rng) = 0;
  virtual void infer(const Tensor& x, Tensor& y) const = 0;
  virtual void forward(const Tensor& x, Tensor& y) { infer(x, y); }
  virtual void update_statistics(const Tensor& x, Tensor& y) { infer(x, y); }
  virtual void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) = 0;

  // Parameters in a fixed order (the order of the saved file and of the optimiser state).
  virtual std::vector<Param*> params() { return {}; }
  // Layers that hold other layers (a residual block) list them here; their parameters are the
  // children's, reached through this list.
  virtual std::vector<Layer*> children() { return {}; }
  // Non-tensor state a resumed run must restore (a dropout's call count); null when none.
  virtual nlohmann::json state() const;
  virtual void set_state(const nlohmann::json& state);

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

  // Runs build and remembers the shapes; what Model calls.
  Shape build_once(const Shape& input, Rng& rng) {
    input_shape_ = input;
    output_shape_ = build(input, rng);
    return output_shape_;
  }

 private:
  std::string name_;
  Shape input_shape_;
  Shape output_shape_;
};

using LayerPtr = std::unique_ptr<Layer>;

// Rebuilds a layer from its type name and config (as written by `config()`); throws FormatError
// naming the type when it is unknown or the config is malformed.
LayerPtr make_layer(const std::string& type, const nlohmann::json& config);

}  // namespace fermap
