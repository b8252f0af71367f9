// The shipped model: loads, and (with FERMAP_DATA) reproduces the test-split metrics recorded
// beside it in data/models/custom_cnn.eval.json, which docs/results.md quotes.
#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fermap/data/fer2013.hpp"
#include "fermap/evaluate.hpp"

using namespace fermap;

namespace {
const std::string kModel = std::string(FERMAP_SOURCE_DIR) + "/data/models/custom_cnn.fmp";
}

TEST_CASE("the shipped model loads with the paper's four classes", "[model][shipped]") {
  LoadedModel m = load_model(kModel);
  CHECK(m.meta.classes == paper_classes());
  CHECK(m.model.count_params() == 1371300);
}

TEST_CASE("the shipped model reproduces its recorded test metrics exactly", "[dataset][shipped]") {
  const char* root = std::getenv("FERMAP_DATA");
  if (!root) {
    WARN("FERMAP_DATA is not set: the shipped model's accuracy is not checked");
    return;
  }
  std::ifstream in(std::string(FERMAP_SOURCE_DIR) + "/data/models/custom_cnn.eval.json");
  REQUIRE(in);
  const nlohmann::json recorded = nlohmann::json::parse(in);
  const LoadedModel m = load_model(kModel);
  LoadOptions lo;
  lo.classes = m.meta.classes;
  const Dataset test = load_dataset(root, "test", lo);
  REQUIRE(test.size() == 5212);
  const Evaluation e = evaluate(m.model, m.meta, test, {});
  CHECK(e.metrics.accuracy == recorded["accuracy"].get<double>());
  CHECK(e.metrics.to_json()["confusion"] == recorded["confusion"]);
}
