// lib/face/annotate.cpp — boxes and labels drawn with OpenCV's primitives.
#include "fermap/face/annotate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"

namespace fermap {

namespace {

// Distinct colours (BGR) that read well on photos; a label always gets the same one.
cv::Scalar colour_for(const std::string& label) {
  static const cv::Scalar kPalette[] = {{0, 200, 255}, {80, 220, 60}, {255, 140, 30}, {60, 60, 230},
                                        {200, 80, 200}, {220, 220, 40}, {40, 160, 255}};
  size_t h = 0;
  for (const char c : label) h = h * 131 + static_cast<unsigned char>(c);
  return kPalette[h % std::size(kPalette)];
}

std::string caption(const FaceAnnotation& face) {
  if (face.probability < 0) return face.label;
  char pct[16];
  std::snprintf(pct, sizeof pct, " %.0f%%", 100.0 * std::clamp(face.probability, 0.0f, 1.0f));
  return face.label + pct;
}

}  // namespace

void annotate_faces(cv::Mat& image, const std::vector<FaceAnnotation>& faces, const AnnotateOptions& options) {
  if (image.empty() || image.depth() != CV_8U) throw ArgumentError("annotate: need a non-empty 8-bit image");
  if (image.channels() == 1) cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
  const int side = std::max(image.cols, image.rows);
  const int thickness = options.thickness > 0 ? options.thickness : std::max(2, side / 250);
  const double font_scale = std::max(0.4, side / 1000.0);
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  for (const FaceAnnotation& face : faces) {
    const cv::Scalar colour = colour_for(face.label);
    cv::rectangle(image, face.box, colour, thickness, cv::LINE_AA);
    const std::string text = caption(face);
    if (text.empty()) continue;
    int baseline = 0;
    const int text_thickness = std::max(1, thickness / 2);
    const cv::Size size = cv::getTextSize(text, font, font_scale, text_thickness, &baseline);
    const int pad = std::max(2, thickness);
    const int band_h = size.height + baseline + 2 * pad;
    int top = face.box.y - band_h;
    if (top < 0) top = std::min(face.box.y + face.box.height, image.rows - band_h);
    const cv::Rect band(face.box.x, top, size.width + 2 * pad, band_h);
    cv::rectangle(image, band & cv::Rect(0, 0, image.cols, image.rows), colour, cv::FILLED);
    cv::putText(image, text, cv::Point(band.x + pad, band.y + pad + size.height), font, font_scale,
                cv::Scalar(0, 0, 0), text_thickness, cv::LINE_AA);
  }
}

}  // namespace fermap
