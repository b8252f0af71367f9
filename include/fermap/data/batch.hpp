// fermap/data/batch.hpp — what one epoch visits (balancing, shuffling) and how a batch of images
// becomes a float tensor (scaling, on-the-fly augmentation, gray -> 3 channels).
//
// Balancing modes (plan_epoch):
//   none    every image once.
//   paper   the paper's rule, "each emotion class balanced to twice the size of the happy class":
//           with L the largest class count, every class gets its originals plus 2L - n_c extra
//           copies, so each class has 2L items (happy 7,215 -> 14,430 each, 57,720 per epoch for
//           the paper's 4 classes). The copies cycle through the class's images in a random order
//           that is reshuffled at each cycle and drawn from (seed, epoch), so over many epochs every
//           image is copied about equally often. Copies are always augmented.
//   sampler class-balanced sampling: an epoch has as many items as the dataset, split equally among
//           the classes (the remainder, one each, to randomly chosen classes). A class cycles
//           through its images in a random order reshuffled at each cycle, so a large class shows
//           a random subset and a small class repeats its images; repeats are always augmented.
// In every mode an image's first appearance in the epoch is augmented only when augment_all is
// set. Classes with no image get no items. The plan is shuffled, a pure function of
// (dataset labels, mode, augment_all, seed, epoch), and each item records its position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fermap/data/augment.hpp"
#include "fermap/data/dataset.hpp"
#include "fermap/tensor.hpp"

namespace fermap {

enum class Balance { none, paper, sampler };

// Parses "none", "paper" or "sampler"; throws ArgumentError otherwise.
Balance parse_balance(const std::string& name);
const char* balance_name(Balance balance);

struct EpochItem {
  uint32_t index = 0;      // image index in the Dataset
  bool augment = false;    // apply a random augmentation
  uint32_t position = 0;   // place in the epoch plan; selects the augmentation draw
};

std::vector<EpochItem> plan_epoch(const Dataset& data, Balance balance, bool augment_all,
                                  uint64_t seed, uint64_t epoch);

struct BatchOptions {
  float scale = 1.0f / 255;  // x = pixel * scale
  int channels = 1;          // 1, or 3 to replicate the gray image (VGG16 / ResNet50 input)
  bool equalize = false;     // histogram-equalise each image before augmenting it (equalize.hpp)
  AugmentOptions augment;
  uint64_t seed = 0;
  uint64_t epoch = 0;
};

// One gray image of `pixels` pixels (uint8 or float) as a model input: dst[p * channels + c] =
// gray[p] * scale for each of the `channels` channels (NHWC; 3 replicate the gray image).
template <class Pixel>
void write_input_pixels(const Pixel* gray, size_t pixels, int channels, float scale, float* dst) {
  const auto ch = static_cast<size_t>(channels);
  for (size_t p = 0; p < pixels; ++p)
    for (size_t c = 0; c < ch; ++c) dst[p * ch + c] = static_cast<float>(gray[p]) * scale;
}

// Fills x with shape [count, H, W, channels] (Tensor::resize: no reallocation when the capacity
// suffices) and labels with the items' labels. An item with augment set is warped by
// draw_augmentation(options.augment, options.seed, epoch * 2^32 + item.position), so a batch is
// reproducible and does not depend on the thread count or on how the epoch is cut into batches.
// OpenMP runs over the batch. Throws ArgumentError on an index out of range or a bad channel count.
void make_batch(const Dataset& data, const EpochItem* items, size_t count,
                const BatchOptions& options, Tensor& x, std::vector<int>& labels);

// Inverse-frequency class weights for a weighted loss, scikit-learn's "balanced" rule:
// w_c = N / (K * n_c), N images, K classes that have images. Every class then carries the same
// total weight, and the weight averaged over the N images is exactly 1, so a loss of
// sum_i w[y_i] * loss_i / N keeps the scale (and the effective learning rate) of the unweighted
// loss. A class with no image gets 0.
std::vector<float> class_weights(const Dataset& data);

}  // namespace fermap
