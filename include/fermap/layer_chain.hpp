// LayerChain: layers applied one after another, with the activations kept for backward.
// The body of a Model and each path of a ResidualBlock.
#pragma once

#include <vector>

#include "fermap/layer.hpp"

namespace fermap {

class LayerChain {
 public:
  void add(LayerPtr layer) { layers_.push_back(std::move(layer)); }
  bool empty() const { return layers_.empty(); }
  const std::vector<LayerPtr>& layers() const { return layers_; }

  Shape build(const Shape& input, Rng& rng);
  // Training forward; returns the last activation (x itself for an empty chain).
  const Tensor& forward(const Tensor& x);
  // Backward through the chain after `forward(x)`; dx may be null.
  void backward(const Tensor& x, const Tensor& dy, Tensor* dx);
  // Inference, thread-safe; uses its own local buffers.
  void infer(const Tensor& x, Tensor& y) const;
  // Layer::update_statistics through the chain; keeps no activations.
  void update_statistics(const Tensor& x, Tensor& y);

 private:
  std::vector<LayerPtr> layers_;
  std::vector<Tensor> activations_;  // activations_[i]: output of layer i
  Tensor grad_a_, grad_b_;           // ping-pong gradient buffers
};

}  // namespace fermap
