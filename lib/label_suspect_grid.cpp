// The suspects drawn as a grid of captioned faces (label_suspects.hpp).
#include <algorithm>
#include <cstdio>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"
#include "fermap/label_suspects.hpp"

namespace fermap {

PreviewImage label_suspect_grid(const Dataset& data, const std::vector<LabelSuspect>& suspects, int count, int columns,
                                int zoom) {
  if (suspects.empty()) throw ArgumentError("label_suspect_grid: no suspect to draw");
  if (count <= 0 || columns <= 0 || zoom <= 0 || zoom > 16)
    throw ArgumentError("label_suspect_grid: count and columns must be positive, zoom 1..16");
  const int shown = std::min(count, static_cast<int>(suspects.size()));
  const int rows = (shown + columns - 1) / columns, across = std::min(columns, shown);
  const int tile_w = std::max(data.width * zoom, 96), face_h = data.height * zoom, caption_h = 30, pad = 6;
  const int cell_w = tile_w + pad, cell_h = face_h + caption_h + pad;
  cv::Mat canvas(rows * cell_h + pad, across * cell_w + pad, CV_8UC1, cv::Scalar(40));
  cv::Mat face, big;
  for (int k = 0; k < shown; ++k) {
    const LabelSuspect& s = suspects[static_cast<size_t>(k)];
    const int x = pad + (k % columns) * cell_w, y = pad + (k / columns) * cell_h;
    face = cv::Mat(data.height, data.width, CV_8UC1, const_cast<uint8_t*>(data.image(s.index)));
    cv::resize(face, big, {data.width * zoom, face_h}, 0, 0, cv::INTER_NEAREST);
    big.copyTo(canvas(cv::Rect(x + (tile_w - big.cols) / 2, y, big.cols, big.rows)));
    char chosen[64];
    std::snprintf(chosen, sizeof chosen, "%s %.2f", data.class_names[static_cast<size_t>(s.predicted)].c_str(),
                  static_cast<double>(s.predicted_probability));
    const std::string label = "label " + data.class_names[static_cast<size_t>(data.labels[s.index])];
    cv::putText(canvas, label, {x, y + face_h + 12}, cv::FONT_HERSHEY_SIMPLEX, 0.38, cv::Scalar(235), 1, cv::LINE_AA);
    cv::putText(canvas, chosen, {x, y + face_h + 26}, cv::FONT_HERSHEY_SIMPLEX, 0.38, cv::Scalar(160), 1, cv::LINE_AA);
  }
  PreviewImage out;
  out.height = canvas.rows;
  out.width = canvas.cols;
  out.pixels.assign(canvas.data, canvas.data + canvas.total());
  return out;
}

}  // namespace fermap
