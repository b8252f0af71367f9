#include "fermap/layers/dropout.hpp"

#include "kernels/parallel.hpp"
#include "layers/common.hpp"

namespace fermap {

Dropout::Dropout(float rate) : rate_(rate) {
  if (!(rate >= 0.0f && rate < 1.0f)) throw ArgumentError("Dropout rate must be in [0, 1)");
}

nlohmann::json Dropout::config() const { return {{"rate", rate_}}; }

nlohmann::json Dropout::state() const { return {{"calls", calls_}}; }

void Dropout::set_state(const nlohmann::json& state) {
  if (!state.is_object() || !state.contains("calls") || !state["calls"].is_number_integer() ||
      state["calls"].get<int64_t>() < 0)
    throw FormatError("Dropout layer '" + name() + "': malformed state");
  calls_ = state["calls"].get<uint64_t>();
}

Shape Dropout::build(const Shape& input, Rng& rng) {
  seed_ = rng.next_u64();
  return input;
}

void Dropout::infer(const Tensor& x, Tensor& y) const { y = x; }

void Dropout::forward(const Tensor& x, Tensor& y) {
  detail::require_batch(*this, x);
  const uint64_t call = calls_++;
  const float keep_scale = 1.0f / (1.0f - rate_);
  mask_.resize(x.shape());
  y.resize(x.shape());
  const int64_t n = x.size();
  const float* px = x.data();
  float* pm = mask_.data();
  float* py = y.data();
#pragma omp parallel for schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) {
    pm[i] = hash_uniform(seed_, call, static_cast<uint64_t>(i)) < rate_ ? 0.0f : keep_scale;
    py[i] = px[i] * pm[i];
  }
}

void Dropout::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.shape());
  const int64_t n = dy.size();
  const float* pm = mask_.data();
  const float* pd = dy.data();
  float* out = dx->data();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) out[i] = pd[i] * pm[i];
}

}  // namespace fermap
