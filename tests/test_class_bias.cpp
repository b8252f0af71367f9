// Per-class offsets of the logits fitted on held-out images: fit_class_bias, add_to_output_bias,
// and `fermap calibrate --class-bias`.
#include <cmath>
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "fermap/class_bias.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/layers.hpp"
#include "fermap/rng.hpp"
#include "train_support.hpp"

namespace fs = std::filesystem;
using namespace fermap;

namespace {

struct Sample {
  Tensor probabilities;  // softmax of the logits, without the offsets
  std::vector<int> labels;  // drawn from softmax(logits + true offsets)
};

// `n` rows of random logits; each label is drawn from the softmax of the logits plus `offsets`,
// so the offsets that best explain the labels are `offsets` (up to a common shift).
Sample draw(int n, const std::vector<double>& offsets, uint64_t seed) {
  const int classes = static_cast<int>(offsets.size());
  Rng rng(seed);
  Sample s{Tensor({n, classes}), std::vector<int>(static_cast<size_t>(n))};
  std::vector<double> z(offsets.size());
  for (int i = 0; i < n; ++i) {
    for (double& v : z) v = rng.uniform(-2.0f, 2.0f);
    double plain = 0, shifted = 0;
    for (int c = 0; c < classes; ++c) plain += std::exp(z[c]), shifted += std::exp(z[c] + offsets[c]);
    for (int c = 0; c < classes; ++c) s.probabilities[int64_t{i} * classes + c] = static_cast<float>(std::exp(z[c]) / plain);
    double u = rng.uniform() * shifted;
    int y = 0;
    while (y < classes - 1 && (u -= std::exp(z[y] + offsets[y])) > 0) ++y;
    s.labels[static_cast<size_t>(i)] = y;
  }
  return s;
}

std::vector<double> centred(std::vector<double> v) {
  double mean = 0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  for (double& x : v) x -= mean;
  return v;
}

}  // namespace

TEST_CASE("fit_class_bias recovers the offsets the labels were drawn with", "[class_bias]") {
  const std::vector<double> truth = centred({0.6, -0.4, 0.0, -0.9});
  const Sample s = draw(40000, truth, 7);
  const ClassBiasFit fit = fit_class_bias(s.probabilities, s.labels);
  REQUIRE(fit.offsets.size() == 4);
  double sum = 0;
  for (size_t c = 0; c < 4; ++c) {
    CHECK(fit.offsets[c] == Approx(truth[c]).margin(0.05));
    sum += fit.offsets[c];
  }
  CHECK(sum == Approx(0).margin(1e-12));
  CHECK(fit.loss_after < fit.loss_before - 0.01);
  CHECK(fit.iterations >= 1);
  CHECK(fit.iterations < 100);

  // At the fit, no small change of one offset lowers the loss further.
  Sample shifted = s;
  for (int c = 0; c < 4; ++c)
    for (double delta : {-0.02, 0.02}) {
      std::vector<double> d = fit.offsets;
      d[static_cast<size_t>(c)] += delta;
      // softmax(log p + d): the probabilities with the offsets applied, then fitted again from there.
      for (int i = 0; i < 40000; ++i) {
        double sum_row = 0;
        for (int k = 0; k < 4; ++k) sum_row += s.probabilities[int64_t{i} * 4 + k] * std::exp(d[static_cast<size_t>(k)]);
        for (int k = 0; k < 4; ++k)
          shifted.probabilities[int64_t{i} * 4 + k] =
              static_cast<float>(s.probabilities[int64_t{i} * 4 + k] * std::exp(d[static_cast<size_t>(k)]) / sum_row);
      }
      CHECK(fit_class_bias(shifted.probabilities, s.labels).loss_before > fit.loss_after);
    }
}

TEST_CASE("fit_class_bias leaves calibrated probabilities nearly as they are", "[class_bias]") {
  const Sample s = draw(40000, {0.0, 0.0, 0.0}, 11);
  const ClassBiasFit fit = fit_class_bias(s.probabilities, s.labels);
  for (double d : fit.offsets) CHECK(std::abs(d) < 0.05);
  CHECK(fit.loss_after <= fit.loss_before);
  CHECK(fit.loss_before - fit.loss_after < 1e-3);
}

TEST_CASE("fit_class_bias rejects mismatched input", "[class_bias]") {
  const Sample s = draw(10, {0.0, 0.0}, 3);
  CHECK_THROWS_WITH(fit_class_bias(s.probabilities, std::vector<int>(9, 0)), Catch::Contains("one row per label"));
  std::vector<int> bad = s.labels;
  bad[4] = 2;
  CHECK_THROWS_WITH(fit_class_bias(s.probabilities, bad), Catch::Contains("label 2 is out of range for 2 classes"));
  CHECK_THROWS_WITH(fit_class_bias(Tensor({0, 2}), {}), Catch::Contains("no images"));
}

TEST_CASE("add_to_output_bias shifts every image's logits by the offsets", "[class_bias]") {
  Model model = test::classifier_without_batch_norm();
  Tensor x({3, 48, 48, 1});
  Rng rng(5);
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform();
  Tensor before, after;
  model.infer(x, before);
  const std::vector<double> offsets{0.5, -0.25, 0.0, 1.5};
  add_to_output_bias(model, offsets);
  model.infer(x, after);
  for (int i = 0; i < 3; ++i)
    for (int c = 0; c < 4; ++c) CHECK(after[i * 4 + c] - before[i * 4 + c] == Approx(offsets[static_cast<size_t>(c)]).margin(1e-5));

  CHECK_THROWS_WITH(add_to_output_bias(model, {1.0, 2.0}), Catch::Contains("2 offsets for an output of 4 classes"));
  Model relu_head;
  relu_head.add<Flatten>();
  DenseOptions dense;
  dense.units = 4;
  dense.activation = Activation::relu;
  relu_head.add<Dense>(dense);
  relu_head.build(Shape{48, 48, 1}, 1);
  CHECK_THROWS_WITH(add_to_output_bias(relu_head, offsets), Catch::Contains("linear activation"));
  Model no_head;
  no_head.add<Flatten>();
  no_head.build(Shape{4, 1, 1}, 1);
  CHECK_THROWS_WITH(add_to_output_bias(no_head, offsets), Catch::Contains("not a Dense layer"));
}

TEST_CASE("fermap calibrate --class-bias folds the fitted offsets into the output bias", "[cli][class_bias]") {
  TrainConfig c = test::tiny_config("cli_class_bias_run", 1);
  c.seed = 4;
  train(c);
  const std::string model = c.out_dir + "/best.fmp";
  const std::string out = std::string(FERMAP_TEST_TMP) + "/cli_class_bias.fmp";
  fs::remove(out);
  const test::CliRun run =
      test::run_cli_captured("calibrate " + model + " --data " + test::synthetic_dataset() + " --out " + out + " --class-bias");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("statistics recomputed on 144 unaugmented training images"));
  CHECK_THAT(run.out, Catch::Contains("class bias fitted on the validation images: angry "));

  const LoadedModel calibrated = load_model(out);
  const nlohmann::json& record = calibrated.meta.extra["class_bias"];
  CHECK(record["val_images"] == 16);
  CHECK(record["val_loss_after"].get<double>() <= record["val_loss_before"].get<double>());
  double sum = 0;
  for (const std::string& name : paper_classes()) sum += record["offsets"][name].get<double>();
  CHECK(sum == Approx(0).margin(1e-9));
  CHECK(calibrated.meta.extra.contains("batch_norm_statistics"));

  // Only the output layer's bias differs from the statistics-only calibration.
  const std::string statistics_only = std::string(FERMAP_TEST_TMP) + "/cli_class_bias_statistics_only.fmp";
  REQUIRE(test::run_cli_captured("calibrate " + model + " --data " + test::synthetic_dataset() + " --out " + statistics_only).exit_code == 0);
  const std::vector<float> with = test::all_weights(out), without = test::all_weights(statistics_only);
  REQUIRE(with.size() == without.size());
  size_t differing = 0, first_differing = with.size();
  for (size_t i = 0; i < with.size(); ++i)
    if (with[i] != without[i]) differing++, first_differing = std::min(first_differing, i);
  CHECK(differing <= 4);
  CHECK(first_differing >= with.size() - 4);

  // A model without batch-norm: only the offsets are fitted.
  Model plain = test::classifier_without_batch_norm();
  ModelMeta meta;
  meta.classes = paper_classes();
  const std::string no_bn = std::string(FERMAP_TEST_TMP) + "/cli_class_bias_no_bn.fmp";
  save_model(no_bn, plain, meta);
  const test::CliRun bias_only =
      test::run_cli_captured("calibrate " + no_bn + " --data " + test::synthetic_dataset() + " --out " + out + " --class-bias");
  INFO(bias_only.out << bias_only.err);
  CHECK(bias_only.exit_code == 0);
  CHECK_THAT(bias_only.out, !Catch::Contains("statistics recomputed"));
  CHECK_THAT(bias_only.out, Catch::Contains("class bias fitted on the validation images"));
  const LoadedModel biased = load_model(out);
  CHECK(biased.meta.extra.contains("class_bias"));
  CHECK_FALSE(biased.meta.extra.contains("batch_norm_statistics"));

  const test::CliRun none = test::run_cli_captured("calibrate " + model + " --data " + test::synthetic_dataset() + " --out " + out +
                                                   " --class-bias --val-fraction 0");
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("--val-fraction must be above 0"));
}
