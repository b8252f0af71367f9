// Training a zoo model on FER2013: recipes, the training loop with validation, checkpoints
// (atomic, every epoch, on interruption and every few minutes), exact resume, metrics CSV and
// curves.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fermap/data/augment.hpp"
#include "fermap/data/batch.hpp"
#include "fermap/optim.hpp"

namespace fermap {

struct TrainConfig {
  std::string recipe = "paper";
  std::string model = "custom_cnn";
  std::string data;                 // image-folder root or fer2013.csv
  std::string classes = "paper";    // "paper" (4), "all" (7) or names: "angry,happy"
  std::string init;                 // start from this model file's weights (same model; the run's classes or more)
  std::string exclude;              // an image list (data/image_list.hpp): training images to leave out
  int epochs = 60;
  int batch = 64;
  float lr = 1e-4f;                 // the constant rate, or the peak of a schedule
  std::string optimizer = "adam";    // adam, adamw, sgd or nesterov
  float weight_decay = 0.0f;        // adamw: decoupled decay of the kernels per step, times lr
  ScheduleKind schedule = ScheduleKind::constant;
  float l2 = 1e-4f;
  bool augment = true;              // random affine augmentation, with these ranges (the paper's):
  float rotation = AugmentOptions{}.rotation_deg;  // degrees either way
  float shift = AugmentOptions{}.width_shift;      // a fraction of the width and of the height, either way
  float zoom = AugmentOptions{}.zoom;              // scale drawn from [1 - zoom, 1 + zoom] per axis
  float erase = AugmentOptions{}.erase;            // probability of random erasing (not in the paper)
  bool augment_all = false;         // augment originals too, not only the balancing copies
  bool flip = false;                // horizontal flips (not in the paper)
  bool equalize = false;            // histogram-equalise every face (not in the paper)
  Balance balance = Balance::paper;
  bool class_weighted = false;      // weight the loss by inverse class frequency
  float label_smoothing = 0.0f;
  // Knowledge distillation: with teachers (trained model files of the same classes and input), the
  // loss is (1 - distill) * the cross-entropy with the labels + distill * distillation_loss against
  // the teachers' averaged probabilities at `temperature`, on the same augmented batch.
  std::vector<std::string> teachers;
  float distill = 0.5f;
  float temperature = 2.0f;
  // When the teachers predict: "online", on every augmented batch as it is drawn; "fixed", once per
  // training image before the first step, unaugmented, so that a step costs no teacher forward pass
  // (the stored probabilities are the targets of every augmented copy of the image); "fixed-tta",
  // the same averaged over the ten test-time views.
  std::string teacher_targets = "online";
  // Transfer classes (with teachers): names of other classes of the data, e.g. "fear,surprise,disgust",
  // whose training images join every epoch without a label. The student learns them from the
  // teachers alone (the distillation term; no cross-entropy), more faces to copy the teachers on.
  // Needs balance none and no mixup or class weights. Empty: none.
  std::string transfer;
  // After each epoch, recompute the batch-norm moving statistics as the plain mean over this many
  // training batches with the epoch's final weights ("precise BN"); 0 keeps Keras' moving average.
  int recalibrate_bn = 0;
  // Which batches: "training", the epoch's first ones, augmented, through the training-mode network
  // (dropout on), as Keras gathers its statistics; "plain", unaugmented training images through the
  // inference-mode network (dropout off), the statistics inference meets (batch_norm_statistics.hpp).
  std::string recalibrate_mode = "training";
  // With a decay in (0, 1), e.g. 0.999: keep an exponential moving average of the weights, and
  // validate and save that average (best.fmp) instead of the weights of the last step. 0: off.
  float ema = 0.0f;
  // mixup: with alpha > 0, e.g. 0.2, every training batch is blended with a shuffled copy of itself,
  // x = l * x + (1 - l) * x', l drawn from Beta(alpha, alpha) (folded into [0.5, 1]), and the loss
  // is the same blend of the two labels' cross-entropies. 0: off.
  float mixup = 0.0f;
  // Sharpness-aware minimisation: with rho > 0, e.g. 0.05, each step's gradient is taken at the
  // weights moved by rho along the normalised gradient (a second forward and backward pass), so
  // that training prefers flat minima. 0: off.
  float sam = 0.0f;
  double val_fraction = 0.1;
  uint64_t seed = 1;
  // The seed of the train/validation split alone; 0: `seed`. Runs of different seeds that share it
  // validate on the same images (a student and its teachers, members of an ensemble).
  uint64_t split_seed = 0;
  int threads = 0;                  // 0: OpenMP's default
  std::string out_dir = "runs/train";
  bool resume = false;
  double checkpoint_minutes = 10;   // also checkpoint mid-epoch this often
  // Time-boxing (not part of the run's identity): after this many steps or minutes in this
  // invocation, checkpoint and return as if interrupted. 0: no limit.
  int64_t max_steps = 0;
  double max_minutes = 0;
  bool skip_bad = false;

  nlohmann::json to_json() const;  // what checkpoints store and --resume compares: the exact values
  // The same as people read it: each float as the shortest decimal that reads back as it (0.002,
  // not 0.0020000000949949026). indent as nlohmann::json::dump's (-1: one line).
  std::string to_text(int indent = -1) const;
};

// "paper": exactly the paper's settings; "fast": ours, the quickest route we found to the paper's
// accuracy on 2 cores. Throws ArgumentError for another name.
TrainConfig recipe(const std::string& name);
std::vector<std::string> recipe_names();

struct EpochRecord {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0, val_loss = 0, val_accuracy = 0, lr = 0, seconds = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;
  int best_epoch = 0;  // 0: no epoch finished
  double best_val_accuracy = 0;
  size_t validation_images = 0;  // 0 with --val-fraction 0: best.fmp is then the last epoch's model
  bool interrupted = false;
  std::string best_model_path, checkpoint_path;
};

// Runs (or, with config.resume, continues) a training run; writes into config.out_dir:
// checkpoint.fmp, best.fmp (best validation accuracy), metrics.csv, curves.png, train.log.
// Setting *stop makes it checkpoint and return at the next batch (interrupted = true).
// Throws fermap::Error on bad data, a checkpoint of other settings, or a non-finite loss.
TrainResult train(const TrainConfig& config, const std::atomic<bool>* stop = nullptr);

}  // namespace fermap
