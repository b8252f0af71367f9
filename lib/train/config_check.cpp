#include "train/config_check.hpp"

#include <cmath>
#include <string>

#include "fermap/error.hpp"
#include "fermap/optim.hpp"

namespace fermap {

void check_train_config(const TrainConfig& c) {
  if (c.batch <= 0 || c.epochs <= 0) throw ArgumentError("batch and epochs must be positive");
  if (c.erase > 0 && !c.augment) throw ArgumentError("random erasing (--erase) is part of the augmentation: it needs --augment true");
  if (!(c.distill >= 0.0f && c.distill <= 1.0f) || !(c.temperature > 0.0f))
    throw ArgumentError("distillation needs a weight (--distill) in [0, 1] and a positive --temperature");
  if (!(c.ema >= 0.0f && c.ema < 1.0f)) throw ArgumentError("--ema needs a decay in [0, 1) (0: no weight average)");
  if (!(c.mixup >= 0.0f)) throw ArgumentError("--mixup needs an alpha >= 0 (0: no mixup)");
  if (!(c.sam >= 0.0f && std::isfinite(c.sam))) throw ArgumentError("--sam needs a finite neighbourhood rho >= 0 (0: no SAM)");
  if (c.recalibrate_mode != "training" && c.recalibrate_mode != "plain")
    throw ArgumentError("--recalibrate-mode is training or plain, not \"" + c.recalibrate_mode + "\"");
  make_optimizer(c.optimizer, c.weight_decay);  // throws on a bad name or decay
  if (!c.transfer.empty()) {
    // Only the teachers say anything about a transfer image; balancing would count its classes,
    // mixup and class weights would need its label.
    if (c.teachers.empty()) throw ArgumentError("--transfer images are learnt from the teachers alone: it needs --teacher");
    if (c.balance != Balance::none || c.mixup > 0.0f || c.class_weighted)
      throw ArgumentError("--transfer works with --balance none, without --mixup and --class-weights");
  }
  const bool fixed_targets = c.teacher_targets == "fixed" || c.teacher_targets == "fixed-tta";
  if (!fixed_targets && c.teacher_targets != "online")
    throw ArgumentError("--teacher-targets is online, fixed or fixed-tta, not \"" + c.teacher_targets + "\"");
  if (fixed_targets && c.teachers.empty()) throw ArgumentError("--teacher-targets " + c.teacher_targets + " needs --teacher");
  // The stored targets belong to whole images; a blend of two has none.
  if (fixed_targets && c.mixup > 0.0f)
    throw ArgumentError("--mixup needs --teacher-targets online: the teachers must see the blended images");
}

}  // namespace fermap
