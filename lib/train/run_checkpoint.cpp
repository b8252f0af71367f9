// Saving a run's checkpoint and resuming from one: the weights, the optimiser and weight-average
// state, the position in the epoch and the history, checked against the run's settings, images
// and teachers before anything is restored.
#include <omp.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "fermap/train_settings.hpp"
#include "train/run.hpp"

namespace fermap {

namespace {

nlohmann::json position_json(const EpochPosition& p) {
  return {{"epoch", p.epoch}, {"next_item", p.next_item}, {"loss_sum", p.loss_sum},
          {"correct", p.correct}, {"seen", p.seen}, {"seconds", p.seconds}, {"labeled", p.labeled}};
}

EpochPosition position_from(const nlohmann::json& j) {
  EpochPosition p;
  p.epoch = j.at("epoch").get<int>();
  p.next_item = j.at("next_item").get<size_t>();
  p.loss_sum = j.at("loss_sum").get<double>();
  p.correct = j.at("correct").get<double>();
  p.seen = j.at("seen").get<double>();
  p.seconds = j.at("seconds").get<double>();
  p.labeled = j.value("labeled", p.seen);  // a checkpoint from before transfer images: every image had a label
  return p;
}

bool same_file_path(const std::string& a, const std::string& b) {
  std::error_code ea, eb;
  const auto ca = std::filesystem::weakly_canonical(a, ea), cb = std::filesystem::weakly_canonical(b, eb);
  return ea || eb ? a == b : ca == cb;
}

}  // namespace

void TrainingRun::save_checkpoint(const EpochPosition& p) {
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

void TrainingRun::restore_state(const LoadedModel& loaded, const std::string& prefix,
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

bool TrainingRun::try_resume(EpochPosition& p) {
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

}  // namespace fermap
