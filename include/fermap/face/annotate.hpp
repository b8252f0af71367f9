// fermap/face/annotate.hpp — draws each face's box and "emotion 87%" label on a picture.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace fermap {

struct FaceAnnotation {
  cv::Rect box;
  std::string label;        // e.g. "happy"
  float probability = -1;   // shown as a percentage after the label; < 0: not shown
};

struct AnnotateOptions {
  int thickness = 0;  // box line width in pixels; 0: about 1/250 of the image's larger side, at least 2
};

// Draws on `image` in place; a gray image is first converted to BGR so the colours show. Each label
// gets its own colour; the text sits on a filled band above the box (below it at the top edge).
void annotate_faces(cv::Mat& image, const std::vector<FaceAnnotation>& faces, const AnnotateOptions& options = {});

}  // namespace fermap
