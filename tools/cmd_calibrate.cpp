// fermap calibrate MODEL --data ROOT --out OUT: recompute a trained model's batch-norm statistics on
// its unaugmented training images with dropout off (batch_norm_statistics.hpp says why), leaving out
// the validation images the model was chosen on, and report the validation accuracy before and after.
// With --class-bias, then fit per-class offsets of the logits on the validation images
// (class_bias.hpp says why) and fold them into the output layer's bias.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "recorded_split.hpp"
#include "fermap/batch_norm_statistics.hpp"
#include "fermap/class_bias.hpp"
#include "fermap/classifier.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/layers/batch_norm.hpp"

namespace fermap::cli {

namespace {

struct CalibrateFlags {
  std::string model, data, out;
  BatchNormStatisticsOptions statistics;
  double val_fraction = 0.1;
  uint64_t split_seed = 1;
  bool skip_bad = false;
  bool class_bias = false;
};

double validation_accuracy(const LoadedModel& m, const Dataset& val) {
  return val.size() ? evaluate(m.model, m.meta, val, EvalOptions{}).metrics.accuracy : 0.0;
}

// Fits the offsets on the validation images, adds them to the output bias and returns the record.
nlohmann::json fit_and_add_class_bias(LoadedModel& loaded, const Dataset& val) {
  const Tensor probabilities = predict_dataset(loaded.model, loaded.meta.preprocessing, val, EvalOptions{});
  const Evaluation before = evaluate_probabilities(probabilities, val);
  const ClassBiasFit fit = fit_class_bias(probabilities, val.labels);
  add_to_output_bias(loaded.model, fit.offsets);
  const Evaluation after = evaluate(loaded.model, loaded.meta, val, EvalOptions{});
  nlohmann::json offsets = nlohmann::json::object();
  for (size_t c = 0; c < fit.offsets.size(); ++c) offsets[loaded.meta.classes[c]] = fit.offsets[c];
  return {{"offsets", offsets},
          {"val_images", val.size()},
          {"val_loss_before", before.loss},
          {"val_loss_after", after.loss},
          {"val_accuracy_before", before.metrics.accuracy},
          {"val_accuracy_after", after.metrics.accuracy},
          {"val_macro_f1_before", before.metrics.macro.f1},
          {"val_macro_f1_after", after.metrics.macro.f1},
          {"newton_steps", fit.iterations}};
}

std::string class_bias_report(const nlohmann::json& r) {
  std::string offsets;
  for (const auto& [name, value] : r["offsets"].items()) {
    char part[80];
    std::snprintf(part, sizeof part, "%s%s %+.4f", offsets.empty() ? "" : ", ", name.c_str(), value.get<double>());
    offsets += part;
  }
  char line[400];
  std::snprintf(line, sizeof line,
                "class bias fitted on the validation images: %s\n"
                "validation loss %.4f -> %.4f, accuracy %.4f -> %.4f, macro F1 %.4f -> %.4f",
                offsets.c_str(), r["val_loss_before"].get<double>(), r["val_loss_after"].get<double>(),
                r["val_accuracy_before"].get<double>(), r["val_accuracy_after"].get<double>(),
                r["val_macro_f1_before"].get<double>(), r["val_macro_f1_after"].get<double>());
  return line;
}

void calibrate(const CLI::App& cmd, CalibrateFlags f) {
  LoadedModel loaded = load_model(f.model);
  check_classifier_model(loaded, f.model);
  int batch_norms = 0;
  for (Layer* layer : loaded.model.all_layers()) batch_norms += dynamic_cast<BatchNormalization*>(layer) != nullptr;
  if (batch_norms == 0 && !f.class_bias)
    throw ArgumentError(f.model + ": the model has no batch-norm layer, so there are no statistics to recompute");
  const std::string split_line = choose_split(loaded.meta, cmd, f.val_fraction, f.split_seed);
  if (!(f.val_fraction >= 0 && f.val_fraction < 1)) throw ArgumentError("--val-fraction must be in [0, 1)");
  if (f.class_bias && f.val_fraction == 0)
    throw ArgumentError("--class-bias fits on the validation images, so --val-fraction must be above 0");

  LoadOptions lo;
  lo.classes = loaded.meta.classes;
  lo.height = lo.width = loaded.model.input_shape()[0];
  lo.skip_bad = f.skip_bad;
  LoadReport report;
  const Dataset full = load_dataset(f.data, "train", lo, &report);
  if (report.skipped) std::cerr << report.summary() << "\n";
  const TrainValSplit split = split_stratified(full, f.val_fraction, f.split_seed);
  if (split.train.size() < 2 && batch_norms > 0)
    throw ArgumentError(f.data + ": " + std::to_string(split.train.size()) +
                        " training image(s) outside the validation split; the statistics need at least 2");

  const double before = validation_accuracy(loaded, split.val);
  const size_t used = recompute_batch_norm_statistics(loaded.model, loaded.meta.preprocessing, split.train, f.statistics);
  const double after = validation_accuracy(loaded, split.val);
  nlohmann::json class_bias;
  if (f.class_bias) {
    if (split.val.size() == 0) throw ArgumentError(f.data + ": the validation split is empty, so there is nothing to fit the class bias on");
    class_bias = fit_and_add_class_bias(loaded, split.val);
  }

  nlohmann::json record = {{"data", f.data},
                           {"images", used},
                           {"batch", f.statistics.batch},
                           {"seed", f.statistics.seed},
                           {"val_fraction", f.val_fraction},
                           {"split_seed", f.split_seed},
                           {"from", f.model}};
  if (split.val.size()) {
    record["val_accuracy_before"] = before;
    record["val_accuracy_after"] = after;
  }
  if (!loaded.meta.extra.is_object()) loaded.meta.extra = nlohmann::json::object();
  if (batch_norms > 0) loaded.meta.extra["batch_norm_statistics"] = record;
  if (f.class_bias) loaded.meta.extra["class_bias"] = class_bias;
  save_model(f.out, loaded.model, loaded.meta);

  std::cout << f.model << ": " << batch_norms << " batch-norm layers\n" << split_line << "\n";
  if (batch_norms > 0)
    std::cout << "statistics recomputed on " << with_commas(static_cast<int64_t>(used))
              << " unaugmented training images, dropout off, in batches of " << f.statistics.batch << "\n";
  if (split.val.size() && batch_norms > 0) {
    char line[120];
    std::snprintf(line, sizeof line, "validation accuracy (%zu images): %.4f before, %.4f after", split.val.size(), before, after);
    std::cout << line << "\n";
  }
  if (f.class_bias) std::cout << class_bias_report(class_bias) << "\n";
  std::cout << "wrote " << f.out << "\n";
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "calibrate",
      "Recompute a trained model's batch-norm statistics on its unaugmented training images with dropout off "
      "(and, with --class-bias, fit per-class offsets of its logits on the validation images)");
  auto f = std::make_shared<CalibrateFlags>();
  cmd->add_option("model", f->model, "Trained model file (.fmp)")->required();
  cmd->add_option("--data", f->data, "Dataset the model was trained on: folder with train/<class>/ or fer2013.csv")->required();
  cmd->add_option("--out", f->out, "Where to write the recalibrated model (may be MODEL itself; written atomically)")->required();
  cmd->add_option("--batches", f->statistics.batches, "Use at most this many batches (0: every training image once)")
      ->check(kNonNegative);
  cmd->add_option("--batch", f->statistics.batch, "Images per batch")->check(CLI::Range(2, 4096));
  cmd->add_option("--seed", f->statistics.seed, "Seed of the images' order");
  cmd->add_option("--val-fraction", f->val_fraction,
                  "Validation images to leave out (default: the model's own training split, else 0.1)")
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--split-seed", f->split_seed, "Seed of the validation split (default: the model's own, else 1)");
  cmd->add_flag("--class-bias", f->class_bias,
                "Then fit per-class offsets of the logits on the validation images (lowest cross-entropy) and add them to "
                "the output layer's bias");
  cmd->add_flag("--skip-bad", f->skip_bad, "Skip unreadable images instead of stopping");
  cmd->preparse_callback([f](size_t) { *f = CalibrateFlags{}; });
  cmd->callback([f, cmd] { calibrate(*cmd, *f); });
}

}  // namespace fermap::cli
