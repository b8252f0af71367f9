// The named training recipes and the config's JSON form (logged and stored in checkpoints).
#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "fermap/train.hpp"

namespace fermap {

std::vector<std::string> recipe_names() { return {"paper", "fast"}; }

TrainConfig recipe(const std::string& name) {
  TrainConfig c;
  c.recipe = name;
  if (name == "paper") {
    // Section 3.5 / Table 5: Adam, learning rate 1e-4, batch 64, 60 epochs; section 3.2's
    // augmentation, every class brought to twice the happy class. The paper gives no L2 factor.
    return c;
  }
  if (name == "fast") {
    // Ours: a one-cycle learning rate peaking at 2e-3, every image augmented each epoch with
    // flips, label smoothing, no oversampling (a balanced epoch costs 2.7x the images), and
    // batch-norm statistics recomputed after each epoch (they lag behind fast-moving weights).
    c.epochs = 40;
    c.lr = 2e-3f;
    c.schedule = ScheduleKind::one_cycle;
    c.augment_all = true;
    c.flip = true;
    c.balance = Balance::none;
    c.label_smoothing = 0.1f;
    c.recalibrate_bn = 50;
    return c;
  }
  throw ArgumentError("unknown recipe \"" + name + "\" (expected paper or fast)");
}

nlohmann::json TrainConfig::to_json() const {
  return {{"recipe", recipe},
          {"model", model},
          {"data", data},
          {"classes", classes},
          {"init", init},
          {"epochs", epochs},
          {"batch", batch},
          {"lr", lr},
          {"optimizer", optimizer},
          {"weight_decay", weight_decay},
          {"schedule", to_string(schedule)},
          {"l2", l2},
          {"augment", augment},
          {"rotation", rotation},
          {"shift", shift},
          {"zoom", zoom},
          {"erase", erase},
          {"augment_all", augment_all},
          {"flip", flip},
          {"balance", balance_name(balance)},
          {"class_weighted", class_weighted},
          {"label_smoothing", label_smoothing},
          {"teachers", teachers},
          {"distill", distill},
          {"temperature", temperature},
          {"teacher_targets", teacher_targets},
          {"transfer", transfer},
          {"recalibrate_bn", recalibrate_bn},
          {"recalibrate_mode", recalibrate_mode},
          {"ema", ema},
          {"mixup", mixup},
          {"sam", sam},
          {"val_fraction", val_fraction},
          {"seed", seed},
          {"split_seed", split_seed}};
}

}  // namespace fermap
