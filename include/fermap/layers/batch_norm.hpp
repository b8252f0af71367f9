// BatchNormalization (Keras semantics): per channel (last axis), gamma and beta learnt; batch
// statistics in training, moving statistics in inference; moving = m*moving + (1-m)*batch.
#pragma once

#include "fermap/layer.hpp"

namespace fermap {

struct BatchNormOptions {
  float momentum = 0.99f;
  float epsilon = 1e-3f;
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(const BatchNormOptions& options = {});
  std::string type() const override { return "BatchNormalization"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void forward(const Tensor& x, Tensor& y) override;
  void update_statistics(const Tensor& x, Tensor& y) override { forward(x, y); }
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;

  // The moving-average factor of the next training forward; a recalibration sets 1 - 1/k on its
  // k-th batch so the moving statistics become the plain mean over its batches.
  float momentum() const { return options_.momentum; }
  void set_momentum(float momentum) { options_.momentum = momentum; }

 private:
  int channels() const { return input_shape()[input_shape().rank() - 1]; }

  BatchNormOptions options_;
  Param gamma_{"gamma"}, beta_{"beta"};
  Param moving_mean_{"moving_mean"}, moving_variance_{"moving_variance"};
  Tensor batch_mean_, batch_inv_std_, batch_var_;  // of the last forward, for backward
};

}  // namespace fermap
