// lib/face/crops.cpp — cropping, gray conversion and resizing of faces into bytes and a Tensor.
#include "fermap/face/crops.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"
#include "fermap/face/detector.hpp"

namespace fermap {

FaceCrops face_crops(const cv::Mat& image, const std::vector<cv::Rect>& boxes, const CropOptions& options) {
  if (options.size < 1) throw ArgumentError("face crops: size must be >= 1");
  if (options.margin < 0) throw ArgumentError("face crops: margin must be >= 0");
  FaceCrops out;
  if (boxes.empty()) return out;
  const cv::Mat gray = to_gray(image);
  const cv::Rect bounds(0, 0, gray.cols, gray.rows);
  const int s = options.size;
  out.tensor = Tensor(Shape{static_cast<int>(boxes.size()), s, s, 1});
  cv::Mat resized;
  for (size_t n = 0; n < boxes.size(); ++n) {
    const cv::Rect& b = boxes[n];
    const int dx = static_cast<int>(std::lround(b.width * options.margin));
    const int dy = static_cast<int>(std::lround(b.height * options.margin));
    const cv::Rect box = cv::Rect(b.x - dx, b.y - dy, b.width + 2 * dx, b.height + 2 * dy) & bounds;
    if (box.empty())
      throw ArgumentError("face crops: box (" + std::to_string(b.x) + "," + std::to_string(b.y) + "," +
                          std::to_string(b.width) + "," + std::to_string(b.height) + ") lies outside the " +
                          std::to_string(gray.cols) + "x" + std::to_string(gray.rows) + " image");
    cv::resize(gray(box), resized, cv::Size(s, s), 0, 0, cv::INTER_AREA);
    std::vector<uint8_t> bytes(static_cast<size_t>(s) * s);
    for (int y = 0; y < s; ++y) std::copy_n(resized.ptr<uint8_t>(y), s, bytes.data() + static_cast<size_t>(y) * s);
    float* dst = out.tensor.data() + static_cast<int64_t>(n) * s * s;
    std::transform(bytes.begin(), bytes.end(), dst, [](uint8_t v) { return static_cast<float>(v); });
    out.boxes.push_back(box);
    out.pixels.push_back(std::move(bytes));
  }
  return out;
}

FaceCrops whole_image_crop(const cv::Mat& image, const CropOptions& options) {
  if (image.empty()) throw ArgumentError("face crops: empty image");
  CropOptions whole = options;
  whole.margin = 0.0f;
  return face_crops(image, {cv::Rect(0, 0, image.cols, image.rows)}, whole);
}

FaceCrops detect_faces(FaceDetector& detector, const cv::Mat& image, const CropOptions& options) {
  return face_crops(image, detector.detect(image), options);
}

}  // namespace fermap
