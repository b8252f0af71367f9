// Training with teachers: distillation, fixed teacher targets, unlabelled transfer images.
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/train.hpp"
#include "cli_runner.hpp"
#include "synthetic_faces.hpp"
#include "train_support.hpp"

using namespace fermap;
using namespace fermap::test;
namespace fs = std::filesystem;

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
