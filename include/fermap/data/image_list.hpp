// fermap/data/image_list.hpp — a text file naming images, one per line, and leaving the named
// images out of a Dataset: how `fermap train --exclude` drops the training images that
// `fermap data suspects` lists as probably mislabelled.
//
// Format: one image per line, named as Dataset::sources names it ("ROOT/train/sad/x.jpg" or
// "fer2013.csv:42", so with the --data path the list was made with). Anything after the first tab
// is ignored (the suspects list puts its reasons there); blank lines (spaces only, too) and lines starting
// with '#' are skipped; a trailing '\r' is dropped.
#pragma once

#include <string>
#include <vector>

#include "fermap/data/dataset.hpp"

namespace fermap {

struct ListedImage {
  std::string name;
  size_t line = 0;  // 1-based, for error messages
};

// Throws IoError naming the file when it cannot be read, FormatError when it names an image twice.
std::vector<ListedImage> read_image_list(const std::string& path);

// The positions in `data` of the images the list names, in data's order.
std::vector<size_t> find_listed_images(const Dataset& data, const std::vector<ListedImage>& list);

// `data` without the images the list names, the others in their order.
Dataset without_listed_images(const Dataset& data, const std::vector<ListedImage>& list);

}  // namespace fermap
