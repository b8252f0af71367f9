#include "fermap/layers/separable_conv2d.hpp"

#include "layers/common.hpp"

namespace fermap {

namespace {
DepthwiseConv2DOptions depthwise_part(const SeparableConv2DOptions& o) {
  DepthwiseConv2DOptions d;
  d.kernel = o.kernel, d.padding = o.padding, d.use_bias = false;
  return d;
}
Conv2DOptions pointwise_part(const SeparableConv2DOptions& o) {
  Conv2DOptions p;
  p.filters = o.filters, p.kernel = {1, 1}, p.padding = Padding::valid;
  p.use_bias = o.use_bias, p.activation = o.activation;
  return p;
}
}  // namespace

SeparableConv2D::SeparableConv2D(const SeparableConv2DOptions& options)
    : options_(options), depthwise_(depthwise_part(options)), pointwise_(pointwise_part(options)) {
  depthwise_.kernel().name = "depthwise_kernel";
  pointwise_.kernel().name = "pointwise_kernel";
}

nlohmann::json SeparableConv2D::config() const {
  return {{"filters", options_.filters},
          {"kernel", {options_.kernel.h, options_.kernel.w}},
          {"padding", to_string(options_.padding)},
          {"use_bias", options_.use_bias},
          {"activation", to_string(options_.activation)}};
}

Shape SeparableConv2D::build(const Shape& input, Rng& rng) {
  detail::require_rank(*this, input, 3);
  depthwise_.set_name(name() + "/depthwise");
  pointwise_.set_name(name() + "/pointwise");
  const Shape mid = depthwise_.build_once(input, rng);
  return pointwise_.build_once(mid, rng);
}

void SeparableConv2D::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  detail::ScratchTensors scratch(1);
  depthwise_.infer(x, scratch[0]);
  pointwise_.infer(scratch[0], y);
}

void SeparableConv2D::forward(const Tensor& x, Tensor& y) {
  detail::require_batch(*this, x);
  depthwise_.forward(x, mid_);
  pointwise_.forward(mid_, y);
}

void SeparableConv2D::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  pointwise_.backward(mid_, y, dy, &dmid_);
  depthwise_.backward(x, mid_, dmid_, dx);
}

std::vector<Param*> SeparableConv2D::params() {
  std::vector<Param*> p = depthwise_.params();
  for (Param* q : pointwise_.params()) p.push_back(q);
  return p;
}

}  // namespace fermap
