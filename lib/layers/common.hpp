// Helpers shared by layer implementations (not part of the public API).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "fermap/layer.hpp"
#include "fermap/layers/options.hpp"
#include "kernels/conv2d.hpp"

namespace fermap::detail {

// Draws a kernel from U(-l, l) as Keras does: glorot_uniform has l = sqrt(6 / (fan_in + fan_out)),
// he_uniform l = sqrt(6 / fan_in), a variance of 2 / fan_in that offsets ReLU zeroing half of
// each layer's outputs.
void init_kernel(KernelInit init, Tensor& t, double fan_in, double fan_out, Rng& rng);

// Throws ShapeError naming the layer when `input` does not have `rank` dimensions.
void require_rank(const Layer& layer, const Shape& input, int rank);

// Checks that a batched tensor matches the layer's built input shape.
void require_batch(const Layer& layer, const Tensor& x);

// For an output y = relu(z): g = dy where y > 0, else 0. For linear activations g is dy itself,
// and `scratch` is not touched. Returns the tensor to use as dL/dz.
const Tensor& activation_backward(Activation act, const Tensor& y, const Tensor& dy, Tensor& scratch);

// Tensors for inference intermediates, taken from a thread-local stack and given back in LIFO
// order (so a residual block's chains, nested inside a chain, get their own). They keep their
// storage between calls: repeated inference allocates nothing after the first call, and
// const inference stays safe to run from several threads at once.
class ScratchTensors {
 public:
  explicit ScratchTensors(int count);
  ~ScratchTensors();
  ScratchTensors(const ScratchTensors&) = delete;
  ScratchTensors& operator=(const ScratchTensors&) = delete;
  Tensor& operator[](int i);

 private:
  size_t first_;
};

// Throws ArgumentError naming the layer type unless the kernel has at most kernels::kMaxKernelTaps taps.
void check_kernel_taps(const char* type, Size2 kernel);

// Geometry of a 2-D window op on a [N,H,W,C] input.
kernels::ConvGeometry window_geometry(const Shape& in_sample, int n, Size2 kernel, int stride,
                                      Padding padding, int cout);

// The largest number an architecture may give a layer's size, kernel, stride, units or padding, and
// the most elements one sample may have between layers. Far above any face model (custom_cnn's
// largest activation is 48x48x64), low enough that no shape arithmetic can overflow: a model file
// is outside input, so its architecture is bounded before it is built.
constexpr int64_t kMaxConfigInt = 1 << 15;
constexpr int64_t kMaxSampleElements = int64_t{1} << 26;

// A JSON number as an integer in [lo, hi] (a float only when it is a whole number), or nullopt for
// anything else. Never a cast of an out-of-range value, which would be undefined.
std::optional<int64_t> json_integer(const nlohmann::json& j, int64_t lo, int64_t hi);
// A JSON number as a finite float, or nullopt.
std::optional<float> json_float(const nlohmann::json& j);

// Throws ShapeError naming the layer unless every dimension of `sample` is positive and it has at
// most kMaxSampleElements elements.
void check_sample_shape(const std::string& what, const Shape& sample);

// Reads a required member of a layer config, naming the layer type when it is missing, mistyped or
// (integers, floats) out of range.
template <class T>
T config_get(const nlohmann::json& config, const char* key, const std::string& type) {
  if (!config.is_object() || !config.contains(key)) throw FormatError(type + " config lacks \"" + key + "\"");
  const nlohmann::json& v = config.at(key);
  const auto malformed = [&] { return FormatError(type + " config has a malformed or out-of-range \"" + key + "\""); };
  if constexpr (std::is_same_v<T, int>) {
    const auto i = json_integer(v, -kMaxConfigInt, kMaxConfigInt);
    if (!i) throw malformed();
    return static_cast<int>(*i);
  } else if constexpr (std::is_same_v<T, float>) {
    const auto f = json_float(v);
    if (!f) throw malformed();
    return *f;
  } else if constexpr (std::is_same_v<T, std::vector<int>>) {
    if (!v.is_array()) throw malformed();
    std::vector<int> out;
    for (const auto& e : v) {
      const auto i = json_integer(e, -kMaxConfigInt, kMaxConfigInt);
      if (!i) throw malformed();
      out.push_back(static_cast<int>(*i));
    }
    return out;
  } else {
    try {
      return v.get<T>();
    } catch (const nlohmann::json::exception&) {
      throw malformed();
    }
  }
}

}  // namespace fermap::detail
