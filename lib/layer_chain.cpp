#include "fermap/layer_chain.hpp"

#include <nlohmann/json.hpp>

#include "layers/common.hpp"

namespace fermap {

nlohmann::json Layer::state() const { return nullptr; }
void Layer::set_state(const nlohmann::json&) {}

Shape LayerChain::build(const Shape& input, Rng& rng) {
  Shape s = input;
  for (auto& layer : layers_) {
    s = layer->build_once(s, rng);
    detail::check_sample_shape(layer->type() + " layer '" + layer->name() + "' output", s);
  }
  activations_.resize(layers_.size());
  return s;
}

const Tensor& LayerChain::forward(const Tensor& x) {
  const Tensor* in = &x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(*in, activations_[i]);
    in = &activations_[i];
  }
  return *in;
}

void LayerChain::backward(const Tensor& x, const Tensor& dy, Tensor* dx) {
  if (layers_.empty()) {
    if (dx) *dx = dy;
    return;
  }
  const Tensor* grad = &dy;
  Tensor* next = &grad_a_;
  for (size_t i = layers_.size(); i-- > 0;) {
    const Tensor& in = i == 0 ? x : activations_[i - 1];
    Tensor* target = i == 0 ? dx : next;
    layers_[i]->backward(in, activations_[i], *grad, target);
    if (i == 0) break;
    grad = next;
    next = next == &grad_a_ ? &grad_b_ : &grad_a_;
  }
}

// Both passes run the layers one after another through two scratch buffers; `step` is the
// layer's infer or update_statistics.
template <class Layers, class Step>
static void run_through(const Layers& layers, const Tensor& x, Tensor& y, Step step) {
  if (layers.empty()) {
    y = x;
    return;
  }
  detail::ScratchTensors buffers(2);
  const Tensor* in = &x;
  for (size_t i = 0; i < layers.size(); ++i) {
    Tensor& out = i + 1 == layers.size() ? y : buffers[static_cast<int>(i % 2)];
    step(*layers[i], *in, out);
    in = &out;
  }
}

void LayerChain::infer(const Tensor& x, Tensor& y) const {
  run_through(layers_, x, y, [](const Layer& layer, const Tensor& in, Tensor& out) { layer.infer(in, out); });
}

void LayerChain::update_statistics(const Tensor& x, Tensor& y) {
  run_through(layers_, x, y, [](Layer& layer, const Tensor& in, Tensor& out) { layer.update_statistics(in, out); });
}

}  // namespace fermap
