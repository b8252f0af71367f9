// SeparableConv2D (Keras semantics): a depthwise convolution without bias, then a pointwise (1x1)
// convolution with bias and the activation.
#pragma once

#include "fermap/layers/conv2d.hpp"
#include "fermap/layers/depthwise_conv2d.hpp"

namespace fermap {

struct SeparableConv2DOptions {
  int filters = 0;
  Size2 kernel{3, 3};
  Padding padding = Padding::same;
  bool use_bias = true;
  Activation activation = Activation::linear;
};

class SeparableConv2D : public Layer {
 public:
  explicit SeparableConv2D(const SeparableConv2DOptions& options);
  std::string type() const override { return "SeparableConv2D"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;

 private:
  SeparableConv2DOptions options_;
  DepthwiseConv2D depthwise_;
  Conv2D pointwise_;
  Tensor mid_, dmid_;  // depthwise output and its gradient, kept between forward and backward
};

}  // namespace fermap
