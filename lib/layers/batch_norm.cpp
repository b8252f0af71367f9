#include "fermap/layers/batch_norm.hpp"

#include <cmath>

#include "kernels/batch_norm.hpp"
#include "kernels/parallel.hpp"
#include "layers/common.hpp"

namespace fermap {

BatchNormalization::BatchNormalization(const BatchNormOptions& options) : options_(options) {
  if (!(options.momentum >= 0.0f && options.momentum <= 1.0f) || !(options.epsilon > 0.0f))
    throw ArgumentError("BatchNormalization needs momentum in [0, 1] and a positive epsilon");
  moving_mean_.trainable = moving_variance_.trainable = false;
}

nlohmann::json BatchNormalization::config() const {
  return {{"momentum", options_.momentum}, {"epsilon", options_.epsilon}};
}

Shape BatchNormalization::build(const Shape& input, Rng&) {
  if (input.rank() != 1 && input.rank() != 3)
    throw ShapeError("BatchNormalization layer '" + name() + "' expects [F] or [H, W, C], got " + input.str());
  const int c = input[input.rank() - 1];
  gamma_.value = Tensor({c});
  gamma_.value.fill(1.0f);
  gamma_.grad = Tensor({c});
  beta_.value = Tensor({c});
  beta_.grad = Tensor({c});
  moving_mean_.value = Tensor({c});
  moving_variance_.value = Tensor({c});
  moving_variance_.value.fill(1.0f);
  batch_mean_ = Tensor({c});
  batch_var_ = Tensor({c});
  batch_inv_std_ = Tensor({c});
  return input;
}

void BatchNormalization::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  const int c = channels();
  // The calling thread's scratch (infer is const and may run on many threads at once); the
  // kernel below uses the shared slot, not this one.
  float* inv_std = kernels::thread_scratch(static_cast<size_t>(c), kernels::kSlotPartial);
  for (int k = 0; k < c; ++k) inv_std[k] = 1.0f / std::sqrt(moving_variance_.value[k] + options_.epsilon);
  y.resize(x.shape());
  kernels::batch_norm_apply(x.size() / c, c, x.data(), moving_mean_.value.data(), inv_std,
                            gamma_.value.data(), beta_.value.data(), y.data());
}

void BatchNormalization::forward(const Tensor& x, Tensor& y) {
  detail::require_batch(*this, x);
  const int c = channels();
  const int64_t rows = x.size() / c;
  kernels::batch_norm_statistics(rows, c, x.data(), batch_mean_.data(), batch_var_.data());
  const float m = options_.momentum;
  for (int k = 0; k < c; ++k) {
    batch_inv_std_[k] = 1.0f / std::sqrt(batch_var_[k] + options_.epsilon);
    moving_mean_.value[k] = m * moving_mean_.value[k] + (1.0f - m) * batch_mean_[k];
    moving_variance_.value[k] = m * moving_variance_.value[k] + (1.0f - m) * batch_var_[k];
  }
  y.resize(x.shape());
  kernels::batch_norm_apply(rows, c, x.data(), batch_mean_.data(), batch_inv_std_.data(),
                            gamma_.value.data(), beta_.value.data(), y.data());
}

void BatchNormalization::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const int c = channels();
  if (dx) dx->resize(x.shape());
  kernels::batch_norm_backward(x.size() / c, c, x.data(), dy.data(), batch_mean_.data(),
                               batch_inv_std_.data(), gamma_.value.data(), dx ? dx->data() : nullptr,
                               gamma_.grad.data(), beta_.grad.data());
}

std::vector<Param*> BatchNormalization::params() {
  return {&gamma_, &beta_, &moving_mean_, &moving_variance_};
}

}  // namespace fermap
