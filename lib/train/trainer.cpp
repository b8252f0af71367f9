// The training loop. Everything random is a pure function of (seed, epoch, position) or of a
// layer's call count, and a checkpoint stores the weights, the optimiser state, the layer state
// and the position in the epoch, so a resumed run takes exactly the steps it would have taken.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "fermap/batch_norm_statistics.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/progress.hpp"
#include "fermap/zoo.hpp"
#include "train/config_check.hpp"
#include "train/run.hpp"

namespace fermap {

namespace {

EpochPosition start_of_epoch(int epoch) {
  EpochPosition p;
  p.epoch = epoch;
  return p;
}

// out = the rows of `table` [images, K] of the batch's images, in batch order.
void gather_rows(const Tensor& table, const EpochItem* items, size_t count, Tensor& out) {
  const int k = table.dim(1);
  out.resize(Shape{static_cast<int>(count), k});
  for (size_t i = 0; i < count; ++i)
    std::copy_n(table.data() + static_cast<int64_t>(items[i].index) * k, k, out.data() + static_cast<int64_t>(i) * k);
}

}  // namespace

void TrainingRun::recalibrate_batch_norm(const std::vector<EpochItem>& plan, const BatchOptions& bo) {
  if (c_.recalibrate_bn <= 0) return;
  if (c_.recalibrate_mode == "plain") {
    BatchNormStatisticsOptions o;
    o.batches = c_.recalibrate_bn;
    o.batch = c_.batch;
    o.seed = c_.seed;
    o.epoch = bo.epoch;
    recompute_batch_norm_statistics(model_, meta_.preprocessing, train_, o);
    return;
  }
  // "training": the epoch's own batches, augmented, in training mode (dropout on).
  BatchNormAverager averager(model_);
  if (averager.empty()) return;
  Tensor x;
  std::vector<int> labels;
  const size_t batch = static_cast<size_t>(c_.batch);
  int k = 0;
  for (size_t first = 0; first < plan.size() && k < c_.recalibrate_bn; first += batch) {
    ++k;
    averager.next();
    make_batch(train_, plan.data() + first, std::min(batch, plan.size() - first), bo, x, labels);
    model_.forward(x);
  }
}

void TrainingRun::compute_fixed_targets() {
  const auto start = Clock::now();
  fixed_targets_ = teachers_.probabilities(train_, c_.teacher_targets == "fixed-tta", c_.temperature);
  char line[160];
  std::snprintf(line, sizeof line, "teacher targets: %zu training images predicted once (%s) in %s", train_.size(),
                c_.teacher_targets == "fixed-tta" ? "averaged over the test-time views" : "unaugmented",
                format_duration(std::chrono::duration<double>(Clock::now() - start).count()).c_str());
  files_.log(line);
}

EpochRecord TrainingRun::finish_epoch(const EpochPosition& p, float lr) {
  EpochRecord r;
  r.epoch = p.epoch + 1;
  r.train_loss = p.seen ? p.loss_sum / p.seen : 0.0;
  r.train_accuracy = p.labeled ? p.correct / p.labeled : 0.0;
  r.lr = lr;
  r.seconds = p.seconds;
  validate(r);
  return r;
}

void TrainingRun::validate(EpochRecord& r) {
  if (val_.size() == 0) return;
  const Evaluation e = evaluate(model_, meta_, val_, {});
  r.val_loss = e.loss;
  r.val_accuracy = e.metrics.accuracy;
}

TrainingRun::LossAndLogits TrainingRun::loss_and_gradients(const Tensor& x, const std::vector<int>& labels, const Mixup* mix) {
  model_.zero_grad();
  const Tensor& logits = model_.forward(x);
  double loss = mix ? mixup_cross_entropy(logits, labels, *mix, loss_options_, dlogits_)
                    : softmax_cross_entropy(logits, labels, loss_options_, dlogits_);
  if (!teachers_.empty()) {
    const double kd = distillation_loss(logits, teacher_probabilities_, c_.temperature, ddistill_);
    const float a = c_.distill;
    loss = (1.0 - a) * loss + a * kd;
    for (int64_t i = 0; i < dlogits_.size(); ++i) dlogits_[i] = (1.0f - a) * dlogits_[i] + a * ddistill_[i];
  }
  const auto params = model_.params();
  loss += l2_penalty(params, c_.l2);
  model_.backward(dlogits_);
  add_l2_gradient(params, c_.l2);
  return {loss, &logits};
}

void TrainingRun::check_finite(double loss, const EpochPosition& p) const {
  if (!std::isfinite(loss))
    throw Error("the loss became " + std::to_string(loss) + " at epoch " + std::to_string(p.epoch + 1) + ", step " +
                std::to_string(optimizer_->steps()) + ": training diverged; lower the learning rate (--lr)");
}

void TrainingRun::train_step(const Tensor& x, const std::vector<int>& labels, const Mixup* mix, float lr, EpochPosition& p) {
  const LossAndLogits here = loss_and_gradients(x, labels, mix);
  check_finite(here.loss, p);
  const Tensor& logits = *here.logits;
  const int k = logits.dim(1);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == kUnlabeled) continue;
    const float* row = logits.data() + static_cast<int64_t>(i) * k;
    p.correct += static_cast<int>(std::max_element(row, row + k) - row) == labels[i];
    p.labeled += 1;
  }
  p.loss_sum += here.loss * static_cast<double>(labels.size());
  p.seen += static_cast<double>(labels.size());
  const auto params = model_.params();
  if (sam_) {
    // The second pass, at the moved weights, supplies the gradient only: the batch-norm moving
    // statistics (momentum 1) and the reported loss stay those of the weights themselves.
    sam_->ascend(params);
    {
      BatchNormMomentumScope frozen(model_);
      frozen.set(1.0f);
      check_finite(loss_and_gradients(x, labels, mix).loss, p);
    }
    sam_->restore(params);
  }
  optimizer_->step(params, lr);
  if (average_) average_->update(params, optimizer_->steps());
  ++steps_here_;
}

// Everything before the first step: data, model, teachers, the run folder, optimiser and schedule,
// then the checkpoint to resume from. Returns where training starts.
EpochPosition TrainingRun::set_up() {
  if (c_.threads > 0) omp_set_num_threads(c_.threads);
  check_train_config(c_);
  files_.check_new(c_.resume);
  // Data and starting weights before the run folder exists: bad ones leave nothing behind but one error.
  load_data();
  model_ = make_zoo_model(c_.model, {static_cast<int>(labeled_classes_), c_.seed});
  meta_.classes.assign(train_.class_names.begin(), train_.class_names.begin() + static_cast<std::ptrdiff_t>(labeled_classes_));
  meta_.preprocessing.channels = model_.input_shape()[2];
  meta_.preprocessing.equalize = c_.equalize;
  if (!c_.init.empty() && !(c_.resume && std::filesystem::exists(files_.checkpoint()))) start_from(c_.init);
  teachers_ = Teachers(c_.teachers, meta_.classes, model_.input_shape(), meta_.preprocessing);
  if (!teachers_.empty()) {
    char line[120];
    std::snprintf(line, sizeof line, "distillation: %zu teacher(s), weight %g, temperature %g", c_.teachers.size(),
                  static_cast<double>(c_.distill), static_cast<double>(c_.temperature));
    early_log_.push_back(line);
  }
  files_.create();
  files_.log("config: " + c_.to_text());
  for (const std::string& line : early_log_) files_.log(line);

  optimizer_ = make_optimizer(c_.optimizer, c_.weight_decay);
  optimizer_->prepare(model_.params());  // a run stopped before its first step still checkpoints its (zero) state
  if (c_.ema > 0.0f) {
    average_.emplace(c_.ema);
    average_->prepare(model_.params());
  }
  if (c_.sam > 0.0f) sam_.emplace(c_.sam);
  loss_options_.label_smoothing = c_.label_smoothing;
  if (c_.class_weighted) loss_options_.class_weights = class_weights(train_);

  epoch_items_ = plan_epoch(train_, c_.balance, c_.augment_all, c_.seed, 0).size();
  const int64_t steps_per_epoch = static_cast<int64_t>((epoch_items_ + static_cast<size_t>(c_.batch) - 1) / static_cast<size_t>(c_.batch));
  schedule_.kind = c_.schedule;
  schedule_.base_lr = c_.lr;
  schedule_.total_steps = steps_per_epoch * c_.epochs;

  EpochPosition pos;
  try_resume(pos);
  // Validated as online, fixed or fixed-tta; a resumed run has its targets from the checkpoint.
  if (c_.teacher_targets != "online" && fixed_targets_.empty()) compute_fixed_targets();
  files_.log(std::to_string(epoch_items_) + " images per epoch, " + std::to_string(steps_per_epoch) +
             " steps of " + std::to_string(c_.batch) + ", " + std::to_string(model_.count_params()) + " parameters, " +
             std::to_string(omp_get_max_threads()) + " threads");
  return pos;
}

BatchOptions TrainingRun::batch_options() const {
  BatchOptions bo;
  bo.scale = meta_.preprocessing.scale;
  bo.channels = meta_.preprocessing.channels;
  bo.equalize = meta_.preprocessing.equalize;
  bo.seed = c_.seed;
  bo.augment.horizontal_flip = c_.flip;
  bo.augment.rotation_deg = c_.rotation;
  bo.augment.width_shift = bo.augment.height_shift = c_.shift;
  bo.augment.zoom = c_.zoom;
  bo.augment.erase = c_.erase;
  return bo;
}

bool TrainingRun::train_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, EpochPosition& pos, float& lr) {
  Progress bar("epoch " + std::to_string(pos.epoch + 1) + "/" + std::to_string(c_.epochs), static_cast<int64_t>(plan.size()),
               static_cast<int64_t>(pos.next_item));
  const auto epoch_start = Clock::now();
  const double seconds_before = pos.seconds;
  const auto time_so_far = [&] { return seconds_before + std::chrono::duration<double>(Clock::now() - epoch_start).count(); };
  Tensor x;
  std::vector<int> labels;
  while (pos.next_item < plan.size()) {
    if (stop_requested()) {
      pos.seconds = time_so_far();
      save_checkpoint(pos);
      files_.log("interrupted: checkpoint saved at epoch " + std::to_string(pos.epoch + 1) + ", item " +
                 std::to_string(pos.next_item) + "; continue with --resume");
      return false;
    }
    const size_t count = std::min(static_cast<size_t>(c_.batch), plan.size() - pos.next_item);
    make_batch(train_, plan.data() + pos.next_item, count, bo, x, labels);
    for (int& y : labels)
      if (static_cast<size_t>(y) >= labeled_classes_) y = kUnlabeled;
    std::optional<Mixup> mix;
    if (c_.mixup > 0.0f) {
      mix = draw_mixup(c_.mixup, count, c_.seed, (static_cast<uint64_t>(pos.epoch) << 32) + pos.next_item);
      mix_images(x, *mix);  // the teachers, too, see the blended images
    }
    if (!fixed_targets_.empty())
      gather_rows(fixed_targets_, plan.data() + pos.next_item, count, teacher_probabilities_);
    else if (!teachers_.empty())
      teachers_.probabilities(x, c_.temperature, teacher_probabilities_);
    lr = learning_rate(schedule_, static_cast<int64_t>(optimizer_->steps()));
    train_step(x, labels, mix ? &*mix : nullptr, lr, pos);
    pos.next_item += count;
    char status[96];
    std::snprintf(status, sizeof status, "loss %.4f acc %.4f lr %.2e", pos.loss_sum / pos.seen,
                  pos.labeled ? pos.correct / pos.labeled : 0.0, lr);
    bar.update(static_cast<int64_t>(pos.next_item), status);
    if (std::chrono::duration<double>(Clock::now() - last_save_).count() > 60.0 * c_.checkpoint_minutes &&
        pos.next_item < plan.size()) {
      pos.seconds = time_so_far();
      save_checkpoint(pos);
      last_save_ = Clock::now();
    }
  }
  pos.seconds = time_so_far();
  bar.finish();
  return true;
}

void TrainingRun::end_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, const EpochPosition& pos, float lr) {
  recalibrate_batch_norm(plan, bo);
  EpochRecord record = finish_epoch(pos, lr);
  // With --ema the average is what gets validated and saved; the last step's weights only
  // report their accuracy beside it. The average gets its own batch-norm statistics.
  const double raw_val_accuracy = record.val_accuracy;
  if (average_) {
    average_->swap_with(model_.params());
    recalibrate_batch_norm(plan, bo);
    validate(record);
  }
  result_.history.push_back(record);
  // Without a validation split (--val-fraction 0) the best model is the latest one.
  if (val_.size() == 0 || record.val_accuracy > result_.best_val_accuracy || result_.best_epoch == 0) {
    result_.best_val_accuracy = record.val_accuracy;
    result_.best_epoch = record.epoch;
    meta_.extra = {{"config", c_.to_json()}, {"epoch", record.epoch}, {"val_accuracy", record.val_accuracy}};
    save_model(files_.best_model(), model_, meta_);
  }
  if (average_) average_->swap_with(model_.params());
  std::string validation = "no validation split";
  if (val_.size()) {
    char part[64];
    std::snprintf(part, sizeof part, "val loss %.4f acc %.4f", record.val_loss, record.val_accuracy);
    validation = part;
    if (average_) {
      std::snprintf(part, sizeof part, " (last step's weights: %.4f)", raw_val_accuracy);
      validation += part;
    }
  }
  char line[260];
  std::snprintf(line, sizeof line, "epoch %d/%d: loss %.4f acc %.4f | %s | lr %.2e | %s%s", record.epoch, c_.epochs,
                record.train_loss, record.train_accuracy, validation.c_str(), record.lr, format_duration(record.seconds).c_str(),
                record.epoch == result_.best_epoch ? " | best" : "");
  files_.log(line);
  files_.write_metrics(result_.history);
  save_checkpoint(start_of_epoch(pos.epoch + 1));
  last_save_ = Clock::now();
}

TrainResult TrainingRun::go() {
  EpochPosition pos = set_up();
  const BatchOptions base = batch_options();
  last_save_ = started_ = Clock::now();  // --max-minutes counts training, not loading the data
  for (; pos.epoch < c_.epochs; ++pos.epoch, pos = start_of_epoch(pos.epoch)) {
    std::vector<EpochItem> plan = plan_epoch(train_, c_.balance, c_.augment_all, c_.seed, static_cast<uint64_t>(pos.epoch));
    if (!c_.augment)
      for (auto& item : plan) item.augment = false;
    BatchOptions bo = base;
    bo.epoch = static_cast<uint64_t>(pos.epoch);
    float lr = 0.0f;
    const bool finished = train_epoch(plan, bo, pos, lr);
    result_.checkpoint_path = files_.checkpoint();
    result_.best_model_path = files_.best_model();
    if (!finished) {
      result_.interrupted = true;
      return result_;
    }
    end_epoch(plan, bo, pos, lr);
  }
  return result_;
}

TrainResult train(const TrainConfig& config, const std::atomic<bool>* stop) { return TrainingRun(config, stop).go(); }

}  // namespace fermap
