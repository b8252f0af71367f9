// Tests for face detection on real photos (the bundled demo, opencv-doc's messi5.jpg and fruits.jpg).
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"
#include "fermap/face/crops.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/image_io.hpp"
#include "test_face_support.hpp"

using namespace fermap;

namespace {

bool sorted_left_to_right(const std::vector<cv::Rect>& boxes) {
  for (size_t i = 1; i < boxes.size(); ++i)
    if (boxes[i].x < boxes[i - 1].x) return false;
  return true;
}

}  // namespace

TEST_CASE("the bundled demo photo has its six faces, sorted left to right", "[face][detect]") {
  FaceDetector detector;
  const cv::Mat photo = load_image(test::demo_photo());
  const std::vector<cv::Rect> boxes = detector.detect(photo);
  REQUIRE(boxes.size() == 6);
  CHECK(sorted_left_to_right(boxes));
  for (const cv::Rect& b : boxes) {
    CHECK(b.width >= 100);
    CHECK(b.width <= 160);
  }
  // The same faces are found in the gray version of the photo.
  cv::Mat gray;
  cv::cvtColor(photo, gray, cv::COLOR_BGR2GRAY);
  CHECK(detector.detect(gray).size() == 6);
}

TEST_CASE("messi5.jpg has one face", "[face][detect]") {
  FERMAP_REQUIRE_MEDIA(path, "messi5.jpg");
  FaceDetector detector;
  const cv::Mat photo = load_image(path);
  const std::vector<cv::Rect> boxes = detector.detect(photo);
  REQUIRE(boxes.size() == 1);
  // The face is in the upper middle of the 548x342 picture.
  CHECK(boxes[0].x > 150);
  CHECK(boxes[0].x + boxes[0].width < 400);
  CHECK(boxes[0].y < 150);
  const FaceCrops crops = detect_faces(detector, photo);
  CHECK(crops.count() == 1);
  CHECK(crops.tensor.shape() == Shape{1, 48, 48, 1});
}

TEST_CASE("a picture without a face gives no boxes", "[face][detect]") {
  FaceDetector detector;
  CHECK(detector.detect(cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150))).empty());
  FERMAP_REQUIRE_MEDIA(path, "fruits.jpg");
  CHECK(detector.detect(load_image(path)).empty());
  CHECK(detect_faces(detector, load_image(path)).count() == 0);
}

TEST_CASE("large photos are shrunk for detection and the boxes scaled back", "[face][detect]") {
  const cv::Mat photo = load_image(test::demo_photo());
  cv::Mat big;
  cv::resize(photo, big, cv::Size(), 3.0, 3.0, cv::INTER_LINEAR);  // 1800x1200
  DetectorOptions options;
  options.max_detect_side = 600;
  FaceDetector detector(options);
  const std::vector<cv::Rect> boxes = detector.detect(big);
  REQUIRE(boxes.size() == 6);
  for (const cv::Rect& b : boxes) CHECK(b.width > 300);
}

TEST_CASE("the detector rejects bad inputs and bad cascades", "[face][detect]") {
  FaceDetector detector;
  CHECK_THROWS_AS(detector.detect(cv::Mat()), ArgumentError);
  CHECK_THROWS_AS(detector.detect(cv::Mat(10, 10, CV_32FC1)), ArgumentError);
  const std::string junk = test::write_face_temp("junk_cascade.xml", "<opencv_storage></opencv_storage>\n");
  DetectorOptions bad;
  bad.cascade_path = junk;
  CHECK_THROWS_AS(FaceDetector(bad), FormatError);
  bad.cascade_path = "/nonexistent/cascade.xml";
  CHECK_THROWS_AS(FaceDetector(bad), IoError);
}
