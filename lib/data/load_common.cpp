// The loaders' shared policy (option checks, throw-or-skip, LoadReport) and stb_image decoding.
#include "load_common.hpp"

#include <algorithm>
#include <cstring>

#include <stb_image.h>

#include "face/image_check.hpp"
#include "fermap/error.hpp"

namespace fermap {

std::string LoadReport::summary() const {
  std::string out = "loaded " + std::to_string(loaded) + ", skipped " + std::to_string(skipped);
  for (const auto& p : problems) out += "\n  " + p;
  if (skipped > problems.size())
    out += "\n  ... and " + std::to_string(skipped - problems.size()) + " more";
  return out;
}

namespace detail {

void check_load_options(const LoadOptions& options) {
  if (options.height <= 0 || options.width <= 0)
    throw ArgumentError("load options: image size " + std::to_string(options.height) + "x" +
                        std::to_string(options.width) + " is not positive");
  if (options.classes.empty()) throw ArgumentError("load options: no class selected");
  const std::vector<std::string> known = all_classes();
  for (size_t i = 0; i < options.classes.size(); ++i) {
    const std::string& c = options.classes[i];
    if (std::find(known.begin(), known.end(), c) == known.end())
      throw ArgumentError("load options: '" + c + "' is not a FER2013 class name");
    if (std::find(options.classes.begin(), options.classes.begin() + static_cast<long>(i), c) !=
        options.classes.begin() + static_cast<long>(i))
      throw ArgumentError("load options: class '" + c + "' selected twice");
  }
}

void BadInput::operator()(const std::string& message) {
  if (!options_.skip_bad) throw FormatError(message);
  ++report_.skipped;
  if (report_.problems.size() < LoadReport::kMaxProblems) report_.problems.push_back(message);
}

std::string decode_gray(const uint8_t* bytes, size_t size, int height, int width, uint8_t* out) {
  if (size == 0) return "is empty";
  if (size > static_cast<size_t>(1) << 30) return "is too large to be an image";
  const auto wrong_size = [&](int64_t w, int64_t h) {
    return "is " + std::to_string(w) + "x" + std::to_string(h) + ", expected " + std::to_string(width) + "x" +
           std::to_string(height);
  };
  // Before stb sees it: a truncated PNG/JPEG, a JPEG Huffman table that stb would overflow, and
  // an image of another size, read from its header, so that a stray photo (or a small file that
  // claims a huge image) is refused without being decoded.
  const ImageStructure s = check_image_structure(bytes, size);
  if (!s.problem.empty()) return std::string("is a ") + s.problem;
  int w = 0, h = 0, comp = 0;
  if (s.width >= 0 && (s.width != width || s.height != height)) return wrong_size(s.width, s.height);
  if (s.width < 0 && stbi_info_from_memory(bytes, static_cast<int>(size), &w, &h, &comp) && (w != width || h != height))
    return wrong_size(w, h);
  stbi_uc* img = stbi_load_from_memory(bytes, static_cast<int>(size), &w, &h, &comp, 0);
  if (!img) {
    const char* why = stbi_failure_reason();
    return std::string("cannot be decoded (") + (why ? why : "unknown reason") + ")";
  }
  std::string error;
  const size_t n = static_cast<size_t>(height) * static_cast<size_t>(width);
  if (w != width || h != height) {
    error = wrong_size(w, h);
  } else if (comp == 1) {
    std::memcpy(out, img, n);
  } else if (comp == 3) {
    for (size_t i = 0; i < n && error.empty(); ++i) {
      const stbi_uc* p = img + 3 * i;
      if (p[0] != p[1] || p[1] != p[2])
        error = "is a colour image (pixel " + std::to_string(i) + " has R,G,B = " +
                std::to_string(p[0]) + "," + std::to_string(p[1]) + "," + std::to_string(p[2]) +
                "), expected grayscale";
      out[i] = p[0];
    }
  } else {
    error = "has " + std::to_string(comp) + " channels with alpha, expected grayscale";
  }
  stbi_image_free(img);
  return error;
}

}  // namespace detail
}  // namespace fermap
