// Finite-difference gradient check for any layer, in training mode: L = sum(y * r) for a fixed
// random r, so dL/dy = r. Central differences of L (accumulated in double) against backward.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "fermap/layer.hpp"

namespace fermap::test {

inline void fill_uniform(Tensor& t, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Rng rng(seed);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
}

struct GradCheckOptions {
  float epsilon = 1e-4f;  // small, so that few ReLU kinks fall inside the step
  float tolerance = 2e-2f;  // |analytic - numeric| <= tol * max(1, |numeric|)
  int max_checks = 48;      // elements checked per tensor (spread over it)
  std::function<void()> before_forward;  // resets stochastic state (a dropout's call count)
};

inline double weighted_sum(Layer& layer, const Tensor& x, const Tensor& r, const GradCheckOptions& o) {
  if (o.before_forward) o.before_forward();
  Tensor y;
  layer.forward(x, y);
  double s = 0.0;
  for (int64_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * r[i];
  return s;
}

inline void check_tensor(const std::string& what, Tensor& values, const Tensor& analytic, Layer& layer,
                         const Tensor& x, const Tensor& r, const GradCheckOptions& o) {
  const int64_t n = values.size();
  const int64_t step = std::max<int64_t>(1, n / o.max_checks);
  for (int64_t i = 0; i < n; i += step) {
    const float saved = values[i];
    values[i] = saved + o.epsilon;
    const double plus = weighted_sum(layer, x, r, o);
    values[i] = saved - o.epsilon;
    const double minus = weighted_sum(layer, x, r, o);
    values[i] = saved;
    const double numeric = (plus - minus) / (2.0 * o.epsilon);
    INFO(layer.type() << " " << what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << numeric);
    CHECK(std::fabs(analytic[i] - numeric) <= o.tolerance * std::max(1.0, std::fabs(numeric)));
  }
}

// Builds `layer` for `input` (one sample's shape), runs forward/backward on a batch and compares
// dx and every trainable parameter's gradient with central differences.
inline void gradcheck(Layer& layer, const Shape& input, int batch, GradCheckOptions o = {}) {
  Rng rng(7);
  layer.build_once(input, rng);
  Tensor x(input.batched(batch));
  fill_uniform(x, 11);
  if (o.before_forward) o.before_forward();
  Tensor y;
  layer.forward(x, y);
  Tensor r(y.shape());
  fill_uniform(r, 13);
  for (Param* p : layer.params())
    if (p->trainable) p->grad.zero();
  Tensor dx;
  layer.backward(x, y, r, &dx);
  REQUIRE(dx.shape() == x.shape());
  // Copies: the numeric pass calls forward, which may overwrite layer caches but not these.
  std::vector<Tensor> grads;
  for (Param* p : layer.params()) grads.push_back(p->grad);
  check_tensor("dx", x, dx, layer, x, r, o);
  auto params = layer.params();
  for (size_t k = 0; k < params.size(); ++k)
    if (params[k]->trainable) check_tensor(params[k]->name, params[k]->value, grads[k], layer, x, r, o);
}

}  // namespace fermap::test
