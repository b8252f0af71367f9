#include "fermap/loss.hpp"

#include <algorithm>
#include <cmath>

#include "fermap/error.hpp"
#include "kernels/parallel.hpp"

namespace fermap {

namespace {
// log sum_j exp(z_j / t) over one row of k logits, shifted by the largest so that it stays finite.
// The losses take log-probabilities as z_j / t minus this, rather than the log of a probability
// that may have underflowed to zero.
double log_sum_exp(const float* z, int k, double t) {
  const float zmax = *std::max_element(z, z + k);
  double sum = 0.0;
  for (int j = 0; j < k; ++j) sum += std::exp(static_cast<double>(z[j] - zmax) / t);
  return zmax / t + std::log(sum);
}
}  // namespace

void softmax(const Tensor& logits, Tensor& probabilities, float temperature) {
  if (logits.shape().rank() != 2) throw ShapeError("softmax expects [N, K] logits, got " + logits.shape().str());
  if (!(temperature > 0.0f)) throw ArgumentError("softmax temperature must be positive, got " + std::to_string(temperature));
  const int n = logits.dim(0), k = logits.dim(1);
  const float inv_t = 1.0f / temperature;
  probabilities.resize(logits.shape());
  for (int i = 0; i < n; ++i) {
    const float* z = logits.data() + static_cast<int64_t>(i) * k;
    float* p = probabilities.data() + static_cast<int64_t>(i) * k;
    const float zmax = *std::max_element(z, z + k);
    double sum = 0.0;
    for (int j = 0; j < k; ++j) sum += (p[j] = std::exp((z[j] - zmax) * inv_t));
    for (int j = 0; j < k; ++j) p[j] = static_cast<float>(p[j] / sum);
  }
}

double distillation_loss(const Tensor& logits, const Tensor& teacher, float temperature, Tensor& dlogits) {
  if (logits.shape().rank() != 2 || teacher.shape() != logits.shape())
    throw ShapeError("distillation expects [N, K] logits and teacher probabilities of the same shape, got " +
                     logits.shape().str() + " and " + teacher.shape().str());
  softmax(logits, dlogits, temperature);  // dlogits holds q = softmax(z / T), then T * (q - p) / N
  const int n = logits.dim(0), k = logits.dim(1);
  const double t = temperature;
  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    const float* z = logits.data() + static_cast<int64_t>(i) * k;
    const float* p = teacher.data() + static_cast<int64_t>(i) * k;
    float* g = dlogits.data() + static_cast<int64_t>(i) * k;
    const double lse = log_sum_exp(z, k, t);  // log q_j = z_j / T - lse
    double kl = 0.0;
    for (int j = 0; j < k; ++j) {
      if (p[j] > 0.0f) kl += p[j] * (std::log(static_cast<double>(p[j])) - (z[j] / t - lse));
      g[j] = static_cast<float>(t * (g[j] - p[j]) / n);
    }
    total += t * t * kl;
  }
  return n ? total / n : 0.0;
}

double softmax_cross_entropy(const Tensor& logits, const std::vector<int>& labels,
                             const CrossEntropyOptions& options, Tensor& dlogits) {
  if (logits.shape().rank() != 2) throw ShapeError("cross-entropy expects [N, K] logits, got " + logits.shape().str());
  const int n = logits.dim(0), k = logits.dim(1);
  if (static_cast<int>(labels.size()) != n)
    throw ShapeError("cross-entropy got " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " rows");
  if (!options.class_weights.empty() && static_cast<int>(options.class_weights.size()) != k)
    throw ArgumentError("cross-entropy has " + std::to_string(options.class_weights.size()) +
                        " class weights for " + std::to_string(k) + " classes");
  const float s = options.label_smoothing;
  softmax(logits, dlogits);  // dlogits holds p, then p - target
  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    const int y = labels[static_cast<size_t>(i)];
    float* g = dlogits.data() + static_cast<int64_t>(i) * k;
    if (y == kUnlabeled) {
      std::fill(g, g + k, 0.0f);
      continue;
    }
    if (y < 0 || y >= k) throw ArgumentError("label " + std::to_string(y) + " outside [0, " + std::to_string(k) + ")");
    const float w = options.class_weights.empty() ? 1.0f : options.class_weights[static_cast<size_t>(y)];
    const float* z = logits.data() + static_cast<int64_t>(i) * k;
    const double lse = log_sum_exp(z, k, 1.0);  // log p_j = z_j - lse
    double loss = 0.0;
    for (int j = 0; j < k; ++j) {
      const float target = (j == y ? 1.0f - s : 0.0f) + s / static_cast<float>(k);
      if (target > 0.0f) loss -= target * (z[j] - lse);
      g[j] = w * (g[j] - target) / static_cast<float>(n);
    }
    total += w * loss;
  }
  return total / n;
}

double l2_penalty(const std::vector<NamedParam>& params, float lambda) {
  if (lambda == 0.0f) return 0.0;
  double sum = 0.0;
  for (const auto& np : params)
    if (np.param->l2 && np.param->trainable)
      for (int64_t i = 0; i < np.param->value.size(); ++i)
        sum += static_cast<double>(np.param->value[i]) * np.param->value[i];
  return lambda * sum;
}

void add_l2_gradient(const std::vector<NamedParam>& params, float lambda) {
  if (lambda == 0.0f) return;
  for (const auto& np : params) {
    if (!np.param->l2 || !np.param->trainable) continue;
    const float* w = np.param->value.data();
    float* g = np.param->grad.data();
    const int64_t n = np.param->value.size();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
    for (int64_t i = 0; i < n; ++i) g[i] += 2.0f * lambda * w[i];
  }
}

}  // namespace fermap
