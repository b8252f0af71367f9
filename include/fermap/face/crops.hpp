// fermap/face/crops.hpp — face boxes to the model's input: 48x48 grayscale crops, as bytes and as a
// Tensor [N, 48, 48, 1] of floats 0..255. The model's own preprocessing (scaling, normalising) is
// the classifier's job, not done here.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "fermap/tensor.hpp"

namespace fermap {

class FaceDetector;

struct CropOptions {
  int size = 48;        // side of the square crop
  float margin = 0.0f;  // grow each box by this fraction of its size on every side (clipped to the image)
};

struct FaceCrops {
  std::vector<cv::Rect> boxes;               // in the source image's pixels (after margin and clipping)
  std::vector<std::vector<uint8_t>> pixels;  // one size*size row-major gray buffer per face
  Tensor tensor;                             // [N, size, size, 1], values 0..255; empty when N = 0
  size_t count() const { return boxes.size(); }
};

// Each box cropped from `image` (8-bit gray, BGR or BGRA), converted to gray and resized with
// INTER_AREA. Boxes are clipped to the image; an empty one is an ArgumentError.
FaceCrops face_crops(const cv::Mat& image, const std::vector<cv::Rect>& boxes, const CropOptions& options = {});

// The whole image as one face (the "no detection" path, for images that are already face crops).
FaceCrops whole_image_crop(const cv::Mat& image, const CropOptions& options = {});

// detector.detect(image) then face_crops; no faces gives an empty FaceCrops.
FaceCrops detect_faces(FaceDetector& detector, const cv::Mat& image, const CropOptions& options = {});

}  // namespace fermap
