// Batch-norm statistics recomputed on plain images with dropout off: Layer::update_statistics,
// recompute_batch_norm_statistics, the trainer's --recalibrate-mode plain.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fermap/batch_norm_statistics.hpp"
#include "fermap/data/batch.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/layers.hpp"
#include "gradcheck.hpp"
#include "train_support.hpp"

using namespace fermap;

namespace {

// [N, H, W, C] or [N, C] -> per-channel mean and biased variance (what a batch-norm measures).
struct ChannelStats {
  std::vector<double> mean, var;
};
ChannelStats channel_stats(const Tensor& t) {
  const int c = t.dim(t.shape().rank() - 1);
  const int64_t rows = t.size() / c;
  ChannelStats s{std::vector<double>(c, 0.0), std::vector<double>(c, 0.0)};
  for (int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < c; ++k) s.mean[k] += t[r * c + k];
  for (int k = 0; k < c; ++k) s.mean[k] /= static_cast<double>(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < c; ++k) s.var[k] += (t[r * c + k] - s.mean[k]) * (t[r * c + k] - s.mean[k]);
  for (int k = 0; k < c; ++k) s.var[k] /= static_cast<double>(rows);
  return s;
}

void check_moving(BatchNormalization& bn, const std::vector<double>& mean, const std::vector<double>& var) {
  const auto p = bn.params();  // gamma, beta, moving_mean, moving_variance
  REQUIRE(p[2]->value.size() == static_cast<int64_t>(mean.size()));
  for (size_t k = 0; k < mean.size(); ++k) {
    CHECK(p[2]->value[static_cast<int64_t>(k)] == Approx(mean[k]).margin(1e-5).epsilon(1e-4));
    CHECK(p[3]->value[static_cast<int64_t>(k)] == Approx(var[k]).margin(1e-5).epsilon(1e-4));
  }
}

template <class L>
L& nth_layer(Model& m, int index) {
  L* layer = dynamic_cast<L*>(m.all_layers().at(static_cast<size_t>(index)));
  REQUIRE(layer);
  return *layer;
}

// Input 48x48x1 -> Conv2D(3) -> Dropout(0.5) -> BatchNorm -> Flatten -> Dense(4): a dropout right in
// front of a batch-norm, as in custom_cnn.
Model dropout_then_batch_norm() {
  Model m;
  Conv2DOptions conv;
  conv.filters = 3;
  m.add<Conv2D>(conv);
  m.add<Dropout>(0.5f);
  m.add<BatchNormalization>();
  m.add<Flatten>();
  DenseOptions dense;
  dense.units = 4;
  m.add<Dense>(dense);
  m.build(Shape{48, 48, 1}, 5);
  return m;
}

// Conv2D(2) -> BatchNorm: the main path of a residual block.
LayerChain conv_then_batch_norm() {
  LayerChain main;
  Conv2DOptions conv;
  conv.filters = 2;
  main.add(std::make_unique<Conv2D>(conv));
  main.add(std::make_unique<BatchNormalization>());
  return main;
}

Dataset noise_images(size_t count) {
  Dataset d;
  d.class_names = paper_classes();
  Rng rng(17);
  for (size_t i = 0; i < count; ++i) {
    for (int p = 0; p < 48 * 48; ++p) d.pixels.push_back(static_cast<uint8_t>(rng.below(256)));
    d.labels.push_back(static_cast<int>(i % 4));
    d.sources.push_back("noise_" + std::to_string(i));
  }
  return d;
}

}  // namespace

TEST_CASE("update_statistics: dropout stays off, batch-norm measures the batch and folds it in", "[batch_norm_statistics]") {
  Model m = dropout_then_batch_norm();
  auto& bn = nth_layer<BatchNormalization>(m, 2);
  Tensor x(Shape{6, 48, 48, 1});
  test::fill_uniform(x, 3, 0.0f, 1.0f);
  Tensor conv_out;
  m.all_layers()[0]->infer(x, conv_out);
  const ChannelStats exact = channel_stats(conv_out);

  bn.set_momentum(0.0f);  // moving = this batch's statistics
  Tensor logits;
  m.update_statistics(x, logits);
  check_moving(bn, exact.mean, exact.var);  // with dropout on, the variance would be about twice this
  CHECK(m.all_layers()[1]->state() == nlohmann::json{{"calls", 0}});  // no dropout mask was drawn
  CHECK(logits.shape() == Shape{6, 4});

  // The training forward, by contrast, sees the dropped-out activations.
  m.forward(x);
  const auto p = bn.params();
  CHECK(p[3]->value[0] > 1.5 * exact.var[0]);
}

TEST_CASE("update_statistics reaches the batch-norms inside a residual block", "[batch_norm_statistics]") {
  Model m;
  m.add<ResidualBlock>(conv_then_batch_norm(), LayerChain{});
  m.build(Shape{8, 8, 2}, 3);
  auto& inner = nth_layer<BatchNormalization>(m, 2);  // the block, its conv, its batch-norm
  inner.set_momentum(0.0f);
  Tensor x(Shape{5, 8, 8, 2});
  test::fill_uniform(x, 9);
  Tensor conv_out, y;
  m.all_layers()[1]->infer(x, conv_out);
  m.update_statistics(x, y);
  const ChannelStats exact = channel_stats(conv_out);
  check_moving(inner, exact.mean, exact.var);
}

TEST_CASE("recompute_batch_norm_statistics: the mean over plain batches, weights and momentum untouched",
          "[batch_norm_statistics]") {
  Model m = dropout_then_batch_norm();
  auto& bn = nth_layer<BatchNormalization>(m, 2);
  std::vector<std::vector<float>> trainable_before;
  for (auto& np : m.params())
    if (np.param->trainable) trainable_before.emplace_back(np.param->value.data(), np.param->value.data() + np.param->value.size());
  const Dataset data = noise_images(10);
  BatchNormStatisticsOptions o;
  o.batch = 4;
  o.batches = 2;
  o.seed = 7;
  o.epoch = 3;
  const Preprocessing pre;

  // What it should give: the two batches' statistics of the conv output, averaged.
  const std::vector<EpochItem> plan = plan_epoch(data, Balance::none, false, o.seed, o.epoch);
  std::vector<double> mean(3, 0.0), var(3, 0.0);
  for (int b = 0; b < 2; ++b) {
    Tensor x, conv_out;
    std::vector<int> labels;
    make_batch(data, plan.data() + 4 * b, 4, BatchOptions{}, x, labels);
    m.all_layers()[0]->infer(x, conv_out);
    const ChannelStats s = channel_stats(conv_out);
    for (int k = 0; k < 3; ++k) {
      mean[k] += s.mean[k] / 2;
      var[k] += s.var[k] / 2;
    }
  }
  CHECK(recompute_batch_norm_statistics(m, pre, data, o) == 8);
  check_moving(bn, mean, var);
  CHECK(bn.momentum() == 0.99f);
  size_t i = 0;
  for (auto& np : m.params())
    if (np.param->trainable)
      CHECK(std::vector<float>(np.param->value.data(), np.param->value.data() + np.param->value.size()) == trainable_before[i++]);

  // Every image once: 4 + 4 + 2; a last batch of one image (no variance) is left out.
  o.batches = 0;
  CHECK(recompute_batch_norm_statistics(m, pre, data, o) == 10);
  CHECK(recompute_batch_norm_statistics(m, pre, noise_images(9), o) == 8);
}

TEST_CASE("recompute_batch_norm_statistics refuses what it cannot measure", "[batch_norm_statistics]") {
  Model m = dropout_then_batch_norm();
  BatchNormStatisticsOptions o;
  CHECK_THROWS_WITH(recompute_batch_norm_statistics(m, {}, noise_images(1), o), Catch::Contains("at least 2 images"));
  o.batch = 1;
  CHECK_THROWS_WITH(recompute_batch_norm_statistics(m, {}, noise_images(4), o), Catch::Contains("at least 2 images"));
  Model no_bn = test::classifier_without_batch_norm();
  CHECK(recompute_batch_norm_statistics(no_bn, {}, noise_images(4), BatchNormStatisticsOptions{}) == 0);
  // Nothing to measure, so too little data is no error.
  CHECK(recompute_batch_norm_statistics(no_bn, {}, noise_images(1), BatchNormStatisticsOptions{}) == 0);
}

TEST_CASE("train with recalibrate_mode plain saves the plain statistics of its weights and resumes exactly",
          "[batch_norm_statistics][train]") {
  TrainConfig c = test::tiny_config("recalibrate_plain", 1);
  c.recalibrate_mode = "plain";
  c.recalibrate_bn = 5;
  train(c);
  // Recomputing from the saved weights gives the saved statistics.
  LoadedModel saved = load_model(c.out_dir + "/best.fmp");
  CHECK(saved.meta.extra["config"]["recalibrate_mode"] == "plain");
  LoadedModel again = load_model(c.out_dir + "/best.fmp");
  const Dataset full = load_dataset(c.data, "train", LoadOptions{});
  const TrainValSplit split = split_stratified(full, c.val_fraction, c.seed);
  BatchNormStatisticsOptions o;
  o.batches = c.recalibrate_bn;
  o.batch = c.batch;
  o.seed = c.seed;
  o.epoch = 0;
  for (auto& np : again.model.params())
    if (!np.param->trainable) np.param->value.fill(0.5f);
  recompute_batch_norm_statistics(again.model, again.meta.preprocessing, split.train, o);
  const auto a = saved.model.params(), b = again.model.params();
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].name);
    CHECK(std::vector<float>(a[i].param->value.data(), a[i].param->value.data() + a[i].param->value.size()) ==
          std::vector<float>(b[i].param->value.data(), b[i].param->value.data() + b[i].param->value.size()));
  }
  // The training-mode recalibration gives other statistics from the same run.
  TrainConfig training_mode = test::tiny_config("recalibrate_training", 1);
  training_mode.recalibrate_bn = 5;
  train(training_mode);
  CHECK(test::all_weights(training_mode.out_dir + "/best.fmp") != test::all_weights(c.out_dir + "/best.fmp"));

  test::check_resumes_exactly(
      c, "recalibrate_plain_resumed", [](TrainConfig& changed) { changed.recalibrate_mode = "training"; },
      "recalibrate_mode");
}

TEST_CASE("train refuses a recalibrate_mode other than training or plain", "[batch_norm_statistics][train]") {
  TrainConfig c = test::tiny_config("recalibrate_bad_mode", 1);
  c.recalibrate_mode = "augmented";
  CHECK_THROWS_WITH(train(c), Catch::Contains("--recalibrate-mode is training or plain"));
}

TEST_CASE("BatchNormMomentumScope sets every batch-norm's momentum and gives each its own back", "[batch_norm_statistics]") {
  Model m;
  m.add<BatchNormalization>();
  m.add<ResidualBlock>(conv_then_batch_norm(), LayerChain{});
  m.build(Shape{8, 8, 2}, 3);
  auto& outer = nth_layer<BatchNormalization>(m, 0);
  auto& inner = nth_layer<BatchNormalization>(m, 3);  // the batch-norm, the block, its conv, its batch-norm
  outer.set_momentum(0.9f);
  inner.set_momentum(0.5f);
  {
    BatchNormMomentumScope frozen(m);
    CHECK_FALSE(frozen.empty());
    frozen.set(1.0f);
    CHECK(outer.momentum() == 1.0f);
    CHECK(inner.momentum() == 1.0f);
    // Frozen: a training forward leaves the moving statistics as they were.
    const auto before = inner.params()[2]->value;
    Tensor x(Shape{4, 8, 8, 2});
    test::fill_uniform(x, 5);
    m.forward(x);
    CHECK(inner.params()[2]->value[0] == before[0]);
    CHECK(inner.params()[2]->value[1] == before[1]);
  }
  CHECK(outer.momentum() == 0.9f);
  CHECK(inner.momentum() == 0.5f);

  Model dense_only;
  DenseOptions dense;
  dense.units = 2;
  dense_only.add<Dense>(dense);
  dense_only.build(Shape{3}, 1);
  CHECK(BatchNormMomentumScope(dense_only).empty());
}
