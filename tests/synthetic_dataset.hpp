// An in-memory Dataset for the data tests: `counts[c]` images of class "c<c>", sources "img<i>",
// and pixels that differ between images and between rows (synthetic_pixel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fermap/data/dataset.hpp"

namespace fermap::test {

inline uint8_t synthetic_pixel(size_t image, size_t pixel) {
  return static_cast<uint8_t>((image * 37 + pixel / 48 * 5 + pixel % 7) % 256);
}

inline Dataset in_memory_dataset(const std::vector<size_t>& counts) {
  Dataset d;
  for (size_t c = 0; c < counts.size(); ++c) {
    d.class_names.push_back(std::string("c").append(std::to_string(c)));
    for (size_t k = 0; k < counts[c]; ++k) d.labels.push_back(static_cast<int>(c));
  }
  d.pixels.resize(d.size() * d.image_bytes());
  for (size_t i = 0; i < d.size(); ++i) {
    for (size_t p = 0; p < d.image_bytes(); ++p) d.pixels[i * d.image_bytes() + p] = synthetic_pixel(i, p);
    d.sources.push_back(std::string("img").append(std::to_string(i)));
  }
  return d;
}

}  // namespace fermap::test
