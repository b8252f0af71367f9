// fermap/data/dataset.hpp — Dataset: labelled 8-bit grayscale images in memory, and the stratified
// train/validation split carved from it.
//
// A Dataset is plain data: the loaders (fer2013.hpp) fill it, the batcher (batch.hpp) reads it.
// Images are row-major H x W bytes, stored back to back; `labels[i]` indexes `class_names`;
// `sources[i]` says where image i came from ("ROOT/train/sad/x.jpg" or "fer2013.csv:42"), so any
// later complaint about an image can name it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fermap {

struct Dataset {
  int height = 48, width = 48;
  std::vector<uint8_t> pixels;            // size() * height * width bytes
  std::vector<int> labels;                // one per image, in [0, class_names.size())
  std::vector<std::string> class_names;   // label i is class_names[i]
  std::vector<std::string> sources;       // one per image: file path or "file.csv:LINE"

  size_t size() const { return labels.size(); }
  size_t image_bytes() const { return static_cast<size_t>(height) * static_cast<size_t>(width); }
  const uint8_t* image(size_t i) const { return pixels.data() + i * image_bytes(); }
  // Number of images of each class, indexed like class_names (zero for a class with no image).
  std::vector<size_t> class_counts() const;
  // Throws FormatError when the sizes of pixels/labels/sources disagree or a label is out of range.
  void check() const;
};

// The images at `indices` (in that order), with the same class names. Throws ArgumentError on an
// index out of range.
Dataset subset(const Dataset& data, const std::vector<size_t>& indices);

struct TrainValSplit {
  Dataset train, val;
};

// Carves a validation set out of `data`, class by class: round(n_c * val_fraction) images of each
// class c go to `val`, chosen by a seeded shuffle, so the split is stratified, disjoint and fixed by
// `seed` (and differs across seeds). Both parts keep the original relative order of their images.
// val_fraction must be in [0, 1); 0 gives an empty val.
TrainValSplit split_stratified(const Dataset& data, double val_fraction = 0.1, uint64_t seed = 0);

}  // namespace fermap
