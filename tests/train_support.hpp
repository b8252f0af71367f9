// Helpers of the training tests: a tiny run's settings, a model file's weights, a run interrupted
// and resumed, a model's accuracy on the tiny dataset.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fermap/data/fer2013.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/layers.hpp"
#include "fermap/train.hpp"
#include "synthetic_faces.hpp"

namespace fermap::test {

// Small batches and no augmentation: enough steps for the batch-norm moving statistics (Keras
// momentum 0.99) to settle in seconds.
inline TrainConfig tiny_config(const std::string& out, int epochs) {
  TrainConfig c = recipe("fast");
  c.data = test::synthetic_dataset();
  c.epochs = epochs;
  c.batch = 8;
  c.lr = 1e-3f;
  c.augment = c.flip = false;
  c.label_smoothing = 0.0f;
  c.out_dir = std::string(FERMAP_TEST_TMP) + "/" + out;
  c.checkpoint_minutes = 1e9;
  std::filesystem::remove_all(c.out_dir);
  return c;
}

inline std::vector<float> all_weights(const std::string& path, bool trainable_only = false) {
  LoadedModel m = load_model(path);
  std::vector<float> out;
  for (auto& np : m.model.params())
    if (np.param->trainable || !trainable_only)
      out.insert(out.end(), np.param->value.data(), np.param->value.data() + np.param->value.size());
  return out;
}

// Trains `c` again in folder `out`, interrupted after 11 steps (in the first epoch of the tiny
// dataset) and resumed; returns the run folder, whose files must match an uninterrupted run's.
inline std::string train_interrupted_and_resumed(TrainConfig c, const std::string& out) {
  c.out_dir = std::string(FERMAP_TEST_TMP) + "/" + out;
  std::filesystem::remove_all(c.out_dir);
  c.max_steps = 11;
  REQUIRE(train(c).interrupted);
  c.max_steps = 0;
  c.resume = true;
  train(c);
  return c.out_dir;
}

// `straight` has been trained: trained again in folder `out`, interrupted and resumed, it ends with
// the same weights; that folder refuses to resume once `change` is applied, saying `refusal`.
inline void check_resumes_exactly(const TrainConfig& straight, const std::string& out,
                                  const std::function<void(TrainConfig&)>& change,
                                  const std::string& refusal) {
  const std::string resumed = train_interrupted_and_resumed(straight, out);
  CHECK(all_weights(resumed + "/checkpoint.fmp") == all_weights(straight.out_dir + "/checkpoint.fmp"));
  TrainConfig changed = straight;
  changed.out_dir = resumed;
  changed.resume = true;
  change(changed);
  CHECK_THROWS_WITH(train(changed), Catch::Contains(refusal));
}

// Accuracy of a model file on the tiny dataset's test split (chance is 0.25).
inline double tiny_test_accuracy(const std::string& model_path) {
  LoadedModel m = load_model(model_path);
  return evaluate(m.model, m.meta, load_dataset(test::synthetic_dataset(), "test", LoadOptions{}), {}).metrics.accuracy;
}

// A four-class classifier of 48x48 gray faces without a batch-norm layer: Flatten -> Dense(4).
inline Model classifier_without_batch_norm() {
  Model m;
  m.add<Flatten>();
  DenseOptions dense;
  dense.units = 4;
  m.add<Dense>(dense);
  m.build(Shape{48, 48, 1}, 1);
  return m;
}

}  // namespace fermap::test
