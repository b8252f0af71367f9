// fermap/data/preview.hpp — what a person looks at to trust the data: a per-class count table, and
// a picture of originals beside their augmented versions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fermap/data/augment.hpp"
#include "fermap/data/dataset.hpp"

namespace fermap {

// One column of a count table: a split's name and its dataset.
struct SplitColumn {
  std::string name;
  const Dataset* data = nullptr;
};

// A fixed-width text table: one row per class (the class names of the first column's dataset), one
// column per split, and a total row. Throws ArgumentError when the columns' classes differ.
std::string class_count_table(const std::vector<SplitColumn>& columns);

struct PreviewOptions {
  int count = 8;        // rows: images shown, taken from the classes in turn
  int augmented = 5;    // augmented versions beside each original
  int zoom = 3;         // each 48x48 face is drawn zoom times larger (nearest neighbour)
  uint64_t seed = 0;    // picks the images and the augmentations
  bool equalize = false;  // histogram-equalise each image first, as `train --equalize` does
  AugmentOptions augment;
};

// An 8-bit gray picture, row-major.
struct PreviewImage {
  int height = 0, width = 0;
  std::vector<uint8_t> pixels;
};

// The grid: each row holds the class name, the original, a gap, then `augmented` augmented
// versions (drawn with draw_augmentation(augment, seed, row * 2^16 + k)). Throws ArgumentError on
// an empty dataset or non-positive counts.
PreviewImage augmentation_preview(const Dataset& data, const PreviewOptions& options);

// Writes `image` as PNG (OpenCV). Throws IoError naming the path when it cannot be written.
void write_preview_png(const PreviewImage& image, const std::string& path);

}  // namespace fermap
