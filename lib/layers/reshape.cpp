#include "fermap/layers/reshape.hpp"

#include <algorithm>
#include <cstring>

#include "layers/common.hpp"

namespace fermap {

nlohmann::json Flatten::config() const { return nlohmann::json::object(); }

Shape Flatten::build(const Shape& input, Rng&) { return {static_cast<int>(input.numel())}; }

void Flatten::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  y = x;  // NHWC is already Keras' flatten order
  y.reshape(output_shape().batched(x.dim(0)));
}

void Flatten::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  *dx = dy;
  dx->reshape(x.shape());
}

ZeroPadding2D::ZeroPadding2D(const ZeroPadding2DOptions& options) : options_(options) {
  if (options.top < 0 || options.bottom < 0 || options.left < 0 || options.right < 0)
    throw ArgumentError("ZeroPadding2D needs non-negative padding");
}

nlohmann::json ZeroPadding2D::config() const {
  return {{"top", options_.top}, {"bottom", options_.bottom}, {"left", options_.left}, {"right", options_.right}};
}

Shape ZeroPadding2D::build(const Shape& input, Rng&) {
  detail::require_rank(*this, input, 3);
  return {input[0] + options_.top + options_.bottom, input[1] + options_.left + options_.right, input[2]};
}

void ZeroPadding2D::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  const int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  const int ow = output_shape()[1];
  y.resize(output_shape().batched(n));
  y.zero();
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < h; ++r) {
      const float* src = x.data() + ((static_cast<int64_t>(i) * h + r) * w) * c;
      float* dst = y.data() + ((static_cast<int64_t>(i) * output_shape()[0] + r + options_.top) * ow + options_.left) * c;
      std::memcpy(dst, src, static_cast<size_t>(w) * c * sizeof(float));
    }
}

void ZeroPadding2D::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  const int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  const int ow = output_shape()[1];
  dx->resize(x.shape());
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < h; ++r) {
      const float* src = dy.data() + ((static_cast<int64_t>(i) * output_shape()[0] + r + options_.top) * ow + options_.left) * c;
      float* dst = dx->data() + ((static_cast<int64_t>(i) * h + r) * w) * c;
      std::memcpy(dst, src, static_cast<size_t>(w) * c * sizeof(float));
    }
}

}  // namespace fermap
