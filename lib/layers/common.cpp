#include "layers/common.hpp"

#include <cmath>
#include <deque>
#include <limits>

#include "kernels/parallel.hpp"

namespace fermap {

std::string to_string(Padding p) { return p == Padding::same ? "same" : "valid"; }
std::string to_string(Activation a) { return a == Activation::relu ? "relu" : "linear"; }

Padding parse_padding(const std::string& s) {
  if (s == "same") return Padding::same;
  if (s == "valid") return Padding::valid;
  throw ArgumentError("unknown padding \"" + s + "\" (expected same or valid)");
}

Activation parse_activation(const std::string& s) {
  if (s == "relu") return Activation::relu;
  if (s == "linear" || s.empty()) return Activation::linear;
  throw ArgumentError("unknown activation \"" + s + "\" (expected relu or linear)");
}

namespace detail {

namespace {
struct ScratchStack {
  std::deque<Tensor> tensors;  // a deque: growing it never moves the tensors handed out
  size_t top = 0;
};
ScratchStack& scratch_stack() {
  thread_local ScratchStack stack;
  return stack;
}
}  // namespace

ScratchTensors::ScratchTensors(int count) {
  ScratchStack& s = scratch_stack();
  first_ = s.top;
  s.top += static_cast<size_t>(count);
  while (s.tensors.size() < s.top) s.tensors.emplace_back();
}

ScratchTensors::~ScratchTensors() { scratch_stack().top = first_; }

Tensor& ScratchTensors::operator[](int i) { return scratch_stack().tensors[first_ + static_cast<size_t>(i)]; }

std::optional<int64_t> json_integer(const nlohmann::json& j, int64_t lo, int64_t hi) {
  int64_t v = 0;
  if (j.is_number_unsigned()) {
    const uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    v = static_cast<int64_t>(u);
  } else if (j.is_number_integer()) {
    v = j.get<int64_t>();
  } else if (j.is_number_float()) {
    const double d = j.get<double>();
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d)) return std::nullopt;
    v = static_cast<int64_t>(d);
  } else {
    return std::nullopt;
  }
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<float> json_float(const nlohmann::json& j) {
  if (!j.is_number()) return std::nullopt;
  const double d = j.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max())) return std::nullopt;
  return static_cast<float>(d);
}

void check_sample_shape(const std::string& what, const Shape& sample) {
  int64_t n = 1;
  for (int i = 0; i < sample.rank(); ++i) {
    if (sample[i] < 1) throw ShapeError(what + " has an empty dimension: " + sample.str());
    n *= sample[i];
    if (n > kMaxSampleElements)
      throw ShapeError(what + " has more than " + std::to_string(kMaxSampleElements) + " elements per sample: " +
                       sample.str());
  }
}

void init_kernel(KernelInit init, Tensor& t, double fan_in, double fan_out, Rng& rng) {
  const double fans = init == KernelInit::he_uniform ? fan_in : fan_in + fan_out;
  const float limit = static_cast<float>(std::sqrt(6.0 / fans));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-limit, limit);
}

void require_rank(const Layer& layer, const Shape& input, int rank) {
  if (input.rank() != rank)
    throw ShapeError(layer.type() + " layer '" + layer.name() + "' expects a rank-" +
                     std::to_string(rank) + " input per sample, got " + input.str());
}

void require_batch(const Layer& layer, const Tensor& x) {
  if (x.shape().rank() == 0 || x.shape().sample() != layer.input_shape())
    throw ShapeError(layer.type() + " layer '" + layer.name() + "' was built for inputs " +
                     layer.input_shape().str() + " per sample, got a batch " + x.shape().str());
}

const Tensor& activation_backward(Activation act, const Tensor& y, const Tensor& dy, Tensor& scratch) {
  if (act == Activation::linear) return dy;
  scratch.resize(dy.shape());
  const float* py = y.data();
  const float* pd = dy.data();
  float* out = scratch.data();
  const int64_t n = dy.size();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) out[i] = py[i] > 0.0f ? pd[i] : 0.0f;
  return scratch;
}

void check_kernel_taps(const char* type, Size2 kernel) {
  if (static_cast<int64_t>(kernel.h) * kernel.w > kernels::kMaxKernelTaps)
    throw ArgumentError(std::string(type) + " kernels are limited to " + std::to_string(kernels::kMaxKernelTaps) +
                        " taps (16x16); this one is " + std::to_string(kernel.h) + "x" + std::to_string(kernel.w));
}

kernels::ConvGeometry window_geometry(const Shape& in, int n, Size2 kernel, int stride,
                                      Padding padding, int cout) {
  kernels::ConvGeometry g;
  g.n = n, g.h = in[0], g.w = in[1], g.cin = in[2];
  g.kh = kernel.h, g.kw = kernel.w, g.cout = cout, g.stride = stride;
  const auto py = kernels::plan_conv_dim(g.h, g.kh, stride, padding == Padding::same);
  const auto px = kernels::plan_conv_dim(g.w, g.kw, stride, padding == Padding::same);
  g.oh = py.out, g.ow = px.out, g.pad_top = py.pad_before, g.pad_left = px.pad_before;
  return g;
}

}  // namespace detail
}  // namespace fermap
