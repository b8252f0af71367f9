// One training run: the state `train()` works on, shared by the files that implement it
// (trainer.cpp: the loop; run_inputs.cpp: data and starting weights; run_checkpoint.cpp: saving
// and resuming).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fermap/data/batch.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/loss.hpp"
#include "fermap/optim.hpp"
#include "fermap/serialize.hpp"
#include "fermap/train.hpp"
#include "train/mixup.hpp"
#include "train/run_files.hpp"
#include "train/sharpness.hpp"
#include "train/teachers.hpp"
#include "train/weight_average.hpp"

namespace fermap {

// Where an interrupted epoch stands.
struct EpochPosition {
  int epoch = 0;        // 0-based epoch in progress
  size_t next_item = 0;  // first plan item not yet trained on
  double loss_sum = 0, correct = 0, seen = 0, seconds = 0;
  double labeled = 0;  // of `seen`, the images with a label (not transfer images): training accuracy's denominator
};

class TrainingRun {
 public:
  TrainingRun(const TrainConfig& config, const std::atomic<bool>* stop)
      : c_(config), stop_(stop), files_(config.out_dir) {}

  TrainResult go();

 private:
  using Clock = std::chrono::steady_clock;

  // The loop (trainer.cpp).
  EpochPosition set_up();
  BatchOptions batch_options() const;  // the run's, for any epoch (BatchOptions::epoch is set per epoch)
  // The steps of one epoch from pos.next_item on, with checkpoints every --checkpoint-minutes;
  // false when a stop was requested (the checkpoint is then saved). `lr` is the last step's.
  bool train_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, EpochPosition& pos, float& lr);
  // Batch-norm recalibration, validation, the best model, the log line, metrics.csv and the checkpoint.
  void end_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, const EpochPosition& pos, float lr);
  EpochRecord finish_epoch(const EpochPosition& p, float lr);
  void validate(EpochRecord& r);
  void recalibrate_batch_norm(const std::vector<EpochItem>& plan, const BatchOptions& bo);
  // --teacher-targets fixed / fixed-tta: the teachers predict every training image once. The
  // checkpoint keeps the targets; a resumed run whose checkpoint lacks them computes the same again.
  void compute_fixed_targets();
  // One training step on batch x: the gradients (twice with --sam), the optimiser's update, the
  // weight average; adds the batch's loss and accuracy to `p`.
  void train_step(const Tensor& x, const std::vector<int>& labels, const Mixup* mix, float lr, EpochPosition& p);
  struct LossAndLogits {
    double loss;
    const Tensor* logits;  // the model's output, valid until its next forward pass
  };
  // The batch's loss at the current weights (labels, teachers, L2) and its gradient in every
  // trainable parameter's grad.
  LossAndLogits loss_and_gradients(const Tensor& x, const std::vector<int>& labels, const Mixup* mix);
  void check_finite(double loss, const EpochPosition& p) const;
  bool stop_requested() const {
    if (stop_ && stop_->load()) return true;
    if (c_.max_steps > 0 && steps_here_ >= c_.max_steps) return true;
    return c_.max_minutes > 0 && std::chrono::duration<double>(Clock::now() - started_).count() > 60.0 * c_.max_minutes;
  }

  // The images and the starting weights (run_inputs.cpp).
  void load_data();
  void exclude_listed_images();
  void add_transfer_images(LoadOptions lo);
  void start_from(const std::string& path);

  // Checkpoints (run_checkpoint.cpp).
  void save_checkpoint(const EpochPosition& p);
  bool try_resume(EpochPosition& p);
  // Fills `tensors` from the checkpoint's extra tensors named prefix + name.
  void restore_state(const LoadedModel& loaded, const std::string& prefix,
                     const std::vector<std::pair<std::string, Tensor*>>& tensors, const std::string& what) const;

  TrainConfig c_;
  const std::atomic<bool>* stop_;
  RunFiles files_;
  Dataset train_, val_;  // train_ ends with the transfer images (classes from labeled_classes_ on), if any
  size_t labeled_classes_ = 0;
  Model model_;
  ModelMeta meta_;
  std::unique_ptr<Optimizer> optimizer_;
  Teachers teachers_;
  std::optional<WeightAverage> average_;  // with --ema
  std::optional<SharpnessAware> sam_;     // with --sam
  Tensor fixed_targets_;  // with --teacher-targets fixed or fixed-tta: the teachers' probabilities, row i for train_ image i
  Tensor dlogits_, teacher_probabilities_, ddistill_;  // per-step buffers
  ScheduleOptions schedule_;
  CrossEntropyOptions loss_options_;
  size_t epoch_items_ = 0;
  TrainResult result_;
  std::string data_fingerprint_;
  std::vector<std::string> early_log_;  // what loading the data and --init have to say, logged once the run folder exists
  int64_t steps_here_ = 0;
  Clock::time_point started_ = Clock::now();  // reset when training starts
  Clock::time_point last_save_ = Clock::now();  // of the last checkpoint
};

}  // namespace fermap
