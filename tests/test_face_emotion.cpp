// Tests for the face -> emotion pipeline with a (untrained, seeded) custom CNN saved to a model file,
// and for finding the bundled data files.
#include <catch2/catch.hpp>

#include <numeric>

#include "fermap/classifier.hpp"
#include "fermap/error.hpp"
#include "fermap/face/bundled_data.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/emotion.hpp"
#include "fermap/face/image_io.hpp"
#include "fermap/serialize.hpp"
#include "fermap/zoo.hpp"
#include "test_face_support.hpp"
#include "test_songs_support.hpp"

using namespace fermap;

namespace {

const std::vector<std::string> kClasses{"angry", "happy", "neutral", "sad"};

// An untrained custom CNN saved once; the path is shared by the tests of this file and the CLI tests.
const std::string& untrained_model_path() {
  static const std::string path = [] {
    const std::string p = test::face_temp_path("untrained_custom_cnn.fmp");
    Model model = custom_cnn(ZooOptions{.classes = 4, .seed = 3});
    ModelMeta meta;
    meta.classes = kClasses;
    save_model(p, model, meta);
    return p;
  }();
  return path;
}

}  // namespace

namespace fermap::test {
std::string untrained_model() { return untrained_model_path(); }
}  // namespace fermap::test

TEST_CASE("every face of the demo photo gets a probability per class", "[face][emotion]") {
  const Classifier classifier = Classifier::load(untrained_model_path());
  FaceDetector detector;
  const cv::Mat photo = load_image(test::demo_photo());
  const std::vector<FaceEmotion> faces = recognize_emotions(classifier, &detector, photo);
  REQUIRE(faces.size() == 6);
  for (const FaceEmotion& face : faces) {
    REQUIRE(face.probabilities.size() == 4);
    CHECK(std::accumulate(face.probabilities.begin(), face.probabilities.end(), 0.0f) == Approx(1.0f).epsilon(1e-4));
    CHECK(face.emotion == kClasses[static_cast<size_t>(face.label)]);
    CHECK(face.probability == *std::max_element(face.probabilities.begin(), face.probabilities.end()));
  }
  const FaceEmotion overall = overall_emotion(faces, classifier.classes());
  cv::Rect span = faces[0].box;
  for (const FaceEmotion& f : faces) span |= f.box;
  CHECK(overall.box == span);
  float mean_sad = 0;
  for (const FaceEmotion& f : faces) mean_sad += f.probabilities[3] / 6.0f;
  CHECK(overall.probabilities[3] == Approx(mean_sad));

  const nlohmann::json j = to_json(faces[0], classifier.classes());
  CHECK(j["box"]["w"] == faces[0].box.width);
  CHECK(j["probabilities"].size() == 4);
  CHECK(j["emotion"] == faces[0].emotion);
  CHECK(to_annotations(faces).size() == 6);
}

TEST_CASE("no_detect classifies the whole image, detection needs a detector", "[face][emotion]") {
  const Classifier classifier = Classifier::load(untrained_model_path());
  const cv::Mat crop(48, 48, CV_8UC1, cv::Scalar(100));
  RecognizeOptions options;
  options.no_detect = true;
  const std::vector<FaceEmotion> faces = recognize_emotions(classifier, nullptr, crop, options);
  REQUIRE(faces.size() == 1);
  CHECK(faces[0].box == cv::Rect(0, 0, 48, 48));
  options.no_detect = false;
  CHECK_THROWS_AS(recognize_emotions(classifier, nullptr, crop, options), ArgumentError);
  CHECK_THROWS_AS(overall_emotion({}, kClasses), ArgumentError);
}

TEST_CASE("bundled data files are found, and missing ones name the paths tried", "[face][bundled]") {
  const std::string songs = find_bundled_file(kDefaultSongs);
  CHECK_THAT(songs, Catch::Matchers::EndsWith("data/songs/data_moods.csv"));
  CHECK(find_bundled_file(kDefaultSongs, songs) == songs);
  CHECK_THAT(test::thrown<IoError>([] { find_bundled_file(kDefaultSongs, "/nonexistent/songs.csv"); }),
             Catch::Matchers::Contains("/nonexistent/songs.csv"));
  const std::string message = test::thrown<IoError>([] { find_bundled_file("models/nothing_here.fmp"); });
  CHECK_THAT(message, Catch::Matchers::Contains("data/models/nothing_here.fmp") &&
                          Catch::Matchers::Contains(std::string(FERMAP_SOURCE_DIR) + "/data/models/nothing_here.fmp"));
}
