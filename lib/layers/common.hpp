// Helpers shared by layer implementations (not part of the public API).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "fermap/layer.hpp"
#include "fermap/layers/options.hpp"
#include "kernels/conv2d.hpp"

namespace fermap::detail {

// Keras glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).
void glorot_uniform(Tensor& t, double fan_in, double fan_out, Rng& rng);

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

// Geometry of a 2-D window op on a [N,H,W,C] input.
kernels::ConvGeometry window_geometry(const Shape& in_sample, int n, Size2 kernel, int stride,
                                      Padding padding, int cout);

// Reads a required member of a layer config, naming the layer type when it is missing or mistyped.
template <class T>
T config_get(const nlohmann::json& config, const char* key, const std::string& type) {
  if (!config.contains(key)) throw FormatError(type + " config lacks \"" + key + "\"");
  try {
    return config.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw FormatError(type + " config has a malformed \"" + key + "\"");
  }
}

}  // namespace fermap::detail
