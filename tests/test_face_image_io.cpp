// Tests for loading photos (clear errors for bad files, size limits) and writing PNGs.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>

#include "fermap/error.hpp"
#include "fermap/face/image_io.hpp"
#include "test_face_support.hpp"
#include "test_songs_support.hpp"

using namespace fermap;

namespace {

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char ch : bytes) {
    crc ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// A PNG whose header claims width x height; no pixel data follows.
std::string png_header_only(uint32_t width, uint32_t height) {
  std::string chunk = "IHDR";
  put_be32(chunk, width);
  put_be32(chunk, height);
  chunk += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit gray, no interlace
  std::string png = "\x89PNG\r\n\x1a\n";
  put_be32(png, 13);
  png += chunk;
  put_be32(png, crc32(chunk));
  return png;
}

}  // namespace

TEST_CASE("a written PNG loads back as BGR with the same pixels", "[face][image]") {
  cv::Mat image(20, 30, CV_8UC3);
  cv::randu(image, 0, 255);
  const std::string path = test::face_temp_path("roundtrip.whatever");
  write_png(path, image);
  const cv::Mat back = load_image(path);
  REQUIRE(back.type() == CV_8UC3);
  REQUIRE(back.size() == image.size());
  CHECK(cv::norm(back, image, cv::NORM_INF) == 0);

  cv::Mat gray(5, 7, CV_8UC1, cv::Scalar(77));
  write_png(path, gray);
  const cv::Mat gray_back = load_image(path);
  CHECK(gray_back.channels() == 3);
  CHECK(gray_back.at<cv::Vec3b>(2, 3) == cv::Vec3b(77, 77, 77));
}

TEST_CASE("unreadable, empty, non-image and corrupt files are clear errors naming the file", "[face][image]") {
  CHECK_THAT(test::thrown<IoError>([] { load_image("/nonexistent/photo.jpg"); }),
             Catch::Matchers::Contains("/nonexistent/photo.jpg"));
  CHECK_THAT(test::thrown<IoError>([] { load_image(FERMAP_TEST_TMP); }), Catch::Matchers::Contains("directory"));
  const std::string empty = test::write_face_temp("empty.jpg", "");
  CHECK_THAT(test::thrown<FormatError>([&] { load_image(empty); }),
             Catch::Matchers::Contains("empty.jpg") && Catch::Matchers::Contains("0 bytes"));
  const std::string text = test::write_face_temp("notes.png", "this is not an image\n");
  CHECK_THAT(test::thrown<FormatError>([&] { load_image(text); }),
             Catch::Matchers::Contains("notes.png") && Catch::Matchers::Contains("not a readable image"));

  cv::Mat image(64, 64, CV_8UC3, cv::Scalar(10, 200, 30));
  std::vector<uint8_t> jpg;
  cv::imencode(".jpg", image, jpg);
  const std::string truncated =
      test::write_face_temp("truncated.jpg", std::string(jpg.begin(), jpg.begin() + 20));
  CHECK_THAT(test::thrown<FormatError>([&] { load_image(truncated); }), Catch::Matchers::Contains("truncated.jpg"));
}

TEST_CASE("absurd image dimensions are refused from the header, before decoding", "[face][image]") {
  // 30000 x 30000 would decode to 2.7 GB: refused from the header.
  const std::string huge = test::write_face_temp("huge.png", png_header_only(30000, 30000));
  CHECK_THAT(test::thrown<FormatError>([&] { load_image(huge); }),
             Catch::Matchers::Contains("huge.png") && Catch::Matchers::Contains("30000x30000"));
  // Larger still: stb and OpenCV both refuse to read it at all.
  const std::string huger = test::write_face_temp("huger.png", png_header_only(100000, 100000));
  CHECK_THAT(test::thrown<FormatError>([&] { load_image(huger); }), Catch::Matchers::Contains("huger.png"));

  cv::Mat image(40, 50, CV_8UC3, cv::Scalar(1, 2, 3));
  const std::string path = test::face_temp_path("limit.png");
  write_png(path, image);
  ImageLoadOptions small;
  small.max_side = 45;
  CHECK_THAT(test::thrown<FormatError>([&] { load_image(path, small); }), Catch::Matchers::Contains("50x40"));
  small.max_side = 100;
  small.max_pixels = 1999;
  CHECK_THROWS_AS(load_image(path, small), FormatError);
}

TEST_CASE("writing a PNG into a missing folder is an IoError", "[face][image]") {
  const cv::Mat image(4, 4, CV_8UC1, cv::Scalar(0));
  CHECK_THAT(test::thrown<IoError>([&] { write_png("/nonexistent/dir/out.png", image); }),
             Catch::Matchers::Contains("/nonexistent/dir/out.png"));
  CHECK_THROWS_AS(write_png(test::face_temp_path("x.png"), cv::Mat()), ArgumentError);
}
