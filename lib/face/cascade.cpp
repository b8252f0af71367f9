// lib/face/cascade.cpp — the cascade search: fixed install paths, then OpenCV's sample-data search.
#include "fermap/face/cascade.hpp"

#include <cstdlib>
#include <filesystem>
#include <opencv2/core/utility.hpp>

#include "fermap/error.hpp"

namespace fermap {

namespace {

bool is_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

std::vector<std::string> cascade_search_paths(const std::string& name) {
  std::vector<std::string> paths;
  if (const char* dir = std::getenv("FERMAP_CASCADE_DIR"); dir && *dir) paths.push_back(std::string(dir) + "/" + name);
  for (const char* dir : {"/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades",
                          "/usr/local/share/opencv4/haarcascades", "/usr/local/share/opencv/haarcascades"})
    paths.push_back(std::string(dir) + "/" + name);
  return paths;
}

std::string find_cascade(const std::string& override_path, const std::string& name) {
  if (!override_path.empty()) {
    if (!is_file(override_path)) throw IoError("face cascade '" + override_path + "' does not exist or is not a file");
    return override_path;
  }
  const std::vector<std::string> paths = cascade_search_paths(name);
  for (const std::string& path : paths)
    if (is_file(path)) return path;
  const std::string found = cv::samples::findFile("haarcascades/" + name, false, true);
  if (!found.empty() && is_file(found)) return found;
  std::string tried;
  for (const std::string& path : paths) tried += "\n  " + path;
  throw IoError("face cascade '" + name + "' not found; tried:" + tried +
                "\n  OpenCV's sample-data search (haarcascades/" + name +
                ")\ninstall Debian's opencv-data package or pass the cascade's path");
}

}  // namespace fermap
