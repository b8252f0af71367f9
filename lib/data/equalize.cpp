// equalize_histogram: one 256-level map per image from its cumulative histogram, for bytes and float levels alike.
#include "fermap/data/equalize.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace fermap {

namespace {

using LevelMap = std::array<uint8_t, 256>;

uint8_t level_of(uint8_t v) { return v; }
uint8_t level_of(float v) {
  // NaN compares false both ways and lands on 0, like a value below the range.
  if (!(v > 0.0f)) return 0;
  if (v >= 255.0f) return 255;
  return static_cast<uint8_t>(std::lrint(v));
}

// The equalising map of the levels in[0..n), or nothing when the image has a single level.
template <class Pixel>
bool equalizing_map(const Pixel* in, size_t n, LevelMap& map) {
  std::array<size_t, 256> histogram{};
  for (size_t i = 0; i < n; ++i) ++histogram[level_of(in[i])];
  size_t darkest = 0;
  while (darkest < 256 && histogram[darkest] == 0) ++darkest;
  if (darkest == 256 || histogram[darkest] == n) return false;
  // float as OpenCV computes it, so that both round every level alike.
  const float step = 255.0f / static_cast<float>(n - histogram[darkest]);
  size_t below = 0;  // pixels at levels in (darkest, level]
  map.fill(0);
  for (size_t level = darkest + 1; level < 256; ++level) {
    below += histogram[level];
    map[level] = static_cast<uint8_t>(std::min(255L, std::lrint(static_cast<float>(below) * step)));
  }
  return true;
}

template <class Pixel>
void equalize(const Pixel* in, size_t n, Pixel* out) {
  LevelMap map;
  if (!equalizing_map(in, n, map)) {
    if (out != in) std::copy_n(in, n, out);
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<Pixel>(map[level_of(in[i])]);
}

}  // namespace

void equalize_histogram(const uint8_t* in, size_t n, uint8_t* out) { equalize(in, n, out); }
void equalize_histogram(const float* in, size_t n, float* out) { equalize(in, n, out); }

}  // namespace fermap
