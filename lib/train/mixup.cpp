#include "train/mixup.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "fermap/error.hpp"
#include "fermap/rng.hpp"

namespace fermap {

namespace {

// A standard normal draw (Box-Muller); 1 - u keeps the logarithm's argument in (0, 1].
double normal(Rng& rng) {
  const double u = 1.0 - static_cast<double>(rng.uniform()), v = rng.uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
}

// Gamma(shape, 1) by Marsaglia and Tsang (2000); a shape below 1 draws Gamma(shape + 1) and
// scales it by U^(1/shape).
double gamma(Rng& rng, double shape) {
  if (shape < 1.0) return gamma(rng, shape + 1.0) * std::pow(1.0 - static_cast<double>(rng.uniform()), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = 1.0 - static_cast<double>(rng.uniform());
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

}  // namespace

Mixup draw_mixup(float alpha, size_t count, uint64_t seed, uint64_t stream) {
  if (!(alpha > 0.0f)) throw ArgumentError("mixup needs alpha > 0, got " + std::to_string(alpha));
  Rng rng(mix64(seed ^ mix64(stream ^ 0x6d69787570ull)));  // "mixup": apart from the other streams of this seed
  const double a = gamma(rng, alpha), b = gamma(rng, alpha);
  const double lambda = a + b > 0.0 ? a / (a + b) : 0.5;  // both underflow only for a tiny alpha
  Mixup mix;
  mix.lambda = static_cast<float>(std::max(lambda, 1.0 - lambda));
  mix.partner.resize(count);
  std::iota(mix.partner.begin(), mix.partner.end(), 0u);
  for (size_t i = count; i > 1; --i) std::swap(mix.partner[i - 1], mix.partner[rng.below(i)]);
  return mix;
}

void mix_images(Tensor& x, const Mixup& mix) {
  const size_t count = mix.partner.size();
  if (x.shape().rank() < 1 || static_cast<size_t>(x.dim(0)) != count)
    throw ShapeError("mixup: a draw for " + std::to_string(count) + " images, a batch of " + x.shape().str());
  const int64_t per_image = count ? x.size() / static_cast<int64_t>(count) : 0;
  const std::vector<float> original(x.data(), x.data() + x.size());
  const float keep = mix.lambda, take = 1.0f - mix.lambda;
  for (size_t i = 0; i < count; ++i) {
    float* out = x.data() + static_cast<int64_t>(i) * per_image;
    const float* other = original.data() + static_cast<int64_t>(mix.partner[i]) * per_image;
    for (int64_t k = 0; k < per_image; ++k) out[k] = keep * out[k] + take * other[k];
  }
}

double mixup_cross_entropy(const Tensor& logits, const std::vector<int>& labels, const Mixup& mix,
                           const CrossEntropyOptions& options, Tensor& dlogits) {
  if (labels.size() != mix.partner.size())
    throw ShapeError("mixup: a draw for " + std::to_string(mix.partner.size()) + " images, " +
                     std::to_string(labels.size()) + " labels");
  std::vector<int> partner_labels(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) partner_labels[i] = labels[mix.partner[i]];
  // The cross-entropy is linear in its target, so the blend of the two losses is the loss of the
  // blended target, and likewise for the gradient.
  Tensor dpartner;
  const double own = softmax_cross_entropy(logits, labels, options, dlogits);
  const double other = softmax_cross_entropy(logits, partner_labels, options, dpartner);
  const float keep = mix.lambda, take = 1.0f - mix.lambda;
  for (int64_t i = 0; i < dlogits.size(); ++i) dlogits[i] = keep * dlogits[i] + take * dpartner[i];
  return keep * own + take * other;
}

}  // namespace fermap
