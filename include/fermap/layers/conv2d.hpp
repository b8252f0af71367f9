// Conv2D: a 2-D convolution with optional bias and fused ReLU (Keras Conv2D semantics).
#pragma once

#include "fermap/layer.hpp"
#include "fermap/layers/options.hpp"

namespace fermap {

struct Conv2DOptions {
  int filters = 0;
  Size2 kernel{3, 3};
  int stride = 1;
  Padding padding = Padding::same;
  bool use_bias = true;
  Activation activation = Activation::linear;
  KernelInit kernel_init = KernelInit::glorot_uniform;
};

class Conv2D : public Layer {
 public:
  explicit Conv2D(const Conv2DOptions& options);
  std::string type() const override { return "Conv2D"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;

  Param& kernel() { return kernel_; }  // [KH, KW, Cin, Cout]
  Param& bias() { return bias_; }      // [Cout]; empty without bias

 private:
  Conv2DOptions options_;
  Param kernel_{"kernel"}, bias_{"bias"};
  Tensor dz_;  // dL/d(pre-activation), reused between steps
};

}  // namespace fermap
