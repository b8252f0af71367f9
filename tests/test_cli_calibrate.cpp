// fermap calibrate: a trained model's batch-norm statistics recomputed on its own training split.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "fermap/data/fer2013.hpp"
#include "train_support.hpp"

namespace fs = std::filesystem;
using namespace fermap;

namespace {
// A one-epoch run on the synthetic faces with seed 4 (so its validation split is not seed 1's), in
// its own folder: ctest runs the test cases in parallel.
std::string trained_model(const std::string& folder) {
  TrainConfig c = test::tiny_config(folder, 1);
  c.seed = 4;
  train(c);
  return c.out_dir + "/best.fmp";
}
}  // namespace

TEST_CASE("fermap calibrate recomputes the statistics on the model's own training split", "[cli][batch_norm_statistics]") {
  const std::string model = trained_model("cli_calibrate_run");
  const std::string out = std::string(FERMAP_TEST_TMP) + "/cli_calibrated.fmp";
  fs::remove(out);
  const test::CliRun run = test::run_cli_captured("calibrate " + model + " --data " + test::synthetic_dataset() + " --out " + out);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("4 batch-norm layers"));
  CHECK_THAT(run.out, Catch::Contains("10 % validation drawn by seed 4 (as the model was trained"));
  CHECK_THAT(run.out, Catch::Contains("statistics recomputed on 144 unaugmented training images"));
  CHECK_THAT(run.out, Catch::Contains("validation accuracy (16 images): "));

  // The learnt weights are the model's; only the moving statistics changed.
  CHECK(test::all_weights(out, true) == test::all_weights(model, true));
  CHECK(test::all_weights(out) != test::all_weights(model));
  const LoadedModel calibrated = load_model(out);
  const nlohmann::json& record = calibrated.meta.extra["batch_norm_statistics"];
  CHECK(record["images"] == 144);
  CHECK(record["split_seed"] == 4);
  CHECK(record["from"] == model);
  CHECK(calibrated.meta.extra["config"]["seed"] == 4);  // the training record is kept

  // A flag overrides the recorded split: with no validation split every training image counts.
  const test::CliRun all = test::run_cli_captured("calibrate " + model + " --data " + test::synthetic_dataset() + " --out " + out +
                                                  " --val-fraction 0");
  CHECK(all.exit_code == 0);
  CHECK_THAT(all.out, Catch::Contains("statistics recomputed on 160 unaugmented training images"));
}

TEST_CASE("fermap calibrate names the file and the problem", "[cli][batch_norm_statistics]") {
  const std::string dir = std::string(FERMAP_TEST_TMP) + "/cli_calibrate_bad";
  fs::create_directories(dir);
  Model plain = test::classifier_without_batch_norm();
  ModelMeta meta;
  meta.classes = paper_classes();
  save_model(dir + "/no_bn.fmp", plain, meta);
  test::CliRun run =
      test::run_cli_captured("calibrate " + dir + "/no_bn.fmp --data " + test::synthetic_dataset() + " --out " + dir + "/x.fmp");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains(dir + "/no_bn.fmp: the model has no batch-norm layer"));
  CHECK_FALSE(fs::exists(dir + "/x.fmp"));

  run = test::run_cli_captured("calibrate " + dir + "/missing.fmp --data " + test::synthetic_dataset() + " --out " + dir + "/x.fmp");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("missing.fmp"));

  const std::string model = trained_model("cli_calibrate_bad_run");
  run = test::run_cli_captured("calibrate " + model + " --data " + dir + "/no_such_data --out " + dir + "/x.fmp");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("no_such_data"));
  CHECK_FALSE(fs::exists(dir + "/x.fmp"));
}
