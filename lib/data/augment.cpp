// Random affine augmentation with Keras ImageDataGenerator semantics (see augment.hpp for the
// exact formula): counter-based draws, inverse mapping, bilinear sampling, edge clamping.
#include "fermap/data/augment.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "fermap/rng.hpp"

namespace fermap {

bool AffineDraw::is_identity() const {
  return angle_deg == 0 && shift_x == 0 && shift_y == 0 && zoom_x == 1 && zoom_y == 1 && !flip &&
         erase_height * erase_width == 0;
}

AffineDraw draw_augmentation(const AugmentOptions& options, uint64_t seed, uint64_t stream,
                             ImageSize size) {
  // Uniform in [-1, 1) from draw k of this (seed, stream).
  const auto symmetric = [&](uint64_t k) { return 2.0f * hash_uniform(seed, stream, k) - 1.0f; };
  AffineDraw d;
  d.angle_deg = options.rotation_deg * symmetric(0);
  d.shift_y = options.height_shift * static_cast<float>(size.height) * symmetric(1);
  d.shift_x = options.width_shift * static_cast<float>(size.width) * symmetric(2);
  d.zoom_y = 1.0f + options.zoom * symmetric(3);
  d.zoom_x = 1.0f + options.zoom * symmetric(4);
  d.flip = options.horizontal_flip && hash_uniform(seed, stream, 5) < 0.5f;
  if (options.erase > 0 && hash_uniform(seed, stream, 6) < options.erase) {
    const float area = (0.02f + 0.23f * hash_uniform(seed, stream, 7)) * static_cast<float>(size.height * size.width);
    const float aspect = std::exp(std::log(0.3f) + (std::log(3.3f) - std::log(0.3f)) * hash_uniform(seed, stream, 8));
    d.erase_height = std::clamp(static_cast<int>(std::lround(std::sqrt(area * aspect))), 1, size.height);
    d.erase_width = std::clamp(static_cast<int>(std::lround(std::sqrt(area / aspect))), 1, size.width);
    d.erase_row = static_cast<int>(hash_uniform(seed, stream, 9) * static_cast<float>(size.height - d.erase_height + 1));
    d.erase_col = static_cast<int>(hash_uniform(seed, stream, 10) * static_cast<float>(size.width - d.erase_width + 1));
    d.erase_row = std::min(d.erase_row, size.height - d.erase_height);  // a draw of exactly 1.0f cannot overflow
    d.erase_col = std::min(d.erase_col, size.width - d.erase_width);
  }
  return d;
}

namespace {

void erase_rectangle(int h, int w, const AffineDraw& d, float* image) {
  const size_t n = static_cast<size_t>(h) * static_cast<size_t>(w);
  double sum = 0;
  for (size_t p = 0; p < n; ++p) sum += image[p];
  const auto mean = static_cast<float>(sum / static_cast<double>(n));
  const int r1 = std::min(d.erase_row + d.erase_height, h), c1 = std::min(d.erase_col + d.erase_width, w);
  for (int r = std::max(d.erase_row, 0); r < r1; ++r)
    for (int c = std::max(d.erase_col, 0); c < c1; ++c) image[static_cast<size_t>(r) * static_cast<size_t>(w) + static_cast<size_t>(c)] = mean;
}

// The warp for either pixel type: bytes from a dataset, floats from a face crop.
template <typename Pixel>
void warp_image(const Pixel* src, int h, int w, const AffineDraw& d, float* dst) {
  const double a = static_cast<double>(d.angle_deg) * std::numbers::pi / 180.0;
  const double cs = std::cos(a), sn = std::sin(a);
  // in = o + R Z (out - o) + R t, in (row, column) coordinates; see the header.
  const double m00 = cs * d.zoom_y, m01 = -sn * d.zoom_x;
  const double m10 = sn * d.zoom_y, m11 = cs * d.zoom_x;
  const double orow = h / 2.0 + 0.5, ocol = w / 2.0 + 0.5;
  const double trow = cs * d.shift_y - sn * d.shift_x, tcol = sn * d.shift_y + cs * d.shift_x;
  const float ymax = static_cast<float>(h - 1), xmax = static_cast<float>(w - 1);

  for (int r = 0; r < h; ++r) {
    const double dr = r - orow;
    for (int c = 0; c < w; ++c) {
      const double dc = (d.flip ? w - 1 - c : c) - ocol;
      const auto y = std::clamp(static_cast<float>(orow + m00 * dr + m01 * dc + trow), 0.0f, ymax);
      const auto x = std::clamp(static_cast<float>(ocol + m10 * dr + m11 * dc + tcol), 0.0f, xmax);
      const int y0 = static_cast<int>(y), x0 = static_cast<int>(x);
      const int y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
      const float fy = y - static_cast<float>(y0), fx = x - static_cast<float>(x0);
      const Pixel* row0 = src + static_cast<size_t>(y0) * static_cast<size_t>(w);
      const Pixel* row1 = src + static_cast<size_t>(y1) * static_cast<size_t>(w);
      const float top = (1.0f - fx) * static_cast<float>(row0[x0]) + fx * static_cast<float>(row0[x1]);
      const float bottom = (1.0f - fx) * static_cast<float>(row1[x0]) + fx * static_cast<float>(row1[x1]);
      dst[static_cast<size_t>(r) * static_cast<size_t>(w) + static_cast<size_t>(c)] =
          (1.0f - fy) * top + fy * bottom;
    }
  }
  if (d.erase_height > 0 && d.erase_width > 0) erase_rectangle(h, w, d, dst);
}

}  // namespace

void augment_image(const uint8_t* src, int h, int w, const AffineDraw& draw, float* dst) {
  warp_image(src, h, w, draw, dst);
}

void augment_image(const float* src, int h, int w, const AffineDraw& draw, float* dst) {
  warp_image(src, h, w, draw, dst);
}

std::vector<AffineDraw> test_time_views() {
  std::vector<AffineDraw> out(1);
  const float shifts[4][2] = {{2, 0}, {-2, 0}, {0, 2}, {0, -2}};
  for (const auto& s : shifts) {
    AffineDraw d;
    d.shift_x = s[0], d.shift_y = s[1];
    out.push_back(d);
  }
  const size_t plain = out.size();
  for (size_t i = 0; i < plain; ++i) {
    AffineDraw d = out[i];
    d.flip = true;
    out.push_back(d);
  }
  return out;
}

}  // namespace fermap
