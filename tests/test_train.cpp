// End-to-end training on a tiny synthetic dataset: learns, writes its files, resumes exactly.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <omp.h>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/train.hpp"
#include "fermap/train_settings.hpp"
#include "fermap/zoo.hpp"
#include "cli_runner.hpp"
#include "model_file_edit.hpp"
#include "synthetic_faces.hpp"
#include "train/run_files.hpp"
#include "train_support.hpp"

using namespace fermap;
using namespace fermap::test;
namespace fs = std::filesystem;

namespace {
size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}
// A numeric training option (e.g. mixup's alpha) set to `value`: the run still learns the tiny
// dataset; interrupted in its first epoch and resumed, it ends with the same weights as straight
// through; the option reaches the training (other weights than without it); a checkpoint made
// without it refuses to resume with it; and `bad_value` is refused. `prepare` sets what the option
// needs (e.g. its optimizer) in every run, with and without it.
void check_training_option(const std::string& name, float TrainConfig::*option, float value, float bad_value,
                           const std::function<void(TrainConfig&)>& prepare = [](TrainConfig&) {}) {
  TrainConfig straight = tiny_config("train_" + name + "_straight", 2);
  prepare(straight);
  straight.*option = value;
  const TrainResult r = train(straight);
  const double accuracy = tiny_test_accuracy(r.best_model_path);
  INFO(name << " " << value << ": test accuracy " << accuracy);
  CHECK(accuracy > 0.6);

  const std::string broken = train_interrupted_and_resumed(straight, "train_" + name + "_broken");
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp") == all_weights(broken + "/checkpoint.fmp"));

  TrainConfig plain = tiny_config("train_" + name + "_plain", 2);
  prepare(plain);
  train(plain);
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp", true) != all_weights(plain.out_dir + "/checkpoint.fmp", true));
  plain.resume = true;
  plain.*option = value;
  CHECK_THROWS_WITH(train(plain), Catch::Contains("was made with " + name + " = 0.0, not "));
  TrainConfig bad = tiny_config("train_" + name + "_bad", 1);
  prepare(bad);
  bad.*option = bad_value;
  CHECK_THROWS_AS(train(bad), ArgumentError);
}
}  // namespace

TEST_CASE("a run folder loses only the temporary files of an interrupted save", "[train]") {
  const std::string dir = std::string(FERMAP_TEST_TMP) + "/run_files";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* name : {"checkpoint.fmp.tmp.4711", "notes.tmp.txt", "best.fmp"}) std::ofstream(dir + "/" + name) << "x";
  RunFiles files(dir);
  files.create();
  CHECK_FALSE(fs::exists(dir + "/checkpoint.fmp.tmp.4711"));
  CHECK(fs::exists(dir + "/notes.tmp.txt"));
  CHECK(fs::exists(dir + "/best.fmp"));

  // A log that cannot be written does not stop the run.
  fs::create_directories(dir + "/train.log");
  CHECK_NOTHROW(files.log("a line"));
  CHECK_NOTHROW(files.log("another line"));
}

TEST_CASE("training on a tiny dataset learns and writes every file", "[train]") {
  const TrainConfig c = tiny_config("train_e2e", 3);
  const TrainResult r = train(c);
  CHECK_FALSE(r.interrupted);
  REQUIRE(r.history.size() == 3);
  for (const char* f : {"checkpoint.fmp", "best.fmp", "metrics.csv", "curves.png", "train.log"})
    CHECK(fs::exists(c.out_dir + "/" + f));
  CHECK(count_lines(c.out_dir + "/metrics.csv") == 4);
  const double accuracy = tiny_test_accuracy(r.best_model_path);
  INFO("test accuracy " << accuracy << ", validation " << r.best_val_accuracy);
  CHECK(accuracy > 0.6);  // chance is 0.25
}

TEST_CASE("an interrupted run resumed gives the same weights as an uninterrupted one", "[train][slow]") {
  const TrainConfig straight = tiny_config("train_straight", 2);
  train(straight);
  TrainConfig broken = tiny_config("train_resumed", 2);
  broken.max_steps = 11;  // stops in the middle of the first epoch (18 steps per epoch)
  const TrainResult first = train(broken);
  REQUIRE(first.interrupted);
  broken.max_steps = 0;
  broken.resume = true;
  const TrainResult second = train(broken);
  CHECK_FALSE(second.interrupted);
  CHECK(second.history.size() == 2);
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp") == all_weights(broken.out_dir + "/checkpoint.fmp"));
}

TEST_CASE("a run stopped before its first step resumes like a fresh one", "[train][slow]") {
  const TrainConfig straight = tiny_config("train_stop_early_straight", 1);
  train(straight);
  TrainConfig stopped = tiny_config("train_stop_early", 1);
  const std::atomic<bool> already_stopped{true};  // Ctrl-C while the data was loading
  const TrainResult first = train(stopped, &already_stopped);
  REQUIRE(first.interrupted);
  REQUIRE(fs::exists(first.checkpoint_path));
  stopped.resume = true;
  CHECK_FALSE(train(stopped).interrupted);
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp") == all_weights(stopped.out_dir + "/checkpoint.fmp"));
}

TEST_CASE("runs of different seeds share a validation split through --split-seed", "[train]") {
  const std::atomic<bool> stop_at_once{true};  // the checkpoint names the split; no step is needed
  auto split_of = [&](const char* out, uint64_t seed, uint64_t split_seed) {
    TrainConfig c = tiny_config(out, 1);
    c.seed = seed;
    c.split_seed = split_seed;
    return load_model(train(c, &stop_at_once).checkpoint_path).meta.extra.at("data_fingerprint").get<std::string>();
  };
  const std::string seed1 = split_of("split_seed_1", 1, 0), seed2 = split_of("split_seed_2", 2, 0);
  CHECK(seed1 != seed2);
  CHECK(split_of("split_seed_2_of_1", 2, 1) == seed1);
  CHECK(split_of("split_seed_1_of_2", 1, 2) == seed2);
}

TEST_CASE("a resume with another thread count continues and says that rounding differs", "[train]") {
  const int threads_before = omp_get_max_threads();
  TrainConfig c = tiny_config("train_other_threads", 1);
  c.threads = 1;
  const std::atomic<bool> stop_at_once{true};
  REQUIRE(train(c, &stop_at_once).interrupted);
  c.threads = 2;
  c.resume = true;
  const TrainResult resumed = train(c);
  omp_set_num_threads(threads_before);  // train() sets the process-wide count
  CHECK_FALSE(resumed.interrupted);
  CHECK_THAT(test::read_text(c.out_dir + "/train.log"),
             Catch::Contains("the checkpoint was made with 1 threads, this run has 2; it continues"));
}

TEST_CASE("without a validation split the best model is the last epoch's", "[train][slow]") {
  TrainConfig c = tiny_config("train_no_validation", 2);
  c.val_fraction = 0.0f;
  const TrainResult r = train(c);
  CHECK(r.best_epoch == 2);
  CHECK(all_weights(r.best_model_path) == all_weights(r.checkpoint_path));
  CHECK_THAT(test::read_text(c.out_dir + "/train.log"), Catch::Contains("epoch 2/2: ") && Catch::Contains("| no validation split |") &&
                                                          !Catch::Contains("val loss"));
}

TEST_CASE("resume without a checkpoint says that it starts a new run", "[train]") {
  TrainConfig c = tiny_config("train_resume_nothing", 1);
  c.resume = true;
  c.max_steps = 1;
  train(c);
  CHECK_THAT(test::read_text(c.out_dir + "/train.log"), Catch::Contains("no checkpoint in " + c.out_dir + " yet, so this is a new run"));
}

TEST_CASE("a run refuses a used folder and a checkpoint of other settings", "[train]") {
  TrainConfig c = tiny_config("train_guard", 1);
  c.max_steps = 1;
  train(c);
  CHECK_THROWS_WITH(train(c), Catch::Contains("already holds a training run"));
  c.resume = true;
  c.lr = 1e-2f;
  CHECK_THROWS_WITH(train(c), Catch::Contains("was made with lr"));
}

TEST_CASE("a checkpoint with its progress missing is refused by name, not with a bare JSON error", "[train]") {
  TrainConfig c = tiny_config("train_bad_progress", 1);
  c.max_steps = 1;
  train(c);
  const std::string checkpoint = c.out_dir + "/checkpoint.fmp";
  write_file_atomically(checkpoint, with_header_edited(read_text(checkpoint), [](nlohmann::json& h) {
    REQUIRE(h["extra"].erase("optimizer_steps") == 1);
  }));
  c.resume = true;
  CHECK_THROWS_WITH(train(c), Catch::Contains(checkpoint + ": malformed training progress") &&
                                  Catch::Contains("optimizer_steps"));
}

TEST_CASE("a run resumes from a moved data folder but not from other images", "[train]") {
  TrainConfig c = tiny_config("train_moved", 1);
  c.max_steps = 2;
  train(c);
  c.max_steps = 3;
  c.resume = true;
  const std::string moved = std::string(FERMAP_TEST_TMP) + "/train_moved_data";
  fs::remove_all(moved);
  fs::copy(c.data, moved, fs::copy_options::recursive);
  c.data = moved;
  CHECK(train(c).interrupted);  // resumed, and stopped again after three more steps

  fs::remove(moved + "/train/sad/0.png");
  CHECK_THROWS_WITH(train(c), Catch::Contains("was made with other images"));
}

TEST_CASE("a diverging run stops with a clear message", "[train]") {
  TrainConfig c = tiny_config("train_diverge", 1);
  c.lr = 1e30f;
  c.schedule = ScheduleKind::constant;
  CHECK_THROWS_WITH(train(c), Catch::Contains("training diverged"));
}

TEST_CASE("init starts a run from a trained model's weights, narrows its classes and refuses another model or missing classes", "[train][slow]") {
  const TrainConfig first = tiny_config("train_init_source", 2);
  const TrainResult trained = train(first);

  // A learning rate too small to move anything: the run's weights stay the starting model's (the
  // batch-norm moving statistics do move, with every training batch).
  TrainConfig c = tiny_config("train_init", 1);
  c.init = trained.best_model_path;
  c.lr = 1e-12f;
  c.schedule = ScheduleKind::constant;
  c.recalibrate_bn = 0;
  const TrainResult r = train(c);
  const std::vector<float> start = all_weights(trained.best_model_path, true), after = all_weights(r.checkpoint_path, true);
  REQUIRE(start.size() == after.size());
  float worst = 0;
  for (size_t i = 0; i < start.size(); ++i) worst = std::max(worst, std::abs(start[i] - after[i]));
  CHECK(worst < 1e-6f);
  CHECK(r.best_val_accuracy == Approx(trained.best_val_accuracy).margin(0.02));
  CHECK(r.best_val_accuracy > 0.6);  // a fresh model at this rate would stay near chance (0.25)

  TrainConfig other_model = tiny_config("train_init_vgg", 1);
  other_model.init = trained.best_model_path;
  other_model.model = "vgg16";
  CHECK_THROWS_WITH(train(other_model), Catch::Contains(trained.best_model_path));

  TrainConfig two = tiny_config("train_init_two", 1);
  two.classes = "angry,happy";
  two.max_steps = 1;
  TrainConfig fewer_classes = tiny_config("train_init_fewer", 1);
  fewer_classes.init = train(two).checkpoint_path;
  CHECK_THROWS_WITH(train(fewer_classes), Catch::Contains("its classes are angry,happy, this run's are angry,happy,neutral,sad"));
  CHECK_FALSE(fs::exists(fewer_classes.out_dir));  // refused before the run folder is made

  TrainConfig three = tiny_config("train_init_three", 1);
  three.classes = "angry,happy,neutral";
  three.max_steps = 1;
  const TrainResult small = train(three);
  TrainConfig other_classes = tiny_config("train_init_classes", 1);
  other_classes.classes = "angry,happy,sad";
  other_classes.init = small.checkpoint_path;
  CHECK_THROWS_WITH(train(other_classes), Catch::Contains("angry,happy,sad; --init needs every class of the run among the model's, and sad is not"));

  // Fewer classes than the model, in another order: its output layer is narrowed to them, and the
  // run starts from the model's own two-way decisions (a fresh one at this rate stays near 0.5).
  TrainConfig narrowed = tiny_config("train_init_narrowed", 1);
  narrowed.classes = "sad,angry";
  narrowed.init = trained.best_model_path;
  narrowed.lr = 1e-12f;
  narrowed.schedule = ScheduleKind::constant;
  narrowed.recalibrate_bn = 0;
  const TrainResult n = train(narrowed);
  CHECK(n.best_val_accuracy > 0.8);
  CHECK_THAT(test::read_text(narrowed.out_dir + "/train.log"), Catch::Contains("its output layer narrowed from angry,happy,neutral,sad to sad,angry"));
}

TEST_CASE("the augmentation ranges reach the training batches", "[train][slow]") {
  TrainConfig plain = tiny_config("train_aug_off", 1);
  train(plain);
  // Zero ranges draw the identity transform, which reproduces the image exactly.
  TrainConfig zero = tiny_config("train_aug_zero", 1);
  zero.augment = true;
  zero.rotation = zero.shift = zero.zoom = 0;
  train(zero);
  TrainConfig some = zero;  // rotation alone
  some.out_dir = std::string(FERMAP_TEST_TMP) + "/train_aug_some";
  fs::remove_all(some.out_dir);
  some.rotation = 20;
  train(some);
  TrainConfig erased = zero;
  erased.out_dir = std::string(FERMAP_TEST_TMP) + "/train_aug_erase";
  fs::remove_all(erased.out_dir);
  erased.erase = 1;
  train(erased);
  const auto weights = [](const TrainConfig& c) { return all_weights(c.out_dir + "/checkpoint.fmp"); };
  CHECK(weights(zero) == weights(plain));
  CHECK(weights(some) != weights(plain));
  CHECK(weights(erased) != weights(plain));

  TrainConfig erase_unaugmented = tiny_config("train_aug_erase_off", 1);
  erase_unaugmented.erase = 0.5f;
  CHECK_THROWS_WITH(train(erase_unaugmented), Catch::Contains("needs --augment true"));
  CHECK_FALSE(fs::exists(erase_unaugmented.out_dir));
}

TEST_CASE("a setting older checkpoints lack is taken at the value those runs were made with", "[train]") {
  // Resume reads a missing setting as its default (fermap/train_settings.hpp). These are the
  // behaviours fermap had before each setting existed: a default that moves breaks old checkpoints.
  const nlohmann::json before_they_existed = {
      {"init", ""}, {"teachers", nlohmann::json::array()}, {"rotation", 10.0f}, {"shift", 0.1f}, {"zoom", 0.1f},
      {"erase", 0.0f}, {"split_seed", 0}, {"distill", 0.5f}, {"temperature", 2.0f}, {"ema", 0.0f},
      {"mixup", 0.0f}, {"transfer", ""}, {"sam", 0.0f}, {"teacher_targets", "online"},
      {"weight_decay", 0.0f}, {"recalibrate_mode", "training"}, {"equalize", false},
      {"exclude", ""}};
  const nlohmann::json defaults = TrainConfig{}.to_json();
  nlohmann::json flagged = nlohmann::json::object();
  for_each_train_setting([&](const TrainSetting& s, auto) {
    if (s.lacking_in_old_checkpoints) flagged[s.key] = defaults.at(s.key);
  });
  CHECK(flagged == before_they_existed);
}

TEST_CASE("a checkpoint from before the augmentation settings resumes with the old behaviour", "[train]") {
  TrainConfig c = tiny_config("train_legacy", 1);
  c.max_steps = 2;
  train(c);
  // Rewrite the checkpoint as an older fermap wrote it: no augmentation settings in its config.
  const std::string checkpoint = c.out_dir + "/checkpoint.fmp";
  LoadedModel old = load_model(checkpoint);
  for (const char* key :
       {"rotation", "shift", "zoom", "erase", "init", "teachers", "distill", "temperature", "transfer", "teacher_targets"})
    old.meta.extra["config"].erase(key);
  old.meta.extra.erase("teacher_fingerprint");
  old.meta.extra["position"].erase("labeled");  // every image had a label then
  NamedTensors extra;
  for (auto& [name, t] : old.extra_tensors) extra.emplace_back(name, &t);
  save_model(checkpoint, old.model, old.meta, extra);

  c.resume = true;
  c.max_steps = 1;
  c.rotation = 20;
  CHECK_THROWS_WITH(train(c), Catch::Contains("was made with rotation = 10.0, not 20.0"));
  c.rotation = 10;
  CHECK(train(c).interrupted);  // resumed, and stopped again after one more step
  c.max_steps = 0;
  const TrainResult finished = train(c);
  // The epoch's training accuracy counts the images seen before the old checkpoint, too.
  TrainConfig straight = tiny_config("train_legacy_straight", 1);
  const TrainResult reference = train(straight);
  REQUIRE(finished.history.size() == 1);
  CHECK(finished.history[0].train_accuracy == reference.history[0].train_accuracy);
  CHECK(finished.history[0].train_loss == reference.history[0].train_loss);
}

TEST_CASE("the committed --recipe paper checkpoint still resumes", "[dataset][train]") {
  const char* root = std::getenv("FERMAP_DATA");
  if (!root) {
    WARN("FERMAP_DATA is not set: the committed checkpoint is not resumed");
    return;
  }
  TrainConfig c = recipe("paper");
  c.data = root;
  c.out_dir = std::string(FERMAP_TEST_TMP) + "/train_paper_resume";
  fs::remove_all(c.out_dir);
  fs::create_directories(c.out_dir);
  fs::copy_file(std::string(FERMAP_SOURCE_DIR) + "/data/models/checkpoints/custom_cnn-paper-s1.fmp", c.out_dir + "/checkpoint.fmp");
  c.resume = true;
  c.max_steps = 1;
  const TrainResult r = train(c);
  CHECK(r.interrupted);
  CHECK(r.history.size() == 3);  // it was saved 27,008 images into epoch 4
  CHECK_THAT(test::read_text(c.out_dir + "/train.log"), Catch::Contains("resumed from") && Catch::Contains("at epoch 4, item 27008"));
}

TEST_CASE("weight averaging (--ema) saves the average, validates it and resumes exactly", "[train][slow]") {
  // Without a validation split the saved model is the last epoch's average, which the checkpoint
  // also holds (beside the last step's weights).
  TrainConfig straight = tiny_config("train_ema_straight", 2);
  straight.ema = 0.9f;
  straight.val_fraction = 0.0f;
  const TrainResult r = train(straight);
  LoadedModel checkpoint = load_model(r.checkpoint_path);
  std::vector<float> averaged;
  for (auto& np : checkpoint.model.params()) {
    const auto found = checkpoint.extra_tensors.find("average/" + np.name);
    REQUIRE(found != checkpoint.extra_tensors.end());
    averaged.insert(averaged.end(), found->second.data(), found->second.data() + found->second.size());
  }
  CHECK(all_weights(r.best_model_path) == averaged);
  CHECK(all_weights(r.best_model_path, true) != all_weights(r.checkpoint_path, true));
  const double accuracy = tiny_test_accuracy(r.best_model_path);
  INFO("test accuracy of the average " << accuracy);
  CHECK(accuracy > 0.6);

  // Interrupted in the first epoch and resumed: the same average and weights as straight through.
  const std::string broken = train_interrupted_and_resumed(straight, "train_ema_broken");
  CHECK(all_weights(straight.out_dir + "/best.fmp") == all_weights(broken + "/best.fmp"));
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp") == all_weights(broken + "/checkpoint.fmp"));

  // With a validation split the log shows both accuracies; a run without --ema does not resume with it.
  TrainConfig validated = tiny_config("train_ema_validated", 1);
  validated.ema = 0.9f;
  train(validated);
  CHECK_THAT(test::read_text(validated.out_dir + "/train.log"), Catch::Contains("(last step's weights: "));
  TrainConfig plain = tiny_config("train_ema_plain", 1);
  plain.max_steps = 2;
  train(plain);
  plain.resume = true;
  plain.ema = 0.5f;
  CHECK_THROWS_WITH(train(plain), Catch::Contains("was made with ema = 0.0, not 0.5"));
  TrainConfig bad = tiny_config("train_ema_bad", 1);
  bad.ema = 1.0f;
  CHECK_THROWS_AS(train(bad), ArgumentError);
}

TEST_CASE("mixup (--mixup) learns, resumes exactly and changes the run", "[train][slow]") {
  // The blends are drawn from (seed, epoch, position), so a resumed run redraws them exactly.
  check_training_option("mixup", &TrainConfig::mixup, 0.4f, -1.0f);
}

TEST_CASE("sharpness-aware minimisation (--sam) learns, resumes exactly and changes the run", "[train][slow]") {
  check_training_option("sam", &TrainConfig::sam, 0.05f, -0.05f);
}

TEST_CASE("decoupled weight decay (--optimizer adamw) learns, resumes exactly and changes the run", "[train][slow]") {
  check_training_option("weight_decay", &TrainConfig::weight_decay, 0.5f, -0.1f, [](TrainConfig& c) {
    c.optimizer = "adamw";
    c.l2 = 0.0f;
  });
  TrainConfig coupled = tiny_config("train_weight_decay_adam", 1);
  coupled.weight_decay = 0.05f;  // adam's regulariser is --l2
  CHECK_THROWS_WITH(train(coupled), Catch::Contains("needs the adamw optimizer"));
}

TEST_CASE("the second pass of --sam leaves the batch-norm moving statistics alone", "[train]") {
  // At a zero learning rate a step changes only the moving statistics: with SAM, exactly as much
  // as without it.
  auto one_step = [](const std::string& out, float sam) {
    TrainConfig c = tiny_config(out, 1);
    c.schedule = ScheduleKind::constant;
    c.lr = 0.0f;
    c.recalibrate_bn = 0;
    c.sam = sam;
    c.max_steps = 1;
    REQUIRE(train(c).interrupted);
    return all_weights(c.out_dir + "/checkpoint.fmp");
  };
  const TrainConfig defaults = tiny_config("train_sam_bn_fresh", 1);
  Model model = make_zoo_model(defaults.model, {4, static_cast<uint64_t>(defaults.seed)});
  std::vector<float> fresh;
  for (auto& np : model.params())
    fresh.insert(fresh.end(), np.param->value.data(), np.param->value.data() + np.param->value.size());
  const std::vector<float> plain = one_step("train_sam_bn_plain", 0.0f), sam = one_step("train_sam_bn_sam", 0.5f);
  REQUIRE(plain.size() == fresh.size());
  REQUIRE(sam.size() == plain.size());
  size_t moved = 0, differing = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    moved += plain[i] != fresh[i];
    differing += sam[i] != plain[i];
  }
  CHECK(moved > 0);  // the statistics did move
  CHECK(differing == 0);
}

TEST_CASE("train --equalize learns from equalised faces, records it, and refuses a teacher that does not equalise",
          "[train]") {
  TrainConfig plain = tiny_config("train_unequalized", 2);
  const TrainResult unequalized = train(plain);
  TrainConfig c = tiny_config("train_equalized", 2);
  c.equalize = true;
  const TrainResult r = train(c);
  CHECK(load_model(r.best_model_path).meta.preprocessing.equalize);
  CHECK(load_model(r.checkpoint_path).meta.preprocessing.equalize);
  CHECK_FALSE(load_model(unequalized.checkpoint_path).meta.preprocessing.equalize);
  // The batches were other images: the weights went elsewhere.
  CHECK(all_weights(r.checkpoint_path) != all_weights(unequalized.checkpoint_path));
  // Eval equalises too (it reads the model's preprocessing): the network answers what it learnt.
  CHECK(tiny_test_accuracy(r.best_model_path) > 0.6);

  TrainConfig mismatched = tiny_config("train_equalized_teacher", 1);
  mismatched.equalize = true;
  mismatched.teachers = {unequalized.best_model_path};
  CHECK_THROWS_WITH(train(mismatched), Catch::Contains(unequalized.best_model_path) && Catch::Contains("equalise"));
  CHECK_FALSE(fs::exists(mismatched.out_dir));
}
