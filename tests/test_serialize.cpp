// Model files: round trip, and every way a file can be wrong.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fermap/classifier.hpp"
#include "fermap/error.hpp"
#include "fermap/layers.hpp"
#include "fermap/serialize.hpp"
#include "fermap/zoo.hpp"
#include "gradcheck.hpp"
#include "model_file_edit.hpp"

using namespace fermap;
namespace fs = std::filesystem;

namespace {
std::string temp_path(const std::string& name) {
  fs::create_directories(FERMAP_TEST_TMP);
  return std::string(FERMAP_TEST_TMP) + "/" + name;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

ModelMeta four_classes() {
  ModelMeta meta;
  meta.classes = {"angry", "happy", "neutral", "sad"};
  return meta;
}

std::string error_of(const std::string& path) {
  try {
    load_model(path);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}

// A custom_cnn whose batch-norm moving statistics are no longer the initial ones.
Model trained_a_little() {
  Model m = custom_cnn({4, 9});
  Tensor x(Shape{4, 48, 48, 1});
  test::fill_uniform(x, 1, 0.0f, 1.0f);
  m.forward(x);
  return m;
}
}  // namespace

TEST_CASE("an interrupted atomic write's temp file is recognised by its name alone", "[serialize]") {
  const std::string written = fs::path(temp_path("model.fmp") + ".tmp." + std::to_string(::getpid())).filename();
  CHECK(is_leftover_temp_file(written));
  CHECK(is_leftover_temp_file("metrics.csv.tmp.7"));
  CHECK_FALSE(is_leftover_temp_file("checkpoint.fmp.tmp."));
  CHECK_FALSE(is_leftover_temp_file("notes.tmp.txt"));
  CHECK_FALSE(is_leftover_temp_file("my.tmp.4711.png"));
  CHECK_FALSE(is_leftover_temp_file(".tmp.12"));
}

TEST_CASE("save then load gives identical predictions and metadata", "[serialize]") {
  Model m = trained_a_little();
  ModelMeta meta = four_classes();
  meta.extra["note"] = "round trip";
  const std::string path = temp_path("roundtrip.fmp");
  save_model(path, m, meta);
  CHECK_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
  LoadedModel loaded = load_model(path);
  CHECK(loaded.meta.classes == meta.classes);
  CHECK(loaded.meta.extra["note"] == "round trip");
  Tensor x(Shape{3, 48, 48, 1}), a, b;
  test::fill_uniform(x, 2, 0.0f, 1.0f);
  m.infer(x, a);
  loaded.model.infer(x, b);
  CHECK(max_abs_diff(a, b) == 0.0f);
}

TEST_CASE("layer state and extra tensors survive a round trip", "[serialize]") {
  Model m = custom_cnn();
  Tensor x(Shape{2, 48, 48, 1});
  m.forward(x);
  m.forward(x);
  Tensor moment(Shape{3}, {1.0f, 2.0f, 3.0f});
  const std::string path = temp_path("state.fmp");
  save_model(path, m, four_classes(), {{"optimizer/m", &moment}});
  LoadedModel loaded = load_model(path);
  REQUIRE(loaded.extra_tensors.count("optimizer/m") == 1);
  CHECK(max_abs_diff(loaded.extra_tensors["optimizer/m"], moment) == 0.0f);
  for (Layer* l : loaded.model.all_layers())
    if (l->type() == "Dropout") CHECK(l->state()["calls"] == 2);
}

TEST_CASE("truncated, bit-flipped and foreign files are rejected clearly", "[serialize]") {
  Model m = custom_cnn();
  const std::string good = temp_path("good.fmp");
  save_model(good, m, four_classes());
  const std::string bytes = read_bytes(good);

  const std::string truncated = temp_path("truncated.fmp");
  write_bytes(truncated, bytes.substr(0, bytes.size() / 2));
  CHECK_THAT(error_of(truncated), Catch::Contains("truncated.fmp") && Catch::Contains("truncated"));

  std::string flipped_bytes = bytes;
  flipped_bytes[bytes.size() / 2] ^= 0x10;
  const std::string flipped = temp_path("flipped.fmp");
  write_bytes(flipped, flipped_bytes);
  CHECK_THAT(error_of(flipped), Catch::Contains("checksum mismatch"));

  const std::string foreign = temp_path("foreign.fmp");
  write_bytes(foreign, "GIF89a this is not a model at all");
  CHECK_THAT(error_of(foreign), Catch::Contains("not a fermap model file"));

  std::string newer_bytes = bytes;
  newer_bytes[8] = 99;
  const std::string newer = temp_path("newer.fmp");
  write_bytes(newer, newer_bytes);
  CHECK_THAT(error_of(newer), Catch::Contains("format version 99 is newer"));

  CHECK_THROWS_AS(load_model(temp_path("missing.fmp")), IoError);
}

TEST_CASE("a file listing a tensor twice, or a tensor past its end, is refused by name", "[serialize]") {
  Model m = custom_cnn();
  const std::string good = temp_path("listed.fmp");
  save_model(good, m, four_classes());
  const std::string bytes = read_bytes(good);
  REQUIRE_NOTHROW(load_model_from_bytes(test::with_header_edited(bytes, [](nlohmann::json&) {}), "unchanged.fmp"));

  // Two batch-norm gammas of one shape: naming the second like the first would have loaded the
  // first twice and left the second at its initial value, with the count of tensors still right.
  const std::string twice = temp_path("twice.fmp");
  write_bytes(twice, test::with_header_edited(bytes, [](nlohmann::json& h) {
    nlohmann::json& list = h["tensors"];
    for (size_t i = 0; i < list.size(); ++i)
      for (size_t j = i + 1; j < list.size(); ++j)
        if (list[i]["shape"] == list[j]["shape"]) {
          list[j]["name"] = list[i]["name"];
          return;
        }
    FAIL("no two tensors of one shape");
  }));
  CHECK_THAT(error_of(twice), Catch::Contains("twice.fmp") && Catch::Contains("is listed twice"));

  // A rank-0 tensor (one float) listed after the last byte of data.
  const std::string scalar = temp_path("scalar.fmp");
  write_bytes(scalar, test::with_header_edited(bytes, [](nlohmann::json& h) {
    h["tensors"].push_back({{"name", "extra/scalar"}, {"shape", nlohmann::json::array()}});
  }));
  CHECK_THAT(error_of(scalar), Catch::Contains("scalar.fmp") && Catch::Contains("\"extra/scalar\"") &&
                                   Catch::Contains("needs more bytes than the file has left"));

  // A layer state the layer refuses names the file too.
  const std::string state = temp_path("state_bad.fmp");
  write_bytes(state, test::with_header_edited(bytes, [](nlohmann::json& h) { h["layer_state"]["dropout"] = {{"calls", -1}}; }));
  CHECK_THAT(error_of(state), Catch::Contains("state_bad.fmp") && Catch::Contains("Dropout layer 'dropout'"));
}

TEST_CASE("weights of one architecture do not load into another", "[serialize]") {
  Model small = custom_cnn();
  const std::string path = temp_path("cnn.fmp");
  save_model(path, small, four_classes());
  Model seven = custom_cnn({7, 0});
  CHECK_THROWS_WITH(load_into(path, seven), Catch::Contains("different architecture"));
  Model same = custom_cnn({4, 5});
  CHECK_NOTHROW(load_into(path, same));
}

TEST_CASE("the classifier scales, replicates channels and returns probabilities", "[serialize]") {
  Model m = vgg16({4, 1});
  const std::string path = temp_path("vgg.fmp");
  ModelMeta meta = four_classes();
  meta.preprocessing.channels = 3;
  save_model(path, m, meta);
  const Classifier c = Classifier::load(path);
  Tensor faces(Shape{2, 48, 48, 1});
  test::fill_uniform(faces, 4, 0.0f, 255.0f);
  const Tensor p = c.predict(faces);
  REQUIRE(p.shape() == Shape{2, 4});
  for (int i = 0; i < 2; ++i) {
    float sum = 0.0f;
    for (int k = 0; k < 4; ++k) sum += p[i * 4 + k];
    CHECK(sum == Approx(1.0f).epsilon(1e-5));
  }
  CHECK_THROWS_AS(c.predict(Tensor(Shape{1, 48, 48, 3})), ShapeError);
}
