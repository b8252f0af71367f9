// Running a model over a whole dataset: class probabilities (optionally test-time augmented) and
// the metrics against the labels.
#pragma once

#include <functional>

#include "fermap/data/dataset.hpp"
#include "fermap/metrics.hpp"
#include "fermap/serialize.hpp"

namespace fermap {

struct EvalOptions {
  int batch = 256;
  // Test-time augmentation: the average of the probabilities over test_time_views() (augment.hpp).
  bool tta = false;
  // Softmax temperature of the probabilities: 1 for evaluation; above 1 softens them (a
  // distillation's targets).
  float temperature = 1.0f;
  // Called after each batch with the number of images done so far (e.g. to draw a progress bar).
  std::function<void(size_t)> on_batch;
};

// [N, classes] probabilities for every image of `data`, in order.
Tensor predict_dataset(const Model& model, const Preprocessing& pre, const Dataset& data, const EvalOptions& options);

struct Evaluation {
  Metrics metrics;
  double loss = 0;  // mean cross-entropy of the (averaged) probabilities
};

// Throws ArgumentError when the dataset's classes differ from the model's.
Evaluation evaluate(const Model& model, const ModelMeta& meta, const Dataset& data, const EvalOptions& options);

struct ModelRef {
  const Model* model;
  const ModelMeta* meta;
};
// An ensemble's [N, classes] probabilities: the average of the models' (each test-time augmented
// if asked). Throws ArgumentError when the list is empty or a model's classes differ from the
// dataset's.
Tensor predict_ensemble(const std::vector<ModelRef>& models, const Dataset& data, const EvalOptions& options);
// The metrics of predict_ensemble's probabilities.
Evaluation evaluate(const std::vector<ModelRef>& models, const Dataset& data, const EvalOptions& options);

// The metrics and mean cross-entropy of [N, classes] probabilities against data's labels.
Evaluation evaluate_probabilities(const Tensor& probabilities, const Dataset& data);

}  // namespace fermap
