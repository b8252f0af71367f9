// MaxPooling2D: the maximum over each window (e.g. 2x2 stride 2, or 3x3 stride 2 with padding).
#pragma once

#include <cstdint>
#include <vector>

#include "fermap/layer.hpp"
#include "fermap/layers/options.hpp"

namespace fermap {

struct MaxPool2DOptions {
  Size2 pool{2, 2};
  int stride = 0;  // 0: the pool height, as Keras defaults strides to pool_size
  Padding padding = Padding::valid;
};

class MaxPooling2D : public Layer {
 public:
  explicit MaxPooling2D(const MaxPool2DOptions& options = {});
  std::string type() const override { return "MaxPooling2D"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;

 private:
  MaxPool2DOptions options_;
  std::vector<int32_t> argmax_;  // winner per output element of the last forward
};

}  // namespace fermap
