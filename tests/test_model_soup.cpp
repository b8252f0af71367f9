// Weight averaging of fine-tunes ("model soup"): the library function and `fermap average`.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/model_soup.hpp"
#include "fermap/rng.hpp"
#include "fermap/zoo.hpp"
#include "train_support.hpp"

namespace fs = std::filesystem;
using namespace fermap;

namespace {

Model small_model(uint64_t seed) {
  ZooOptions options;
  options.seed = seed;
  return custom_cnn(options);
}

std::vector<float> weights_of(Model& model) {
  std::vector<float> out;
  for (const NamedParam& np : model.params())
    out.insert(out.end(), np.param->value.data(), np.param->value.data() + np.param->value.size());
  return out;
}

// A fine-tuned model, standing in: `base` plus a small random change to every weight.
Model nudged(Model& base, uint64_t seed, float size) {
  Model model = Model::from_architecture(base.architecture());
  Rng rng(seed);
  std::vector<NamedParam> to = model.params(), from = base.params();
  for (size_t i = 0; i < to.size(); ++i)
    for (int64_t j = 0; j < to[i].param->value.size(); ++j)
      to[i].param->value.data()[j] = from[i].param->value.data()[j] + size * rng.uniform(-1.0f, 1.0f);
  return model;
}

std::string saved(Model& model, const std::string& name, const std::vector<std::string>& classes, uint64_t split_seed) {
  const std::string dir = std::string(FERMAP_TEST_TMP) + "/model_soup";
  fs::create_directories(dir);
  ModelMeta meta;
  meta.classes = classes;
  meta.extra["config"] = {{"seed", split_seed}, {"split_seed", 0}, {"val_fraction", 0.1}};
  const std::string path = dir + "/" + name + ".fmp";
  save_model(path, model, meta);
  return path;
}

}  // namespace

TEST_CASE("average_weights gives every parameter the mean of the models'", "[model_soup]") {
  Model a = small_model(1), b = small_model(2), c = small_model(3);
  const std::vector<float> wa = weights_of(a), wb = weights_of(b), wc = weights_of(c);
  average_weights({&a, &b, &c});
  const std::vector<float> mean = weights_of(a);
  REQUIRE(mean.size() == wa.size());
  size_t off = 0;
  for (size_t i = 0; i < mean.size(); ++i)
    off += mean[i] != static_cast<float>((double(wa[i]) + double(wb[i]) + double(wc[i])) / 3.0);
  CHECK(off == 0);
  CHECK(weights_of(b) == wb);  // only the first model changes
  CHECK(weights_of(c) == wc);
}

TEST_CASE("the average of two opposite nudges of a model is the model", "[model_soup]") {
  Model base = small_model(5);
  Model up = nudged(base, 11, 0.01f);
  Model down = Model::from_architecture(base.architecture());
  std::vector<NamedParam> d = down.params(), u = up.params(), o = base.params();
  for (size_t i = 0; i < d.size(); ++i)
    for (int64_t j = 0; j < d[i].param->value.size(); ++j)
      d[i].param->value.data()[j] = 2.0f * o[i].param->value.data()[j] - u[i].param->value.data()[j];
  average_weights({&up, &down});

  const std::vector<float> back = weights_of(up), original = weights_of(base);
  double worst = 0;
  for (size_t i = 0; i < back.size(); ++i) worst = std::max(worst, std::abs(double(back[i]) - double(original[i])));
  CHECK(worst < 1e-6);
  // And it is the same network: the same outputs on a batch of faces.
  Tensor faces(Shape{3, 48, 48, 1});
  Rng rng(7);
  for (int64_t i = 0; i < faces.size(); ++i) faces.data()[i] = rng.uniform();
  Tensor from_soup, from_base;
  up.infer(faces, from_soup);
  base.infer(faces, from_base);
  for (int64_t i = 0; i < from_base.size(); ++i) CHECK(from_soup.data()[i] == Approx(from_base.data()[i]).margin(1e-4));
}

TEST_CASE("average_weights refuses models with other parameters, naming the first that differs", "[model_soup]") {
  Model cnn = small_model(1);
  Model plain = test::classifier_without_batch_norm();
  CHECK_THROWS_AS(average_weights({&cnn, &plain}), ArgumentError);
  CHECK_THROWS_WITH(average_weights({&cnn, &plain}), Catch::Contains("model 1 has 2 parameters"));
  CHECK_THROWS_AS(average_weights({}), ArgumentError);
}

TEST_CASE("average_model_files keeps the first file's meta and names a file that does not fit", "[model_soup]") {
  Model base = small_model(2);
  Model one = nudged(base, 1, 0.01f), two = nudged(base, 2, 0.01f);
  const std::string a = saved(one, "one", paper_classes(), 3), b = saved(two, "two", paper_classes(), 3);

  std::vector<ModelMeta> metas;
  LoadedModel soup = average_model_files({a, b}, &metas);
  REQUIRE(metas.size() == 2);
  CHECK(soup.meta.classes == paper_classes());
  CHECK(soup.meta.extra["config"]["seed"] == 3);
  average_weights({&one, &two});
  CHECK(weights_of(soup.model) == weights_of(one));

  std::vector<std::string> other_classes = paper_classes();
  std::swap(other_classes[0], other_classes[1]);
  const std::string swapped = saved(two, "swapped", other_classes, 3);
  CHECK_THROWS_AS(average_model_files({a, swapped}), FormatError);
  CHECK_THROWS_WITH(average_model_files({a, swapped}), Catch::Contains(swapped + ": its classes differ from those of " + a));

  Model plain = test::classifier_without_batch_norm();
  const std::string other_net = saved(plain, "plain", paper_classes(), 3);
  CHECK_THROWS_WITH(average_model_files({a, other_net}), Catch::Contains(other_net + ": holds a different architecture"));
  CHECK_THROWS_WITH(average_model_files({a, a + ".missing"}), Catch::Contains(a + ".missing"));
  CHECK_THROWS_AS(average_model_files({a}), ArgumentError);
}

TEST_CASE("fermap average writes the averaged model and warns when a model had other validation images", "[cli][model_soup]") {
  Model base = small_model(4);
  Model one = nudged(base, 21, 0.01f), two = nudged(base, 22, 0.01f), three = nudged(base, 23, 0.01f);
  const std::string a = saved(one, "cli_one", paper_classes(), 3), b = saved(two, "cli_two", paper_classes(), 3);
  const std::string c = saved(three, "cli_three", paper_classes(), 9);
  const std::string out = std::string(FERMAP_TEST_TMP) + "/model_soup/cli_soup.fmp";
  fs::remove(out);

  test::CliRun run = test::run_cli_captured("average " + a + " " + b + " --out " + out);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("averaged the weights of 2 models (1,371,300 parameters each)"));
  CHECK_THAT(run.out, Catch::Contains("fermap calibrate " + out));
  CHECK(run.err.empty());
  const LoadedModel soup = load_model(out);
  CHECK(soup.meta.extra["weight_average"]["models"] == nlohmann::json::array({a, b}));
  average_weights({&one, &two});
  CHECK(test::all_weights(out) == weights_of(one));

  run = test::run_cli_captured("average " + a + " " + b + " " + c + " --out " + out);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains("warning: " + c + " was trained on another training/validation split than " + a));

  run = test::run_cli_captured("average " + a + " --out " + out);
  CHECK(run.exit_code != 0);
  run = test::run_cli_captured("average " + a + " " + a + ".missing --out " + out + ".x");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains(a + ".missing"));
  CHECK_FALSE(fs::exists(out + ".x"));
}
