// The training loop. Everything random is a pure function of (seed, epoch, position) or of a
// layer's call count, and a checkpoint stores the weights, the optimiser state, the layer state
// and the position in the epoch, so a resumed run takes exactly the steps it would have taken.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "fermap/batch_norm_statistics.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/loss.hpp"
#include "fermap/plot.hpp"
#include "fermap/progress.hpp"
#include "fermap/serialize.hpp"
#include "fermap/train.hpp"
#include "fermap/train_settings.hpp"
#include "fermap/zoo.hpp"
#include "train/class_subset_init.hpp"
#include "train/config_check.hpp"
#include "train/fingerprint.hpp"
#include "train/mixup.hpp"
#include "train/run_files.hpp"
#include "train/sharpness.hpp"
#include "train/teachers.hpp"
#include "train/weight_average.hpp"

namespace fermap {

namespace {

using Clock = std::chrono::steady_clock;

// Where an interrupted epoch stands.
struct Position {
  int epoch = 0;        // 0-based epoch in progress
  size_t next_item = 0;  // first plan item not yet trained on
  double loss_sum = 0, correct = 0, seen = 0, seconds = 0;
  double labeled = 0;  // of `seen`, the images with a label (not transfer images): training accuracy's denominator
};

Position start_of_epoch(int epoch) {
  Position p;
  p.epoch = epoch;
  return p;
}

nlohmann::json position_json(const Position& p) {
  return {{"epoch", p.epoch}, {"next_item", p.next_item}, {"loss_sum", p.loss_sum},
          {"correct", p.correct}, {"seen", p.seen}, {"seconds", p.seconds}, {"labeled", p.labeled}};
}

Position position_from(const nlohmann::json& j) {
  Position p;
  p.epoch = j.at("epoch").get<int>();
  p.next_item = j.at("next_item").get<size_t>();
  p.loss_sum = j.at("loss_sum").get<double>();
  p.correct = j.at("correct").get<double>();
  p.seen = j.at("seen").get<double>();
  p.seconds = j.at("seconds").get<double>();
  p.labeled = j.value("labeled", p.seen);  // a checkpoint from before transfer images: every image had a label
  return p;
}

// What the run trains and validates on, independent of where the folder lives: a checksum of the
// split's pixels and labels. A moved data folder resumes; other images do not.
std::string data_fingerprint(const Dataset& train, const Dataset& val) {
  Fingerprint f;
  for (const Dataset* d : {&train, &val}) {
    f.add({reinterpret_cast<const char*>(d->pixels.data()), d->pixels.size()});
    f.add({reinterpret_cast<const char*>(d->labels.data()), d->labels.size() * sizeof(int)});
  }
  return f.hex();
}

bool same_file_path(const std::string& a, const std::string& b) {
  std::error_code ea, eb;
  const auto ca = std::filesystem::weakly_canonical(a, ea), cb = std::filesystem::weakly_canonical(b, eb);
  return ea || eb ? a == b : ca == cb;
}

// out = the rows of `table` [images, K] of the batch's images, in batch order.
void gather_rows(const Tensor& table, const EpochItem* items, size_t count, Tensor& out) {
  const int k = table.dim(1);
  out.resize(Shape{static_cast<int>(count), k});
  for (size_t i = 0; i < count; ++i)
    std::copy_n(table.data() + static_cast<int64_t>(items[i].index) * k, k, out.data() + static_cast<int64_t>(i) * k);
}

class Run {
 public:
  Run(const TrainConfig& config, const std::atomic<bool>* stop)
      : c_(config), stop_(stop), files_(config.out_dir) {}

  TrainResult go();

 private:
  Position set_up();
  BatchOptions batch_options() const;  // the run's, for any epoch (BatchOptions::epoch is set per epoch)
  // The steps of one epoch from pos.next_item on, with checkpoints every --checkpoint-minutes;
  // false when a stop was requested (the checkpoint is then saved). `lr` is the last step's.
  bool train_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, Position& pos, float& lr);
  // Batch-norm recalibration, validation, the best model, the log line, metrics.csv and the checkpoint.
  void end_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, const Position& pos, float lr);
  void load_data();
  void add_transfer_images(LoadOptions lo);
  void save_checkpoint(const Position& p);
  bool try_resume(Position& p);
  // Fills `tensors` from the checkpoint's extra tensors named prefix + name.
  void restore_state(const LoadedModel& loaded, const std::string& prefix,
                     const std::vector<std::pair<std::string, Tensor*>>& tensors, const std::string& what) const;
  void start_from(const std::string& path);
  EpochRecord finish_epoch(const Position& p, float lr);
  void validate(EpochRecord& r);
  void recalibrate_batch_norm(const std::vector<EpochItem>& plan, const BatchOptions& bo);
  // --teacher-targets fixed / fixed-tta: the teachers predict every training image once. The
  // checkpoint keeps the targets; a resumed run whose checkpoint lacks them computes the same again.
  void compute_fixed_targets();
  // One training step on batch x: the gradients (twice with --sam), the optimiser's update, the
  // weight average; adds the batch's loss and accuracy to `p`.
  void train_step(const Tensor& x, const std::vector<int>& labels, const Mixup* mix, float lr, Position& p);
  struct LossAndLogits {
    double loss;
    const Tensor* logits;  // the model's output, valid until its next forward pass
  };
  // The batch's loss at the current weights (labels, teachers, L2) and its gradient in every
  // trainable parameter's grad.
  LossAndLogits loss_and_gradients(const Tensor& x, const std::vector<int>& labels, const Mixup* mix);
  void check_finite(double loss, const Position& p) const;
  bool stop_requested() const {
    if (stop_ && stop_->load()) return true;
    if (c_.max_steps > 0 && steps_here_ >= c_.max_steps) return true;
    return c_.max_minutes > 0 && std::chrono::duration<double>(Clock::now() - started_).count() > 60.0 * c_.max_minutes;
  }

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

void Run::load_data() {
  LoadOptions lo;
  lo.classes = parse_class_list(c_.classes);
  lo.skip_bad = c_.skip_bad;
  LoadReport report;
  const Dataset full = load_dataset(c_.data, "train", lo, &report);
  if (report.skipped) early_log_.push_back(report.summary());
  TrainValSplit split = split_stratified(full, c_.val_fraction, c_.split_seed ? c_.split_seed : c_.seed);
  train_ = std::move(split.train);
  val_ = std::move(split.val);
  if (train_.size() == 0) throw Error(c_.data + ": no training images");
  result_.validation_images = val_.size();
  std::string counts;
  const auto tc = train_.class_counts(), vc = val_.class_counts();
  for (size_t k = 0; k < train_.class_names.size(); ++k)
    counts += " " + train_.class_names[k] + " " + std::to_string(tc[k]) + "/" + std::to_string(vc[k]);
  early_log_.push_back("data: " + std::to_string(train_.size()) + " train, " + std::to_string(val_.size()) +
             " validation images (train/validation per class:" + counts + ")");
  labeled_classes_ = train_.class_names.size();
  if (!c_.transfer.empty()) add_transfer_images(lo);
  data_fingerprint_ = data_fingerprint(train_, val_);
}

// The transfer classes' training images join train_ as extra classes after the labelled ones; the
// batches mark them kUnlabeled. All of them train: none goes to the validation split, which stays
// the labelled classes'.
void Run::add_transfer_images(LoadOptions lo) {
  lo.classes = parse_class_list(c_.transfer);
  for (const std::string& name : lo.classes)
    if (std::find(train_.class_names.begin(), train_.class_names.end(), name) != train_.class_names.end())
      throw ArgumentError("--transfer: " + name + " is one of the classes the student learns (" +
                          join_class_list(train_.class_names) + "); transfer classes must be others");
  LoadReport report;
  const Dataset transfer = load_dataset(c_.data, "train", lo, &report);
  if (report.skipped) early_log_.push_back("transfer images: " + report.summary());
  if (transfer.size() == 0) throw Error(c_.data + ": no training images of the transfer classes " + join_class_list(lo.classes));
  train_.pixels.insert(train_.pixels.end(), transfer.pixels.begin(), transfer.pixels.end());
  train_.sources.insert(train_.sources.end(), transfer.sources.begin(), transfer.sources.end());
  for (int label : transfer.labels) train_.labels.push_back(static_cast<int>(labeled_classes_) + label);
  train_.class_names.insert(train_.class_names.end(), transfer.class_names.begin(), transfer.class_names.end());
  train_.check();
  std::string counts;
  const auto tc = transfer.class_counts();
  for (size_t k = 0; k < transfer.class_names.size(); ++k) counts += " " + transfer.class_names[k] + " " + std::to_string(tc[k]);
  early_log_.push_back("transfer: " + std::to_string(transfer.size()) + " training images without labels, learnt from the teachers alone (" +
                       counts.substr(1) + ")");
}

void Run::save_checkpoint(const Position& p) {
  meta_.extra = {{"config", c_.to_json()},
                 {"data_fingerprint", data_fingerprint_},
                 {"teacher_fingerprint", teachers_.fingerprint()},
                 {"threads", omp_get_max_threads()},
                 {"position", position_json(p)},
                 {"optimizer_steps", optimizer_->steps()},
                 {"history", history_json(result_.history)},
                 {"best_epoch", result_.best_epoch},
                 {"best_val_accuracy", result_.best_val_accuracy}};
  NamedTensors extra;
  for (auto& [name, t] : optimizer_->state_tensors()) extra.emplace_back("optimizer/" + name, t);
  if (average_)
    for (auto& [name, t] : average_->state_tensors()) extra.emplace_back("average/" + name, t);
  if (!fixed_targets_.empty()) extra.emplace_back("teacher_targets", &fixed_targets_);
  save_model(files_.checkpoint(), model_, meta_, extra);
}

void Run::restore_state(const LoadedModel& loaded, const std::string& prefix,
                        const std::vector<std::pair<std::string, Tensor*>>& tensors, const std::string& what) const {
  for (auto& [name, t] : tensors) {
    auto found = loaded.extra_tensors.find(prefix + name);
    if (found == loaded.extra_tensors.end())
      throw FormatError(files_.checkpoint() + ": " + what + " for " + name + " is missing");
    if (found->second.shape() != t->shape())
      throw FormatError(files_.checkpoint() + ": " + what + " for " + name + " has shape " + found->second.shape().str() +
                        ", the run needs " + t->shape().str());
    *t = found->second;
  }
}

bool Run::try_resume(Position& p) {
  if (!c_.resume) return false;
  if (!std::filesystem::exists(files_.checkpoint())) {
    files_.log("--resume: no checkpoint in " + c_.out_dir + " yet, so this is a new run");
    return false;
  }
  LoadedModel loaded = load_into(files_.checkpoint(), model_);
  const nlohmann::json& extra = loaded.meta.extra;
  if (!extra.contains("config") || !extra["config"].is_object() || !extra.contains("position"))
    throw FormatError(files_.checkpoint() + ": not a training checkpoint");
  nlohmann::json saved = extra["config"], now = c_.to_json();
  // A setting the checkpoint does not name is newer than the checkpoint, which was made with the
  // behaviour there was before the setting existed: the setting's default.
  nlohmann::json before_setting_existed = nlohmann::json::object();
  const nlohmann::json defaults = TrainConfig{}.to_json();
  for_each_train_setting([&](const TrainSetting& s, auto) {
    if (s.lacking_in_old_checkpoints) before_setting_existed[s.key] = defaults[s.key];
  });
  for (auto it = now.begin(); it != now.end(); ++it) {
    // The images are compared below, not the folder's name; the starting weights only mattered at
    // step 0 (the checkpoint holds the current ones), so a moved --init file does not matter either.
    // The teachers, like the images, are compared by their bytes.
    if (it.key() == "data" || it.key() == "init" || it.key() == "teachers") continue;
    const nlohmann::json was = saved.contains(it.key()) ? saved[it.key()] : before_setting_existed.value(it.key(), nlohmann::json());
    if (was != it.value())
      throw Error(files_.checkpoint() + ": was made with " + it.key() + " = " + was.dump() + ", not " + it.value().dump() +
                  "; use the same settings or another --out");
  }
  const std::string saved_data = saved.value("data", std::string());
  if (extra.contains("data_fingerprint")) {
    if (extra["data_fingerprint"] != data_fingerprint_)
      throw Error(files_.checkpoint() + ": was made with other images than " + c_.data + " holds (it was made from " +
                  saved_data + "); use the same data or another --out");
  } else if (!same_file_path(saved_data, c_.data)) {  // a checkpoint from before fingerprints
    throw Error(files_.checkpoint() + ": was made with data = \"" + saved_data + "\", not \"" + c_.data +
                "\"; use the same data or another --out");
  }
  if (extra.value("teacher_fingerprint", std::string()) != teachers_.fingerprint())
    throw Error(files_.checkpoint() + ": was made with other teachers than " + nlohmann::json(c_.teachers).dump() +
                " (it was made with " + saved.value("teachers", nlohmann::json::array()).dump() +
                "); use the same teacher files or another --out");
  if (saved_data != c_.data) files_.log("data: the checkpoint's images, now read from " + c_.data + " (were " + saved_data + ")");
  // The same teachers on the same images: the stored targets are the ones computing them again
  // would give, without the minutes that takes.
  const auto targets = loaded.extra_tensors.find("teacher_targets");
  if (c_.teacher_targets != "online" && targets != loaded.extra_tensors.end() && targets->second.shape().rank() == 2 &&
      static_cast<size_t>(targets->second.dim(0)) == train_.size() && targets->second.dim(1) == static_cast<int>(labeled_classes_)) {
    fixed_targets_ = targets->second;
    files_.log("teacher targets: read from the checkpoint");
  }
  optimizer_->prepare(model_.params());
  restore_state(loaded, "optimizer/", optimizer_->state_tensors(), "optimizer state");
  // The progress the checkpoint records; a missing or mistyped entry (an older build's file, or
  // an edited one) is an error naming the file, not a bare JSON exception.
  uint64_t steps = 0;
  try {
    steps = extra.at("optimizer_steps").get<uint64_t>();
    p = position_from(extra.at("position"));
    result_.history = history_from(extra.at("history"));
    result_.best_epoch = extra.value("best_epoch", 0);
    result_.best_val_accuracy = extra.value("best_val_accuracy", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(files_.checkpoint() + ": malformed training progress (" + e.what() + ")");
  }
  optimizer_->set_steps(steps);
  if (average_) {
    average_->prepare(model_.params());
    restore_state(loaded, "average/", average_->state_tensors(), "the weight average");
  }
  // Sums split across threads (batch-norm statistics, gradients) add up in another order with
  // another thread count: the run goes on, but no longer bit for bit as it would have.
  const int saved_threads = extra.value("threads", 0);
  if (saved_threads && saved_threads != omp_get_max_threads())
    files_.log("note: the checkpoint was made with " + std::to_string(saved_threads) + " threads, this run has " +
               std::to_string(omp_get_max_threads()) + "; it continues, but rounding differs from an uninterrupted run");
  files_.log("resumed from " + files_.checkpoint() + " at epoch " + std::to_string(p.epoch + 1) + ", item " +
             std::to_string(p.next_item) + " of " + std::to_string(epoch_items_));
  return true;
}

void Run::start_from(const std::string& path) {
  LoadedModel source = load_model(path);
  if (source.meta.classes == meta_.classes) {
    load_into(path, model_);  // refuses another architecture
    early_log_.push_back("init: weights (batch-norm statistics included) from " + path);
    return;
  }
  init_from_class_superset(source, path, model_, meta_.classes);
  early_log_.push_back("init: weights (batch-norm statistics included) from " + path + ", its output layer narrowed from " +
                       join_class_list(source.meta.classes) + " to " + join_class_list(meta_.classes));
}

void Run::recalibrate_batch_norm(const std::vector<EpochItem>& plan, const BatchOptions& bo) {
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

void Run::compute_fixed_targets() {
  const auto start = Clock::now();
  fixed_targets_ = teachers_.probabilities(train_, c_.teacher_targets == "fixed-tta", c_.temperature);
  char line[160];
  std::snprintf(line, sizeof line, "teacher targets: %zu training images predicted once (%s) in %s", train_.size(),
                c_.teacher_targets == "fixed-tta" ? "averaged over the test-time views" : "unaugmented",
                format_duration(std::chrono::duration<double>(Clock::now() - start).count()).c_str());
  files_.log(line);
}

EpochRecord Run::finish_epoch(const Position& p, float lr) {
  EpochRecord r;
  r.epoch = p.epoch + 1;
  r.train_loss = p.seen ? p.loss_sum / p.seen : 0.0;
  r.train_accuracy = p.labeled ? p.correct / p.labeled : 0.0;
  r.lr = lr;
  r.seconds = p.seconds;
  validate(r);
  return r;
}

void Run::validate(EpochRecord& r) {
  if (val_.size() == 0) return;
  const Evaluation e = evaluate(model_, meta_, val_, {});
  r.val_loss = e.loss;
  r.val_accuracy = e.metrics.accuracy;
}

Run::LossAndLogits Run::loss_and_gradients(const Tensor& x, const std::vector<int>& labels, const Mixup* mix) {
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

void Run::check_finite(double loss, const Position& p) const {
  if (!std::isfinite(loss))
    throw Error("the loss became " + std::to_string(loss) + " at epoch " + std::to_string(p.epoch + 1) + ", step " +
                std::to_string(optimizer_->steps()) + ": training diverged; lower the learning rate (--lr)");
}

void Run::train_step(const Tensor& x, const std::vector<int>& labels, const Mixup* mix, float lr, Position& p) {
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
Position Run::set_up() {
  if (c_.threads > 0) omp_set_num_threads(c_.threads);
  check_train_config(c_);
  files_.check_new(c_.resume);
  // Data and starting weights before the run folder exists: bad ones leave nothing behind but one error.
  load_data();
  model_ = make_zoo_model(c_.model, {static_cast<int>(labeled_classes_), c_.seed});
  meta_.classes.assign(train_.class_names.begin(), train_.class_names.begin() + static_cast<std::ptrdiff_t>(labeled_classes_));
  meta_.preprocessing.channels = model_.input_shape()[2];
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

  Position pos;
  try_resume(pos);
  // Validated as online, fixed or fixed-tta; a resumed run has its targets from the checkpoint.
  if (c_.teacher_targets != "online" && fixed_targets_.empty()) compute_fixed_targets();
  files_.log(std::to_string(epoch_items_) + " images per epoch, " + std::to_string(steps_per_epoch) +
             " steps of " + std::to_string(c_.batch) + ", " + std::to_string(model_.count_params()) + " parameters, " +
             std::to_string(omp_get_max_threads()) + " threads");
  return pos;
}

BatchOptions Run::batch_options() const {
  BatchOptions bo;
  bo.channels = model_.input_shape()[2];
  bo.seed = c_.seed;
  bo.augment.horizontal_flip = c_.flip;
  bo.augment.rotation_deg = c_.rotation;
  bo.augment.width_shift = bo.augment.height_shift = c_.shift;
  bo.augment.zoom = c_.zoom;
  bo.augment.erase = c_.erase;
  return bo;
}

bool Run::train_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, Position& pos, float& lr) {
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

void Run::end_epoch(const std::vector<EpochItem>& plan, const BatchOptions& bo, const Position& pos, float lr) {
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

TrainResult Run::go() {
  Position pos = set_up();
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

}  // namespace

TrainResult train(const TrainConfig& config, const std::atomic<bool>* stop) { return Run(config, stop).go(); }

}  // namespace fermap
