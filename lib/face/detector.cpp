// lib/face/detector.cpp — FaceDetector: gray, optional shrink and histogram equalisation, cascade.
#include "fermap/face/detector.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"
#include "fermap/face/cascade.hpp"

namespace fermap {

cv::Mat to_gray(const cv::Mat& image) {
  if (image.empty()) throw ArgumentError("face detection: empty image");
  if (image.depth() != CV_8U) throw ArgumentError("face detection: image must be 8-bit");
  cv::Mat gray;
  switch (image.channels()) {
    case 1: return image;
    case 3: cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY); return gray;
    case 4: cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY); return gray;
    default: throw ArgumentError("face detection: image must have 1, 3 or 4 channels, not " +
                                 std::to_string(image.channels()));
  }
}

FaceDetector::FaceDetector(const DetectorOptions& options)
    : options_(options), cascade_path_(find_cascade(options.cascade_path)) {
  if (!(options_.scale_factor > 1.0)) throw ArgumentError("face detection: scale_factor must be > 1");
  bool loaded = false;
  try {
    loaded = cascade_.load(cascade_path_);
  } catch (const cv::Exception& e) {
    throw FormatError(cascade_path_ + ": not a valid OpenCV cascade (" + e.msg + ")");
  }
  if (!loaded || cascade_.empty()) throw FormatError(cascade_path_ + ": not a valid OpenCV cascade");
}

std::vector<cv::Rect> FaceDetector::detect(const cv::Mat& image) {
  gray_ = to_gray(image);
  const int side = std::max(gray_.cols, gray_.rows);
  double scale = 1.0;
  const cv::Mat* input = &gray_;
  if (options_.max_detect_side > 0 && side > options_.max_detect_side) {
    scale = static_cast<double>(options_.max_detect_side) / side;
    cv::resize(gray_, small_, cv::Size(), scale, scale, cv::INTER_AREA);
    input = &small_;
  }
  if (options_.equalize) {
    cv::equalizeHist(*input, equalized_);
    input = &equalized_;
  }
  const int min_face = std::max(1, static_cast<int>(std::lround(options_.min_face * scale)));
  std::vector<cv::Rect> found;
  cascade_.detectMultiScale(*input, found, options_.scale_factor, options_.min_neighbors, 0,
                            cv::Size(min_face, min_face));
  if (scale != 1.0) {
    const cv::Rect bounds(0, 0, gray_.cols, gray_.rows);
    for (cv::Rect& r : found) {
      r = cv::Rect(static_cast<int>(std::lround(r.x / scale)), static_cast<int>(std::lround(r.y / scale)),
                   static_cast<int>(std::lround(r.width / scale)), static_cast<int>(std::lround(r.height / scale))) &
          bounds;
    }
  }
  std::sort(found.begin(), found.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
  return found;
}

}  // namespace fermap
