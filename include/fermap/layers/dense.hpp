// Dense: y = act(x W + b) on [N, F] inputs, W stored [F_in, F_out] as in Keras.
#pragma once

#include "fermap/layer.hpp"
#include "fermap/layers/options.hpp"

namespace fermap {

struct DenseOptions {
  int units = 0;
  bool use_bias = true;
  Activation activation = Activation::linear;
  KernelInit kernel_init = KernelInit::glorot_uniform;
};

class Dense : public Layer {
 public:
  explicit Dense(const DenseOptions& options);
  std::string type() const override { return "Dense"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;

  Param& kernel() { return kernel_; }
  Param& bias() { return bias_; }

 private:
  DenseOptions options_;
  Param kernel_{"kernel"}, bias_{"bias"};
  Tensor dz_;
};

}  // namespace fermap
