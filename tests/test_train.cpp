// End-to-end training on a tiny synthetic dataset: learns, writes its files, resumes exactly.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <catch2/catch.hpp>
#include <omp.h>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/train.hpp"
#include "fermap/zoo.hpp"
#include "cli_runner.hpp"
#include "synthetic_faces.hpp"
#include "train/run_files.hpp"

using namespace fermap;
namespace fs = std::filesystem;

namespace {
// Small batches and no augmentation: enough steps for the batch-norm moving statistics (Keras
// momentum 0.99) to settle in seconds.
TrainConfig tiny_config(const std::string& out, int epochs) {
  TrainConfig c = recipe("fast");
  c.data = test::synthetic_dataset();
  c.epochs = epochs;
  c.batch = 8;
  c.lr = 1e-3f;
  c.augment = c.flip = false;
  c.label_smoothing = 0.0f;
  c.out_dir = std::string(FERMAP_TEST_TMP) + "/" + out;
  c.checkpoint_minutes = 1e9;
  fs::remove_all(c.out_dir);
  return c;
}

std::vector<float> all_weights(const std::string& path, bool trainable_only = false) {
  LoadedModel m = load_model(path);
  std::vector<float> out;
  for (auto& np : m.model.params())
    if (np.param->trainable || !trainable_only)
      out.insert(out.end(), np.param->value.data(), np.param->value.data() + np.param->value.size());
  return out;
}

// Trains `c` again in folder `out`, interrupted after 11 steps (in the first epoch of the tiny
// dataset) and resumed; returns the run folder, whose files must match an uninterrupted run's.
std::string train_interrupted_and_resumed(TrainConfig c, const std::string& out) {
  c.out_dir = std::string(FERMAP_TEST_TMP) + "/" + out;
  fs::remove_all(c.out_dir);
  c.max_steps = 11;
  REQUIRE(train(c).interrupted);
  c.max_steps = 0;
  c.resume = true;
  train(c);
  return c.out_dir;
}

// `straight` has been trained: trained again in folder `out`, interrupted and resumed, it ends with
// the same weights; that folder refuses to resume once `change` is applied, saying `refusal`.
void check_resumes_exactly(const TrainConfig& straight, const std::string& out, const std::function<void(TrainConfig&)>& change,
                           const std::string& refusal) {
  const std::string resumed = train_interrupted_and_resumed(straight, out);
  CHECK(all_weights(resumed + "/checkpoint.fmp") == all_weights(straight.out_dir + "/checkpoint.fmp"));
  TrainConfig changed = straight;
  changed.out_dir = resumed;
  changed.resume = true;
  change(changed);
  CHECK_THROWS_WITH(train(changed), Catch::Contains(refusal));
}

// Accuracy of a model file on the tiny dataset's test split (chance is 0.25).
double tiny_test_accuracy(const std::string& model_path) {
  LoadedModel m = load_model(model_path);
  return evaluate(m.model, m.meta, load_dataset(test::synthetic_dataset(), "test", LoadOptions{}), {}).metrics.accuracy;
}

size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}
// A numeric training option (e.g. mixup's alpha) set to `value`: the run still learns the tiny
// dataset; interrupted in its first epoch and resumed, it ends with the same weights as straight
// through; the option reaches the training (other weights than without it); a checkpoint made
// without it refuses to resume with it; and `bad_value` is refused.
void check_training_option(const std::string& name, float TrainConfig::*option, float value, float bad_value) {
  TrainConfig straight = tiny_config("train_" + name + "_straight", 2);
  straight.*option = value;
  const TrainResult r = train(straight);
  const double accuracy = tiny_test_accuracy(r.best_model_path);
  INFO(name << " " << value << ": test accuracy " << accuracy);
  CHECK(accuracy > 0.6);

  const std::string broken = train_interrupted_and_resumed(straight, "train_" + name + "_broken");
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp") == all_weights(broken + "/checkpoint.fmp"));

  TrainConfig plain = tiny_config("train_" + name + "_plain", 2);
  train(plain);
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp", true) != all_weights(plain.out_dir + "/checkpoint.fmp", true));
  plain.resume = true;
  plain.*option = value;
  CHECK_THROWS_WITH(train(plain), Catch::Contains("was made with " + name + " = 0.0, not "));
  TrainConfig bad = tiny_config("train_" + name + "_bad", 1);
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

TEST_CASE("distillation learns from the teachers, resumes exactly and refuses other teachers", "[train][slow]") {
  const TrainResult teacher = train(tiny_config("train_distill_teacher", 2));

  // Weight 1 on the teacher and 0 on the labels: whatever the student learns comes from the
  // teacher. A fresh student at chance would score about 0.25.
  TrainConfig c = tiny_config("train_distill", 2);
  c.teachers = {teacher.best_model_path, teacher.best_model_path};
  c.distill = 1.0f;
  c.temperature = 2.0f;
  const TrainResult r = train(c);
  const double accuracy = tiny_test_accuracy(r.best_model_path);
  INFO("student test accuracy " << accuracy << ", teacher " << tiny_test_accuracy(teacher.best_model_path));
  CHECK(accuracy > 0.6);

  // Weight 0: the teachers are consulted but change nothing.
  TrainConfig plain = tiny_config("train_distill_plain", 1);
  train(plain);
  TrainConfig zero = tiny_config("train_distill_zero", 1);
  zero.teachers = {teacher.best_model_path};
  zero.distill = 0.0f;
  train(zero);
  CHECK(all_weights(zero.out_dir + "/checkpoint.fmp") == all_weights(plain.out_dir + "/checkpoint.fmp"));

  // Interrupted and resumed: the same weights as straight through.
  TrainConfig straight = tiny_config("train_distill_straight", 1);
  straight.teachers = {teacher.best_model_path};
  train(straight);
  TrainConfig broken = tiny_config("train_distill_broken", 1);
  broken.teachers = straight.teachers;
  broken.max_steps = 7;
  REQUIRE(train(broken).interrupted);
  broken.max_steps = 0;
  broken.resume = true;
  TrainConfig other_teacher = broken;
  TrainConfig one_step = tiny_config("train_distill_one_step", 1);
  one_step.max_steps = 1;
  other_teacher.teachers = {train(one_step).checkpoint_path};
  CHECK_THROWS_WITH(train(other_teacher), Catch::Contains("was made with other teachers"));
  train(broken);
  CHECK(all_weights(straight.out_dir + "/checkpoint.fmp") == all_weights(broken.out_dir + "/checkpoint.fmp"));

  // A teacher of other classes is refused, naming the file, before the run folder exists.
  TrainConfig two = tiny_config("train_distill_two", 1);
  two.classes = "angry,happy";
  two.max_steps = 1;
  const std::string two_class_model = train(two).checkpoint_path;
  TrainConfig mismatched = tiny_config("train_distill_mismatch", 1);
  mismatched.teachers = {teacher.best_model_path, two_class_model};
  CHECK_THROWS_WITH(train(mismatched), Catch::Contains(two_class_model) && Catch::Contains("a teacher needs the same classes"));
  CHECK_FALSE(fs::exists(mismatched.out_dir));
  TrainConfig missing = tiny_config("train_distill_missing", 1);
  missing.teachers = {c.out_dir + "/no-such-model.fmp"};
  CHECK_THROWS_WITH(train(missing), Catch::Contains("no-such-model.fmp"));
  CHECK_FALSE(fs::exists(missing.out_dir));
}

TEST_CASE("fixed teacher targets: predicted once per image, learnt from, resumed exactly, refused where they cannot work",
          "[train][slow]") {
  const TrainResult teacher = train(tiny_config("train_fixed_teacher", 2));
  auto student = [&](const std::string& out, const std::string& targets, bool augment) {
    TrainConfig c = tiny_config(out, 1);
    c.teachers = {teacher.best_model_path};
    c.teacher_targets = targets;
    c.augment = c.flip = augment;
    return c;
  };
  // Without augmentation a batch is its images as they are, so the stored targets are the ones the
  // teachers would give on each batch: the weights match an online run's up to the rounding of
  // other batch sizes.
  const TrainConfig online = student("train_fixed_online", "online", false), fixed = student("train_fixed", "fixed", false);
  train(online);
  train(fixed);
  const std::vector<float> a = all_weights(online.out_dir + "/checkpoint.fmp", true),
                           b = all_weights(fixed.out_dir + "/checkpoint.fmp", true);
  REQUIRE(a.size() == b.size());
  size_t far = 0;
  for (size_t i = 0; i < a.size(); ++i) far += std::abs(a[i] - b[i]) > 1e-4f * (1.0f + std::abs(a[i]));
  CHECK(far == 0);
  CHECK_THAT(test::read_text(fixed.out_dir + "/train.log"), Catch::Contains("teacher targets: 144 training images predicted once (unaugmented)"));

  // With augmentation the online teachers see the augmented copies, the fixed ones never do; the
  // test-time views change the fixed targets again.
  std::vector<std::vector<float>> augmented;
  for (const char* targets : {"online", "fixed", "fixed-tta"}) {
    const TrainConfig c = student(std::string("train_fixed_augmented_") + targets, targets, true);
    train(c);
    augmented.push_back(all_weights(c.out_dir + "/checkpoint.fmp", true));
  }
  CHECK(augmented[0] != augmented[1]);
  CHECK(augmented[1] != augmented[2]);

  // The labels weigh nothing: what the student learns comes from the stored targets.
  TrainConfig taught = student("train_fixed_taught", "fixed", false);
  taught.epochs = 2;
  taught.distill = 1.0f;
  const double accuracy = tiny_test_accuracy(train(taught).best_model_path);
  INFO("student test accuracy " << accuracy);
  CHECK(accuracy > 0.6);

  // Interrupted and resumed: the targets are computed again, the same, and so are the weights.
  const TrainConfig straight = student("train_fixed_straight", "fixed-tta", true);
  train(straight);
  check_resumes_exactly(straight, "train_fixed_broken", [](TrainConfig& c) { c.teacher_targets = "online"; },
                        "was made with teacher_targets = \"fixed-tta\", not \"online\"");
  // The resumed run read the targets from the checkpoint instead of asking the teachers again.
  const std::string log = test::read_text(std::string(FERMAP_TEST_TMP) + "/train_fixed_broken/train.log");
  CHECK_THAT(log, Catch::Contains("teacher targets: read from the checkpoint"));
  CHECK(log.find("predicted once") == log.rfind("predicted once"));

  TrainConfig untaught = tiny_config("train_fixed_untaught", 1);
  untaught.teacher_targets = "fixed";
  CHECK_THROWS_WITH(train(untaught), Catch::Contains("--teacher-targets fixed needs --teacher"));
  TrainConfig blended = student("train_fixed_mixup", "fixed", true);
  blended.mixup = 0.2f;
  CHECK_THROWS_WITH(train(blended), Catch::Contains("--mixup needs --teacher-targets online"));
  TrainConfig vague = student("train_fixed_vague", "sometimes", true);
  CHECK_THROWS_AS(train(vague), ArgumentError);
  for (const TrainConfig& refused : {untaught, blended, vague}) CHECK_FALSE(fs::exists(refused.out_dir));
}

TEST_CASE("transfer images of other classes are learnt from the teachers alone and resume exactly", "[train][slow]") {
  // The student and its teacher learn three classes; the tiny dataset's sad images are the transfer set.
  TrainConfig teacher = tiny_config("train_transfer_teacher", 2);
  teacher.classes = "angry,happy,neutral";
  const TrainResult taught = train(teacher);

  TrainConfig c = tiny_config("train_transfer", 2);
  c.classes = teacher.classes;
  c.teachers = {taught.best_model_path};
  c.transfer = "sad";
  const TrainResult r = train(c);
  // 40 images per class: 36 of each labelled class train (4 validate), all 40 sad ones transfer.
  CHECK_THAT(test::read_text(c.out_dir + "/train.log"),
             Catch::Contains("data: 108 train, 12 validation images") &&
                 Catch::Contains("transfer: 40 training images without labels, learnt from the teachers alone (sad 40)") &&
                 Catch::Contains("148 images per epoch"));
  LoadedModel student = load_model(r.best_model_path);
  CHECK(student.meta.classes == std::vector<std::string>{"angry", "happy", "neutral"});
  LoadOptions three;
  three.classes = student.meta.classes;
  const double accuracy =
      evaluate(student.model, student.meta, load_dataset(test::synthetic_dataset(), "test", three), {}).metrics.accuracy;
  INFO("student test accuracy " << accuracy);
  CHECK(accuracy > 0.7);  // chance is 1/3

  // Interrupted and resumed inside the first epoch: the same weights as straight through; the
  // checkpoint remembers the transfer classes.
  TrainConfig straight = c;
  straight.epochs = 1;
  straight.out_dir += "_straight";
  fs::remove_all(straight.out_dir);
  train(straight);
  check_resumes_exactly(straight, "train_transfer_resumed", [](TrainConfig& c) { c.transfer = ""; }, "was made with transfer");

  // Refused before the run folder exists.
  TrainConfig no_teacher = tiny_config("train_transfer_no_teacher", 1);
  no_teacher.classes = c.classes;
  no_teacher.transfer = "sad";
  CHECK_THROWS_WITH(train(no_teacher), Catch::Contains("it needs --teacher"));
  TrainConfig overlap = c;
  overlap.out_dir = std::string(FERMAP_TEST_TMP) + "/train_transfer_overlap";
  overlap.transfer = "sad,happy";
  CHECK_THROWS_WITH(train(overlap), Catch::Contains("happy is one of the classes the student learns"));
  TrainConfig balanced = c;
  balanced.out_dir = overlap.out_dir;
  balanced.balance = Balance::paper;
  CHECK_THROWS_WITH(train(balanced), Catch::Contains("--transfer works with --balance none"));
  CHECK_FALSE(fs::exists(overlap.out_dir));
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
