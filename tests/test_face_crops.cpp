// Tests for cutting faces into 48x48 gray crops (bytes and Tensor).
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"
#include "fermap/face/crops.hpp"

using namespace fermap;

TEST_CASE("a box is cropped, converted to gray and resized to 48x48", "[face][crops]") {
  // Left half black, right half white (BGR); the box covers a 96x96 square straddling the edge.
  cv::Mat image(200, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  image(cv::Rect(100, 0, 100, 200)).setTo(cv::Scalar(255, 255, 255));
  const FaceCrops crops = face_crops(image, {cv::Rect(52, 10, 96, 96)});
  REQUIRE(crops.count() == 1);
  CHECK(crops.tensor.shape() == Shape{1, 48, 48, 1});
  REQUIRE(crops.pixels[0].size() == 48u * 48u);
  // INTER_AREA: columns 0..23 come from x 52..99 (black), 24..47 from 100..147 (white).
  CHECK(crops.pixels[0][0] == 0);
  CHECK(crops.pixels[0][23] == 0);
  CHECK(crops.pixels[0][24] == 255);
  CHECK(crops.pixels[0][47 * 48 + 47] == 255);
  CHECK(crops.tensor[24] == 255.0f);
  CHECK(crops.tensor[0] == 0.0f);
}

TEST_CASE("gray and colour inputs give the same crop, tensor rows follow the boxes", "[face][crops]") {
  cv::Mat gray(120, 160, CV_8UC1);
  cv::randu(gray, 0, 255);
  cv::Mat bgr;
  cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
  const std::vector<cv::Rect> boxes{cv::Rect(0, 0, 48, 48), cv::Rect(100, 60, 60, 60)};
  const FaceCrops a = face_crops(gray, boxes);
  const FaceCrops b = face_crops(bgr, boxes);
  REQUIRE(a.count() == 2);
  CHECK(a.pixels == b.pixels);
  CHECK(a.tensor.shape() == Shape{2, 48, 48, 1});
  // A 48x48 box is copied unchanged.
  CHECK(a.pixels[0][5 * 48 + 7] == gray.at<uint8_t>(5, 7));
  CHECK(a.tensor[48 * 48 + 3] == static_cast<float>(a.pixels[1][3]));
}

TEST_CASE("margins grow boxes within the image, boxes outside it are errors", "[face][crops]") {
  const cv::Mat image(100, 100, CV_8UC1, cv::Scalar(128));
  CropOptions options;
  options.margin = 0.25f;
  const FaceCrops crops = face_crops(image, {cv::Rect(10, 20, 40, 40), cv::Rect(80, 80, 40, 40)}, options);
  REQUIRE(crops.count() == 2);
  CHECK(crops.boxes[0] == cv::Rect(0, 10, 60, 60));
  CHECK(crops.boxes[1] == cv::Rect(70, 70, 30, 30));
  CHECK_THROWS_AS(face_crops(image, {cv::Rect(200, 200, 10, 10)}), ArgumentError);
  CHECK(face_crops(image, {}).count() == 0);
  CHECK(face_crops(image, {}).tensor.empty());
}

TEST_CASE("the whole image can be one face crop", "[face][crops]") {
  cv::Mat image(48, 48, CV_8UC1);
  cv::randu(image, 0, 255);
  const FaceCrops crops = whole_image_crop(image);
  REQUIRE(crops.count() == 1);
  CHECK(crops.boxes[0] == cv::Rect(0, 0, 48, 48));
  CHECK(std::equal(crops.pixels[0].begin(), crops.pixels[0].end(), image.ptr<uint8_t>(0)));
  CropOptions small;
  small.size = 24;
  CHECK(whole_image_crop(cv::Mat(300, 200, CV_8UC3, cv::Scalar(1, 2, 3)), small).tensor.shape() ==
        Shape{1, 24, 24, 1});
  CHECK_THROWS_AS(whole_image_crop(cv::Mat()), ArgumentError);
}
