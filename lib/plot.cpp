#include "fermap/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "fermap/error.hpp"
#include "fermap/face/image_io.hpp"

namespace fermap {

namespace {

const cv::Scalar kColours[] = {{200, 90, 30}, {40, 120, 230}, {60, 170, 60}, {160, 60, 160}};
const cv::Scalar kInk{40, 40, 40}, kGrid{225, 225, 225};

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 10 ? "%.0f" : "%.2f", v);
  return buf;
}

void panel(cv::Mat& img, cv::Rect area, const std::string& title, const std::vector<Series>& series) {
  double lo = 1e300, hi = -1e300;
  size_t n = 0;
  for (const auto& s : series)
    for (double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v), n = std::max(n, s.values.size());
  if (n == 0) lo = 0, hi = 1;
  if (hi - lo < 1e-9) hi = lo + 1;
  const int left = area.x + 50, right = area.x + area.width - 15, top = area.y + 35, bottom = area.y + area.height - 40;
  cv::putText(img, title, {area.x + 50, area.y + 22}, cv::FONT_HERSHEY_SIMPLEX, 0.6, kInk, 1, cv::LINE_AA);
  for (int i = 0; i <= 4; ++i) {
    const int y = bottom - (bottom - top) * i / 4;
    cv::line(img, {left, y}, {right, y}, kGrid);
    cv::putText(img, fmt(lo + (hi - lo) * i / 4), {area.x + 4, y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.38, kInk, 1, cv::LINE_AA);
  }
  cv::rectangle(img, {left, top}, {right, bottom}, kInk);
  cv::putText(img, "epoch", {(left + right) / 2 - 20, bottom + 30}, cv::FONT_HERSHEY_SIMPLEX, 0.45, kInk, 1, cv::LINE_AA);
  auto px = [&](size_t i) { return n <= 1 ? (left + right) / 2 : left + static_cast<int>((right - left) * i / (n - 1)); };
  auto py = [&](double v) { return bottom - static_cast<int>((bottom - top) * (v - lo) / (hi - lo)); };
  for (size_t i = 0; i < n; i += std::max<size_t>(1, n / 8))
    cv::putText(img, std::to_string(i + 1), {px(i) - 4, bottom + 14}, cv::FONT_HERSHEY_SIMPLEX, 0.35, kInk, 1, cv::LINE_AA);
  for (size_t s = 0; s < series.size(); ++s) {
    const cv::Scalar colour = kColours[s % 4];
    const auto& v = series[s].values;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) continue;
      cv::circle(img, {px(i), py(v[i])}, 2, colour, cv::FILLED, cv::LINE_AA);
      if (i > 0 && std::isfinite(v[i - 1])) cv::line(img, {px(i - 1), py(v[i - 1])}, {px(i), py(v[i])}, colour, 2, cv::LINE_AA);
    }
  }
  // The legend sits in the title row, right-aligned, so it never covers a curve (accuracy curves end
  // in the top-right corner of the plot, loss curves in the bottom-right).
  int x = right;
  for (size_t s = series.size(); s-- > 0;) {
    int baseline = 0;
    const cv::Size text = cv::getTextSize(series[s].name, cv::FONT_HERSHEY_SIMPLEX, 0.4, 1, &baseline);
    x -= text.width;
    cv::putText(img, series[s].name, {x, area.y + 22}, cv::FONT_HERSHEY_SIMPLEX, 0.4, kInk, 1, cv::LINE_AA);
    cv::line(img, {x - 25, area.y + 18}, {x - 5, area.y + 18}, kColours[s % 4], 2);
    x -= 40;
  }
}

}  // namespace

void plot_curves_png(const std::string& path, const std::string& left_title, const std::vector<Series>& left,
                     const std::string& right_title, const std::vector<Series>& right) {
  cv::Mat img(360, 960, CV_8UC3, cv::Scalar(255, 255, 255));
  panel(img, {0, 0, 480, 360}, left_title, left);
  panel(img, {480, 0, 480, 360}, right_title, right);
  write_png(path, img);
}

void plot_confusion_png(const std::string& path, const Metrics& m, const std::string& title) {
  const int k = static_cast<int>(m.classes.size()), cell = 90, x0 = 110, y0 = 60;
  cv::Mat img(y0 + k * cell + 50, x0 + k * cell + 20, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, title, {10, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.6, kInk, 1, cv::LINE_AA);
  for (int a = 0; a < k; ++a) {
    long row = 0;
    for (long v : m.confusion[static_cast<size_t>(a)]) row += v;
    for (int p = 0; p < k; ++p) {
      const long v = m.confusion[static_cast<size_t>(a)][static_cast<size_t>(p)];
      const double share = row ? static_cast<double>(v) / static_cast<double>(row) : 0.0;
      const cv::Scalar fill(255 - 200 * share, 255 - 140 * share, 255 - 40 * share);  // white -> blue (BGR)
      const cv::Rect r(x0 + p * cell, y0 + a * cell, cell, cell);
      cv::rectangle(img, r, fill, cv::FILLED);
      cv::rectangle(img, r, kGrid);
      const cv::Scalar text = share > 0.55 ? cv::Scalar(255, 255, 255) : kInk;
      cv::putText(img, std::to_string(v), {r.x + 18, r.y + cell / 2 + 6}, cv::FONT_HERSHEY_SIMPLEX, 0.6, text, 1, cv::LINE_AA);
    }
    cv::putText(img, m.classes[static_cast<size_t>(a)], {8, y0 + a * cell + cell / 2 + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.5, kInk, 1, cv::LINE_AA);
    cv::putText(img, m.classes[static_cast<size_t>(a)], {x0 + a * cell + 12, y0 + k * cell + 22}, cv::FONT_HERSHEY_SIMPLEX, 0.5, kInk, 1, cv::LINE_AA);
  }
  cv::putText(img, "actual (rows) / predicted (columns)", {x0, y0 - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.42, kInk, 1, cv::LINE_AA);
  write_png(path, img);
}

}  // namespace fermap
