// DepthwiseConv2D: one filter per input channel (depth multiplier 1), optional bias and ReLU.
#pragma once

#include "fermap/layer.hpp"
#include "fermap/layers/options.hpp"

namespace fermap {

struct DepthwiseConv2DOptions {
  Size2 kernel{3, 3};
  int stride = 1;
  Padding padding = Padding::same;
  bool use_bias = true;
  Activation activation = Activation::linear;
};

class DepthwiseConv2D : public Layer {
 public:
  explicit DepthwiseConv2D(const DepthwiseConv2DOptions& options);
  std::string type() const override { return "DepthwiseConv2D"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;

  Param& kernel() { return kernel_; }  // [KH, KW, C]
  Param& bias() { return bias_; }

 private:
  DepthwiseConv2DOptions options_;
  Param kernel_{"depthwise_kernel"}, bias_{"bias"};
  Tensor dz_;
};

}  // namespace fermap
