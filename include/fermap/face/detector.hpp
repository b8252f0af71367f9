// fermap/face/detector.hpp — finds frontal faces in a photo or video frame with OpenCV's Haar cascade.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
#include <string>
#include <vector>

namespace fermap {

struct DetectorOptions {
  std::string cascade_path;   // empty: find_cascade() (cascade.hpp)
  double scale_factor = 1.1;  // image pyramid step
  int min_neighbors = 5;      // overlapping hits needed to keep a face; higher = fewer false faces
  int min_face = 30;          // smallest face looked for, in pixels of the original image
  // Images wider or taller than this are shrunk before detection (boxes are scaled back), which
  // bounds the time per image; 0 keeps every image at full size.
  int max_detect_side = 960;
  // Equalise the gray histogram first (OpenCV's facedetect sample does). Off by default: on
  // opencv-doc's messi5.jpg it adds a false face on the shirt, and it finds no more real faces in the
  // demo photo or Megamind.avi.
  bool equalize = false;
};

// Not thread-safe (OpenCV's cascade keeps per-call state): one detector per thread.
class FaceDetector {
 public:
  // IoError when the cascade cannot be found, FormatError when OpenCV cannot load it.
  explicit FaceDetector(const DetectorOptions& options = {});

  // Faces in an 8-bit gray, BGR or BGRA image, as boxes in its pixel coordinates, sorted
  // left to right (then top to bottom). Empty when there is no face.
  std::vector<cv::Rect> detect(const cv::Mat& image);

  const std::string& cascade_path() const { return cascade_path_; }
  const DetectorOptions& options() const { return options_; }

 private:
  DetectorOptions options_;
  std::string cascade_path_;
  cv::CascadeClassifier cascade_;
  cv::Mat gray_, small_, equalized_;  // reused between calls
};

// 8-bit single-channel copy (or view) of an 8-bit gray, BGR or BGRA image; ArgumentError otherwise.
cv::Mat to_gray(const cv::Mat& image);

}  // namespace fermap
