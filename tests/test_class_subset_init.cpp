// --init from a model of more classes: the output layer keeps the units of the run's classes.
#include <filesystem>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/layers.hpp"
#include "fermap/zoo.hpp"
#include "gradcheck.hpp"
#include "train/class_subset_init.hpp"

using namespace fermap;
namespace fs = std::filesystem;

namespace {
const std::vector<std::string> kSeven = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};

// A seven-class custom_cnn, saved and loaded back, whose batch-norm moving statistics and dropout
// call counts are no longer the initial ones.
LoadedModel seven_class_model(const std::string& path) {
  Model m = custom_cnn({7, 11});
  Tensor x(Shape{4, 48, 48, 1});
  test::fill_uniform(x, 3, 0.0f, 1.0f);
  m.forward(x);
  m.forward(x);
  ModelMeta meta;
  meta.classes = kSeven;
  fs::create_directories(FERMAP_TEST_TMP);
  save_model(path, m, meta);
  return load_model(path);
}
}  // namespace

TEST_CASE("a model of more classes starts a run with the logits of the run's classes", "[train]") {
  const std::string path = std::string(FERMAP_TEST_TMP) + "/seven.fmp";
  LoadedModel seven = seven_class_model(path);
  const std::vector<std::string> run_classes = {"sad", "angry", "happy", "neutral"};  // another order
  const std::vector<int> unit_of = {5, 0, 3, 4};
  Model four = custom_cnn({4, 12});
  init_from_class_superset(seven, path, four, run_classes);

  Tensor x(Shape{5, 48, 48, 1}), wide, narrow;
  test::fill_uniform(x, 4, 0.0f, 1.0f);
  seven.model.infer(x, wide);
  four.infer(x, narrow);
  REQUIRE(narrow.shape() == Shape({5, 4}));
  int differences = 0;
  for (int n = 0; n < 5; ++n)
    for (int j = 0; j < 4; ++j) differences += narrow[n * 4 + j] != wide[n * 7 + unit_of[static_cast<size_t>(j)]];
  CHECK(differences == 0);  // bit for bit: the same weights and moving statistics, the same arithmetic

  const std::vector<Layer*> from = seven.model.all_layers(), to = four.all_layers();
  for (size_t i = 0; i < to.size(); ++i)
    if (to[i]->type() == "Dropout") CHECK(to[i]->state() == from[i]->state());
}

TEST_CASE("a model lacking one of the run's classes, or of another architecture, is refused by name", "[train]") {
  const std::string path = std::string(FERMAP_TEST_TMP) + "/seven_refused.fmp";
  LoadedModel seven = seven_class_model(path);

  Model four = custom_cnn({4, 12});
  CHECK_THROWS_WITH(init_from_class_superset(seven, path, four, {"angry", "contempt", "happy", "sad"}),
                    Catch::Contains(path) && Catch::Contains("contempt is not"));

  Model other;  // the same classes, but not a custom_cnn
  other.add<Flatten>();
  other.add<Dense>(DenseOptions{4, true, Activation::linear});
  other.build(Shape{48, 48, 1}, 0);
  CHECK_THROWS_WITH(init_from_class_superset(seven, path, other, {"angry", "happy", "neutral", "sad"}),
                    Catch::Contains(path) && Catch::Contains("different architecture"));
}
