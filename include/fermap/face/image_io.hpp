// fermap/face/image_io.hpp — reading photos with clear errors, and writing PNGs.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace fermap {

struct ImageLoadOptions {
  int min_side = 1;                   // narrowest or shortest image accepted, in pixels
  int max_side = 20000;               // widest or tallest image accepted, in pixels
  int64_t max_pixels = 100'000'000;   // width * height accepted
};

// Decodes a photo (any format OpenCV reads) into 8-bit BGR. The size is read from the file's header
// before decoding where the format allows it (JPEG, PNG, BMP, GIF, PNM, ...), so an absurdly large
// image is refused without allocating it; it is checked again after decoding. A PNG or JPEG is
// first checked whole (PNG chunk CRCs, JPEG markers up to the end-of-image marker), so a truncated
// or corrupt file is an error rather than a gray-padded picture.
// IoError: missing or unreadable file. FormatError: empty file, not an image, truncated, corrupt,
// too large or too small.
cv::Mat load_image(const std::string& path, const ImageLoadOptions& options = {});

// Same, from bytes already in memory; `name` identifies them in errors.
cv::Mat decode_image(const std::vector<uint8_t>& bytes, const std::string& name, const ImageLoadOptions& options = {});

// Writes `image` (8-bit gray, BGR or BGRA) as PNG whatever the file's extension, atomically (temp
// file + rename). IoError on failure.
void write_png(const std::string& path, const cv::Mat& image);

}  // namespace fermap
