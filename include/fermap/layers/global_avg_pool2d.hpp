// GlobalAveragePooling2D: [H, W, C] -> [C], the mean over all pixels.
#pragma once

#include "fermap/layer.hpp"

namespace fermap {

class GlobalAveragePooling2D : public Layer {
 public:
  std::string type() const override { return "GlobalAveragePooling2D"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
};

}  // namespace fermap
