// Tests of Classifier's test-time augmentation: the application's faces get the same averaged
// probabilities as `fermap eval --tta` gives a dataset's images.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "fermap/classifier.hpp"
#include "fermap/data/augment.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/layers.hpp"

using namespace fermap;

namespace {

// The shipped model: a trained network, whose answer depends on the face (an untrained one gives
// nearly the same probabilities for every input, too alike to tell the views apart).
Classifier shipped_classifier(bool tta) {
  return Classifier::load(std::string(FERMAP_SOURCE_DIR) + "/data/models/custom_cnn.fmp", {.tta = tta});
}

// n random faces (48x48 unless told) with pixel values 0..255 (whole numbers, as a crop of an 8-bit photo).
Dataset random_faces(int n, int side = 48) {
  Dataset d;
  d.height = d.width = side;
  d.class_names = {"angry", "happy", "neutral", "sad"};
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> pixel(0, 255);
  d.pixels.resize(static_cast<size_t>(n) * d.image_bytes());
  for (uint8_t& p : d.pixels) p = static_cast<uint8_t>(pixel(rng));
  for (int i = 0; i < n; ++i) {
    d.labels.push_back(i % 4);
    d.sources.push_back("face" + std::to_string(i));
  }
  return d;
}

Tensor as_tensor(const Dataset& d) {
  Tensor t(Shape{static_cast<int>(d.size()), d.height, d.width, 1});
  std::copy(d.pixels.begin(), d.pixels.end(), t.data());
  return t;
}

// Each face mirrored left to right.
Tensor mirrored(const Tensor& faces) {
  Tensor out(faces.shape());
  const int n = faces.dim(0), h = faces.dim(1), w = faces.dim(2);
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c)
        out[(static_cast<int64_t>(i) * h + r) * w + c] = faces[(static_cast<int64_t>(i) * h + r) * w + (w - 1 - c)];
  return out;
}

float max_abs_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float worst = 0;
  for (int64_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("test_time_views: the image, four two-pixel shifts, and the mirror image of each", "[data]") {
  const std::vector<AffineDraw> views = test_time_views();
  REQUIRE(views.size() == 10);
  CHECK(views[0].is_identity());
  int flipped = 0;
  for (const AffineDraw& v : views) {
    flipped += v.flip;
    CHECK(std::abs(v.shift_x) + std::abs(v.shift_y) == (v.shift_x == 0 && v.shift_y == 0 ? 0.0f : 2.0f));
    CHECK(v.angle_deg == 0);
    CHECK(v.zoom_x == 1);
  }
  CHECK(flipped == 5);
}

TEST_CASE("augment_image gives float pixels what it gives the same bytes", "[data]") {
  const Dataset d = random_faces(1);
  const std::vector<float> as_float(d.pixels.begin(), d.pixels.end());
  AffineDraw draw;
  draw.angle_deg = 7, draw.shift_x = 1.5f, draw.shift_y = -2.25f, draw.zoom_x = 1.05f, draw.flip = true;
  std::vector<float> from_bytes(d.image_bytes()), from_floats(d.image_bytes());
  augment_image(d.image(0), 48, 48, draw, from_bytes.data());
  augment_image(as_float.data(), 48, 48, draw, from_floats.data());
  CHECK(from_bytes == from_floats);
}

TEST_CASE("Classifier with tta gives each face eval --tta's probabilities", "[face][emotion]") {
  const Dataset faces = random_faces(6);
  const Classifier plain = shipped_classifier(false), tta = shipped_classifier(true);
  CHECK_FALSE(plain.options().tta);
  CHECK(tta.options().tta);

  EvalOptions with_tta;
  with_tta.tta = true;
  const Tensor from_eval = predict_dataset(tta.model(), tta.meta().preprocessing, faces, with_tta);
  const Tensor from_classifier = tta.predict(as_tensor(faces));
  CHECK(max_abs_difference(from_classifier, from_eval) < 1e-6f);

  const Tensor from_eval_plain = predict_dataset(plain.model(), plain.meta().preprocessing, faces, {});
  const Tensor from_plain = plain.predict(as_tensor(faces));
  CHECK(max_abs_difference(from_plain, from_eval_plain) == 0.0f);
  // The averaging changes the answer: otherwise the test above could not tell tta from plain.
  CHECK(max_abs_difference(from_classifier, from_plain) > 1e-3f);

  for (int i = 0; i < from_classifier.dim(0); ++i) {
    float sum = 0;
    for (int k = 0; k < 4; ++k) sum += from_classifier[i * 4 + k];
    CHECK(sum == Approx(1.0f).epsilon(1e-5));
  }
}

TEST_CASE("Classifier with tta gives a face and its mirror image the same probabilities", "[face][emotion]") {
  const Tensor faces = as_tensor(random_faces(3));
  const Classifier plain = shipped_classifier(false), tta = shipped_classifier(true);
  // Without the averaging a mirror image changes the probabilities; the ten views are their own
  // mirror images, so with it the two agree up to the order of the sum.
  CHECK(max_abs_difference(plain.predict(faces), plain.predict(mirrored(faces))) > 1e-3f);
  CHECK(max_abs_difference(tta.predict(faces), tta.predict(mirrored(faces))) < 1e-5f);
}

TEST_CASE("predict_dataset softens by its temperature and reports each batch", "[face][emotion]") {
  const Dataset faces = random_faces(10);
  const Classifier plain = shipped_classifier(false);
  EvalOptions options;
  options.batch = 4;
  std::vector<size_t> reports;
  options.on_batch = [&](size_t done) { reports.push_back(done); };
  const Tensor p1 = predict_dataset(plain.model(), plain.meta().preprocessing, faces, options);
  CHECK(reports == std::vector<size_t>{4, 8, 10});

  // softmax(z / T) is p^(1/T), renormalised: the same ordering, flatter.
  options.temperature = 2.0f;
  const Tensor p2 = predict_dataset(plain.model(), plain.meta().preprocessing, faces, options);
  for (int i = 0; i < p1.dim(0); ++i) {
    float norm = 0;
    for (int k = 0; k < 4; ++k) norm += std::sqrt(p1[i * 4 + k]);
    for (int k = 0; k < 4; ++k) CHECK(p2[i * 4 + k] == Approx(std::sqrt(p1[i * 4 + k]) / norm).epsilon(1e-4));
  }
  CHECK(max_abs_difference(p1, p2) > 1e-3f);
}

TEST_CASE("eval and the classifier agree on faces larger than 256x256, in colour models too", "[face][emotion]") {
  // A classifier may take faces up to kMaxClassifierSide; the dataset path once stopped at 256.
  const int side = 300;
  for (int channels : {1, 3}) {
    INFO(channels << " channel(s)");
    Model m;
    m.add<Conv2D>(Conv2DOptions{.filters = 4, .kernel = {3, 3}, .stride = 2});
    m.add<GlobalAveragePooling2D>();
    m.add<Dense>(DenseOptions{.units = 4});
    m.build(Shape{side, side, channels}, 3);
    ModelMeta meta;
    meta.classes = {"angry", "happy", "neutral", "sad"};
    meta.preprocessing.channels = channels;
    const Classifier classifier(std::move(m), meta, {.tta = true});
    const Dataset faces = random_faces(3, side);
    EvalOptions with_tta;
    with_tta.tta = true;
    const Tensor from_eval = predict_dataset(classifier.model(), meta.preprocessing, faces, with_tta);
    const Tensor from_classifier = classifier.predict(as_tensor(faces));
    CHECK(max_abs_difference(from_classifier, from_eval) < 1e-6f);
    CHECK(max_abs_difference(from_classifier, Tensor(from_classifier.shape())) > 0.1f);  // probabilities, not zeros
  }
}
