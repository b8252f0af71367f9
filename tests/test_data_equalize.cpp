// Histogram equalisation (fermap/data/equalize.hpp) and the paths that honour a model's
// `equalize`: training batches, eval, the classifier, the model file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "fermap/classifier.hpp"
#include "fermap/data/batch.hpp"
#include "fermap/data/equalize.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/serialize.hpp"
#include "fermap/tensor.hpp"
#include "model_file_edit.hpp"

using namespace fermap;

namespace {

constexpr size_t kPixels = 48 * 48;

// A 48x48 face-like image: a smooth gradient plus noise, its levels squeezed into [low, high].
std::vector<uint8_t> dim_image(uint32_t seed, int low, int high) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-20, 20);
  std::vector<uint8_t> image(kPixels);
  for (size_t p = 0; p < kPixels; ++p) {
    const int value = static_cast<int>((p % 48) * 2 + (p / 48)) + noise(rng);  // about 0..140 before squeezing
    image[p] = static_cast<uint8_t>(low + std::clamp(value, 0, 140) * (high - low) / 140);
  }
  return image;
}

std::vector<uint8_t> equalized(const std::vector<uint8_t>& image) {
  std::vector<uint8_t> out(image.size());
  equalize_histogram(image.data(), image.size(), out.data());
  return out;
}

// The same face under other lighting: v -> 2v + 10, which keeps every level apart and in order.
std::vector<uint8_t> relit(const std::vector<uint8_t>& image) {
  std::vector<uint8_t> out(image.size());
  std::transform(image.begin(), image.end(), out.begin(), [](uint8_t v) { return static_cast<uint8_t>(2 * v + 10); });
  return out;
}

Dataset dataset_of(const std::vector<std::vector<uint8_t>>& images) {
  Dataset d;
  d.class_names = {"angry", "happy", "neutral", "sad"};
  for (size_t i = 0; i < images.size(); ++i) {
    d.pixels.insert(d.pixels.end(), images[i].begin(), images[i].end());
    d.labels.push_back(static_cast<int>(i % 4));
    d.sources.push_back("image" + std::to_string(i));
  }
  return d;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string shipped_model() { return std::string(FERMAP_SOURCE_DIR) + "/data/models/custom_cnn.fmp"; }

}  // namespace

TEST_CASE("equalize_histogram gives what OpenCV's equalizeHist gives", "[data]") {
  for (const auto& [low, high] : {std::pair{0, 255}, std::pair{60, 110}, std::pair{200, 203}}) {
    const std::vector<uint8_t> image = dim_image(static_cast<uint32_t>(low + high), low, high);
    cv::Mat source(48, 48, CV_8UC1, const_cast<uint8_t*>(image.data())), expected;
    cv::equalizeHist(source, expected);
    const std::vector<uint8_t> ours = equalized(image);
    CHECK(std::equal(ours.begin(), ours.end(), expected.ptr<uint8_t>()));
  }
}

TEST_CASE("equalize_histogram spreads a dim image over the whole range and keeps its order", "[data]") {
  const std::vector<uint8_t> image = dim_image(1, 60, 110), out = equalized(image);
  CHECK(*std::min_element(out.begin(), out.end()) == 0);
  CHECK(*std::max_element(out.begin(), out.end()) == 255);
  for (size_t i = 0; i + 1 < kPixels; ++i) {
    if (image[i] < image[i + 1]) REQUIRE(out[i] <= out[i + 1]);
    if (image[i] == image[i + 1]) REQUIRE(out[i] == out[i + 1]);
  }
}

TEST_CASE("equalize_histogram takes the lighting out: a relit face equalises to the same image", "[data]") {
  const std::vector<uint8_t> image = dim_image(2, 0, 120), brighter = relit(image);
  REQUIRE(brighter != image);
  CHECK(equalized(brighter) == equalized(image));
}

TEST_CASE("equalize_histogram leaves an image of one level as it is, and works in place", "[data]") {
  std::vector<uint8_t> flat(kPixels, 77);
  equalize_histogram(flat.data(), flat.size(), flat.data());
  CHECK(flat == std::vector<uint8_t>(kPixels, 77));

  std::vector<uint8_t> image = dim_image(3, 30, 90);
  const std::vector<uint8_t> expected = equalized(image);
  equalize_histogram(image.data(), image.size(), image.data());
  CHECK(image == expected);
}

TEST_CASE("equalize_histogram on float levels matches the bytes, clamping what lies outside 0..255", "[data]") {
  const std::vector<uint8_t> image = dim_image(4, 10, 200), expected = equalized(image);
  std::vector<float> levels(image.begin(), image.end()), out(kPixels);
  equalize_histogram(levels.data(), levels.size(), out.data());
  CHECK(std::equal(out.begin(), out.end(), expected.begin()));

  // Values off the grid count as their nearest level; below 0 as 0, above 255 as 255.
  std::vector<float> rough = {-5.0f, 0.4f, 100.3f, 99.8f, 300.0f, 255.0f};
  equalize_histogram(rough.data(), rough.size(), rough.data());
  CHECK(rough[0] == rough[1]);
  CHECK(rough[2] == rough[3]);
  CHECK(rough[4] == rough[5]);
  CHECK(rough[5] == 255.0f);
}

TEST_CASE("make_batch and eval equalise each image first when asked", "[data]") {
  const std::vector<uint8_t> image = dim_image(5, 40, 100);
  const Dataset plain = dataset_of({image, relit(image)});
  const std::vector<EpochItem> items = {{0, false, 0}, {1, true, 1}};
  BatchOptions o;
  o.equalize = true;
  o.augment.horizontal_flip = true;
  Tensor x;
  std::vector<int> labels;
  make_batch(plain, items.data(), 1, o, x, labels);
  const std::vector<uint8_t> expected = equalized(image);
  for (size_t p = 0; p < kPixels; ++p) REQUIRE(x[static_cast<int64_t>(p)] == expected[p] * (1.0f / 255));

  // Augmentation comes after equalisation: the relit copy, augmented, is the original augmented.
  Tensor a, b;
  const std::vector<EpochItem> first = {{0, true, 1}};
  make_batch(plain, first.data(), 1, o, a, labels);
  make_batch(plain, items.data() + 1, 1, o, b, labels);
  CHECK(max_abs_diff(a, b) == 0.0f);
  o.equalize = false;
  make_batch(plain, first.data(), 1, o, a, labels);
  make_batch(plain, items.data() + 1, 1, o, b, labels);
  CHECK(max_abs_diff(a, b) > 0.1f);

  LoadedModel model = load_model(shipped_model());
  Preprocessing pre = model.meta.preprocessing;
  pre.equalize = true;
  EvalOptions tta;
  tta.tta = true;
  const Tensor p = predict_dataset(model.model, pre, plain, tta);
  for (int k = 0; k < p.dim(1); ++k) CHECK(p[k] == Approx(p[p.dim(1) + k]).margin(1e-6));
}

TEST_CASE("the classifier equalises faces as eval does when the model says so", "[face][emotion]") {
  const std::vector<uint8_t> image = dim_image(6, 50, 110);
  const Dataset faces = dataset_of({image, relit(image)});
  Tensor as_floats(Shape{2, 48, 48, 1});
  std::copy(faces.pixels.begin(), faces.pixels.end(), as_floats.data());

  const Classifier unequalized = Classifier::load(shipped_model(), {.tta = true});
  REQUIRE_FALSE(unequalized.meta().preprocessing.equalize);
  LoadedModel model = load_model(shipped_model());
  ModelMeta meta = model.meta;
  meta.preprocessing.equalize = true;
  const Classifier equalizing(std::move(model.model), meta, {.tta = true});

  const Tensor p = equalizing.predict(as_floats);
  EvalOptions tta;
  tta.tta = true;
  CHECK(max_abs_diff(p, predict_dataset(equalizing.model(), meta.preprocessing, faces, tta)) < 1e-6f);
  for (int k = 0; k < p.dim(1); ++k) CHECK(p[k] == Approx(p[p.dim(1) + k]).margin(1e-6));
  // Without equalisation the lighting changes the answer, so the check above can fail.
  const Tensor q = unequalized.predict(as_floats);
  float moved = 0;
  for (int k = 0; k < q.dim(1); ++k) moved = std::max(moved, std::abs(q[k] - q[q.dim(1) + k]));
  CHECK(moved > 1e-3f);
}

TEST_CASE("a model file keeps equalize, reads older files as without it, and refuses a bad value", "[serialize]") {
  LoadedModel model = load_model(shipped_model());
  ModelMeta meta = model.meta;
  meta.preprocessing.equalize = true;
  const auto dir = std::filesystem::temp_directory_path() / "fermap_test_equalize";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "equalized.fmp").string();
  save_model(path, model.model, meta);
  CHECK(load_model(path).meta.preprocessing.equalize);

  const std::string bytes = read_model_file(path);
  const std::string older = (dir / "older.fmp").string(), bad = (dir / "bad.fmp").string();
  write_file(older, test::with_header_edited(bytes, [](nlohmann::json& h) { h["preprocessing"].erase("equalize"); }));
  CHECK_FALSE(load_model(older).meta.preprocessing.equalize);
  write_file(bad, test::with_header_edited(bytes, [](nlohmann::json& h) { h["preprocessing"]["equalize"] = "yes"; }));
  CHECK_THROWS_WITH(load_model(bad), Catch::Contains("bad.fmp") && Catch::Contains("equalize"));
  std::filesystem::remove_all(dir);
}
