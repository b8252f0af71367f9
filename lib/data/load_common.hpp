// Internal helpers shared by the FER2013 loaders: option checks, the bad-input policy (throw or
// skip and report) and decoding one image file to 8-bit gray.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "fermap/data/fer2013.hpp"

namespace fermap::detail {

// Throws ArgumentError unless `options` selects at least one class, each a FER2013 name, none twice,
// and the image size is positive.
void check_load_options(const LoadOptions& options);

// Applies the bad-input policy: throws FormatError(message) unless skip_bad, in which case the item
// is counted as skipped and the message kept (up to LoadReport::kMaxProblems).
class BadInput {
 public:
  BadInput(const LoadOptions& options, LoadReport& report) : options_(options), report_(report) {}
  void operator()(const std::string& message);

 private:
  const LoadOptions& options_;
  LoadReport& report_;
};

// Decodes an encoded image (any format stb_image reads) into `out` (height * width bytes). Returns
// an empty string on success, otherwise what is wrong ("is 64x64, expected 48x48"). Accepts 1-channel
// images and 3-channel images whose channels are equal; rejects alpha. Thread-safe.
std::string decode_gray(const uint8_t* bytes, size_t size, int height, int width, uint8_t* out);

}  // namespace fermap::detail
