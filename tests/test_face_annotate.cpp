// Tests for drawing face boxes and labels.
#include <catch2/catch.hpp>

#include "fermap/face/annotate.hpp"
#include "fermap/face/image_io.hpp"
#include "test_face_support.hpp"

using namespace fermap;

TEST_CASE("annotation draws a coloured box and a label band", "[face][annotate]") {
  cv::Mat image(300, 400, CV_8UC1, cv::Scalar(128));
  const cv::Rect box(100, 120, 100, 100);
  annotate_faces(image, {{box, "happy", 0.87f}});
  REQUIRE(image.type() == CV_8UC3);
  const cv::Vec3b edge = image.at<cv::Vec3b>(box.y + 50, box.x);
  CHECK(edge != cv::Vec3b(128, 128, 128));
  CHECK(image.at<cv::Vec3b>(box.y + 50, box.x + 50) == cv::Vec3b(128, 128, 128));  // inside untouched
  // The label band sits above the box.
  CHECK(image.at<cv::Vec3b>(box.y - 4, box.x + 2) != cv::Vec3b(128, 128, 128));
  CHECK(image.at<cv::Vec3b>(5, 5) == cv::Vec3b(128, 128, 128));

  const std::string path = test::face_temp_path("annotated.png");
  write_png(path, image);
  CHECK(load_image(path).size() == image.size());
}

TEST_CASE("a face at the top edge gets its label below the box", "[face][annotate]") {
  cv::Mat image(200, 200, CV_8UC3, cv::Scalar(50, 50, 50));
  const cv::Rect box(20, 0, 80, 80);
  annotate_faces(image, {{box, "sad", -1.0f}});
  CHECK(image.at<cv::Vec3b>(box.height + 4, box.x + 2) != cv::Vec3b(50, 50, 50));
}
