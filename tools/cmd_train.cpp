// fermap train: flags -> TrainConfig -> fermap::train. Ctrl-C checkpoints and exits with 130.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "fermap/error.hpp"
#include "fermap/train.hpp"
#include "interrupt.hpp"

namespace fermap::cli {

namespace {
// The run's last line before the file paths: how it ended and which epoch best.fmp holds.
std::string outcome(const TrainResult& r) {
  const std::string ended = r.interrupted ? "stopped; " : "done; ";
  if (r.best_epoch == 0) return ended + "no epoch finished yet";
  const std::string epoch = std::to_string(r.best_epoch);
  if (r.validation_images == 0) return ended + "no validation split, so the best model is the last epoch's (" + epoch + ")";
  char accuracy[32];
  std::snprintf(accuracy, sizeof accuracy, "%.4f", r.best_val_accuracy);
  return ended + "best validation accuracy " + accuracy + " at epoch " + epoch;
}

std::string recipe_help() {
  std::string out = "Named settings (explicit flags override them):";
  for (const auto& name : recipe_names()) out += "\n  " + name + ": " + recipe(name).to_json().dump();
  return out;
}
}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model on FER2013 (image folders or fer2013.csv)");
  cmd->footer(recipe_help());
  struct Flags {
    std::string recipe = "paper", schedule, balance, optimizer;
    TrainConfig c;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("--recipe", f->recipe, "paper or fast")->check(CLI::IsMember(recipe_names()));
  cmd->add_option("--data", f->c.data, "Dataset: folder with train/<class>/ or fer2013.csv")->required();
  cmd->add_option("--model", f->c.model, "custom_cnn, custom_cnn_wide (its layers with 1.5x the channels: a teacher), vgg16 or resnet50");
  cmd->add_option("--classes", f->c.classes, "paper (angry,happy,neutral,sad), all, or names");
  cmd->add_option("--init", f->c.init, "Start from this model's weights (same model; its classes, or more of them, whose output units are dropped): fine-tune or warm restart");
  cmd->add_option("--epochs", f->c.epochs)->check(kPositive);
  cmd->add_option("--batch", f->c.batch)->check(kPositive);
  cmd->add_option("--lr", f->c.lr, "Learning rate (the peak of a schedule)")->check(kPositive);
  cmd->add_option("--optimizer", f->optimizer, "adam, adamw, sgd or nesterov");
  cmd->add_option("--weight-decay", f->c.weight_decay,
                  "With --optimizer adamw: decoupled weight decay of the kernels, w -= lr * this * w per step (e.g. 0.05)")
      ->check(kNonNegative);
  cmd->add_option("--schedule", f->schedule, "constant, step, cosine or one-cycle");
  cmd->add_option("--l2", f->c.l2, "L2 factor on kernels (Keras: loss += l2 * sum w^2)")->check(kNonNegative);
  cmd->add_option("--augment", f->c.augment, "Random rotation/shift/zoom (true/false)");
  cmd->add_option("--rotation", f->c.rotation, "Augmentation: rotation range in degrees, either way")->check(CLI::Range(0.0, 180.0));
  cmd->add_option("--shift", f->c.shift, "Augmentation: shift range, a fraction of the width/height")->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--zoom-range", f->c.zoom, "Augmentation: zoom range z, scales in [1 - z, 1 + z]")->check(CLI::Range(0.0, 0.9));
  cmd->add_option("--erase", f->c.erase, "Augmentation: probability of random erasing (one rectangle, 2-25 % of the image)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--augment-all", f->c.augment_all, "Augment originals too, not only balancing copies");
  cmd->add_option("--flip", f->c.flip, "Random horizontal flips");
  cmd->add_option("--balance", f->balance, "paper, sampler or none");
  cmd->add_option("--class-weights", f->c.class_weighted, "Weight the loss by inverse class frequency");
  cmd->add_option("--label-smoothing", f->c.label_smoothing)->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--teacher", f->c.teachers,
                  "Distil from this trained model (same classes and input); repeat for an ensemble of teachers");
  cmd->add_option("--distill", f->c.distill, "With --teacher: the distillation term's weight; the labels get 1 - this")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--temperature", f->c.temperature, "With --teacher: the softmax temperature of the distillation")
      ->check(kPositive);
  cmd->add_option("--teacher-targets", f->c.teacher_targets,
                  "With --teacher: online (the teachers predict every augmented batch), fixed (they predict each "
                  "training image once before training, unaugmented: no teacher pass per step) or fixed-tta (once, "
                  "averaged over the ten test-time views)")
      ->check(CLI::IsMember({"online", "fixed", "fixed-tta"}));
  cmd->add_option("--transfer", f->c.transfer,
                  "With --teacher: other classes of the data (e.g. fear,surprise,disgust) whose training images join each "
                  "epoch without labels, learnt from the teachers alone");
  cmd->add_option("--recalibrate-bn", f->c.recalibrate_bn, "Recompute batch-norm statistics over N batches after each epoch")
      ->check(kNonNegative);
  cmd->add_option("--recalibrate-mode", f->c.recalibrate_mode,
                  "With --recalibrate-bn: training (the epoch's augmented batches, dropout on, as Keras) or plain "
                  "(unaugmented training images, dropout off: the statistics inference meets)")
      ->check(CLI::IsMember({"training", "plain"}));
  cmd->add_option("--ema", f->c.ema,
                  "Average the weights (exponential moving average with this decay, e.g. 0.999) and validate and save the "
                  "average; 0: off")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--mixup", f->c.mixup,
                  "Blend pairs of training images and their labels (mixup), weights drawn from Beta(ALPHA, ALPHA), e.g. "
                  "0.2; 0: off")
      ->check(kNonNegative);
  cmd->add_option("--sam", f->c.sam,
                  "Sharpness-aware minimisation: take each step's gradient at the weights moved by RHO along the "
                  "normalised gradient (twice the compute per step), e.g. 0.05; 0: off")
      ->check(kNonNegative);
  cmd->add_option("--val-fraction", f->c.val_fraction)->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--seed", f->c.seed);
  cmd->add_option("--split-seed", f->c.split_seed,
                  "Seed of the train/validation split alone (0: --seed); share it to validate runs on the same images");
  cmd->add_option("--threads", f->c.threads, "OpenMP threads (0: all cores)")->check(kNonNegative);
  cmd->add_option("--out", f->c.out_dir, "Run folder: checkpoint, best model, metrics.csv, curves.png, train.log");
  cmd->add_flag("--resume", f->c.resume, "Continue the run in --out from its last checkpoint");
  cmd->add_option("--checkpoint-minutes", f->c.checkpoint_minutes, "Also checkpoint mid-epoch this often")
      ->check(kPositive);
  cmd->add_flag("--skip-bad", f->c.skip_bad, "Skip unreadable images instead of stopping");
  cmd->add_option("--max-steps", f->c.max_steps, "Checkpoint and stop after this many steps (resume later; 0: no limit)")
      ->check(kNonNegative);
  cmd->add_option("--max-minutes", f->c.max_minutes,
                  "Checkpoint and stop after this many minutes of training (resume later; 0: no limit)")
      ->check(kNonNegative);
  // Apply the recipe first, then every flag the user gave explicitly.
  cmd->preparse_callback([f](size_t) { f->c = TrainConfig{}; });
  cmd->callback([f, cmd] {
    TrainConfig c = recipe(f->recipe);
    auto given = [&](const char* name) { return cmd->count(name) > 0; };
    const TrainConfig& u = f->c;
    c.data = u.data;
    if (given("--model")) c.model = u.model;
    if (given("--classes")) c.classes = u.classes;
    if (given("--init")) c.init = u.init;
    if (given("--epochs")) c.epochs = u.epochs;
    if (given("--batch")) c.batch = u.batch;
    if (given("--lr")) c.lr = u.lr;
    if (given("--optimizer")) c.optimizer = f->optimizer;
    if (given("--weight-decay")) c.weight_decay = u.weight_decay;
    if (given("--schedule")) c.schedule = parse_schedule(f->schedule);
    if (given("--l2")) c.l2 = u.l2;
    if (given("--augment")) c.augment = u.augment;
    if (given("--rotation")) c.rotation = u.rotation;
    if (given("--shift")) c.shift = u.shift;
    if (given("--zoom-range")) c.zoom = u.zoom;
    if (given("--erase")) c.erase = u.erase;
    if (given("--augment-all")) c.augment_all = u.augment_all;
    if (given("--flip")) c.flip = u.flip;
    if (given("--balance")) c.balance = parse_balance(f->balance);
    if (given("--class-weights")) c.class_weighted = u.class_weighted;
    if (given("--label-smoothing")) c.label_smoothing = u.label_smoothing;
    if (given("--teacher")) c.teachers = u.teachers;
    if (given("--distill")) c.distill = u.distill;
    if (given("--temperature")) c.temperature = u.temperature;
    if (given("--transfer")) c.transfer = u.transfer;
    if (given("--teacher-targets")) c.teacher_targets = u.teacher_targets;
    if (c.teachers.empty() && (given("--distill") || given("--temperature") || given("--teacher-targets")))
      throw ArgumentError("--distill, --temperature and --teacher-targets need at least one --teacher");
    if (given("--val-fraction")) c.val_fraction = u.val_fraction;
    if (given("--recalibrate-bn")) c.recalibrate_bn = u.recalibrate_bn;
    if (given("--recalibrate-mode")) c.recalibrate_mode = u.recalibrate_mode;
    if (given("--ema")) c.ema = u.ema;
    if (given("--mixup")) c.mixup = u.mixup;
    if (given("--sam")) c.sam = u.sam;
    if (given("--seed")) c.seed = u.seed;
    if (given("--split-seed")) c.split_seed = u.split_seed;
    c.threads = u.threads;
    c.out_dir = u.out_dir;
    c.resume = u.resume;
    c.checkpoint_minutes = u.checkpoint_minutes;
    c.skip_bad = u.skip_bad;
    c.max_steps = u.max_steps;
    c.max_minutes = u.max_minutes;
    const std::atomic<bool>& signalled = stop_on_interrupt();
    const TrainResult r = train(c, &signalled);
    std::cout << outcome(r) << "\nbest model: " << r.best_model_path
              << "\ncheckpoint: " << r.checkpoint_path << "\n";
    // Stopped by --max-steps/--max-minutes, the run did what was asked (exit 0). Stopped by a
    // signal, it did not finish: 128 + SIGINT, as a shell reports it, so `train && ship` stops too.
    if (r.interrupted && signalled.load()) throw CLI::RuntimeError(130);
  });
}

}  // namespace fermap::cli
