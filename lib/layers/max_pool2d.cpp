#include "fermap/layers/max_pool2d.hpp"

#include "kernels/pool.hpp"
#include "layers/common.hpp"

namespace fermap {

MaxPooling2D::MaxPooling2D(const MaxPool2DOptions& options) : options_(options) {
  if (options_.stride == 0) options_.stride = options_.pool.h;
  if (options_.pool.h <= 0 || options_.pool.w <= 0 || options_.stride <= 0)
    throw ArgumentError("MaxPooling2D needs a positive pool size and stride");
}

nlohmann::json MaxPooling2D::config() const {
  return {{"pool", {options_.pool.h, options_.pool.w}},
          {"stride", options_.stride},
          {"padding", to_string(options_.padding)}};
}

Shape MaxPooling2D::build(const Shape& input, Rng&) {
  detail::require_rank(*this, input, 3);
  const auto g = detail::window_geometry(input, 1, options_.pool, options_.stride, options_.padding, input[2]);
  if (g.oh <= 0 || g.ow <= 0)
    throw ShapeError("MaxPooling2D layer '" + name() + "': input " + input.str() + " is smaller than its pool");
  return {g.oh, g.ow, input[2]};
}

void MaxPooling2D::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.pool, options_.stride,
                                         options_.padding, input_shape()[2]);
  y.resize(output_shape().batched(x.dim(0)));
  kernels::maxpool2d_forward(g, x.data(), y.data(), nullptr);
}

void MaxPooling2D::forward(const Tensor& x, Tensor& y) {
  detail::require_batch(*this, x);
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.pool, options_.stride,
                                         options_.padding, input_shape()[2]);
  y.resize(output_shape().batched(x.dim(0)));
  argmax_.resize(static_cast<size_t>(y.size()));
  kernels::maxpool2d_forward(g, x.data(), y.data(), argmax_.data());
}

void MaxPooling2D::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.pool, options_.stride,
                                         options_.padding, input_shape()[2]);
  dx->resize(x.shape());
  kernels::maxpool2d_backward(g, dy.data(), argmax_.data(), dx->data());
}

}  // namespace fermap
