// mixup (Zhang et al., 2018): train on blends of two images, x = lambda * x_i + (1 - lambda) * x_j,
// against the same blend of their targets. It regularises by asking for predictions that change
// linearly between training images.
#pragma once

#include <cstdint>
#include <vector>

#include "fermap/loss.hpp"
#include "fermap/tensor.hpp"

namespace fermap {

// One batch's draw: every image i is blended with image partner[i] of the same batch.
struct Mixup {
  float lambda = 1.0f;            // in [0.5, 1]: each image keeps the larger share, so its own label dominates
  std::vector<uint32_t> partner;  // a permutation of 0..count-1
};

// Draws lambda from Beta(alpha, alpha), folded to max(lambda, 1 - lambda), and a random
// permutation of the batch; a pure function of (seed, stream), so a resumed run redraws it.
// Throws ArgumentError unless alpha > 0.
Mixup draw_mixup(float alpha, size_t count, uint64_t seed, uint64_t stream);

// Blends the batch x [N, ...] in place: x_i = lambda * x_i + (1 - lambda) * x_partner[i], every
// blend made from the images as they were. Throws ShapeError when the draw has another batch size.
void mix_images(Tensor& x, const Mixup& mix);

// lambda * CE(logits, labels) + (1 - lambda) * CE(logits, the partners' labels), the mean over the
// batch, with its gradient in dlogits; the options (label smoothing, class weights) apply to both.
double mixup_cross_entropy(const Tensor& logits, const std::vector<int>& labels, const Mixup& mix,
                           const CrossEntropyOptions& options, Tensor& dlogits);

}  // namespace fermap
