// The train and eval commands end to end: flags, Ctrl-C, resume, reports and their files.
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "fermap/serialize.hpp"
#include "fermap/train_settings.hpp"
#include "synthetic_faces.hpp"

namespace fs = std::filesystem;
using fermap::test::run_cli;

using fermap::test::read_text;

namespace {
// A folder under the tests' scratch space, emptied.
std::string fresh_folder(const std::string& name) {
  const std::string path = std::string(FERMAP_TEST_TMP) + "/" + name;
  fs::remove_all(path);
  return path;
}

// The command line of a three-step `fast` run on the synthetic faces into `out`, with `flags`.
std::string tiny_train(const std::string& out, const std::string& flags) {
  return "train --data " + fermap::test::synthetic_dataset() + " --out " + out + " " + flags +
         " --epochs 1 --batch 8 --recipe fast --augment false --flip false --lr 0.001 --max-steps 3";
}
}  // namespace

TEST_CASE("fermap train: Ctrl-C checkpoints and exits with 130, --resume continues", "[cli][train]") {
  const std::string data = fermap::test::synthetic_dataset();
  const std::string out = std::string(FERMAP_TEST_TMP) + "/cli_sigint";
  fs::remove_all(out);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string bin = fermap::test::cli();
    freopen("/dev/null", "w", stderr);
    execl(bin.c_str(), bin.c_str(), "train", "--data", data.c_str(), "--out", out.c_str(), "--epochs", "50",
          "--batch", "8", "--recipe", "fast", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until training has started, then interrupt it.
  for (int i = 0; i < 600 && read_text(out + "/train.log").find("images per epoch") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);  // saved and stopped, but not finished
  CHECK(fs::exists(out + "/checkpoint.fmp"));
  CHECK_THAT(read_text(out + "/train.log"), Catch::Contains("interrupted: checkpoint saved"));

  std::string text;
  CHECK(run_cli("train --data " + data + " --out " + out + " --epochs 50 --batch 8 --recipe fast --resume --max-steps 2",
                text) == 0);
  CHECK_THAT(text, Catch::Contains("resumed from"));
  text.clear();
  CHECK(run_cli("train --data " + data + " --out " + out + " --epochs 50 --batch 8 --recipe fast", text) == 1);
  CHECK_THAT(text, Catch::Contains("already holds a training run"));
}

TEST_CASE("fermap eval prints the report and writes the confusion matrix", "[cli][slow]") {
  const std::string data = fermap::test::synthetic_dataset();
  const std::string out = std::string(FERMAP_TEST_TMP) + "/cli_eval";
  fs::remove_all(out);
  std::string text;
  REQUIRE(run_cli("train --data " + data + " --out " + out +
                      " --epochs 2 --batch 8 --recipe fast --augment false --flip false --lr 0.001",
                  text) == 0);
  text.clear();
  REQUIRE(run_cli("eval " + out + "/best.fmp --data " + data + " --tta --confusion-csv " + out + "/cm.csv" +
                      " --confusion-png " + out + "/cm.png",
                  text) == 0);
  CHECK_THAT(text, Catch::Contains("macro avg") && Catch::Contains("confusion matrix") && Catch::Contains("80 test images"));
  CHECK(read_text(out + "/cm.csv").rfind("actual\\predicted,angry,happy,neutral,sad\n", 0) == 0);
  CHECK(fs::file_size(out + "/cm.png") > 1000);
  text.clear();
  REQUIRE(run_cli("eval " + out + "/best.fmp --data " + data + " --json 2>/dev/null", text) == 0);
  const auto j = nlohmann::json::parse(text);
  CHECK(j["total"] == 80);
  CHECK(j["accuracy"].get<double>() > 0.6);
  CHECK(j["confusion"].size() == 4);

  text.clear();
  CHECK(run_cli("eval " + out + "/missing.fmp --data " + data, text) == 1);
  CHECK_THAT(text, Catch::Contains("missing.fmp") && Catch::Contains("cannot open"));
}

TEST_CASE("fermap eval of several models evaluates their ensemble", "[cli][slow]") {
  const std::string data = fermap::test::synthetic_dataset();
  const std::string out = std::string(FERMAP_TEST_TMP) + "/cli_eval_ensemble";
  fs::remove_all(out);
  std::string text;
  for (const char* seed : {"1", "2"})
    REQUIRE(run_cli("train --data " + data + " --out " + out + "/s" + seed + " --seed " + seed +
                        " --epochs 2 --batch 8 --recipe fast --augment false --flip false --lr 0.001",
                    text) == 0);
  auto eval_json = [&](const std::string& models) {
    text.clear();
    REQUIRE(run_cli("eval " + models + " --data " + data + " --json 2>/dev/null", text) == 0);
    return nlohmann::json::parse(text);
  };
  const std::string a = out + "/s1/best.fmp", b = out + "/s2/best.fmp";
  const auto single = eval_json(a), twice = eval_json(a + " " + a), both = eval_json(a + " " + b);
  // A model averaged with itself is itself.
  CHECK(twice["accuracy"] == single["accuracy"]);
  CHECK(twice["loss"].get<double>() == Approx(single["loss"].get<double>()).epsilon(1e-5));
  CHECK(both["models"] == nlohmann::json::array({a, b}));
  CHECK_FALSE(both.contains("model"));
  CHECK(both["accuracy"].get<double>() > 0.6);
  // The ensemble's loss is that of the averaged probabilities: by convexity of -log, at most the
  // mean of the members' losses.
  const auto second = eval_json(b);
  CHECK(both["loss"].get<double>() <= 0.5 * (single["loss"].get<double>() + second["loss"].get<double>()) + 1e-6);

  text.clear();
  REQUIRE(run_cli("train --data " + data + " --out " + out + "/three --classes angry,happy,neutral" +
                      " --epochs 1 --batch 8 --recipe fast --max-steps 1",
                  text) == 0);
  text.clear();
  CHECK(run_cli("eval " + a + " " + out + "/three/checkpoint.fmp --data " + data, text) == 1);
  CHECK_THAT(text, Catch::Contains("three/checkpoint.fmp") && Catch::Contains("an ensemble needs the same classes"));
}

TEST_CASE("fermap train --teacher distils, --teacher-targets and --transfer need a teacher", "[cli][train]") {
  const std::string out = fresh_folder("cli_distill");
  std::string text;
  REQUIRE(run_cli(tiny_train(out + "/teacher", ""), text) == 0);
  text.clear();
  REQUIRE(run_cli(tiny_train(out + "/student", "--teacher " + out + "/teacher/checkpoint.fmp --distill 0.7 --temperature 3"),
                  text) == 0);
  const std::string logged = fermap::test::read_text(out + "/student/train.log");
  CHECK_THAT(logged, Catch::Contains("distillation: 1 teacher(s), weight 0.7") &&
                         Catch::Contains("\"teachers\":[\"" + out + "/teacher/checkpoint.fmp\"]"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/lonely", "--distill 0.5"), text) == 1);
  CHECK_THAT(text, Catch::Contains("need at least one --teacher"));
  CHECK_FALSE(fs::exists(out + "/lonely"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/lonely", "--teacher-targets fixed"), text) == 1);
  CHECK_THAT(text, Catch::Contains("--teacher-targets need at least one --teacher"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/vague", "--teacher " + out + "/teacher/checkpoint.fmp --teacher-targets sometimes"), text) != 0);
  CHECK_THAT(text, Catch::Contains("--teacher-targets"));
  CHECK_FALSE(fs::exists(out + "/vague"));
  text.clear();
  REQUIRE(run_cli(tiny_train(out + "/fixed", "--teacher " + out + "/teacher/checkpoint.fmp --teacher-targets fixed-tta"),
                  text) == 0);
  CHECK_THAT(read_text(out + "/fixed/train.log"),
             Catch::Contains("\"teacher_targets\":\"fixed-tta\"") &&
                 Catch::Contains("training images predicted once (averaged over the test-time views)"));
  // --transfer: a teacher of three classes, a student of the same three with the sad images unlabelled.
  text.clear();
  REQUIRE(run_cli(tiny_train(out + "/three", "--classes angry,happy,neutral"), text) == 0);
  text.clear();
  REQUIRE(run_cli(tiny_train(out + "/transfer", "--classes angry,happy,neutral --teacher " + out +
                                                    "/three/checkpoint.fmp --transfer sad"),
                  text) == 0);
  CHECK_THAT(read_text(out + "/transfer/train.log"), Catch::Contains("\"transfer\":\"sad\"") &&
                                                          Catch::Contains("transfer: 40 training images without labels"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/untaught", "--classes angry,happy,neutral --transfer sad"), text) == 1);
  CHECK_THAT(text, Catch::Contains("--transfer images are learnt from the teachers alone: it needs --teacher"));
  CHECK_FALSE(fs::exists(out + "/untaught"));
}

TEST_CASE("fermap train --print-config lays every flag given over the recipe", "[cli][train]") {
  // A value unlike the fast recipe's for every setting of a run, and what the config must hold.
  const std::vector<std::tuple<std::string, std::string, nlohmann::json>> given = {
      {"--data", "faces/", "faces/"}, {"--model", "vgg16", "vgg16"}, {"--classes", "all", "all"},
      {"--exclude", "doubtful.txt", "doubtful.txt"}, {"--init", "start.fmp", "start.fmp"}, {"--epochs", "7", 7}, {"--batch", "16", 16}, {"--lr", "0.5", 0.5},
      {"--optimizer", "adamw", "adamw"}, {"--weight-decay", "0.25", 0.25}, {"--schedule", "cosine", "cosine"},
      {"--l2", "0.5", 0.5}, {"--augment", "false", false}, {"--rotation", "20", 20.0}, {"--shift", "0.25", 0.25},
      {"--zoom-range", "0.5", 0.5}, {"--erase", "0.5", 0.5}, {"--augment-all", "false", false},
      {"--flip", "false", false}, {"--equalize", "true", true}, {"--balance", "sampler", "sampler"}, {"--class-weights", "true", true},
      {"--label-smoothing", "0.25", 0.25}, {"--teacher", "a.fmp --teacher b.fmp", {"a.fmp", "b.fmp"}},
      {"--distill", "0.75", 0.75}, {"--temperature", "4", 4.0}, {"--teacher-targets", "fixed", "fixed"},
      {"--transfer", "fear", "fear"}, {"--recalibrate-bn", "3", 3}, {"--recalibrate-mode", "plain", "plain"},
      {"--ema", "0.5", 0.5}, {"--mixup", "0.5", 0.5}, {"--sam", "0.25", 0.25}, {"--val-fraction", "0.25", 0.25},
      {"--seed", "9", 9}, {"--split-seed", "4", 4}};
  std::string args = "train --recipe fast --print-config";
  nlohmann::json expected = nlohmann::json::object();
  std::set<std::string> flags_tested;
  for (const auto& [flag, value, json] : given) args += " " + flag + " " + value, flags_tested.insert(flag);
  std::set<std::string> flags_with_keys;
  fermap::for_each_train_setting([&](const fermap::TrainSetting& s, auto) {
    if (s.key) flags_with_keys.insert(s.flag);
  });
  CHECK(flags_tested == flags_with_keys);  // a new setting belongs in the list above
  std::string text;
  REQUIRE(run_cli(args, text) == 0);
  const nlohmann::json config = nlohmann::json::parse(text);
  CHECK(config["recipe"] == "fast");
  for (const auto& [flag, value, json] : given) {
    INFO(flag);
    const char* key = nullptr;
    fermap::for_each_train_setting([&](const fermap::TrainSetting& s, auto) {
      if (flag == s.flag) key = s.key;
    });
    REQUIRE(key != nullptr);
    if (json.is_number_float())
      CHECK(config[key].get<double>() == Approx(json.get<double>()));
    else
      CHECK(config[key] == json);
  }
  // The flags not given keep the recipe's values; the run is not started.
  text.clear();
  REQUIRE(run_cli("train --recipe fast --data nowhere/ --print-config", text) == 0);
  const nlohmann::json fast = nlohmann::json::parse(text);
  fermap::TrainConfig recipe = fermap::recipe("fast");
  recipe.data = "nowhere/";
  CHECK(fast == nlohmann::json::parse(recipe.to_text()));
  // Floats as written, not as their nearest doubles.
  CHECK_THAT(text, Catch::Contains("\"lr\": 0.002,") && Catch::Contains("\"l2\": 0.0001,"));
  CHECK(fast["label_smoothing"] == 0.1);
  CHECK(recipe.to_json()["label_smoothing"] != 0.1);  // the checkpoint keeps the float's exact value
  CHECK_FALSE(fs::exists("nowhere"));
  text.clear();
  CHECK(run_cli("train --recipe fast --data nowhere/ --balance sometimes --print-config", text) != 0);
  CHECK_THAT(text, Catch::Contains("balance") && Catch::Contains("sometimes"));
}

TEST_CASE("fermap train --ema reaches the run and refuses a decay of 1", "[cli][train]") {
  const std::string out = fresh_folder("cli_ema");
  std::string text;
  REQUIRE(run_cli(tiny_train(out + "/averaged", "--ema 0.5"), text) == 0);
  const std::string logged = fermap::test::read_text(out + "/averaged/train.log");
  CHECK_THAT(logged, Catch::Contains("\"ema\":0.5"));
  CHECK(fermap::load_model(out + "/averaged/checkpoint.fmp").extra_tensors.count("average/conv2d/kernel") == 1);
  text.clear();
  CHECK(run_cli(tiny_train(out + "/one", "--ema 1"), text) == 1);
  CHECK_THAT(text, Catch::Contains("--ema needs a decay in [0, 1)"));
  CHECK_FALSE(fs::exists(out + "/one"));
}

TEST_CASE("fermap train --mixup reaches the run, and a bad number is named plainly", "[cli][train]") {
  const std::string out = fresh_folder("cli_mixup");
  std::string text;
  REQUIRE(run_cli(tiny_train(out + "/mixed", "--mixup 0.5"), text) == 0);
  CHECK_THAT(read_text(out + "/mixed/train.log"), Catch::Contains("\"mixup\":0.5"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/negative", "--mixup -1"), text) != 0);
  CHECK_THAT(text, Catch::Contains("--mixup: Value -1 is negative"));
  text.clear();
  CHECK(run_cli("train --data " + fermap::test::synthetic_dataset() + " --out " + out + "/none --epochs 0", text) != 0);
  CHECK_THAT(text, Catch::Contains("--epochs: Value 0 is not positive"));
  CHECK_THAT(text, !Catch::Contains("1797693"));
  CHECK_FALSE(fs::exists(out + "/negative"));
  CHECK_FALSE(fs::exists(out + "/none"));
}

TEST_CASE("fermap train --sam reaches the run and refuses a negative rho", "[cli][train]") {
  const std::string out = fresh_folder("cli_sam");
  std::string text;
  REQUIRE(run_cli(tiny_train(out + "/flat", "--sam 0.05"), text) == 0);
  CHECK_THAT(read_text(out + "/flat/train.log"), Catch::Contains("\"sam\":0.05"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/negative", "--sam -0.1"), text) != 0);
  CHECK_THAT(text, Catch::Contains("--sam: Value -0.1 is negative"));
  CHECK_FALSE(fs::exists(out + "/negative"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/infinite", "--sam inf"), text) != 0);
  CHECK_THAT(text, Catch::Contains("--sam needs a finite neighbourhood rho"));
  CHECK_FALSE(fs::exists(out + "/infinite"));
}

TEST_CASE("fermap train --optimizer adamw --weight-decay reaches the run, adam refuses a weight decay", "[cli][train]") {
  const std::string out = fresh_folder("cli_adamw");
  std::string text;
  REQUIRE(run_cli(tiny_train(out + "/decayed", "--optimizer adamw --weight-decay 0.05 --l2 0"), text) == 0);
  const std::string log = read_text(out + "/decayed/train.log");
  CHECK_THAT(log, Catch::Contains("\"optimizer\":\"adamw\""));
  CHECK_THAT(log, Catch::Contains("\"weight_decay\":0.05"));
  text.clear();
  CHECK(run_cli(tiny_train(out + "/coupled", "--weight-decay 0.05"), text) != 0);
  CHECK_THAT(text, Catch::Contains("a decoupled weight decay needs the adamw optimizer, not adam"));
  CHECK_FALSE(fs::exists(out + "/coupled"));
}

TEST_CASE("fermap train's last line says how the run ended and which epoch best.fmp holds", "[cli][train][slow]") {
  const std::string data = fermap::test::synthetic_dataset();
  const std::string out = std::string(FERMAP_TEST_TMP) + "/cli_outcome";
  fs::remove_all(out);
  const std::string tiny = " --epochs 1 --batch 16 --recipe fast --augment false --flip false --lr 0.001";
  std::string text;
  REQUIRE(run_cli("train --data " + data + " --out " + out + "/budget" + tiny + " --max-steps 2", text) == 0);
  CHECK_THAT(text, Catch::Contains("stopped; no epoch finished yet\nbest model: "));
  text.clear();
  REQUIRE(run_cli("train --data " + data + " --out " + out + "/validated" + tiny, text) == 0);
  CHECK_THAT(text, Catch::Contains("done; best validation accuracy ") && Catch::Contains(" at epoch 1\nbest model: "));
  text.clear();
  REQUIRE(run_cli("train --data " + data + " --out " + out + "/all --val-fraction 0" + tiny, text) == 0);
  CHECK_THAT(text, Catch::Contains("done; no validation split, so the best model is the last epoch's (1)\nbest model: "));
}
