// ReLU as a layer of its own: y = max(x, 0).
#pragma once

#include "fermap/layer.hpp"

namespace fermap {

class ReLU : public Layer {
 public:
  std::string type() const override { return "ReLU"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
};

}  // namespace fermap
