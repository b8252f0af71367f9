#include "fermap/layers/depthwise_conv2d.hpp"

#include "kernels/depthwise.hpp"
#include "kernels/parallel.hpp"
#include "layers/common.hpp"

namespace fermap {

DepthwiseConv2D::DepthwiseConv2D(const DepthwiseConv2DOptions& options) : options_(options) {
  if (options.kernel.h <= 0 || options.kernel.w <= 0 || options.stride <= 0)
    throw ArgumentError("DepthwiseConv2D needs a positive kernel size and stride");
  detail::check_kernel_taps("DepthwiseConv2D", options.kernel);
  kernel_.l2 = true;
}

nlohmann::json DepthwiseConv2D::config() const {
  return {{"kernel", {options_.kernel.h, options_.kernel.w}},
          {"stride", options_.stride},
          {"padding", to_string(options_.padding)},
          {"use_bias", options_.use_bias},
          {"activation", to_string(options_.activation)}};
}

Shape DepthwiseConv2D::build(const Shape& input, Rng& rng) {
  detail::require_rank(*this, input, 3);
  const int c = input[2];
  kernel_.value.resize({options_.kernel.h, options_.kernel.w, c});
  kernel_.grad = Tensor(kernel_.value.shape());
  // Keras counts a depthwise kernel [KH,KW,C,1] as fan_in = KH*KW*C, fan_out = KH*KW.
  const double area = options_.kernel.h * options_.kernel.w;
  detail::init_kernel(KernelInit::glorot_uniform, kernel_.value, area * c, area, rng);
  if (options_.use_bias) {
    bias_.value = Tensor({c});
    bias_.grad = Tensor({c});
  }
  const auto g = detail::window_geometry(input, 1, options_.kernel, options_.stride, options_.padding, c);
  if (g.oh <= 0 || g.ow <= 0)
    throw ShapeError("DepthwiseConv2D layer '" + name() + "': input " + input.str() + " is smaller than its kernel");
  return {g.oh, g.ow, c};
}

void DepthwiseConv2D::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  const int c = input_shape()[2];
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.kernel, options_.stride,
                                         options_.padding, c);
  y.resize(output_shape().batched(x.dim(0)));
  kernels::depthwise_forward(g, x.data(), kernel_.value.data(), y.data());
  if (!options_.use_bias && options_.activation == Activation::linear) return;
  const float* b = options_.use_bias ? bias_.value.data() : nullptr;
  const bool relu = options_.activation == Activation::relu;
  const int64_t rows = y.size() / c;
  float* p = y.data();
#pragma omp parallel for schedule(static) if (rows * c >= fermap::kernels::kParallelMinElements)
  for (int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < c; ++k) {
      float v = p[r * c + k] + (b ? b[k] : 0.0f);
      p[r * c + k] = relu && v < 0.0f ? 0.0f : v;
    }
}

void DepthwiseConv2D::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  const int c = input_shape()[2];
  const auto g = detail::window_geometry(input_shape(), x.dim(0), options_.kernel, options_.stride,
                                         options_.padding, c);
  const Tensor& dz = detail::activation_backward(options_.activation, y, dy, dz_);
  kernels::depthwise_backward_weights(g, x.data(), dz.data(), kernel_.grad.data());
  if (options_.use_bias) {
    const int64_t rows = dz.size() / c;
    float* db = bias_.grad.data();
    for (int64_t r = 0; r < rows; ++r)
      for (int k = 0; k < c; ++k) db[k] += dz[r * c + k];
  }
  if (dx) {
    dx->resize(x.shape());
    kernels::depthwise_backward_data(g, dz.data(), kernel_.value.data(), dx->data());
  }
}

std::vector<Param*> DepthwiseConv2D::params() {
  if (options_.use_bias) return {&kernel_, &bias_};
  return {&kernel_};
}

}  // namespace fermap
