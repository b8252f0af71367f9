#include "fermap/layers/conv2d.hpp"

#include "kernels/conv2d.hpp"
#include "layers/common.hpp"

namespace fermap {

Conv2D::Conv2D(const Conv2DOptions& options) : options_(options) {
  if (options.filters <= 0 || options.kernel.h <= 0 || options.kernel.w <= 0 || options.stride <= 0)
    throw ArgumentError("Conv2D needs positive filters, kernel size and stride");
  detail::check_kernel_taps("Conv2D", options.kernel);
  kernel_.l2 = true;
}

nlohmann::json Conv2D::config() const {
  return {{"filters", options_.filters},
          {"kernel", {options_.kernel.h, options_.kernel.w}},
          {"stride", options_.stride},
          {"padding", to_string(options_.padding)},
          {"use_bias", options_.use_bias},
          {"activation", to_string(options_.activation)}};
}

Shape Conv2D::build(const Shape& input, Rng& rng) {
  detail::require_rank(*this, input, 3);
  const int cin = input[2];
  kernel_.value.resize({options_.kernel.h, options_.kernel.w, cin, options_.filters});
  kernel_.grad = Tensor(kernel_.value.shape());
  const double area = options_.kernel.h * options_.kernel.w;
  detail::init_kernel(options_.kernel_init, kernel_.value, area * cin, area * options_.filters, rng);
  if (options_.use_bias) {
    bias_.value = Tensor({options_.filters});
    bias_.grad = Tensor({options_.filters});
  }
  const auto g = detail::window_geometry(input, 1, options_.kernel, options_.stride,
                                         options_.padding, options_.filters);
  if (g.oh <= 0 || g.ow <= 0)
    throw ShapeError("Conv2D layer '" + name() + "': input " + input.str() + " is smaller than its kernel");
  return {g.oh, g.ow, options_.filters};
}

void Conv2D::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.kernel, options_.stride,
                                         options_.padding, options_.filters);
  y.resize(output_shape().batched(x.dim(0)));
  kernels::conv2d_forward(g, x.data(), kernel_.value.data(),
                          options_.use_bias ? bias_.value.data() : nullptr,
                          options_.activation == Activation::relu, y.data());
}

void Conv2D::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.kernel, options_.stride,
                                         options_.padding, options_.filters);
  const Tensor& dz = detail::activation_backward(options_.activation, y, dy, dz_);
  kernels::conv2d_backward_weights(g, x.data(), dz.data(), kernel_.grad.data(),
                                   options_.use_bias ? bias_.grad.data() : nullptr);
  if (dx) {
    dx->resize(x.shape());
    kernels::conv2d_backward_data(g, dz.data(), kernel_.value.data(), dx->data());
  }
}

std::vector<Param*> Conv2D::params() {
  if (options_.use_bias) return {&kernel_, &bias_};
  return {&kernel_};
}

}  // namespace fermap
