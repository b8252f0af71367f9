#include "fermap/layers/relu.hpp"

#include <algorithm>

#include "kernels/parallel.hpp"
#include "layers/common.hpp"

namespace fermap {

nlohmann::json ReLU::config() const { return nlohmann::json::object(); }

Shape ReLU::build(const Shape& input, Rng&) { return input; }

void ReLU::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  y.resize(x.shape());
  const int64_t n = x.size();
  const float* px = x.data();
  float* py = y.data();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) py[i] = std::max(px[i], 0.0f);
}

void ReLU::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.shape());
  const int64_t n = dy.size();
  const float* py = y.data();
  const float* pd = dy.data();
  float* out = dx->data();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) out[i] = py[i] > 0.0f ? pd[i] : 0.0f;
}

}  // namespace fermap
