// Recomputing a trained network's batch-norm statistics ("precise BN"), optionally on plain images
// with dropout off.
//
// Why plain images and no dropout: a batch-norm layer's moving statistics are gathered in training,
// from augmented images with dropout on. A dropout in front of a batch-norm (custom_cnn has three)
// widens the activations' variance, and augmentation shifts the images' distribution; at inference
// neither is there, so the layer normalises with the statistics of inputs it will not meet (the
// "variance shift" of Li et al., 2019, "Understanding the disharmony between dropout and batch
// normalization"). Recomputed on the unaugmented training images through the inference-mode
// network, they are the statistics inference sees (docs/results.md measures what that is worth).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "fermap/data/dataset.hpp"
#include "fermap/model.hpp"
#include "fermap/serialize.hpp"

namespace fermap {

class BatchNormalization;

// Sets the momentum of every batch-norm layer of a model for a scope (Keras convention: the share of
// the old moving statistics an update keeps, so 1 freezes them); the destructor gives each layer its
// own momentum back.
class BatchNormMomentumScope {
 public:
  explicit BatchNormMomentumScope(Model& model);
  ~BatchNormMomentumScope();
  BatchNormMomentumScope(const BatchNormMomentumScope&) = delete;
  BatchNormMomentumScope& operator=(const BatchNormMomentumScope&) = delete;

  bool empty() const { return layers_.empty(); }
  void set(float momentum);

 private:
  std::vector<std::pair<BatchNormalization*, float>> layers_;  // each layer and its own momentum
};

// Turns the moving averages of a model's batch-norm layers into plain means: before the k-th batch,
// next() sets each layer's momentum to 1 - 1/k, so that after k batches its moving statistics are
// the mean of the k batches' statistics. The destructor restores every layer's momentum.
class BatchNormAverager {
 public:
  explicit BatchNormAverager(Model& model) : scope_(model) {}

  bool empty() const { return scope_.empty(); }
  void next() { scope_.set(1.0f - 1.0f / static_cast<float>(++count_)); }

 private:
  BatchNormMomentumScope scope_;
  int count_ = 0;
};

struct BatchNormStatisticsOptions {
  int batches = 0;     // at most this many batches; 0: every image of the dataset once
  int batch = 64;      // images per batch
  uint64_t seed = 1;   // the images' order: plan_epoch(data, none, no augmentation, seed, epoch)
  uint64_t epoch = 0;
};

// Sets every batch-norm layer's moving mean and variance to the mean of its batch statistics over
// the unaugmented images of `data` (preprocessed as `pre` says), in batches run through
// Model::update_statistics: every other layer in inference mode, so dropout is off. No weight
// changes. Returns the number of images used; 0, changing nothing, when the model has no
// batch-norm layer, whatever the data; otherwise throws ArgumentError on fewer than 2 images or a
// batch size below 2.
size_t recompute_batch_norm_statistics(Model& model, const Preprocessing& pre, const Dataset& data,
                                       const BatchNormStatisticsOptions& options);

}  // namespace fermap
