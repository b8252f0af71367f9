// lib/face/image_io.cpp — load_image/decode_image (header check with stb, decode with OpenCV) and
// write_png.
#include "fermap/face/image_io.hpp"

#include <cstring>
#include <opencv2/imgcodecs.hpp>

#include "face/image_check.hpp"
#include "fermap/error.hpp"
#include "file_io.hpp"
#include "fermap/serialize.hpp"

// Only stbi_info_from_memory is used (image size from the header); static keeps the implementation
// private to this file, whatever other files of the library do with stb.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#include <stb/stb_image.h>

namespace fermap {

namespace {

void check_size(int64_t width, int64_t height, const std::string& name, const ImageLoadOptions& options) {
  if (width < options.min_side || height < options.min_side)
    throw FormatError(name + ": image is " + std::to_string(width) + "x" + std::to_string(height) +
                      ", too small (at least " + std::to_string(options.min_side) + " pixels per side)");
  if (width > options.max_side || height > options.max_side || width * height > options.max_pixels)
    throw FormatError(name + ": image is " + std::to_string(width) + "x" + std::to_string(height) +
                      ", over the limit (" + std::to_string(options.max_side) + " per side, " +
                      std::to_string(options.max_pixels) + " pixels)");
}

}  // namespace

cv::Mat decode_image(const std::vector<uint8_t>& bytes, const std::string& name, const ImageLoadOptions& options) {
  if (bytes.empty()) throw FormatError(name + ": empty file (0 bytes), not an image");
  // The size from the header first: a huge image is refused even when the file is cut short after
  // its header. PNG and JPEG headers are read by our own walk (stb's JPEG header reader trusts
  // the Huffman tables it meets on the way); stb reads the others.
  const detail::ImageStructure structure = detail::check_image_structure(bytes.data(), bytes.size());
  int width = 0, height = 0, channels = 0;
  if (structure.width >= 0)
    check_size(structure.width, structure.height, name, options);
  else if (structure.problem.empty() && bytes.size() <= static_cast<size_t>(INT32_MAX) &&
           stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &channels))
    check_size(width, height, name, options);
  if (!structure.problem.empty()) throw FormatError(name + ": " + structure.problem);
  cv::Mat image;
  try {
    image = cv::imdecode(bytes, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw FormatError(name + ": corrupt image (" + e.msg + ")");
  }
  if (image.empty()) throw FormatError(name + ": not a readable image (unknown format or corrupt data)");
  check_size(image.cols, image.rows, name, options);
  return image;
}

cv::Mat load_image(const std::string& path, const ImageLoadOptions& options) {
  const std::string file = detail::read_whole_file(path, "image");
  return decode_image(std::vector<uint8_t>(file.begin(), file.end()), path, options);
}

void write_png(const std::string& path, const cv::Mat& image) {
  if (image.empty()) throw ArgumentError("write_png: empty image for '" + path + "'");
  std::vector<uint8_t> png;
  bool ok = false;
  try {
    ok = cv::imencode(".png", image, png);
  } catch (const cv::Exception& e) {
    throw IoError(path + ": cannot encode PNG (" + e.msg + ")");
  }
  if (!ok) throw IoError(path + ": cannot encode PNG");
  // Atomically, so that a run killed while it redraws its curves never leaves half a PNG.
  write_file_atomically(path, std::string(png.begin(), png.end()));
}

}  // namespace fermap
