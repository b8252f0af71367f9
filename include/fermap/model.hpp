// Model: a sequence of layers built from an input shape, with training forward/backward,
// thread-safe inference, named parameters and a Keras-style summary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fermap/layer_chain.hpp"

namespace fermap {

// A parameter with its model-wide name, "conv2d_1/kernel".
struct NamedParam {
  std::string name;
  Param* param;
};

class Model {
 public:
  Model() = default;
  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;

  // Appends a layer; only before build.
  Model& add(LayerPtr layer);
  template <class L, class... Args>
  L& add(Args&&... args) {
    auto layer = std::make_unique<L>(std::forward<Args>(args)...);
    L& ref = *layer;
    add(std::move(layer));
    return ref;
  }

  // Infers every shape from one sample's input shape, names the layers Keras-style
  // ("conv2d", "conv2d_1", ...) and initialises all parameters from `seed`.
  void build(const Shape& input, uint64_t seed);
  bool built() const { return built_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

  // Training-mode forward of a batch; the result (logits) lives until the next forward.
  const Tensor& forward(const Tensor& x);
  // Backward from dL/dlogits after `forward`; accumulates every parameter's gradient.
  void backward(const Tensor& dlogits);
  // Inference-mode forward; const and safe to call from several threads at once.
  void infer(const Tensor& x, Tensor& logits) const;
  // Inference, except that batch-norm layers normalise with the batch's statistics and fold them
  // into their moving ones (Layer::update_statistics): dropout stays off. Not thread-safe.
  void update_statistics(const Tensor& x, Tensor& logits);

  std::vector<NamedParam> params();  // every parameter, in a fixed order
  void zero_grad();
  int64_t count_params(bool trainable_only = false);

  // Keras-style table: layer (type), output shape, parameters; totals.
  std::string summary();

  // The architecture as JSON ({"input": [...], "layers": [...]}) and back (built with `seed`).
  nlohmann::json architecture() const;
  static Model from_architecture(const nlohmann::json& architecture, uint64_t seed = 0);

  // Every layer, nested ones included (depth-first), e.g. for summaries and layer state.
  std::vector<Layer*> all_layers() const;

 private:
  void check_input(const Tensor& x, const char* pass) const;  // built, and x a batch of input_shape_

  LayerChain body_;
  std::vector<Param*> trainable_;  // every trainable parameter, found once at build
  Tensor input_;  // the last training batch, which backward needs
  Shape input_shape_, output_shape_;
  bool built_ = false;
};

// 1371300 -> "1,371,300".
std::string with_commas(int64_t n);

}  // namespace fermap
