// Classifier: a loaded model with its class names and preprocessing, from raw face pixels to
// class probabilities. What the application (faces, songs, web) uses.
#pragma once

#include <string>
#include <vector>

#include "fermap/serialize.hpp"

namespace fermap {

// Throws FormatError naming `path` unless the model classifies images: its input is [S, S, 1 or 3]
// with S at most kMaxClassifierSide, its output one score per class name, and its preprocessing
// names its input channels. A file of another architecture fails here, not in the middle of a run.
constexpr int kMaxClassifierSide = 512;
void check_classifier_model(const LoadedModel& loaded, const std::string& path);

struct ClassifierOptions {
  // Test-time augmentation: each face's probabilities averaged over test_time_views() (ten views:
  // small shifts and mirror images). About half a point of accuracy on FER2013's test split for
  // ten times the inference work (docs/results.md).
  bool tta = false;
};

class Classifier {
 public:
  // Throws fermap::Error naming the file when it cannot be loaded or fails check_classifier_model.
  static Classifier load(const std::string& model_path, const ClassifierOptions& options = {});
  Classifier(Model model, ModelMeta meta, const ClassifierOptions& options = {});

  const std::vector<std::string>& classes() const { return meta_.classes; }
  const ModelMeta& meta() const { return meta_; }
  const Model& model() const { return model_; }
  const ClassifierOptions& options() const { return options_; }

  // faces [N, H, W, 1] with pixel values 0..255 -> [N, classes] probabilities. Applies the
  // model's scaling and channel replication, and test-time augmentation when asked. Thread-safe.
  Tensor predict(const Tensor& faces) const;

 private:
  Model model_;
  ModelMeta meta_;
  ClassifierOptions options_;
};

}  // namespace fermap
