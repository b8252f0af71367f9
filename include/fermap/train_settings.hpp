// The one list of TrainConfig's settings. From it come the `fermap train` flags (and which of them
// the user gave, to lay over a recipe), the config's JSON in train.log and checkpoints, and what
// `--resume` compares. A new setting is one line here plus its member in TrainConfig.
#pragma once

#include "fermap/train.hpp"

namespace fermap {

struct TrainSetting {
  enum class Limit { none, positive, non_negative, range };

  const char* flag;  // "--lr"
  const char* key;   // its name in the config's JSON; nullptr: how to run, not what (threads, --out)
  const char* help;
  Limit limit = Limit::none;      // what the command line checks
  double min = 0, max = 0;        // with Limit::range
  const char* choices = nullptr;  // the values allowed, space-separated
  bool is_switch = false;         // a flag without a value (--resume)
  bool is_required = false;
  // Checkpoints from before this setting existed lack it; they were made with its default, the
  // behaviour there was then (tests/test_train.cpp pins those defaults).
  bool lacking_in_old_checkpoints = false;

  constexpr TrainSetting(const char* flag_, const char* key_, const char* help_)
      : flag(flag_), key(key_), help(help_) {}
  constexpr TrainSetting positive() const { return with(&TrainSetting::limit, Limit::positive); }
  constexpr TrainSetting non_negative() const { return with(&TrainSetting::limit, Limit::non_negative); }
  constexpr TrainSetting range(double lo, double hi) const {
    return with(&TrainSetting::limit, Limit::range).with(&TrainSetting::min, lo).with(&TrainSetting::max, hi);
  }
  constexpr TrainSetting one_of(const char* values) const { return with(&TrainSetting::choices, values); }
  constexpr TrainSetting as_switch() const { return with(&TrainSetting::is_switch, true); }
  constexpr TrainSetting required() const { return with(&TrainSetting::is_required, true); }
  constexpr TrainSetting added_later() const { return with(&TrainSetting::lacking_in_old_checkpoints, true); }

 private:
  template <class T>
  constexpr TrainSetting with(T TrainSetting::*field, T value) const {
    TrainSetting s = *this;
    s.*field = value;
    return s;
  }
};

// Calls visit(setting, &TrainConfig::member) for each setting, in the order `--help` lists them.
template <class Visit>
void for_each_train_setting(Visit&& visit) {
  using S = TrainSetting;
  visit(S("--data", "data", "Dataset: folder with train/<class>/ or fer2013.csv").required(), &TrainConfig::data);
  visit(S("--model", "model",
          "custom_cnn, custom_cnn_wide (its layers with 1.5x the channels: a teacher), vgg16 or resnet50"),
        &TrainConfig::model);
  visit(S("--classes", "classes", "paper (angry,happy,neutral,sad), all, or names"), &TrainConfig::classes);
  visit(S("--exclude", "exclude",
          "Leave out the training images this list names (one per line, e.g. from fermap data suspects); the "
          "validation images stay")
            .added_later(),
        &TrainConfig::exclude);
  visit(S("--init", "init",
          "Start from this model's weights (same model; its classes, or more of them, whose output units are "
          "dropped): fine-tune or warm restart")
            .added_later(),
        &TrainConfig::init);
  visit(S("--epochs", "epochs", "Passes over the training images").positive(), &TrainConfig::epochs);
  visit(S("--batch", "batch", "Images per step").positive(), &TrainConfig::batch);
  visit(S("--lr", "lr", "Learning rate (the peak of a schedule)").positive(), &TrainConfig::lr);
  visit(S("--optimizer", "optimizer", "adam, adamw, sgd or nesterov"), &TrainConfig::optimizer);
  visit(S("--weight-decay", "weight_decay",
          "With --optimizer adamw: decoupled weight decay of the kernels, w -= lr * this * w per step (e.g. 0.05)")
            .non_negative()
            .added_later(),
        &TrainConfig::weight_decay);
  visit(S("--schedule", "schedule", "constant, step, cosine or one-cycle"), &TrainConfig::schedule);
  visit(S("--l2", "l2", "L2 factor on kernels (Keras: loss += l2 * sum w^2)").non_negative(), &TrainConfig::l2);
  visit(S("--augment", "augment", "Random rotation/shift/zoom (true/false)"), &TrainConfig::augment);
  visit(S("--rotation", "rotation", "Augmentation: rotation range in degrees, either way").range(0, 180).added_later(),
        &TrainConfig::rotation);
  visit(S("--shift", "shift", "Augmentation: shift range, a fraction of the width/height").range(0, 0.5).added_later(),
        &TrainConfig::shift);
  visit(S("--zoom-range", "zoom", "Augmentation: zoom range z, scales in [1 - z, 1 + z]").range(0, 0.9).added_later(),
        &TrainConfig::zoom);
  visit(S("--erase", "erase", "Augmentation: probability of random erasing (one rectangle, 2-25 % of the image)")
            .range(0, 1)
            .added_later(),
        &TrainConfig::erase);
  visit(S("--augment-all", "augment_all", "Augment originals too, not only balancing copies"),
        &TrainConfig::augment_all);
  visit(S("--flip", "flip", "Random horizontal flips"), &TrainConfig::flip);
  visit(S("--equalize", "equalize",
          "Histogram-equalise every face before anything else; the model records it, so eval, predict and the "
          "app do the same")
            .added_later(),
        &TrainConfig::equalize);
  visit(S("--balance", "balance", "paper, sampler or none"), &TrainConfig::balance);
  visit(S("--class-weights", "class_weighted", "Weight the loss by inverse class frequency"),
        &TrainConfig::class_weighted);
  visit(S("--label-smoothing", "label_smoothing", "Share of each label spread over all classes").range(0, 0.5),
        &TrainConfig::label_smoothing);
  visit(S("--teacher", "teachers",
          "Distil from this trained model (same classes and input); repeat for an ensemble of teachers")
            .added_later(),
        &TrainConfig::teachers);
  visit(S("--distill", "distill", "With --teacher: the distillation term's weight; the labels get 1 - this")
            .range(0, 1)
            .added_later(),
        &TrainConfig::distill);
  visit(S("--temperature", "temperature", "With --teacher: the softmax temperature of the distillation")
            .positive()
            .added_later(),
        &TrainConfig::temperature);
  visit(S("--teacher-targets", "teacher_targets",
          "With --teacher: online (the teachers predict every augmented batch), fixed (they predict each training "
          "image once before training, unaugmented: no teacher pass per step) or fixed-tta (once, averaged over the "
          "ten test-time views)")
            .one_of("online fixed fixed-tta")
            .added_later(),
        &TrainConfig::teacher_targets);
  visit(S("--transfer", "transfer",
          "With --teacher: other classes of the data (e.g. fear,surprise,disgust) whose training images join each "
          "epoch without labels, learnt from the teachers alone")
            .added_later(),
        &TrainConfig::transfer);
  visit(S("--recalibrate-bn", "recalibrate_bn", "Recompute batch-norm statistics over N batches after each epoch")
            .non_negative(),
        &TrainConfig::recalibrate_bn);
  visit(S("--recalibrate-mode", "recalibrate_mode",
          "With --recalibrate-bn: training (the epoch's augmented batches, dropout on, as Keras) or plain "
          "(unaugmented training images, dropout off: the statistics inference meets)")
            .one_of("training plain")
            .added_later(),
        &TrainConfig::recalibrate_mode);
  visit(S("--ema", "ema",
          "Average the weights (exponential moving average with this decay, e.g. 0.999) and validate and save the "
          "average; 0: off")
            .range(0, 1)
            .added_later(),
        &TrainConfig::ema);
  visit(S("--mixup", "mixup",
          "Blend pairs of training images and their labels (mixup), weights drawn from Beta(ALPHA, ALPHA), e.g. "
          "0.2; 0: off")
            .non_negative()
            .added_later(),
        &TrainConfig::mixup);
  visit(S("--sam", "sam",
          "Sharpness-aware minimisation: take each step's gradient at the weights moved by RHO along the "
          "normalised gradient (twice the compute per step), e.g. 0.05; 0: off")
            .non_negative()
            .added_later(),
        &TrainConfig::sam);
  visit(S("--val-fraction", "val_fraction", "Share of the training images held out for validation").range(0, 0.5),
        &TrainConfig::val_fraction);
  visit(S("--seed", "seed", "Seed of the weights, the split and the data order"), &TrainConfig::seed);
  visit(S("--split-seed", "split_seed",
          "Seed of the train/validation split alone (0: --seed); share it to validate runs on the same images")
            .added_later(),
        &TrainConfig::split_seed);
  visit(S("--threads", nullptr, "OpenMP threads (0: all cores)").non_negative(), &TrainConfig::threads);
  visit(S("--out", nullptr, "Run folder: checkpoint, best model, metrics.csv, curves.png, train.log"),
        &TrainConfig::out_dir);
  visit(S("--resume", nullptr, "Continue the run in --out from its last checkpoint").as_switch(), &TrainConfig::resume);
  visit(S("--checkpoint-minutes", nullptr, "Also checkpoint mid-epoch this often").positive(),
        &TrainConfig::checkpoint_minutes);
  visit(S("--skip-bad", nullptr, "Skip unreadable images instead of stopping").as_switch(), &TrainConfig::skip_bad);
  visit(
      S("--max-steps", nullptr, "Checkpoint and stop after this many steps (resume later; 0: no limit)").non_negative(),
      &TrainConfig::max_steps);
  visit(
      S("--max-minutes", nullptr, "Checkpoint and stop after this many minutes of training (resume later; 0: no limit)")
          .non_negative(),
      &TrainConfig::max_minutes);
}

}  // namespace fermap
